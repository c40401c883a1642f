package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketsum/ticketsum"
)

// BatchKind is the River job kind of a batch summarise job.
const BatchKind = "summarize_batch"

// Priorities of the jobs in River's terms (1 runs first). Single-ticket
// jobs of live changes (watch, serve, a retry) go to Config.Queue at
// LivePriority; batch jobs go to Config.BatchQueue, which has slots of its
// own, so that a ticket committed during a backfill neither waits behind
// the batches nor for one to finish. In the batch queue an import's
// batches run ahead of a backfill's.
const (
	LivePriority = 1
	// ImportPriority is that of the batch jobs of a bulk import
	// (ImportMany): behind live changes, ahead of a backfill.
	ImportPriority   = 2
	BackfillPriority = 4
)

// MaxBatch is the most tickets one batch job carries.
const MaxBatch = 1000

// Item is one ticket's thread in a batch job.
type Item struct {
	TicketID    string `json:"id"`
	ContentHash string `json:"hash"`
}

// BatchArgs are the arguments of a batch summarise job: the threads of a
// backfill page.
type BatchArgs struct {
	Items []Item `json:"items"`
}

// Kind returns "summarize_batch".
func (BatchArgs) Kind() string { return BatchKind }

// BatchHandler summarises a batch of threads: one load, the summariser
// across cores, one save. It returns one error per item (nil for a thread
// summarised, already current or superseded by a newer thread), or a
// non-nil batch error when nothing could be done (the database is down),
// which retries the whole job; threads saved by an earlier run are found
// current and cost nothing.
type BatchHandler func(ctx context.Context, items []Item) (errs []error, batchErr error)

// batchWorker works batch jobs. A failed item is settled on its own: a
// bad-ticket, policy or configuration failure is recorded for its ticket at
// once, and an item that may succeed later (throttled, unavailable) is
// handed to a single-ticket job of its own, which then follows the whole
// failure taxonomy. The batch job completes when every item is saved,
// failed or handed over.
type batchWorker struct {
	river.WorkerDefaults[BatchArgs]
	single *worker
	insert func(ctx context.Context, args SummarizeArgs) (bool, error)
}

// Work runs the batch handler and settles every item's outcome.
func (w *batchWorker) Work(ctx context.Context, job *river.Job[BatchArgs]) error {
	cfg := w.single.cfg
	if cfg.Batch == nil {
		return river.JobCancel(errors.New("this worker has no batch handler (queue.Config.Batch)"))
	}
	items := job.Args.Items
	errs, err := cfg.Batch(ctx, items)
	if errors.Is(ctx.Err(), context.Canceled) {
		// Stopped: the whole batch runs again; what was saved is current.
		w.single.counts.snoozed.Add(1)
		return river.JobSnooze(0)
	}
	if err != nil {
		reason := ticketsum.ErrorMessage(err)
		cfg.Logger.Warn("summarize batch failed, will retry", "job_id", job.ID, "tickets", len(items), "code", string(ticketsum.ErrorCodeOf(err)), "reason", reason)
		w.single.counts.retryReason(reason)
		return vetted(err)
	}
	if len(errs) != len(items) {
		return fmt.Errorf("batch handler returned %d results for %d tickets", len(errs), len(items))
	}
	for i, it := range items {
		e := errs[i]
		if e == nil {
			w.single.counts.completed.Add(1)
			continue
		}
		one := &river.Job[SummarizeArgs]{JobRow: job.JobRow, Args: SummarizeArgs{TicketID: it.TicketID, ContentHash: it.ContentHash}}
		attrs := []any{"job_id", job.ID, "ticket_id", it.TicketID, "code", string(ticketsum.ErrorCodeOf(e)), "class", string(ticketsum.ClassOf(e))}
		if ticketsum.ClassOf(e) != ticketsum.ClassRetryable {
			// fail records the ticket's failure; its job verdict (cancel or
			// snooze when the record failed) is for a single job.
			if verdict := w.single.fail(ctx, one, e, attrs); isSnooze(verdict) {
				if _, err := w.insert(ctx, one.Args); err != nil {
					return fmt.Errorf("hand over ticket %s: %w", it.TicketID, err)
				}
			}
			continue
		}
		if _, err := w.insert(ctx, one.Args); err != nil {
			return fmt.Errorf("hand over ticket %s: %w", it.TicketID, err)
		}
		cfg.Logger.Info("ticket of a batch handed to its own job", attrs...)
		w.single.counts.retried.Add(1)
	}
	return nil
}

func isSnooze(err error) bool {
	var s *river.JobSnoozeError
	return errors.As(err, &s)
}

// EnqueueBatchTx inserts batch jobs for items, at most Config.BatchSize
// threads each, with River's bulk insert in the caller's transaction, at
// backfill priority (behind live jobs). Items must be of distinct tickets.
func (q *Queue[TTx]) EnqueueBatchTx(ctx context.Context, tx TTx, items []Item) error {
	return q.enqueueBatchTx(ctx, tx, items, BackfillPriority)
}

// enqueueBatchTx is EnqueueBatchTx at a River priority.
func (q *Queue[TTx]) enqueueBatchTx(ctx context.Context, tx TTx, items []Item, priority int) error {
	if len(items) == 0 {
		return nil
	}
	var params []river.InsertManyParams
	for lo := 0; lo < len(items); lo += q.cfg.BatchSize {
		chunk := items[lo:min(lo+q.cfg.BatchSize, len(items))]
		for _, it := range chunk {
			if err := checkArgs(it.TicketID, it.ContentHash); err != nil {
				return err
			}
		}
		opts := &river.InsertOpts{Queue: q.cfg.BatchQueue, MaxAttempts: q.cfg.MaxAttempts, Priority: priority}
		params = append(params, river.InsertManyParams{Args: BatchArgs{Items: chunk}, InsertOpts: opts})
	}
	if _, err := q.client.InsertManyFastTx(ctx, tx, params); err != nil {
		return fmt.Errorf("enqueue %d summarize batches: %w", len(params), err)
	}
	return nil
}

// BackfillPending returns how many backfill jobs (batch jobs, and tickets
// of a batch handed to their own job) are not finished.
func (q *Queue[TTx]) BackfillPending(ctx context.Context) (int, error) {
	if q.countBackfill == nil {
		return 0, ticketsum.Errorf(ticketsum.EINVALID, "queue cannot count backfill jobs")
	}
	n, err := q.countBackfill(ctx)
	if err != nil {
		return 0, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "count backfill jobs: %w", err)
	}
	return n, nil
}

// WaitBackfill blocks until no backfill job is unfinished, calling
// progress (when set) with the number left at every poll.
func (q *Queue[TTx]) WaitBackfill(ctx context.Context, progress func(left int)) error {
	t := time.NewTicker(max(q.cfg.PollInterval, 100*time.Millisecond))
	defer t.Stop()
	for {
		n, err := q.BackfillPending(ctx)
		if err != nil && ctx.Err() == nil {
			return err
		}
		if err == nil {
			if progress != nil {
				progress(n)
			}
			if n == 0 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
