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
	// Running jobs are being worked by some worker.
	Running int
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
	t := time.NewTicker(min(q.cfg.PollInterval, 200*time.Millisecond))
	defer t.Stop()
	for {
		st, err := q.Stats(ctx)
		if err != nil && ctx.Err() == nil {
			return err
		}
		if err == nil && st.Pending() == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
