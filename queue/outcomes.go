package queue

import (
	"maps"
	"sync"
	"sync/atomic"

	"github.com/ticketsum/ticketsum"
)

// Outcomes counts, since the queue was made, how this process's workers
// ended their job runs: for Prometheus counters of jobs by outcome.
type Outcomes struct {
	Completed int64 // the handler succeeded
	// Failed runs left their ticket failed (bad ticket, policy, a fix in
	// the configuration, or retries exhausted); FailedBy breaks them down.
	Failed   int64
	FailedBy map[FailureKind]int64
	Retried  int64 // retryable error: runs again with backoff
	Snoozed  int64 // throttled, interrupted by Stop, or its failure not yet recorded: runs again later
	// Cancelled jobs were for a ticket that no longer exists.
	Cancelled int64
	// Superseded jobs were skipped because their thread had changed since
	// (see Config.CurrentHash).
	Superseded int64
	// LastRetryReason is the coded user-facing message
	// (ticketsum.ErrorMessage) of the latest run that will retry, as its
	// log line gives it; "" when none did.
	LastRetryReason string
}

// FailureKind is the class and code of a ticket failure.
type FailureKind struct {
	Class ticketsum.FailureClass
	Code  ticketsum.ErrorCode
}

type outcomes struct {
	completed, retried, snoozed, cancelled, superseded atomic.Int64

	mu         sync.Mutex
	failed     map[FailureKind]int64
	lastReason string
}

// retryReason keeps the reason of a run that will retry.
func (o *outcomes) retryReason(reason string) {
	o.mu.Lock()
	o.lastReason = reason
	o.mu.Unlock()
}

func (o *outcomes) fail(c ticketsum.FailureClass, code ticketsum.ErrorCode) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.failed == nil {
		o.failed = map[FailureKind]int64{}
	}
	o.failed[FailureKind{c, code}]++
}

// Outcomes returns the counts of job runs by outcome in this process.
func (q *Queue[TTx]) Outcomes() Outcomes {
	q.counts.mu.Lock()
	by := maps.Clone(q.counts.failed)
	reason := q.counts.lastReason
	q.counts.mu.Unlock()
	var failed int64
	for _, n := range by {
		failed += n
	}
	return Outcomes{
		Completed:       q.counts.completed.Load(),
		Failed:          failed,
		FailedBy:        by,
		Retried:         q.counts.retried.Load(),
		Snoozed:         q.counts.snoozed.Load(),
		Cancelled:       q.counts.cancelled.Load(),
		Superseded:      q.counts.superseded.Load(),
		LastRetryReason: reason,
	}
}
