package queue

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/ticketsum/ticketsum"
)

// Handler summarises one ticket: the one-ticket pipeline, supplied by the
// wiring code. Its error's failure class decides the job's fate and the
// ticket's state (see the package doc).
type Handler func(ctx context.Context, ticketID string) error

// RegenerateHandler makes the regeneration-th regeneration of a ticket's
// summary: a new summary even when one of its thread exists, saved with
// ticketsum.Summary.Regeneration set. Its error is treated as a Handler's.
type RegenerateHandler func(ctx context.Context, ticketID string, regeneration int) error

// Config configures a Queue.
type Config struct {
	// Handler works the summarize jobs. Nil makes an insert-only queue
	// (for `ticketsum import`), whose Start returns EINVALID.
	Handler Handler
	// Regenerate works the regeneration jobs that Regenerate enqueues.
	// Default nil: such a job fails its ticket with a configuration
	// failure that says so.
	Regenerate RegenerateHandler
	// Batch works the batch jobs that EnqueueBatchTx inserts (backfill
	// pages). Default nil: such a job is cancelled with a reason.
	Batch BatchHandler
	// BatchSize is the most threads one batch job carries, 1 to MaxBatch.
	// Default 100.
	BatchSize int
	// Workers is how many jobs run at once in this process. Default 4.
	Workers int
	// Queue names the River queue of single-ticket jobs: live changes,
	// retries, regenerations. Default "ticketsum".
	Queue string
	// BatchQueue names the River queue of batch jobs (backfill and import)
	// and of the single-ticket jobs a batch hands over. It has Workers slots
	// of its own, so that live work never waits for a batch to finish.
	// Default Queue + "_batch".
	BatchQueue string
	// PollInterval is how often workers look for new jobs when no
	// notification arrives. Default 200ms. On SQLite, whose notifications
	// River keeps in a table, the table is read every 50ms while
	// notifications come and less often when none do, down to once a
	// second; jobs this process inserts are fetched at once.
	PollInterval time.Duration
	// FetchCooldown is the least time between two fetches of jobs while
	// jobs keep coming (each fetch takes as many as there are free
	// workers). Default 5ms, at most PollInterval: River's own default
	// (100ms) capped a worker of 4 slots at 40 jobs a second.
	FetchCooldown time.Duration
	// MaxAttempts is how many times a job with a retryable error runs
	// before its ticket is failed. Snoozes do not count. Default 10.
	MaxAttempts int
	// SnoozeFor is the pause before a throttled (ETHROTTLED) job runs again.
	// Default 30s.
	SnoozeFor time.Duration
	// MaxSnoozes is how many times a job is snoozed (SnoozeFor each time,
	// no attempt used) before throttling counts as an attempt like any
	// retryable error: retried with backoff, and its ticket failed after
	// MaxAttempts. It bounds how long a quota that never frees keeps a
	// ticket queued with nothing to show. Default 20 (ten minutes of
	// throttling at the default SnoozeFor).
	MaxSnoozes int
	// JobTimeout cancels the context of a job that runs longer. Default 5m.
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is considered
	// lost (its worker was killed) and made available again. It must be at
	// least JobTimeout. Default JobTimeout + 1m.
	RescueAfter time.Duration
	// LostAfter is how long a worker process may go without writing its
	// heartbeat (every LostAfter/3) before its running jobs are taken as
	// lost (the process was killed, or cut off from the database) and made
	// available again by another worker, which looks every LostAfter/3:
	// a killed worker's jobs run again within about LostAfter + 2 x
	// LostAfter/3 while another worker runs, however long they had run.
	// Jobs of a worker without heartbeats are left to RescueAfter.
	// Default 30s.
	LostAfter time.Duration
	// Delay holds each new job back this long after it is enqueued, so that
	// a burst of edits to one thread makes one model call: with
	// CurrentHash set, the jobs of the superseded versions are skipped.
	// Default 0 (run at once).
	Delay time.Duration
	// CurrentHash, when set, returns the current content hash of a ticket's
	// thread; a job whose thread has changed since it was enqueued completes
	// without calling Handler (the newer version has its own job), and a job
	// whose ticket is gone (ENOTFOUND) is cancelled. StoreHash(store) gives
	// it for tickets kept in a ticketsum store. Default nil: always call
	// Handler.
	CurrentHash func(ctx context.Context, ticketID string) (string, error)
	// Middleware is given to River (river.Config.Middleware), around every
	// insert and every job worked: telemetry.QueueMiddleware carries the
	// trace through the queue. Default: none.
	Middleware []rivertype.Middleware
	// Logger receives River's and the workers' logs. Default: discard.
	Logger *slog.Logger
	// Clock tells the age of waiting jobs in Stats and stamps failures.
	// Default: the system clock.
	Clock ticketsum.Clock
}

var queueName = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

// withDefaults returns c with defaults filled in, or EINVALID for a bad value.
func (c Config) withDefaults() (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "queue config: "+format, args...)
	}
	if c.Workers == 0 {
		c.Workers = 4
	}
	if c.Queue == "" {
		c.Queue = "ticketsum"
	}
	if c.BatchQueue == "" {
		c.BatchQueue = c.Queue + "_batch"
	}
	if c.PollInterval == 0 {
		c.PollInterval = 200 * time.Millisecond
	}
	if c.FetchCooldown == 0 {
		c.FetchCooldown = min(5*time.Millisecond, c.PollInterval)
	}
	if c.BatchSize == 0 {
		c.BatchSize = 100
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 10
	}
	if c.SnoozeFor == 0 {
		c.SnoozeFor = 30 * time.Second
	}
	if c.MaxSnoozes == 0 {
		c.MaxSnoozes = 20
	}
	if c.JobTimeout == 0 {
		c.JobTimeout = 5 * time.Minute
	}
	if c.RescueAfter == 0 {
		c.RescueAfter = c.JobTimeout + time.Minute
	}
	if c.LostAfter == 0 {
		c.LostAfter = 30 * time.Second
	}
	switch {
	case c.Workers < 1 || c.Workers > 10000:
		return bad("workers %d must be between 1 and 10000", c.Workers)
	case !queueName.MatchString(c.Queue):
		return bad("queue name %q must be 1-64 lower-case letters, digits, '_' or '-'", c.Queue)
	case !queueName.MatchString(c.BatchQueue) || c.BatchQueue == c.Queue:
		return bad("batch queue name %q must be 1-64 lower-case letters, digits, '_' or '-', other than the queue's", c.BatchQueue)
	case c.PollInterval < time.Millisecond:
		return bad("poll interval %v must be at least 1ms", c.PollInterval)
	case c.FetchCooldown < time.Millisecond || c.FetchCooldown > c.PollInterval:
		return bad("fetch cooldown %v must be between 1ms and the poll interval %v", c.FetchCooldown, c.PollInterval)
	case c.BatchSize < 1 || c.BatchSize > MaxBatch:
		return bad("batch size %d must be between 1 and %d", c.BatchSize, MaxBatch)
	case c.MaxAttempts < 1:
		return bad("max attempts %d must be at least 1", c.MaxAttempts)
	case c.SnoozeFor < 0:
		return bad("snooze pause %v must not be negative", c.SnoozeFor)
	case c.MaxSnoozes < 0:
		return bad("max snoozes %d must not be negative", c.MaxSnoozes)
	case c.JobTimeout < 0:
		return bad("job timeout %v must not be negative", c.JobTimeout)
	case c.Delay < 0:
		return bad("delay %v must not be negative", c.Delay)
	case c.LostAfter < 3*time.Millisecond:
		return bad("lost after %v must be at least 3ms", c.LostAfter)
	case c.RescueAfter < c.JobTimeout:
		return bad("rescue after %v must be at least the job timeout %v", c.RescueAfter, c.JobTimeout)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	return c, nil
}

// PoolSize is the Postgres pool a process needs for a queue of workers
// slots: one connection per slot, plus River's listener, leader election,
// fetches and job completion, and the process's own reads. The batch
// queue's slots are not counted: a batch job holds a connection only to
// load and to save its tickets, and summarises in between.
func PoolSize(workers int) int32 {
	return int32(max(workers, 4) + 6)
}

// StoreHash returns a Config.CurrentHash that reads the ticket's stored
// content hash, without loading or decoding its thread when the store can
// (a TicketContentHash method, as *postgres.Store has), else from the
// ticket.
func StoreHash(store ticketsum.TicketStore) func(ctx context.Context, ticketID string) (string, error) {
	if h, ok := store.(interface {
		TicketContentHash(ctx context.Context, id string) (string, error)
	}); ok {
		return h.TicketContentHash
	}
	return func(ctx context.Context, ticketID string) (string, error) {
		t, err := store.FindTicket(ctx, ticketID)
		if err != nil {
			return "", err
		}
		return t.ContentHash(), nil
	}
}
