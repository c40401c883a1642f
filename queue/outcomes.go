package queue

import (
	"errors"
	"sync/atomic"

	"github.com/riverqueue/river/rivertype"
)

// Outcomes counts, since the queue was made, how this process's workers
// ended their job runs: for Prometheus counters of jobs by outcome.
type Outcomes struct {
	Completed int64 // the handler succeeded
	Cancelled int64 // bad input or policy denial: cancelled for good
	Snoozed   int64 // throttled: to run again after the pause
	Failed    int64 // any other error: retried with backoff, or discarded after the last attempt
	// Superseded jobs were skipped because their thread had changed since
	// (see Config.CurrentHash).
	Superseded int64
}

type outcomes struct {
	completed, cancelled, snoozed, failed, superseded atomic.Int64
}

func (o *outcomes) record(err error) {
	var cancel *rivertype.JobCancelError
	var snooze *rivertype.JobSnoozeError
	switch {
	case err == nil:
		o.completed.Add(1)
	case errors.As(err, &cancel):
		o.cancelled.Add(1)
	case errors.As(err, &snooze):
		o.snoozed.Add(1)
	default:
		o.failed.Add(1)
	}
}

// Outcomes returns the counts of job runs by outcome in this process.
func (q *Queue[TTx]) Outcomes() Outcomes {
	return Outcomes{
		Completed:  q.counts.completed.Load(),
		Cancelled:  q.counts.cancelled.Load(),
		Snoozed:    q.counts.snoozed.Load(),
		Failed:     q.counts.failed.Load(),
		Superseded: q.counts.superseded.Load(),
	}
}
