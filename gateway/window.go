package gateway

import (
	"context"
	"errors"
	"sync"
)

// window bounds a model's calls in flight with a limit that halves when the
// share of throttled attempts over the last ThrottleWindow attempts reaches
// ThrottleRate, and grows by 1/limit per success (one per round) back up to
// MaxConcurrency. Waiters are served first come, first served; at most
// maxQueue wait, and a call beyond them is refused at once.
type window struct {
	mu       sync.Mutex
	limit    float64
	min, max float64
	inflight int
	waiters  []chan struct{}
	maxQueue int

	recent    []bool // ring of recent outcomes, true = throttled
	next      int
	filled    int
	throttled int
	rate      float64
	onChange  func(limit int)
}

func newWindow(l Limits, onChange func(int)) *window {
	return &window{
		limit: float64(l.MaxConcurrency), min: float64(l.MinConcurrency), max: float64(l.MaxConcurrency),
		recent: make([]bool, l.ThrottleWindow), rate: l.ThrottleRate, onChange: onChange, maxQueue: l.MaxQueue,
	}
}

// errQueueFull is returned by acquire when maxQueue calls already wait.
var errQueueFull = errors.New("concurrency window full")

// acquire takes a slot, waiting for one while the window is full, or
// returns errQueueFull when the queue is full too.
func (w *window) acquire(ctx context.Context) error {
	w.mu.Lock()
	if w.inflight < int(w.limit) && len(w.waiters) == 0 {
		w.inflight++
		w.mu.Unlock()
		return nil
	}
	if len(w.waiters) >= w.maxQueue {
		w.mu.Unlock()
		return errQueueFull
	}
	ch := make(chan struct{})
	w.waiters = append(w.waiters, ch)
	w.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		w.mu.Lock()
		defer w.mu.Unlock()
		for i, c := range w.waiters {
			if c == ch {
				w.waiters = append(w.waiters[:i], w.waiters[i+1:]...)
				return ctx.Err()
			}
		}
		// The slot was granted while we gave up: hand it on.
		w.inflight--
		w.wake()
		return ctx.Err()
	}
}

// release frees a slot.
func (w *window) release() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inflight--
	w.wake()
}

// done frees a slot and records the attempt's outcome under one lock.
func (w *window) done(throttled bool) {
	w.mu.Lock()
	w.inflight--
	old, now := w.adapt(throttled)
	w.wake()
	w.mu.Unlock()
	if now != old && w.onChange != nil {
		w.onChange(now)
	}
}

// wake grants slots to waiters while the window has room. w.mu is held.
func (w *window) wake() {
	for len(w.waiters) > 0 && w.inflight < int(w.limit) {
		close(w.waiters[0])
		w.waiters = w.waiters[1:]
		w.inflight++
	}
}

// adapt notes an attempt's outcome and adapts the limit. w.mu is held.
func (w *window) adapt(throttled bool) (old, now int) {
	old = int(w.limit)
	if w.filled == len(w.recent) && w.recent[w.next] {
		w.throttled--
	}
	w.recent[w.next] = throttled
	w.next = (w.next + 1) % len(w.recent)
	w.filled = min(w.filled+1, len(w.recent))
	if throttled {
		w.throttled++
		if w.filled == len(w.recent) && float64(w.throttled) >= w.rate*float64(len(w.recent)) {
			w.limit = max(w.min, w.limit/2)
			// Start a fresh window of evidence before halving again.
			clear(w.recent)
			w.filled, w.throttled, w.next = 0, 0, 0
		}
	} else {
		w.limit = min(w.max, w.limit+1/w.limit)
	}
	return old, int(w.limit)
}

// current returns the limit and the calls in flight.
func (w *window) current() (limit, inflight int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return int(w.limit), w.inflight
}
