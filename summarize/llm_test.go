package summarize_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/prompt"
	"github.com/ticketsum/ticketsum/summarize"
)

// scriptedModel is a hand-written fake Model that returns scripted answers
// in order and records every request.
type scriptedModel struct {
	name     string
	answered string // ModelResponse.Model; "" means name
	mu       sync.Mutex
	script   []scripted
	reqs     []*ticketsum.ModelRequest
}

type scripted struct {
	text  string
	err   error
	flags []string // ModelResponse.Flags
}

func (m *scriptedModel) Name() string { return m.name }

func (m *scriptedModel) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := *req
	cp.Messages = slices.Clone(req.Messages)
	m.reqs = append(m.reqs, &cp)
	if len(m.script) == 0 {
		return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "fake model: script exhausted after %d calls", len(m.reqs))
	}
	s := m.script[0]
	m.script = m.script[1:]
	if s.err != nil {
		return nil, s.err
	}
	model := m.answered
	if model == "" {
		model = m.name
	}
	return &ticketsum.ModelResponse{
		Text: s.text, Model: model,
		Usage:   ticketsum.Usage{InputTokens: 100, OutputTokens: 20},
		CostUSD: 0.001, Flags: s.flags,
	}, nil
}

type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

// Now advances by 250ms at each reading so latency is deterministic.
func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(250 * time.Millisecond)
	return c.t
}

func mustLLMTicket(tb testing.TB) *ticketsum.Ticket {
	tb.Helper()
	return &ticketsum.Ticket{
		ID: "T-7", Subject: "Refund not received", ProductLine: "billing",
		Customer: ticketsum.Customer{Name: "Maria Lopez", Email: "maria@example.com"},
		Messages: []ticketsum.Message{
			{Role: ticketsum.RoleCustomer, Author: "Maria Lopez", Body: "I returned the blender two weeks ago and have no refund yet."},
			{Role: ticketsum.RoleAgent, Author: "Ken", Body: "The refund was issued today; it takes up to 5 business days."},
		},
	}
}

const (
	goodText = "The customer returned a blender two weeks ago and had not received a refund. The agent issued the refund, which takes up to 5 business days to arrive."
	goodRaw  = goodText + "\nSTATUS: resolved"
)

func TestLLMSummarize(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("The agent checked the refund again. ", 12)
	tests := []struct {
		name       string
		script     []scripted
		wantText   string
		wantStatus ticketsum.Status
		wantCalls  int
		wantFlags  []string
	}{
		{"good", []scripted{{text: goodRaw}}, goodText, ticketsum.StatusResolved, 1, nil},
		{"preamble repaired", []scripted{{text: "Here is a summary: " + goodRaw}, {text: goodRaw}}, goodText, ticketsum.StatusResolved, 2, []string{"repaired:preamble"}},
		{"too long repaired", []scripted{{text: long + "\nSTATUS: resolved"}, {text: goodRaw}}, goodText, ticketsum.StatusResolved, 2, []string{"repaired:too_long"}},
		{"two paragraphs repaired", []scripted{{text: goodText + "\n\nThe customer is happy.\nSTATUS: resolved"}, {text: goodRaw}}, goodText, ticketsum.StatusResolved, 2, []string{"repaired:paragraphs"}},
		{"pii repaired", []scripted{{text: "Maria Lopez returned a blender; the agent issued the refund.\nSTATUS: resolved"}, {text: goodRaw}}, goodText, ticketsum.StatusResolved, 2, []string{"repaired:pii"}},
		{"non-English repaired", []scripted{{text: "La cliente devolvió una licuadora hace dos semanas y el agente emitió el reembolso.\nSTATUS: resolved"}, {text: goodRaw}}, goodText, ticketsum.StatusResolved, 2, []string{"repaired:not_english"}},
		{"unparseable status inferred without a repair", []scripted{{text: goodText + "\nSTATUS: done"}}, goodText, ticketsum.StatusAwaitingSupport, 1, []string{"output:no_status", "status_inferred"}},
		{"missing status inferred without a repair", []scripted{{text: goodText}}, goodText, ticketsum.StatusAwaitingSupport, 1, []string{"output:no_status", "status_inferred"}},
		{"no status and a preamble repaired", []scripted{{text: "Sure! " + goodText}, {text: goodRaw}}, goodText, ticketsum.StatusResolved, 2, []string{"repaired:preamble+no_status"}},
		{"repair keeps first status", []scripted{{text: "Sure! " + goodRaw}, {text: goodText}}, goodText, ticketsum.StatusResolved, 2, []string{"repaired:preamble"}},
		{"still failing after repair keeps the answer", []scripted{{text: "Here is a summary: " + goodText}, {text: "Here is a summary: " + goodText}}, "Here is a summary: " + goodText, ticketsum.StatusAwaitingSupport, 2,
			[]string{"repaired:preamble+no_status", "output:preamble", "output:no_status", "status_inferred"}},
		{"still too long after repair is cut", []scripted{{text: long + "\nSTATUS: resolved"}, {text: long + "\nSTATUS: resolved"}}, strings.TrimSpace(strings.Repeat("The agent checked the refund again. ", 10)), ticketsum.StatusResolved, 2,
			[]string{"repaired:too_long", "output:too_long", "truncated"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := &scriptedModel{name: "fake:m1", script: tt.script}
			llm, err := summarize.NewLLM(summarize.LLMConfig{Model: m, Clock: &stepClock{}, Principal: "tester", Classifier: fixedStatus(ticketsum.StatusAwaitingSupport)})
			if err != nil {
				t.Fatal(err)
			}
			tk := mustLLMTicket(t)
			s, err := llm.Summarize(context.Background(), tk)
			if err != nil {
				t.Fatal(err)
			}
			if s.Text != tt.wantText || s.Status != tt.wantStatus {
				t.Errorf("summary = %q / %q, want %q / %q", s.Text, s.Status, tt.wantText, tt.wantStatus)
			}
			if s.StatusInferred != slices.Contains(tt.wantFlags, ticketsum.FlagStatusInferred) || s.Truncated != slices.Contains(tt.wantFlags, ticketsum.FlagTruncated) {
				t.Errorf("StatusInferred %v Truncated %v disagree with flags %v", s.StatusInferred, s.Truncated, s.Flags)
			}
			if err := summarize.CheckShape(s.Text); err != nil {
				t.Errorf("kept answer breaks the shape: %v", err)
			}
			if len(m.reqs) != tt.wantCalls {
				t.Errorf("%d model calls, want %d", len(m.reqs), tt.wantCalls)
			}
			if !slices.Equal(s.Flags, tt.wantFlags) {
				t.Errorf("flags = %v, want %v", s.Flags, tt.wantFlags)
			}
			wantUsage := ticketsum.Usage{InputTokens: 100 * tt.wantCalls, OutputTokens: 20 * tt.wantCalls}
			if s.Usage != wantUsage || fmt.Sprintf("%.4f", s.CostUSD) != fmt.Sprintf("%.4f", 0.001*float64(tt.wantCalls)) {
				t.Errorf("usage %+v cost %v, want %+v and %v", s.Usage, s.CostUSD, wantUsage, 0.001*float64(tt.wantCalls))
			}
			if s.Model != "fake:m1" || s.RequestedModel != "" || s.PromptVersion != "default-v1" ||
				s.ContentHash != tk.ContentHash() || s.TicketID != "T-7" || s.Principal != "tester" {
				t.Errorf("summary metadata wrong: %+v", s)
			}
			if s.Latency != 250*time.Millisecond {
				t.Errorf("latency = %v, want 250ms (one clock step)", s.Latency)
			}
			for _, r := range m.reqs {
				if r.Meta.TicketID != "T-7" || r.Meta.ProductLine != "billing" || r.Meta.UseCase != "summarize" || r.Meta.Principal != "tester" {
					t.Errorf("call meta = %+v", r.Meta)
				}
				if r.MaxTokens != 300 {
					t.Errorf("MaxTokens = %d, want the default 300", r.MaxTokens)
				}
			}
			if tt.wantCalls == 2 {
				last := m.reqs[1]
				if n := len(last.Messages); n != 3 || last.Messages[1].Role != ticketsum.ChatAssistant || last.Messages[1].Content != tt.script[0].text {
					t.Errorf("repair call does not carry the first answer as the assistant turn: %d messages", n)
				}
			}
		})
	}
}

func TestLLMModelErrorKeepsCode(t *testing.T) {
	t.Parallel()
	for _, code := range []ticketsum.ErrorCode{ticketsum.ETHROTTLED, ticketsum.EFORBIDDEN, ticketsum.EUNAVAILABLE, ticketsum.EINVALID} {
		m := &scriptedModel{name: "fake:m1", script: []scripted{{err: ticketsum.Errorf(code, "provider says no")}}}
		llm, err := summarize.NewLLM(summarize.LLMConfig{Model: m})
		if err != nil {
			t.Fatal(err)
		}
		_, err = llm.Summarize(context.Background(), mustLLMTicket(t))
		if got := ticketsum.ErrorCodeOf(err); got != code {
			t.Errorf("error code = %q, want %q passed through (%v)", got, code, err)
		}
	}
}

// fixedStatus is a StatusClassifier that always answers the same.
type fixedStatus ticketsum.Status

func (f fixedStatus) Status(*ticketsum.Ticket) ticketsum.Status { return ticketsum.Status(f) }

func TestLLMRepairFailureKeepsFirstAnswer(t *testing.T) {
	t.Parallel()
	for _, code := range []ticketsum.ErrorCode{ticketsum.EQUOTA, ticketsum.ETHROTTLED, ticketsum.EUNAVAILABLE} {
		m := &scriptedModel{name: "fake:m1", script: []scripted{{text: "Sure: " + goodRaw}, {err: ticketsum.Errorf(code, "no")}}}
		llm, _ := summarize.NewLLM(summarize.LLMConfig{Model: m})
		s, err := llm.Summarize(context.Background(), mustLLMTicket(t))
		if err != nil {
			t.Fatalf("repair error %s threw the paid first answer away: %v", code, err)
		}
		want := []string{"repaired:preamble", "repair_failed:" + string(code), "output:preamble"}
		if s.Text != "Sure: "+goodText || s.Status != ticketsum.StatusResolved || !slices.Equal(s.Flags, want) || len(m.reqs) != 2 {
			t.Errorf("kept %q / %q flags %v after %d calls, want the first answer, flags %v, 2 calls", s.Text, s.Status, s.Flags, len(m.reqs), want)
		}
	}
}

// TestLLMRepairFlagsOnce: the guard flags the ticket's input on the first
// call and again on the repair, which sends the same ticket; the summary
// lists each flag once, a flag of the repair alone included.
func TestLLMRepairFlagsOnce(t *testing.T) {
	t.Parallel()
	in := []string{"input:EMAIL:ANONYMIZED", "input:NAME:ANONYMIZED"}
	m := &scriptedModel{name: "fake:m1", script: []scripted{
		{text: "Sure: " + goodRaw, flags: in},
		{text: goodRaw, flags: append(slices.Clone(in), "output:PHONE:ANONYMIZED")},
	}}
	llm, _ := summarize.NewLLM(summarize.LLMConfig{Model: m})
	s, err := llm.Summarize(context.Background(), mustLLMTicket(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"input:EMAIL:ANONYMIZED", "input:NAME:ANONYMIZED", "repaired:preamble", "output:PHONE:ANONYMIZED"}
	if !slices.Equal(s.Flags, want) || len(m.reqs) != 2 {
		t.Errorf("flags %v after %d calls, want %v after 2", s.Flags, len(m.reqs), want)
	}
}

func TestLLMDefaultClassifierIsBuiltin(t *testing.T) {
	t.Parallel()
	tk := mustLLMTicket(t)
	tk.Messages = append(tk.Messages, ticketsum.Message{Role: ticketsum.RoleAgent, Body: "Could you send us the order number?"})
	m := &scriptedModel{name: "fake:m1", script: []scripted{{text: goodText}}}
	llm, _ := summarize.NewLLM(summarize.LLMConfig{Model: m})
	s, err := llm.Summarize(context.Background(), tk)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != ticketsum.StatusAwaitingCustomer || !s.StatusInferred {
		t.Errorf("status %q inferred %v, want the built-in's awaiting_customer", s.Status, s.StatusInferred)
	}
}

func TestLLMEmptyAnswerIsConfigNotBadTicket(t *testing.T) {
	t.Parallel()
	m := &scriptedModel{name: "fake:m1", script: []scripted{{text: "STATUS: resolved"}, {text: "  "}}}
	llm, _ := summarize.NewLLM(summarize.LLMConfig{Model: m})
	_, err := llm.Summarize(context.Background(), mustLLMTicket(t))
	if c := ticketsum.ClassOf(err); c != ticketsum.ClassConfig {
		t.Fatalf("empty answer: class %q (%v), want config", c, err)
	}
	if len(m.reqs) != 2 {
		t.Errorf("%d calls, want the answer and one repair", len(m.reqs))
	}
}

func TestLLMFallbackModelRecorded(t *testing.T) {
	t.Parallel()
	m := &scriptedModel{name: "gateway:sonnet", answered: "bedrock:haiku", script: []scripted{{text: goodRaw}}}
	llm, _ := summarize.NewLLM(summarize.LLMConfig{Model: m})
	s, err := llm.Summarize(context.Background(), mustLLMTicket(t))
	if err != nil {
		t.Fatal(err)
	}
	if s.Model != "bedrock:haiku" || s.RequestedModel != "gateway:sonnet" {
		t.Errorf("model %q requested %q, want bedrock:haiku and gateway:sonnet", s.Model, s.RequestedModel)
	}
}

func TestLLMNoRepair(t *testing.T) {
	t.Parallel()
	m := &scriptedModel{name: "fake:m1", script: []scripted{{text: "Here is a summary: " + goodRaw}}}
	llm, _ := summarize.NewLLM(summarize.LLMConfig{Model: m, NoRepair: true})
	s, err := llm.Summarize(context.Background(), mustLLMTicket(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.reqs) != 1 || !slices.Equal(s.Flags, []string{"output:preamble"}) {
		t.Errorf("calls %d flags %v, want 1 call and output:preamble", len(m.reqs), s.Flags)
	}
}

func TestLLMChunksLongTicket(t *testing.T) {
	t.Parallel()
	tk := mustLLMTicket(t)
	for i := range 30 {
		tk.Messages = append(tk.Messages, ticketsum.Message{Role: ticketsum.RoleCustomer,
			Body: fmt.Sprintf("Update %d: ", i) + strings.Repeat("still waiting for the refund to arrive. ", 40)})
	}
	var script []scripted
	for range 40 {
		script = append(script, scripted{text: goodRaw})
	}
	m := &scriptedModel{name: "fake:small", script: script}
	tmpl, err := prompt.New(prompt.Config{NoExamples: true})
	if err != nil {
		t.Fatal(err)
	}
	llm, err := summarize.NewLLM(summarize.LLMConfig{Model: m, Prompt: tmpl, ContextWindow: 4096, MaxOutputTokens: 200})
	if err != nil {
		t.Fatal(err)
	}
	s, err := llm.Summarize(context.Background(), tk)
	if err != nil {
		t.Fatal(err)
	}
	calls := len(m.reqs)
	if calls < 3 {
		t.Fatalf("%d calls for a ticket far over the window; want chunks and a combine", calls)
	}
	budget := prompt.Budget(4096, 200)
	for i, r := range m.reqs {
		if n := tmpl.EstimateRequest(r); n > budget {
			t.Errorf("call %d is %d tokens, over the budget %d", i, n, budget)
		}
	}
	if last := m.reqs[calls-1].Messages[0].Content; !strings.Contains(last, "<part n=\"1\">") {
		t.Errorf("last call is not a combine call")
	}
	if s.Usage.InputTokens != 100*calls || s.Text != goodText || !strings.HasPrefix(s.Flags[0], "chunked:") {
		t.Errorf("chunked summary: usage %+v text %q flags %v", s.Usage, s.Text, s.Flags)
	}
}

func TestNewLLMRejectsBadConfig(t *testing.T) {
	t.Parallel()
	bad := -1.0
	m := &scriptedModel{name: "fake"}
	for _, cfg := range []summarize.LLMConfig{
		{},
		{Model: m, ContextWindow: 500},
		{Model: m, MaxOutputTokens: 4},
		{Model: m, Temperature: &bad},
	} {
		if _, err := summarize.NewLLM(cfg); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("NewLLM(%+v) error = %v, want EINVALID", cfg, err)
		}
	}
}

func ExampleNewLLM() {
	model := &scriptedModel{name: "fake:model", script: []scripted{{text: goodRaw}}}
	llm, _ := summarize.NewLLM(summarize.LLMConfig{Model: model})
	s, _ := llm.Summarize(context.Background(), &ticketsum.Ticket{
		ID: "T-1",
		Messages: []ticketsum.Message{
			{Role: ticketsum.RoleCustomer, Body: "Where is my refund for the blender?"},
			{Role: ticketsum.RoleAgent, Body: "Issued today; allow 5 business days."},
		},
	})
	fmt.Println(s.Status, s.PromptVersion, s.Model)
	fmt.Println(s.Text)
	// Output:
	// resolved default-v1 fake:model
	// The customer returned a blender two weeks ago and had not received a refund. The agent issued the refund, which takes up to 5 business days to arrive.
}
