package summarize_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/summarize"
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
	tests := []struct {
		name     string
		sum      *fakeSummarizer
		guard    summarize.Guard
		ticket   func(*ticketsum.Ticket)
		wantCode ticketsum.ErrorCode
		wantText string
	}{
		{name: "ok", sum: &fakeSummarizer{text: " Ana cannot log in. ", status: ticketsum.StatusResolved}, wantText: "Ana cannot log in."},
		{name: "guarded", sum: &fakeSummarizer{text: "Ana cannot log in.", status: ticketsum.StatusResolved, needSession: true}, guard: scrubGuard{}, wantText: "the customer cannot log in."},
		{name: "guard scrub lengthens past the limit", sum: &fakeSummarizer{text: strings.Repeat("Ana ", ticketsum.MaxSummaryWords), status: ticketsum.StatusResolved}, guard: scrubGuard{}, wantCode: ticketsum.EINVALID},
		{name: "guard blocks", sum: &fakeSummarizer{text: "x", status: ticketsum.StatusResolved}, guard: scrubGuard{block: true}, wantCode: ticketsum.EBLOCKED},
		{name: "too long", sum: &fakeSummarizer{text: long, status: ticketsum.StatusResolved}, wantCode: ticketsum.EINVALID},
		{name: "two paragraphs", sum: &fakeSummarizer{text: "a.\n\nb.", status: ticketsum.StatusResolved}, wantCode: ticketsum.EINVALID},
		{name: "empty", sum: &fakeSummarizer{text: "  ", status: ticketsum.StatusResolved}, wantCode: ticketsum.EINVALID},
		{name: "bad status", sum: &fakeSummarizer{text: "ok", status: "done"}, wantCode: ticketsum.EINVALID},
		{name: "throttled passes through", sum: &fakeSummarizer{err: ticketsum.Errorf(ticketsum.ETHROTTLED, "slow")}, wantCode: ticketsum.ETHROTTLED},
		{name: "invalid ticket", sum: &fakeSummarizer{text: "ok", status: ticketsum.StatusResolved}, ticket: func(t *ticketsum.Ticket) { t.Messages = nil }, wantCode: ticketsum.EINVALID},
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
				if got := ticketsum.ErrorCodeOf(err); got != tt.wantCode {
					t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Text != tt.wantText || s.TicketID != "T-1" || s.ContentHash != tk.ContentHash() ||
				!s.CreatedAt.Equal(now) || s.Principal != "ticketsum-worker" {
				t.Fatalf("summary = %+v", s)
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
