package queue

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ticketsum/ticketsum"
)

// Stats are the queue's figures for metrics and for knowing when it is done.
type Stats struct {
	// Available jobs are ready to run now.
	Available int
	// Running jobs are being worked by some worker, or were by one that
	// was killed: Stalled of them are (see ListStalled), until RescueBy at
	// the latest, when they are available again.
	Running, Stalled int
	RescueBy         time.Time
	// Waiting jobs run later: snoozed, scheduled or due for a retry.
	Waiting int
	// Completed, Cancelled and Discarded count finished jobs still kept by
	// River (completed ones for 24 hours, the others for 7 days).
	Completed, Cancelled, Discarded int
	// OldestAge is how long ago the oldest unfinished job that is not
	// running was enqueued; zero when there is none.
	OldestAge time.Duration
}

// Pending returns how many jobs are not finished.
func (s Stats) Pending() int { return s.Available + s.Running + s.Waiting }

// Stats returns the queue's current figures. It returns EUNAVAILABLE when the
// database cannot be read.
func (q *Queue[TTx]) Stats(ctx context.Context) (Stats, error) {
	counts, err := q.countStates(ctx)
	if err != nil {
		return Stats{}, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "count queue jobs: %w", err)
	}
	st := Stats{
		Available: counts[string(rivertype.JobStateAvailable)],
		Running:   counts[string(rivertype.JobStateRunning)],
		Waiting: counts[string(rivertype.JobStateScheduled)] + counts[string(rivertype.JobStateRetryable)] +
			counts[string(rivertype.JobStatePending)],
		Completed: counts[string(rivertype.JobStateCompleted)],
		Cancelled: counts[string(rivertype.JobStateCancelled)],
		Discarded: counts[string(rivertype.JobStateDiscarded)],
	}
	if st.Running > 0 {
		stalled, err := q.ListStalled(ctx)
		if err != nil {
			return Stats{}, err
		}
		st.Stalled = len(stalled)
		for _, s := range stalled {
			if s.RescueBy.After(st.RescueBy) {
				st.RescueBy = s.RescueBy
			}
		}
	}
	if st.Available+st.Waiting > 0 {
		res, err := q.client.JobList(ctx, river.NewJobListParams().
			Queues(q.cfg.Queue, q.cfg.BatchQueue).
			States(rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStateRetryable, rivertype.JobStatePending).
			OrderBy(river.JobListOrderByID, river.SortOrderAsc).First(1))
		if err != nil {
			return Stats{}, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "find oldest queue job: %w", err)
		}
		if len(res.Jobs) > 0 {
			st.OldestAge = max(0, q.cfg.Clock.Now().Sub(res.Jobs[0].CreatedAt))
		}
	}
	return st, nil
}

// WaitIdle blocks until no job of the queue is unfinished (none available,
// running, snoozed or due for a retry), checking every poll interval. A
// snoozed job keeps it waiting until the job has run (checking at least
// every 200ms when the poll interval is longer). It returns ctx's error
// when ctx ends first; it never returns when no worker runs and jobs wait.
func (q *Queue[TTx]) WaitIdle(ctx context.Context) error {
	_, err := q.wait(ctx, -1)
	return err
}

// Deferred are the jobs WaitDrained leaves queued: each waits for a retry
// after a retryable error (River's backoff), keeping its attempt count.
type Deferred struct {
	// Jobs and Tickets count them; a batch job carries several tickets.
	Jobs, Tickets int
	// Next is when the earliest of them is due.
	Next time.Time
	// Reason is the coded user-facing message of the latest error among
	// them, whichever process ran it (see Waiting.Reason); "" when none
	// was recorded with one.
	Reason string
}

// WaitDrained waits like WaitIdle, but also returns once no job is
// available, running, snoozed or scheduled and every job left waits for a
// retry due more than horizon from now: it then returns those jobs, which
// stay queued for the next worker (Jobs 0 when the queue is empty). A
// throttled job's snooze is always waited for, whatever the horizon. It
// returns ctx's error when ctx ends first.
func (q *Queue[TTx]) WaitDrained(ctx context.Context, horizon time.Duration) (Deferred, error) {
	return q.wait(ctx, max(0, horizon))
}

// wait polls until the queue is empty or, when horizon is not negative,
// only holds retries due later than horizon from now.
func (q *Queue[TTx]) wait(ctx context.Context, horizon time.Duration) (Deferred, error) {
	t := time.NewTicker(min(q.cfg.PollInterval, 200*time.Millisecond))
	defer t.Stop()
	for {
		d, done, err := q.drained(ctx, horizon)
		if err != nil && ctx.Err() == nil {
			return Deferred{}, err
		}
		if err == nil && done {
			return d, nil
		}
		select {
		case <-ctx.Done():
			return Deferred{}, ctx.Err()
		case <-t.C:
		}
	}
}

// drained reports whether wait may return, and the jobs it leaves.
func (q *Queue[TTx]) drained(ctx context.Context, horizon time.Duration) (Deferred, bool, error) {
	counts, err := q.countStates(ctx)
	if err != nil {
		return Deferred{}, false, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "count queue jobs: %w", err)
	}
	retrying := counts[string(rivertype.JobStateRetryable)]
	switch {
	case counts[string(rivertype.JobStateAvailable)]+counts[string(rivertype.JobStateRunning)]+
		counts[string(rivertype.JobStateScheduled)]+counts[string(rivertype.JobStatePending)] > 0:
		return Deferred{}, false, nil
	case retrying == 0:
		return Deferred{}, true, nil
	case horizon < 0:
		return Deferred{}, false, nil
	}
	d, soon := Deferred{}, false
	var last time.Time
	err = q.eachRetryable(ctx, func(j *rivertype.JobRow) bool {
		if d.Jobs == 0 {
			if j.ScheduledAt.Sub(q.cfg.Clock.Now()) <= horizon {
				soon = true // due soon: wait for it
				return false
			}
			d.Next = j.ScheduledAt
		}
		d.Jobs++
		d.Tickets += jobTickets(j)
		if n := len(j.Errors); n > 0 && j.Errors[n-1].At.After(last) {
			if _, reason, ok := parseVetted(j.Errors[n-1].Error); ok {
				d.Reason, last = reason, j.Errors[n-1].At
			}
		}
		return true
	})
	if err != nil || soon {
		return Deferred{}, false, err
	}
	return d, d.Jobs > 0, nil
}

// jobTickets is how many tickets a job carries: a batch job's items, or one.
func jobTickets(j *rivertype.JobRow) int {
	return max(1, len(waitingOf(j)))
}
