package queue

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ticketsum/ticketsum"
)

// Kind is the River job kind of a summarise job.
const Kind = "summarize"

// SummarizeArgs are the arguments of a summarise job. A job is unique on
// both while it waits, runs or is due for a retry.
type SummarizeArgs struct {
	TicketID    string `json:"ticket_id" river:"unique"`
	ContentHash string `json:"content_hash" river:"unique"`
}

// Kind returns "summarize".
func (SummarizeArgs) Kind() string { return Kind }

// uniqueStates are the job states in which a second job with the same args
// is not inserted. Finished jobs are left out, so that a thread that changes
// back to earlier content is summarised (made current) again.
var uniqueStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateRetryable, rivertype.JobStateScheduled,
}

// worker runs summarise jobs through the Handler.
type worker struct {
	river.WorkerDefaults[SummarizeArgs]
	handler Handler
	snooze  time.Duration
	logger  *slog.Logger
	counts  *outcomes
	current func(ctx context.Context, ticketID string) (string, error)
}

// Work calls the handler and turns its error into the job's fate.
func (w *worker) Work(ctx context.Context, job *river.Job[SummarizeArgs]) error {
	if w.handler == nil {
		return river.JobCancel(ticketsum.Errorf(ticketsum.EINVALID, "this queue has no handler"))
	}
	if w.current != nil {
		hash, err := w.current(ctx, job.Args.TicketID)
		if err != nil {
			err = decide(err, w.snooze, w.logger, job)
			w.counts.record(err)
			return err
		}
		if hash != job.Args.ContentHash {
			w.logger.Info("summarize job superseded by a newer thread; skipped", "job_id", job.ID, "ticket_id", job.Args.TicketID)
			w.counts.superseded.Add(1)
			return nil
		}
	}
	err := decide(w.handler(ctx, job.Args.TicketID), w.snooze, w.logger, job)
	w.counts.record(err)
	return err
}

// decide maps a handler error to River's intent: nil completes the job; bad
// input and policy denials cancel it; throttling snoozes it; anything else
// is returned for a retry with backoff.
func decide(err error, snooze time.Duration, logger *slog.Logger, job *river.Job[SummarizeArgs]) error {
	code := ticketsum.ErrorCodeOf(err)
	attrs := []any{"job_id", job.ID, "ticket_id", job.Args.TicketID, "attempt", job.Attempt, "code", string(code)}
	switch code {
	case "":
		return nil
	case ticketsum.EINVALID, ticketsum.EFORBIDDEN, ticketsum.ENOTFOUND:
		logger.Warn("summarize job cancelled", append(attrs, "reason", ticketsum.ErrorMessage(err))...)
		return river.JobCancel(err)
	case ticketsum.ETHROTTLED:
		logger.Info("summarize job snoozed", append(attrs, "pause", snooze)...)
		return river.JobSnooze(snooze)
	default:
		logger.Warn("summarize job failed, will retry", append(attrs, "max_attempts", job.MaxAttempts)...)
		return err
	}
}
