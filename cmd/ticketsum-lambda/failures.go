package main

import (
	"context"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/lambda"
)

// failureStore is the part of the store that keeps failed states.
type failureStore interface {
	FindTicket(ctx context.Context, id string) (*ticketsum.Ticket, error)
	FindFailure(ctx context.Context, ticketID string) (*ticketsum.Failure, error)
	RecordFailure(ctx context.Context, f *ticketsum.Failure) error
}

// failures records a ticket the function could not summarise as failed
// for its current thread, where the ticket list, the ticket page and
// `ticketsum failures list` show it, exactly as the queue worker does.
type failures struct {
	store failureStore
	clock ticketsum.Clock
}

var _ lambda.FailureRecorder = failures{}

// RecordFailure marks the ticket failed with cause's code, class and
// message. Attempts are the deliveries of this thread so far. It returns
// ENOTFOUND when the ticket is not in the database.
func (f failures) RecordFailure(ctx context.Context, ticketID string, cause error, attempts int) error {
	t, err := f.store.FindTicket(ctx, ticketID)
	if err != nil {
		return err
	}
	rec := &ticketsum.Failure{
		TicketID: ticketID, ContentHash: t.ContentHash(),
		Code: ticketsum.ErrorCodeOf(cause), Class: ticketsum.ClassOf(cause), Reason: ticketsum.ErrorMessage(cause),
		Attempts: attempts, LastAttemptAt: f.clock.Now().UTC(),
	}
	if prev, err := f.store.FindFailure(ctx, ticketID); err == nil && prev.ContentHash == rec.ContentHash {
		rec.Attempts = max(rec.Attempts, prev.Attempts+1)
	}
	return f.store.RecordFailure(ctx, rec)
}
