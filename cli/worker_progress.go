package cli

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ticketsum/ticketsum/metrics"
	"github.com/ticketsum/ticketsum/queue"
)

// workerProgressEvery is how often the worker prints its progress line.
const workerProgressEvery = 30 * time.Second

// workerProgress prints the worker's progress line: tickets done and
// failed by this process, the queue's depth, the rate, and the cost of
// this process's model calls.
type workerProgress struct {
	out      io.Writer
	now      func() time.Time
	outcomes func() queue.Outcomes
	stats    func(ctx context.Context) (queue.Stats, error)
	cost     func() float64

	start    time.Time
	last     time.Time
	lastDone int64
}

// line returns the progress line as of now, and makes now the start of
// the next interval.
func (p *workerProgress) line(ctx context.Context) string {
	now := p.now()
	o := p.outcomes()
	rate := func(n int64, d time.Duration) float64 {
		if d <= 0 {
			return 0
		}
		return float64(n) / d.Seconds()
	}
	s := fmt.Sprintf("worker: %d done, %d failed", o.Completed, o.Failed)
	if st, err := p.stats(ctx); err == nil {
		s += fmt.Sprintf(", %d queued, %d running", st.Available+st.Waiting, st.Running)
		if st.Stalled > 0 {
			s += fmt.Sprintf(" (%d stalled: the worker running them stopped; back in the queue by %s)",
				st.Stalled, st.RescueBy.UTC().Format("15:04:05 UTC"))
		}
	} else {
		s += ", queue depth unknown (" + oneLine(err.Error()) + ")"
	}
	s += fmt.Sprintf(", %.2f tickets/s (%.2f/s since the last line), $%.4f so far, up %s",
		rate(o.Completed, now.Sub(p.start)), rate(o.Completed-p.lastDone, now.Sub(p.last)), p.cost(),
		now.Sub(p.start).Round(time.Second))
	p.last, p.lastDone = now, o.Completed
	return s
}

// startProgress prints the worker's progress line every
// workerProgressEvery on stderr until the returned stop is called, which
// prints a last one.
func (w *wiring) startProgress(ctx context.Context, b *backend) (stop func()) {
	prom, err := w.metrics()
	cost := func() float64 { return 0 }
	if err == nil {
		cost = func() float64 { return modelCost(prom) }
	}
	now := time.Now()
	p := &workerProgress{out: w.env.stderr, now: time.Now, outcomes: b.queue.Outcomes, stats: b.queue.Stats, cost: cost,
		start: now, last: now}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(workerProgressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintln(p.out, p.line(ctx))
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		fmt.Fprintln(p.out, p.line(sctx))
	}
}

// modelCost sums ticketsum_model_cost_usd_total: what this process's model
// calls cost, at catalogue prices.
func modelCost(m *metrics.Metrics) float64 {
	families, err := m.Registry().Gather()
	if err != nil {
		return 0
	}
	var total float64
	for _, f := range families {
		if f.GetName() != "ticketsum_model_cost_usd_total" {
			continue
		}
		for _, s := range f.GetMetric() {
			total += s.GetCounter().GetValue()
		}
	}
	return total
}
