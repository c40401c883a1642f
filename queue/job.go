package queue

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ticketsum/ticketsum"
)

// Kind is the River job kind of a summarise job.
const Kind = "summarize"

// SummarizeArgs are the arguments of a summarise job. A job is unique on
// them while it waits, runs or is due for a retry.
type SummarizeArgs struct {
	TicketID    string `json:"ticket_id" river:"unique"`
	ContentHash string `json:"content_hash" river:"unique"`
	// Regeneration, when above 0, makes the job a regeneration a person
	// asked for: a new summary even when the thread is unchanged (see
	// ticketsum.Summary.Regeneration), worked by Config.Regenerate.
	Regeneration int `json:"regeneration,omitempty" river:"unique"`
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

// worker runs summarise jobs through the handlers and keeps the tickets'
// failed state.
type worker struct {
	river.WorkerDefaults[SummarizeArgs]
	cfg    Config
	store  Store
	counts *outcomes
}

// Work calls the handler and turns its outcome into the job's fate and the
// ticket's state.
func (w *worker) Work(ctx context.Context, job *river.Job[SummarizeArgs]) error {
	if w.cfg.CurrentHash != nil {
		hash, err := w.cfg.CurrentHash(ctx, job.Args.TicketID)
		if err != nil {
			return w.settle(ctx, job, err)
		}
		if hash != job.Args.ContentHash {
			w.cfg.Logger.Info("summarize job superseded by a newer thread; skipped", "job_id", job.ID, "ticket_id", job.Args.TicketID)
			w.counts.superseded.Add(1)
			return nil
		}
	}
	return w.settle(ctx, job, w.run(ctx, job))
}

// run calls the handler for the job's kind.
func (w *worker) run(ctx context.Context, job *river.Job[SummarizeArgs]) error {
	if job.Args.Regeneration == 0 {
		if w.cfg.Handler == nil {
			return ticketsum.Errorf(ticketsum.EINVALID, "this queue has no handler")
		}
		return w.cfg.Handler(ctx, job.Args.TicketID)
	}
	if w.cfg.Regenerate == nil {
		return &ticketsum.Error{Code: ticketsum.EINVALID, Class: ticketsum.ClassConfig,
			Message: "this worker cannot regenerate summaries (queue.Config.Regenerate is not set); run a worker that can, then: ticketsum failures retry " + job.Args.TicketID}
	}
	return w.cfg.Regenerate(ctx, job.Args.TicketID, job.Args.Regeneration)
}

// fate is what becomes of a job run and its ticket.
type fate int

const (
	fateDone   fate = iota // completed: the ticket's failure, if any, is cleared
	fateRetry              // returned to River for a retry with backoff
	fateSnooze             // throttled: runs again after Config.SnoozeFor, no attempt used (up to Config.MaxSnoozes)
	fateYield              // interrupted by Stop: back to the queue at once, no attempt used
	fateFail               // the ticket is failed with the error as reason; the job ends
)

// runState is where a job run stands: its attempt of maxAttempts, the
// times it was snoozed so far (River keeps them in the job's metadata) of
// the maxSnoozes a throttled job gets, and whether the worker is stopping.
type runState struct {
	attempt, maxAttempts int
	snoozes, maxSnoozes  int
	stopping             bool
}

// decide applies the failure taxonomy (ticketsum.ClassOf) to a run's error.
// Retryable errors retry with backoff until the job's last attempt, then
// fail the ticket; throttling snoozes, without using an attempt, until the
// job has been snoozed maxSnoozes times, and from then on is retried like
// any retryable error, so that a quota that never frees (a daily token
// quota, an account without quota) ends in a failed ticket rather than in
// snoozes for ever; configuration, bad-ticket and policy errors fail it at
// once. A run cut short by Stop (stopping) goes back to the queue.
func decide(err error, r runState) fate {
	switch {
	case err == nil:
		return fateDone
	case r.stopping:
		return fateYield
	case ticketsum.ClassOf(err) != ticketsum.ClassRetryable:
		return fateFail
	case ticketsum.ErrorCodeOf(err) == ticketsum.ETHROTTLED && r.snoozes < r.maxSnoozes:
		return fateSnooze
	case r.attempt < r.maxAttempts:
		return fateRetry
	}
	return fateFail
}

// settle carries out the fate of a run that ended with err.
func (w *worker) settle(ctx context.Context, job *river.Job[SummarizeArgs], err error) error {
	attrs := []any{"job_id", job.ID, "ticket_id", job.Args.TicketID, "attempt", job.Attempt}
	if job.Args.Regeneration > 0 {
		attrs = append(attrs, "regeneration", job.Args.Regeneration)
	}
	if err != nil {
		attrs = append(attrs, "code", string(ticketsum.ErrorCodeOf(err)), "class", string(ticketsum.ClassOf(err)))
	}
	state := runState{attempt: job.Attempt, maxAttempts: job.MaxAttempts, snoozes: snoozes(job.Metadata), maxSnoozes: w.cfg.MaxSnoozes,
		stopping: errors.Is(ctx.Err(), context.Canceled)}
	switch decide(err, state) {
	case fateDone:
		w.counts.completed.Add(1)
		w.clearFailure(ctx, job)
		return nil
	case fateYield:
		w.cfg.Logger.Info("summarize job interrupted by stop; back to the queue", attrs...)
		w.counts.snoozed.Add(1)
		return river.JobSnooze(0)
	case fateSnooze:
		w.cfg.Logger.Info("summarize job snoozed", append(attrs, "pause", w.cfg.SnoozeFor)...)
		w.counts.snoozed.Add(1)
		// A snooze is not an error to River, so it records none: the
		// vetted reason goes in the job's metadata for ListWaiting.
		_ = river.MetadataSet(ctx, snoozeReasonKey, vetted(err).Error())
		return river.JobSnooze(w.cfg.SnoozeFor)
	case fateRetry:
		reason := ticketsum.ErrorMessage(err)
		w.cfg.Logger.Warn("summarize job failed, will retry", append(attrs, "max_attempts", job.MaxAttempts, "reason", reason)...)
		w.counts.retried.Add(1)
		w.counts.retryReason(reason)
		return vetted(err)
	}
	return w.fail(ctx, job, err, attrs)
}

// snoozes returns how many times River has snoozed a job, from the
// "snoozes" count it keeps in the job's metadata (0 when there is none).
func snoozes(metadata []byte) int {
	var m struct {
		Snoozes int `json:"snoozes"`
	}
	if len(metadata) == 0 || json.Unmarshal(metadata, &m) != nil {
		return 0
	}
	return m.Snoozes
}

// fail records the ticket's failed state and cancels the job with the
// error as its reason. When the failure cannot be recorded the job is
// snoozed instead, so that the ticket is never left with neither a summary
// nor a failed state; when the ticket no longer exists the job is just
// cancelled.
func (w *worker) fail(ctx context.Context, job *river.Job[SummarizeArgs], err error, attrs []any) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	f := &ticketsum.Failure{
		TicketID: job.Args.TicketID, ContentHash: job.Args.ContentHash,
		Code: ticketsum.ErrorCodeOf(err), Class: ticketsum.ClassOf(err), Reason: ticketsum.ErrorMessage(err),
		Attempts: job.Attempt, LastAttemptAt: w.cfg.Clock.Now(), Regeneration: job.Args.Regeneration,
	}
	if prev, perr := w.store.FindFailure(ctx, f.TicketID); perr == nil && prev.ContentHash == f.ContentHash && prev.Regeneration == f.Regeneration {
		f.Attempts += prev.Attempts
	}
	rerr := w.store.RecordFailure(ctx, f)
	switch {
	case ticketsum.ErrorCodeOf(rerr) == ticketsum.ENOTFOUND:
		w.cfg.Logger.Warn("summarize job cancelled: the ticket no longer exists", attrs...)
		w.counts.cancelled.Add(1)
		return river.JobCancel(vetted(err))
	case rerr != nil:
		w.cfg.Logger.Error("summarize job failed but its failed state could not be recorded; will try again",
			append(attrs, "record_code", string(ticketsum.ErrorCodeOf(rerr)), "pause", w.cfg.SnoozeFor)...)
		w.counts.snoozed.Add(1)
		return river.JobSnooze(w.cfg.SnoozeFor)
	}
	w.cfg.Logger.Warn("ticket failed", append(attrs, "attempts", f.Attempts, "reason", f.Reason)...)
	w.counts.fail(f.Class, f.Code)
	return river.JobCancel(vetted(err))
}

// clearFailure removes the failed state of the job's thread after a run
// that succeeded without saving (its summary was already current). A
// failure to clear is logged: the next success clears it.
func (w *worker) clearFailure(ctx context.Context, job *river.Job[SummarizeArgs]) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if _, err := w.store.ClearFailure(ctx, job.Args.TicketID, job.Args.ContentHash); err != nil {
		w.cfg.Logger.Warn("clear failed state after success", "ticket_id", job.Args.TicketID, "code", string(ticketsum.ErrorCodeOf(err)))
	}
}

// recordTimeout bounds writing a ticket's state after its job ran, even
// when the job's own context has ended.
const recordTimeout = 10 * time.Second
