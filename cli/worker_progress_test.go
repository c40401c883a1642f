package cli

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/metrics"
	"github.com/ticketsum/ticketsum/queue"
)

func TestWorkerProgressLine(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	now := t0.Add(100 * time.Second)
	done, failed := int64(250), int64(3)
	var statsErr error
	stalled := 0
	p := &workerProgress{
		now:      func() time.Time { return now },
		outcomes: func() queue.Outcomes { return queue.Outcomes{Completed: done, Failed: failed} },
		stats: func(context.Context) (queue.Stats, error) {
			return queue.Stats{Available: 40, Waiting: 5, Running: 4, Stalled: stalled, RescueBy: now.Add(40 * time.Second)}, statsErr
		},
		cost:  func() float64 { return 1.23456 },
		start: t0, last: t0,
	}
	ctx := context.Background()
	want := "worker: 250 done, 3 failed, 45 queued, 4 running, 2.50 tickets/s (2.50/s since the last line), $1.2346 so far, up 1m40s"
	if got := p.line(ctx); got != want {
		t.Errorf("first line\n got %q\nwant %q", got, want)
	}
	// Two of the running jobs are of a worker that was killed.
	stalled = 2
	want = "worker: 250 done, 3 failed, 45 queued, 4 running (2 stalled: the worker running them stopped; back in the queue by 10:02:20 UTC), 2.50 tickets/s (0.00/s since the last line), $1.2346 so far, up 1m40s"
	if got := p.line(ctx); got != want {
		t.Errorf("line with stalled jobs\n got %q\nwant %q", got, want)
	}
	now, done, statsErr = now.Add(50*time.Second), 450, errors.New("database is locked")
	want = "worker: 450 done, 3 failed, queue depth unknown (database is locked), 3.00 tickets/s (4.00/s since the last line), $1.2346 so far, up 2m30s"
	if got := p.line(ctx); got != want {
		t.Errorf("second line\n got %q\nwant %q", got, want)
	}
}

func TestModelCost(t *testing.T) {
	t.Parallel()
	m, err := metrics.New(metrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got := modelCost(m); got != 0 {
		t.Errorf("cost before any call = %v", got)
	}
	m.Usage("bedrock:a", ticketsum.Usage{InputTokens: 10}, 0.25)
	m.Usage("bedrock:b", ticketsum.Usage{InputTokens: 10}, 0.5)
	if got := modelCost(m); got != 0.75 {
		t.Errorf("cost = %v, want 0.75", got)
	}
}
