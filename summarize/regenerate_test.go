package summarize_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/summarize"
)

// countingSummarizer counts its calls.
type countingSummarizer struct {
	ticketsum.Summarizer
	calls atomic.Int32
}

func (c *countingSummarizer) Summarize(ctx context.Context, t *ticketsum.Ticket) (*ticketsum.Summary, error) {
	c.calls.Add(1)
	return c.Summarizer.Summarize(ctx, t)
}

// recordedStore answers every FindAnswer with a recorded summary, which a
// regeneration must not reuse.
type recordedStore struct{ *memStore }

func (r recordedStore) SaveAnswer(context.Context, *ticketsum.Summary) error { return nil }

func (r recordedStore) FindAnswer(_ context.Context, k ticketsum.AnswerKey) (*ticketsum.Summary, error) {
	return &ticketsum.Summary{TicketID: k.TicketID, Text: "Recorded.", Status: ticketsum.StatusResolved, Model: k.Model, PromptVersion: k.PromptVersion}, nil
}

func TestPipelineProcessRegeneration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := recordedStore{&memStore{tickets: map[string]*ticketsum.Ticket{}}}
	store.UpsertTicket(ctx, mustTicket(t))
	sum := &countingSummarizer{Summarizer: &fakeSummarizer{text: "Fixed again.", status: ticketsum.StatusResolved}}
	var onSaved int
	p, err := summarize.New(summarize.Config{Store: store, Answers: store, Model: "fake", Summarizer: sum,
		OnSaved: func(context.Context, *ticketsum.Summary) { onSaved++ }})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Process(ctx, "T-1"); err != nil {
		t.Fatal(err)
	}
	if err := p.Process(ctx, "T-1"); err != nil { // up to date: skipped
		t.Fatal(err)
	}
	calls := sum.calls.Load()
	if err := p.ProcessRegeneration(ctx, "T-1", 1); err != nil {
		t.Fatal(err)
	}
	if sum.calls.Load() != calls+1 {
		t.Errorf("regeneration made %d summarizer calls, want 1 (no recorded answer reused)", sum.calls.Load()-calls)
	}
	last := store.saved[len(store.saved)-1]
	if len(store.saved) != 2 || last.Regeneration != 1 || last.Text != "Fixed again." || onSaved != 2 {
		t.Errorf("saved %d summaries, last %+v, OnSaved %d; want a second one, regeneration 1", len(store.saved), last, onSaved)
	}
	if err := p.ProcessRegeneration(ctx, "T-1", 0); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("regeneration 0: %v, want EINVALID", err)
	}
	if err := p.ProcessRegeneration(ctx, "nope", 1); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("regeneration of an unknown ticket: %v, want ENOTFOUND", err)
	}
}
