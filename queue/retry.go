package queue

import (
	"context"
	"fmt"

	"github.com/ticketsum/ticketsum"
)

// Retried is a failed ticket given another attempt.
type Retried struct {
	TicketID string `json:"ticket_id"`
	// Queued is false when a job for the same work was already waiting.
	Queued bool `json:"queued"`
	// Regeneration is the number of the regeneration retried; 0 when an
	// ordinary summary is.
	Regeneration int `json:"regeneration,omitempty"`
}

// Retry enqueues another attempt at a failed ticket: a job for its latest
// thread, or the failed regeneration again when the thread is unchanged
// since. The ticket stays failed until an attempt succeeds. It returns
// ENOTFOUND when the ticket is unknown or not failed.
func (q *Queue[TTx]) Retry(ctx context.Context, ticketID string) (Retried, error) {
	f, err := q.store.FindFailure(ctx, ticketID)
	if err != nil {
		return Retried{}, fmt.Errorf("retry ticket %s: %w", ticketID, err)
	}
	return q.retry(ctx, f)
}

func (q *Queue[TTx]) retry(ctx context.Context, f *ticketsum.Failure) (Retried, error) {
	t, err := q.store.FindTicket(ctx, f.TicketID)
	if err != nil {
		return Retried{}, fmt.Errorf("retry ticket %s: %w", f.TicketID, err)
	}
	args := SummarizeArgs{TicketID: t.ID, ContentHash: t.ContentHash()}
	if f.Regeneration > 0 && f.ContentHash == args.ContentHash {
		args.Regeneration = f.Regeneration
	}
	queued, err := q.insert(ctx, args)
	if err != nil {
		return Retried{}, err
	}
	return Retried{TicketID: t.ID, Queued: queued, Regeneration: args.Regeneration}, nil
}

// RetryAll retries every failed ticket of class c (every class when c is
// ""), most recent failure first, and returns what it retried. It stops at
// the first error, returning what it retried before it. It returns EINVALID
// for an unknown class.
func (q *Queue[TTx]) RetryAll(ctx context.Context, c ticketsum.FailureClass) ([]Retried, error) {
	// Collect first: retried tickets stay failed, so paging while retrying
	// would see them again.
	var failed []*ticketsum.Failure
	for {
		page, total, err := q.store.ListFailures(ctx, ticketsum.FailureFilter{Class: c, Limit: 500, Offset: len(failed)})
		if err != nil {
			return nil, fmt.Errorf("list failed tickets: %w", err)
		}
		failed = append(failed, page...)
		if len(page) == 0 || len(failed) >= total {
			break
		}
	}
	out := make([]Retried, 0, len(failed))
	for _, f := range failed {
		r, err := q.retry(ctx, f)
		if ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND {
			continue // deleted since it was listed
		}
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Regenerate enqueues a regeneration of the ticket's summary: a new
// summary of its latest thread even when one exists, numbered one above
// the thread's latest regeneration. Asking again while that job waits
// enqueues nothing (queued false) and returns the same number. A thread
// without a summary yet gets an ordinary job (number 0). It returns
// ENOTFOUND for an unknown ticket.
func (q *Queue[TTx]) Regenerate(ctx context.Context, ticketID string) (regeneration int, queued bool, err error) {
	t, err := q.store.FindTicket(ctx, ticketID)
	if err != nil {
		return 0, false, fmt.Errorf("regenerate ticket %s: %w", ticketID, err)
	}
	hist, err := q.store.SummaryHistory(ctx, ticketID)
	if err != nil {
		return 0, false, fmt.Errorf("regenerate ticket %s: %w", ticketID, err)
	}
	args := SummarizeArgs{TicketID: t.ID, ContentHash: t.ContentHash()}
	for _, s := range hist {
		if s.ContentHash == args.ContentHash {
			args.Regeneration = max(args.Regeneration, s.Regeneration+1)
		}
	}
	queued, err = q.insert(ctx, args)
	return args.Regeneration, queued, err
}

// Backlog returns how many jobs are not finished: the tickets waiting for
// a summary (Stats.Pending). It returns EUNAVAILABLE when the database
// cannot be read.
func (q *Queue[TTx]) Backlog(ctx context.Context) (int, error) {
	st, err := q.Stats(ctx)
	if err != nil {
		return 0, err
	}
	return st.Pending(), nil
}
