package access

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/ticketsum/ticketsum"
)

// ledger queues budget reservations and settlements in memory and writes
// them with one writer per process in group commits: whatever queued while
// the previous transaction ran goes into the next one. A reservation's
// caller waits for the commit that grants it, so every model call has a
// durable, open reservation (with its request id) before the model is
// called; a settlement is not waited for. No lock is held across I/O: the
// writer takes the queue under the lock and commits without it.
type ledger struct {
	store  Store
	logger *slog.Logger

	mu       sync.Mutex
	reserve  []*pendingReserve
	settle   []SettleOp
	running  bool
	idle     chan struct{} // closed when the writer stops; nil while none runs
	failures int           // consecutive failed commits of settlements
}

type pendingReserve struct {
	op   ReserveOp
	done chan error
	// abandoned is set by a caller that stopped waiting; a grant that
	// arrives after that is settled at 0 by the writer.
	abandoned bool
}

// maxSettleRetries is how many group commits in a row may fail before the
// queued settlements are dropped for the stale sweep to settle.
const maxSettleRetries = 5

// reserveWait queues op, wakes the writer and waits for the commit.
func (l *ledger) reserveWait(ctx context.Context, op ReserveOp) (bool, error) {
	p := &pendingReserve{op: op, done: make(chan error, 1)}
	l.mu.Lock()
	l.reserve = append(l.reserve, p)
	l.wakeLocked()
	l.mu.Unlock()
	select {
	case err := <-p.done:
		return p.op.OK, err
	case <-ctx.Done():
		l.mu.Lock()
		p.abandoned = true
		l.mu.Unlock()
		select {
		case err := <-p.done: // committed meanwhile: report it
			return p.op.OK, err
		default:
		}
		return false, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "budget reservation cancelled: %w", ctx.Err())
	}
}

// settleLater queues a settlement for the next group commit.
func (l *ledger) settleLater(op SettleOp) {
	l.mu.Lock()
	l.settle = append(l.settle, op)
	l.wakeLocked()
	l.mu.Unlock()
}

// wakeLocked starts the writer unless it runs. l.mu is held.
func (l *ledger) wakeLocked() {
	if l.running {
		return
	}
	l.running = true
	l.idle = make(chan struct{})
	go l.run()
}

// flush waits until everything queued before it is written (or dropped
// after failures), or ctx ends.
func (l *ledger) flush(ctx context.Context) error {
	l.mu.Lock()
	idle := l.idle
	running := l.running
	l.mu.Unlock()
	if !running {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run is the writer: it commits batches until the queue is empty.
func (l *ledger) run() {
	for {
		l.mu.Lock()
		res, set := l.reserve, l.settle
		l.reserve, l.settle = nil, nil
		if len(res) == 0 && len(set) == 0 {
			l.running = false
			close(l.idle)
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		l.commit(res, set)
	}
}

// commit writes one batch and hands each reservation its outcome.
func (l *ledger) commit(res []*pendingReserve, set []SettleOp) {
	b := &BudgetBatch{Settle: set, Reserve: make([]*ReserveOp, len(res))}
	for i, p := range res {
		b.Reserve[i] = &p.op
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	err := l.store.CommitBudget(ctx, b)
	cancel()
	if err != nil {
		l.logger.Error("budget ledger commit failed", "reservations", len(res), "settlements", len(set), "err", err)
		err = ticketsum.Errorf(ticketsum.EUNAVAILABLE, "budget ledger unavailable: %w", err)
		l.requeue(set)
	} else {
		l.mu.Lock()
		l.failures = 0
		l.mu.Unlock()
	}
	var orphans []SettleOp
	l.mu.Lock()
	for _, p := range res {
		if p.abandoned && err == nil && p.op.OK {
			orphans = append(orphans, SettleOp{R: p.op.R})
		}
		p.done <- err
	}
	l.settle = append(l.settle, orphans...)
	l.mu.Unlock()
}

// requeue puts failed settlements back for the next commit, unless commits
// keep failing: then they are dropped (logged), and their open
// reservations are settled by the stale sweep against the recorded calls.
func (l *ledger) requeue(set []SettleOp) {
	l.mu.Lock()
	l.failures++
	n := l.failures
	if n > maxSettleRetries {
		l.failures = 0
	} else {
		l.settle = append(set, l.settle...)
	}
	l.mu.Unlock()
	if n > maxSettleRetries {
		if len(set) > 0 {
			l.logger.Error("budget settlements dropped after repeated failures; the stale sweep settles them", "count", len(set))
		}
		return
	}
	time.Sleep(time.Duration(n) * 50 * time.Millisecond)
}
