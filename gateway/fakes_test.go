package gateway_test

import (
	"context"
	"sync"
	"time"

	ticketsum "github.com/ticketsum/ticketsum"
)

// fakeModel answers from a script of faults, then succeeds. It records the
// time (on its clock) of every attempt.
type fakeModel struct {
	name  string
	clock *fakeClock
	usage ticketsum.Usage

	mu       sync.Mutex
	faults   []error // returned in order, one per attempt; nil = answer
	always   error   // returned after the script when set
	hang     bool    // block until the context is done
	attempts []time.Time
}

func (f *fakeModel) Name() string { return f.name }

func (f *fakeModel) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	f.mu.Lock()
	if f.clock != nil {
		f.attempts = append(f.attempts, f.clock.Now())
	} else {
		f.attempts = append(f.attempts, time.Time{})
	}
	var err error
	if len(f.faults) > 0 {
		err, f.faults = f.faults[0], f.faults[1:]
	} else {
		err = f.always
	}
	hang := f.hang
	f.mu.Unlock()
	if hang {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	u := f.usage
	if u == (ticketsum.Usage{}) {
		u = ticketsum.Usage{InputTokens: 2000, OutputTokens: 200}
	}
	return &ticketsum.ModelResponse{Text: "summary from " + f.name, Model: f.name, StopReason: "end_turn", Usage: u}, nil
}

func (f *fakeModel) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.attempts)
}

func (f *fakeModel) times() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.attempts...)
}

// fakeClock is virtual time: Sleep returns at once and moves the clock to
// the sleeper's wake-up time when that is later than now.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// recordingMetrics counts what the gateway reports.
type recordingMetrics struct {
	mu          sync.Mutex
	attempts    map[ticketsum.ErrorCode]int
	fallbacks   []string
	costUSD     float64
	concurrency []int
}

func (r *recordingMetrics) Attempt(model string, code ticketsum.ErrorCode, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.attempts == nil {
		r.attempts = map[ticketsum.ErrorCode]int{}
	}
	r.attempts[code]++
}

func (r *recordingMetrics) Usage(model string, _ ticketsum.Usage, usd float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.costUSD += usd
}

func (r *recordingMetrics) Fallback(from, to string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fallbacks = append(r.fallbacks, from+">"+to)
}

func (r *recordingMetrics) Concurrency(model string, limit int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.concurrency = append(r.concurrency, limit)
}
