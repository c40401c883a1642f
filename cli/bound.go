package cli

import (
	"context"

	"github.com/ticketsum/ticketsum"
)

// boundSummarizer lets at most cap(slots) calls of the summarizer it wraps
// run at once, however many goroutines call it: the batch jobs of a worker
// share it (see batchCalls).
type boundSummarizer struct {
	next  ticketsum.Summarizer
	slots chan struct{}
}

// newBoundSummarizer wraps s so that at most n calls run at once; it keeps
// s's model name and prompt version when s has them.
func newBoundSummarizer(s ticketsum.Summarizer, n int) ticketsum.Summarizer {
	return ticketsum.KeepKeys(&boundSummarizer{next: s, slots: make(chan struct{}, max(n, 1))}, s)
}

// Summarize waits for a free slot (EUNAVAILABLE when ctx ends first), then
// calls the wrapped summarizer.
func (b *boundSummarizer) Summarize(ctx context.Context, t *ticketsum.Ticket) (*ticketsum.Summary, error) {
	select {
	case b.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "summarize: stopped while waiting for a model slot: %w", ctx.Err())
	}
	defer func() { <-b.slots }()
	return b.next.Summarize(ctx, t)
}
