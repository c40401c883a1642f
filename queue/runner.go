package queue

import (
	"context"
	"database/sql"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum"
)

// Runner is a queue of either driver, without its transaction type: what
// cmd/ticketsum holds after choosing SQLite or Postgres.
type Runner interface {
	// Start starts the workers; EINVALID when the queue has no Handler.
	Start(ctx context.Context) error
	// Stop stops them gracefully (see Queue.Stop).
	Stop(ctx context.Context) error
	// Import upserts a ticket and enqueues its job when its thread changed.
	Import(ctx context.Context, t *ticketsum.Ticket) (changed bool, err error)
	// ImportMany upserts tickets in one transaction and queues their new
	// and changed threads as batch jobs (see Queue.ImportMany).
	ImportMany(ctx context.Context, tickets []*ticketsum.Ticket) (changed []bool, bad []error, err error)
	// Enqueue adds a job for a ticket's thread outside any import.
	Enqueue(ctx context.Context, ticketID, contentHash string) (inserted bool, err error)
	// Retry gives a failed ticket another attempt (see Queue.Retry).
	Retry(ctx context.Context, ticketID string) (Retried, error)
	// RetryAll retries every failed ticket of a class, or of every class.
	RetryAll(ctx context.Context, c ticketsum.FailureClass) ([]Retried, error)
	// Regenerate enqueues a new summary of a ticket's latest thread.
	Regenerate(ctx context.Context, ticketID string) (regeneration int, queued bool, err error)
	// Backlog returns how many jobs are not finished.
	Backlog(ctx context.Context) (int, error)
	// Stats returns queue depth and age.
	Stats(ctx context.Context) (Stats, error)
	// ListWaiting lists the tickets waiting for a retry (see
	// Queue.ListWaiting).
	ListWaiting(ctx context.Context, limit int) ([]Waiting, int, error)
	// Outcomes returns this process's job runs by outcome.
	Outcomes() Outcomes
	// WaitIdle waits until no job is unfinished.
	WaitIdle(ctx context.Context) error
	// WaitDrained waits until no job is unfinished or the jobs left only
	// wait for retries due later than horizon (see Queue.WaitDrained).
	WaitDrained(ctx context.Context, horizon time.Duration) (Deferred, error)
}

var (
	_ Runner = (*Queue[*sql.Tx])(nil)
	_ Runner = (*Queue[pgx.Tx])(nil)
)
