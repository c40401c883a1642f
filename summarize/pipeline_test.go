package summarize_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/summarize"
	"github.com/ticketsum/ticketsum/telemetry"
)

// fakeSummarizer returns a fixed text and status, or an error.
type fakeSummarizer struct {
	text   string
	status ticketsum.Status
	err    error
	// needSession fails the call unless the guard's Begin prepared its context.
	needSession bool
}

func (f *fakeSummarizer) Summarize(ctx context.Context, t *ticketsum.Ticket) (*ticketsum.Summary, error) {
	id, ok := ctx.Value(ticketKey{}).(string)
	if ok && id != t.ID {
		return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "guard context is for ticket %s, not %s", id, t.ID)
	}
	if f.needSession && !ok {
		return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "the guard's Begin did not run before the summarizer")
	}
	if f.err != nil {
		return nil, f.err
	}
	return &ticketsum.Summary{Text: f.text, Status: f.status, Model: "fake", PromptVersion: "v1"}, nil
}

// memStore is a minimal in-memory store recording saved summaries.
type memStore struct {
	mu      sync.Mutex
	tickets map[string]*ticketsum.Ticket
	saved   []*ticketsum.Summary
}

func (m *memStore) UpsertTicket(ctx context.Context, t *ticketsum.Ticket) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tickets[t.ID] = t
	return true, nil
}

func (m *memStore) FindTicket(ctx context.Context, id string) (*ticketsum.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tickets[id]
	if !ok {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket %s not found", id)
	}
	return t, nil
}

func (m *memStore) ListTickets(ctx context.Context, f ticketsum.TicketFilter) ([]ticketsum.TicketView, int, error) {
	return nil, 0, nil
}

func (m *memStore) SaveSummary(ctx context.Context, s *ticketsum.Summary) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saved = append(m.saved, s)
	return true, nil
}

func (m *memStore) CurrentSummary(ctx context.Context, id string) (*ticketsum.Summary, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.saved) - 1; i >= 0; i-- {
		if m.saved[i].TicketID == id {
			return m.saved[i], nil
		}
	}
	return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "none")
}

func (m *memStore) SummaryHistory(ctx context.Context, id string) ([]*ticketsum.Summary, error) {
	return nil, nil
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// scrubGuard replaces a word and records a flag.
type scrubGuard struct{ block bool }

type ticketKey struct{}

func (g scrubGuard) Begin(ctx context.Context, t *ticketsum.Ticket) context.Context {
	return context.WithValue(ctx, ticketKey{}, t.ID)
}

func (g scrubGuard) CheckSummary(ctx context.Context, t *ticketsum.Ticket, text string) (string, []string, error) {
	if g.block {
		return "", nil, ticketsum.Errorf(ticketsum.EBLOCKED, "guardrail blocked the output: the output policy blocks CREDIT_DEBIT_CARD_NUMBER")
	}
	return strings.ReplaceAll(text, "Ana", "the customer"), []string{"output:NAME:ANONYMIZED"}, nil
}

func mustTicket(tb testing.TB) *ticketsum.Ticket {
	tb.Helper()
	return &ticketsum.Ticket{ID: "T-1", Messages: []ticketsum.Message{{Role: ticketsum.RoleCustomer, Body: "help"}}}
}

func TestPipelineSummarize(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	long := strings.Repeat("word ", ticketsum.MaxSummaryWords+1)
	sentences := strings.Repeat("The agent reset the password. ", 12) // 60 words, 12 sentences
	tests := []struct {
		name       string
		sum        *fakeSummarizer
		guard      summarize.Guard
		ticket     func(*ticketsum.Ticket)
		wantCode   ticketsum.ErrorCode
		wantClass  ticketsum.FailureClass
		wantText   string
		wantStatus ticketsum.Status
		wantFlags  []string
	}{
		{name: "ok", sum: &fakeSummarizer{text: " Ana cannot log in. ", status: ticketsum.StatusResolved}, wantText: "Ana cannot log in."},
		{name: "guarded", sum: &fakeSummarizer{text: "Ana cannot log in.", status: ticketsum.StatusResolved, needSession: true}, guard: scrubGuard{},
			wantText: "the customer cannot log in.", wantFlags: []string{"output:NAME:ANONYMIZED"}},
		{name: "guard scrub lengthens past the limit: cut", sum: &fakeSummarizer{text: "Ana called. " + sentences, status: ticketsum.StatusResolved}, guard: scrubGuard{},
			wantText: "the customer called. " + strings.TrimSpace(strings.Repeat("The agent reset the password. ", 11)), wantFlags: []string{"output:NAME:ANONYMIZED", "truncated"}},
		{name: "guard blocks", sum: &fakeSummarizer{text: "x", status: ticketsum.StatusResolved}, guard: scrubGuard{block: true}, wantCode: ticketsum.EBLOCKED, wantClass: ticketsum.ClassPolicy},
		{name: "too long without a sentence end: cut at the limit", sum: &fakeSummarizer{text: long, status: ticketsum.StatusResolved},
			wantText: strings.TrimSpace(strings.Repeat("word ", ticketsum.MaxSummaryWords)) + "…", wantFlags: []string{"truncated"}},
		{name: "two paragraphs: joined", sum: &fakeSummarizer{text: "a.\n\nb.", status: ticketsum.StatusResolved}, wantText: "a. b.", wantFlags: []string{"joined"}},
		{name: "a list: joined", sum: &fakeSummarizer{text: "Issue:\n- login fails\n- reset sent", status: ticketsum.StatusResolved}, wantText: "Issue: login fails reset sent", wantFlags: []string{"joined"}},
		{name: "empty: configuration, not a bad ticket", sum: &fakeSummarizer{text: "  ", status: ticketsum.StatusResolved}, wantCode: ticketsum.EUNAVAILABLE, wantClass: ticketsum.ClassConfig},
		{name: "bad status: inferred", sum: &fakeSummarizer{text: "ok", status: "done"}, wantText: "ok", wantStatus: ticketsum.StatusAwaitingSupport, wantFlags: []string{"status_inferred"}},
		{name: "throttled passes through", sum: &fakeSummarizer{err: ticketsum.Errorf(ticketsum.ETHROTTLED, "slow")}, wantCode: ticketsum.ETHROTTLED, wantClass: ticketsum.ClassRetryable},
		{name: "invalid ticket", sum: &fakeSummarizer{text: "ok", status: ticketsum.StatusResolved}, ticket: func(t *ticketsum.Ticket) { t.Messages = nil },
			wantCode: ticketsum.EINVALID, wantClass: ticketsum.ClassBadTicket},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := summarize.New(summarize.Config{Summarizer: tt.sum, Guard: tt.guard, Clock: fixedClock{now}})
			if err != nil {
				t.Fatal(err)
			}
			tk := mustTicket(t)
			if tt.ticket != nil {
				tt.ticket(tk)
			}
			s, err := p.Summarize(context.Background(), tk)
			if tt.wantCode != "" {
				if got, class := ticketsum.ErrorCodeOf(err), ticketsum.ClassOf(err); got != tt.wantCode || class != tt.wantClass {
					t.Fatalf("code %q class %q (%v), want %q %q", got, class, err, tt.wantCode, tt.wantClass)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantStatus := tt.wantStatus
			if wantStatus == "" {
				wantStatus = tt.sum.status
			}
			if s.Text != tt.wantText || s.Status != wantStatus || s.TicketID != "T-1" || s.ContentHash != tk.ContentHash() ||
				!s.CreatedAt.Equal(now) || s.Principal != "ticketsum-worker" || !slices.Equal(s.Flags, tt.wantFlags) {
				t.Fatalf("summary = %+v\nwant text %q status %q flags %v", s, tt.wantText, wantStatus, tt.wantFlags)
			}
			if err := summarize.CheckShape(s.Text); err != nil {
				t.Errorf("returned summary breaks the shape: %v", err)
			}
		})
	}
}

func TestPipelineProcess(t *testing.T) {
	t.Parallel()
	store := &memStore{tickets: map[string]*ticketsum.Ticket{}}
	tk := mustTicket(t)
	if _, err := store.UpsertTicket(context.Background(), tk); err != nil {
		t.Fatal(err)
	}
	p, err := summarize.New(summarize.Config{Store: store, Summarizer: &fakeSummarizer{text: "Fixed.", status: ticketsum.StatusResolved}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Process(context.Background(), "T-1"); err != nil {
		t.Fatal(err)
	}
	if len(store.saved) != 1 || store.saved[0].TicketID != "T-1" {
		t.Fatalf("saved = %+v", store.saved)
	}
	if err := p.Process(context.Background(), "missing"); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Fatalf("missing ticket: %v", err)
	}
}

func TestPipelineProcessSkipsUpToDate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := &memStore{tickets: map[string]*ticketsum.Ticket{}}
	tk := mustTicket(t)
	store.UpsertTicket(ctx, tk)
	var onSaved int
	p, err := summarize.New(summarize.Config{Store: store, Model: "fake", Summarizer: &fakeSummarizer{text: "Fixed.", status: ticketsum.StatusResolved},
		OnSaved: func(context.Context, *ticketsum.Summary) { onSaved++ }})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := p.Process(ctx, "T-1"); err != nil {
			t.Fatal(err)
		}
	}
	if len(store.saved) != 1 || onSaved != 1 {
		t.Fatalf("same thread summarised %d times (OnSaved %d), want once", len(store.saved), onSaved)
	}
	if err := p.Regenerate(ctx, "T-1"); ticketsum.ErrorCodeOf(err) != ticketsum.ECONFLICT {
		t.Fatalf("Regenerate of an up-to-date summary: %v, want conflict", err)
	}
	edited := mustTicket(t)
	edited.Messages = append(edited.Messages, ticketsum.Message{Role: ticketsum.RoleAgent, Body: "Done."})
	store.UpsertTicket(ctx, edited)
	if err := p.Process(ctx, "T-1"); err != nil {
		t.Fatal(err)
	}
	if len(store.saved) != 2 || store.saved[1].ContentHash != edited.ContentHash() || onSaved != 2 {
		t.Fatalf("changed thread not summarised again: %d summaries", len(store.saved))
	}
}

func TestNewRequiresSummarizer(t *testing.T) {
	t.Parallel()
	if _, err := summarize.New(summarize.Config{}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Fatalf("New without summarizer: %v", err)
	}
}

// answerMemStore is memStore with an answer store that counts what it keeps.
type answerMemStore struct {
	*memStore
	answers []*ticketsum.Summary
}

func (m *answerMemStore) SaveAnswer(ctx context.Context, s *ticketsum.Summary) error {
	m.answers = append(m.answers, s)
	return nil
}

func (m *answerMemStore) FindAnswer(ctx context.Context, k ticketsum.AnswerKey) (*ticketsum.Summary, error) {
	return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "none")
}

func TestPipelineRecordsOnlyPaidAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Tracing wraps the summarizer (OTEL_* set): it once hid the LLM's model
	// and prompt version, and the pipeline recorded nothing.
	tel, err := telemetry.New(ctx, telemetry.Config{SpanExporter: tracetest.NewInMemoryExporter()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	for _, tc := range []struct {
		name         string
		paid, traced bool
	}{{"unpaid", false, false}, {"paid", true, false}, {"paid, traced", true, true}} {
		store := &answerMemStore{memStore: &memStore{tickets: map[string]*ticketsum.Ticket{}}}
		store.UpsertTicket(ctx, mustTicket(t))
		var s ticketsum.Summarizer = &fakeSummarizer{text: "Fixed.", status: ticketsum.StatusResolved}
		if tc.paid {
			llm, err := summarize.NewLLM(summarize.LLMConfig{Model: &scriptedModel{name: "fake:m", script: []scripted{{text: goodRaw}}}})
			if err != nil {
				t.Fatal(err)
			}
			s = llm
		}
		if tc.traced {
			s = tel.Summarizer(s)
		}
		p, err := summarize.New(summarize.Config{Store: store, Summarizer: s})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Process(ctx, "T-1"); err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{false: 0, true: 1}[tc.paid]; len(store.answers) != want {
			t.Errorf("%s: %d answers recorded, want %d", tc.name, len(store.answers), want)
		}
		if tc.paid && len(store.answers) > 0 && (store.answers[0].Model != "fake:m" || store.answers[0].PromptVersion == "") {
			t.Errorf("%s: recorded answer %+v lacks its key", tc.name, store.answers[0])
		}
	}
}

// TestSummaryFailedLogsReason: the "summary failed" warning of Process and
// of ProcessBatch gives the error's coded message as reason=, as the
// queue's retry log does, and never its cause (a provider's text, here
// carrying a customer's name and address).
func TestSummaryFailedLogsReason(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const pii = "Ana Lima <ana.lima@example.com>"
	fail := &ticketsum.Error{Code: ticketsum.EUNAVAILABLE, Message: "cannot reach the model endpoint: check the network",
		Err: errors.New("upstream said: " + pii)}
	for _, batch := range []bool{false, true} {
		var logs bytes.Buffer
		store := &memStore{tickets: map[string]*ticketsum.Ticket{}}
		tk := mustTicket(t)
		if _, err := store.UpsertTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
		p, err := summarize.New(summarize.Config{Store: store, Summarizer: &fakeSummarizer{err: fail},
			Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		if batch {
			errs, err := p.ProcessBatch(ctx, []summarize.Version{{TicketID: tk.ID, ContentHash: tk.ContentHash()}}, 1)
			if err != nil || len(errs) != 1 || errs[0] == nil {
				t.Fatalf("ProcessBatch = %v, %v; want the ticket's error", errs, err)
			}
		} else if err := p.Process(ctx, tk.ID); err == nil {
			t.Fatal("Process succeeded with a failing summarizer")
		}
		line := logs.String()
		if !strings.Contains(line, `msg="summary failed"`) || !strings.Contains(line, `reason="cannot reach the model endpoint: check the network"`) ||
			strings.Contains(line, "ana.lima") || strings.Contains(line, "Lima") {
			t.Errorf("batch %v: the warning = %q; want the coded reason and no cause", batch, line)
		}
	}
}
