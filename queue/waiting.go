package queue

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ticketsum/ticketsum"
)

// snoozeReasonKey is the job metadata key holding the vetted error (see
// vettedError) of a job's last throttling snooze, which River does not
// record among the job's errors.
const snoozeReasonKey = "ticketsum_snooze_reason"

// Waiting is a ticket whose job waits for a retry after a retryable error
// (River's backoff), or after a snooze for throttling: it is neither
// summarised nor failed yet.
type Waiting struct {
	TicketID string `json:"ticket_id"`
	// Attempts is how many attempts the job has made, of MaxAttempts; the
	// ticket is failed when the last one fails too.
	Attempts    int `json:"attempts"`
	MaxAttempts int `json:"max_attempts"`
	// NextAttemptAt is when the next attempt is due.
	NextAttemptAt time.Time `json:"next_attempt_at"`
	// Code and Reason are the last attempt's error code and coded
	// user-facing message (ticketsum.ErrorMessage: what went wrong and what
	// fixes it), never the ticket's text or a model's output. Both are ""
	// when the job's error was recorded before reasons were vetted.
	Code   ticketsum.ErrorCode `json:"code"`
	Reason string              `json:"reason"`
	// Batch is true when the ticket waits inside a batch job (a backfill
	// or bulk import), whose attempt covers all of its tickets.
	Batch bool `json:"batch,omitempty"`
	// Regeneration is the number of the regeneration waiting; 0 for an
	// ordinary summary.
	Regeneration int `json:"regeneration,omitempty"`
	// Snoozed is true when the job waits out a snooze for throttling (no
	// attempt used) rather than a retry; Snoozes is how many times it has
	// been snoozed, of MaxSnoozes (worker.throttle_snoozes), after which
	// throttling uses its attempts.
	Snoozed    bool `json:"snoozed,omitempty"`
	Snoozes    int  `json:"snoozes"`
	MaxSnoozes int  `json:"max_snoozes"`
}

// ListWaiting returns up to limit tickets waiting for a retry or snoozed
// for throttling, the earliest due first, and how many wait in all. It
// returns EUNAVAILABLE when the database cannot be read.
func (q *Queue[TTx]) ListWaiting(ctx context.Context, limit int) ([]Waiting, int, error) {
	out := []Waiting{}
	total := 0
	err := q.eachJob(ctx, func(j *rivertype.JobRow) bool {
		if j.State == rivertype.JobStateScheduled && snoozes(j.Metadata) == 0 {
			return true // scheduled for later by its inserter, not waiting on an error
		}
		for _, w := range waitingOf(j) {
			w.MaxSnoozes = q.cfg.MaxSnoozes
			if len(out) < limit {
				out = append(out, w)
			}
			total++
		}
		return true
	}, rivertype.JobStateRetryable, rivertype.JobStateScheduled)
	return out, total, err
}

// eachRetryable calls fn with each job of the queue waiting for a retry,
// the earliest due first, until fn returns false.
func (q *Queue[TTx]) eachRetryable(ctx context.Context, fn func(j *rivertype.JobRow) bool) error {
	return q.eachJob(ctx, fn, rivertype.JobStateRetryable)
}

// eachJob calls fn with each job of the queue in one of states, the
// earliest due first, until fn returns false.
func (q *Queue[TTx]) eachJob(ctx context.Context, fn func(j *rivertype.JobRow) bool, states ...rivertype.JobState) error {
	params := river.NewJobListParams().Queues(q.cfg.Queue, q.cfg.BatchQueue).
		States(states...).OrderBy(river.JobListOrderByScheduledAt, river.SortOrderAsc).First(1000)
	for {
		res, err := q.client.JobList(ctx, params)
		if err != nil {
			return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "list jobs waiting for a retry: %w", err)
		}
		for _, j := range res.Jobs {
			if !fn(j) {
				return nil
			}
		}
		if len(res.Jobs) == 0 || res.LastCursor == nil {
			return nil
		}
		params = params.After(res.LastCursor)
	}
}

// waitingOf returns the tickets a retryable or snoozed job holds.
func waitingOf(j *rivertype.JobRow) []Waiting {
	w := Waiting{Attempts: j.Attempt, MaxAttempts: j.MaxAttempts, NextAttemptAt: j.ScheduledAt, Snoozes: snoozes(j.Metadata)}
	if j.State == rivertype.JobStateScheduled {
		// Snoozed: River gave the run's attempt back and recorded no
		// error; the reason is in the metadata.
		w.Snoozed = true
		var m map[string]json.RawMessage
		var reason string
		if json.Unmarshal(j.Metadata, &m) == nil && json.Unmarshal(m[snoozeReasonKey], &reason) == nil {
			w.Code, w.Reason, _ = parseVetted(reason)
		}
	} else if n := len(j.Errors); n > 0 {
		w.Code, w.Reason, _ = parseVetted(j.Errors[n-1].Error)
	}
	if j.Kind == BatchKind {
		var args BatchArgs
		if err := json.Unmarshal(j.EncodedArgs, &args); err == nil {
			out := make([]Waiting, 0, len(args.Items))
			for _, it := range args.Items {
				w.TicketID, w.Batch = it.TicketID, true
				out = append(out, w)
			}
			return out
		}
	}
	var args SummarizeArgs
	if err := json.Unmarshal(j.EncodedArgs, &args); err != nil {
		return nil
	}
	w.TicketID, w.Regeneration = args.TicketID, args.Regeneration
	return []Waiting{w}
}

// vettedError is what a worker returns to River for a run that failed:
// River records its Error() in the job's errors (river_job.errors), which
// ListWaiting and River's own UI show. It is the code and the coded
// user-facing message only (ticketsum.ErrorMessage, the reason= of the
// retry log), never the cause, which may carry a provider's or a model's
// text; the cause stays reachable through Unwrap.
type vettedError struct{ err error }

func (v vettedError) Error() string {
	return string(ticketsum.ErrorCodeOf(v.err)) + ": " + ticketsum.ErrorMessage(v.err)
}

func (v vettedError) Unwrap() error { return v.err }

// vetted wraps err for River (see vettedError).
func vetted(err error) error { return vettedError{err} }

// parseVetted splits a recorded vettedError into its code and reason. An
// error recorded otherwise (by an older version, which kept the cause too)
// is not shown: ok is false and both are "".
func parseVetted(s string) (code ticketsum.ErrorCode, reason string, ok bool) {
	c, r, found := strings.Cut(s, ": ")
	if !found || !ticketsum.ErrorCode(c).Valid() {
		return "", "", false
	}
	return ticketsum.ErrorCode(c), r, true
}
