package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/api"
)

// recordingStore is a ticketsum.Store that keeps what it is given.
type recordingStore struct {
	mu        sync.Mutex
	tickets   map[string]*ticketsum.Ticket
	summaries []*ticketsum.Summary
}

func newRecordingStore() *recordingStore {
	return &recordingStore{tickets: map[string]*ticketsum.Ticket{}}
}

func (s *recordingStore) UpsertTicket(_ context.Context, t *ticketsum.Ticket) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tickets[t.ID] = t
	return true, nil
}

func (s *recordingStore) FindTicket(_ context.Context, id string) (*ticketsum.Ticket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tickets[id]; ok {
		return t, nil
	}
	return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "no ticket %s", id)
}

func (s *recordingStore) ListTickets(context.Context, ticketsum.TicketFilter) ([]ticketsum.TicketView, int, error) {
	return nil, 0, nil
}

func (s *recordingStore) SaveSummary(_ context.Context, sum *ticketsum.Summary) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tickets[sum.TicketID]; !ok {
		return false, ticketsum.Errorf(ticketsum.ENOTFOUND, "no ticket %s", sum.TicketID)
	}
	for _, old := range s.summaries {
		if old.TicketID == sum.TicketID && old.ContentHash == sum.ContentHash && old.Model == sum.Model && old.PromptVersion == sum.PromptVersion {
			sum.ID = old.ID
			return false, nil
		}
	}
	sum.ID = int64(len(s.summaries) + 1)
	s.summaries = append(s.summaries, sum)
	return true, nil
}

func (s *recordingStore) CurrentSummary(context.Context, string) (*ticketsum.Summary, error) {
	return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "none")
}

func (s *recordingStore) SummaryHistory(context.Context, string) ([]*ticketsum.Summary, error) {
	return nil, nil
}

// fakeSummarizer returns a fixed summary and records who it was built for.
type fakeSummarizer struct {
	req api.SummarizerRequest
}

func (f *fakeSummarizer) Summarize(_ context.Context, t *ticketsum.Ticket) (*ticketsum.Summary, error) {
	return &ticketsum.Summary{TicketID: t.ID, Text: "The customer asked where a refund was; the agent confirmed it was sent. Resolved.",
		Status: ticketsum.StatusResolved, Model: f.req.Model, PromptVersion: "v3", ContentHash: t.ContentHash(),
		Usage: ticketsum.Usage{InputTokens: 812, OutputTokens: 41}, CostUSD: 0.00042, Flags: []string{"input:NAME:ANONYMIZED"}}, nil
}

const ticketJSON = `{"id":"T-100","subject":"Refund","product_line":"billing",
 "customer":{"name":"Ada Lovelace","email":"ada@example.com"},
 "messages":[{"role":"customer","body":"Where is my refund?"},{"role":"agent","body":"It was sent today."}]}`

// summaryServer returns a server whose summarizer is a fakeSummarizer; the
// requests it was built for are sent on the returned channel.
func summaryServer(t *testing.T, store ticketsum.Store) (string, map[string]string, chan api.SummarizerRequest) {
	f := MustFixture(t)
	reqs := make(chan api.SummarizerRequest, 10)
	srv := MustServer(t, f, func(c *api.Config) {
		c.Summarizers = func(ctx context.Context, r api.SummarizerRequest) (ticketsum.Summarizer, error) {
			if p := api.PrincipalFrom(ctx); p == nil || p.Name != r.Principal || api.RequestIDFrom(ctx) != r.RequestID {
				return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "context carries principal %v, request %q", p, api.RequestIDFrom(ctx))
			}
			reqs <- r
			return &fakeSummarizer{req: r}, nil
		}
		if store != nil {
			c.Store = store
		}
	})
	return srv.URL, f.keys, reqs
}

// TestSummaryShape answers in the CLI's `summarize --json` shape.
func TestSummaryShape(t *testing.T) {
	t.Parallel()
	url, keys, reqs := summaryServer(t, nil)
	resp := do(t, "POST", url+"/v1/summaries", keys["good"], ticketJSON)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	var fields []string
	for k := range got {
		fields = append(fields, k)
	}
	slices.Sort(fields)
	want := []string{"cost_usd", "flags", "latency_ms", "model", "prompt_version", "status", "summary", "ticket_id", "usage"}
	if !slices.Equal(fields, want) {
		t.Errorf("fields %v, want %v", fields, want)
	}
	if got["ticket_id"] != "T-100" || got["model"] != modelAllowed || got["status"] != "resolved" || got["cost_usd"] != 0.00042 {
		t.Errorf("body %s", body)
	}
	usage, _ := got["usage"].(map[string]any)
	if usage["input_tokens"] != 812.0 || usage["output_tokens"] != 41.0 {
		t.Errorf("usage %v", usage)
	}
	r := <-reqs
	if r.Principal != "team-a" || r.Model != modelAllowed || r.RequestID != resp.Header.Get("X-Request-Id") {
		t.Errorf("summarizer built for %+v", r)
	}
	if strings.Contains(string(body), "Ada") || strings.Contains(string(body), "ada@example.com") {
		t.Errorf("answer repeats the customer's personal data: %s", body)
	}
}

// TestSummaryModelAndStore honours ?model= and ?store=true.
func TestSummaryModelAndStore(t *testing.T) {
	t.Parallel()
	store := newRecordingStore()
	url, keys, reqs := summaryServer(t, store)
	for i, wantCreated := range []bool{true, false} {
		resp := do(t, "POST", url+"/v1/summaries?model=fake:other&store=true", keys["slow"], ticketJSON)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var got api.SummaryResponse
		json.Unmarshal(body, &got)
		if got.ID != 1 || got.Created == nil || *got.Created != wantCreated {
			t.Errorf("call %d: id %d created %v, want 1 %v", i+1, got.ID, got.Created, wantCreated)
		}
		if r := <-reqs; r.Model != modelOther {
			t.Errorf("model %q, want %q", r.Model, modelOther)
		}
	}
	if _, ok := store.tickets["T-100"]; !ok || len(store.summaries) != 1 {
		t.Fatalf("stored %d tickets, %d summaries", len(store.tickets), len(store.summaries))
	}
	if p := store.summaries[0].Principal; p != "team-slow" {
		t.Errorf("stored summary principal %q, want team-slow", p)
	}
}

// TestSummaryBadInput answers 400 naming the problem.
func TestSummaryBadInput(t *testing.T) {
	t.Parallel()
	url, keys, _ := summaryServer(t, nil)
	key := keys["good"]
	tests := []struct {
		name, query, body, msg string
		chunked                bool
	}{
		{"empty", "", "", "input is empty", false},
		{"not json", "", "hello", "request body", false},
		{"no messages", "", `{"id":"T-1","messages":[]}`, "has no messages", false},
		{"bad role", "", `{"id":"T-1","messages":[{"role":"bot","body":"x"}]}`, `unknown role "bot"`, false},
		{"two tickets", "", `[` + ticketJSON + `,` + strings.Replace(ticketJSON, "T-100", "T-101", 1) + `]`, "more than one ticket", false},
		{"store without store", "?store=true", ticketJSON, "no ticket store", false},
		{"bad store flag", "?store=maybe", ticketJSON, `store="maybe" is not true or false`, false},
		{"long model", "?model=" + strings.Repeat("m", 600), ticketJSON, "longer than 512", false},
		{"escape in model", "?model=m%1B%5D0%3Bpwned%07", ticketJSON, "rule: printable model names", false},
		{"too big chunked", "", `{"id":"T-1","messages":[{"role":"customer","body":"` + strings.Repeat("a", 2<<20) + `"}]}`, "limit", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var body io.Reader = strings.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body) // unknown length: sent chunked
			}
			req, _ := http.NewRequest("POST", url+"/v1/summaries"+tt.query, body)
			req.Header.Set("x-api-key", key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var e errorBody
			json.Unmarshal(b, &e)
			if resp.StatusCode != 400 || e.Error.Code != "invalid" || e.Error.Type != nil {
				t.Fatalf("status %d body %s, want 400 in the native shape", resp.StatusCode, b)
			}
			if !strings.Contains(e.Error.Message, tt.msg) {
				t.Errorf("message %q does not say %q", e.Error.Message, tt.msg)
			}
		})
	}
}
