package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/queue"
)

// QueueSource is what the queue collector reads on every scrape;
// *queue.Queue is one. When it also has an Outcomes() queue.Outcomes method
// (as *queue.Queue does), the job outcome counters are exported too.
type QueueSource interface {
	Stats(ctx context.Context) (queue.Stats, error)
}

// OutcomeSource gives the counts of job runs by outcome.
type OutcomeSource interface {
	Outcomes() queue.Outcomes
}

// Config configures Metrics. The zero Config is valid.
type Config struct {
	// Queue is read on every scrape for the queue series. Default nil: no
	// queue series (as in the Lambda, where SQS is the queue).
	Queue QueueSource
	// StatsTimeout bounds one read of Queue during a scrape. Default 5s.
	StatsTimeout time.Duration
	// LatencyBuckets are the upper bounds, in seconds, of the model call
	// latency histogram. Default 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60.
	LatencyBuckets []float64
	// Runtime adds the Go runtime and process collectors (go_*, process_*).
	// Default false.
	Runtime bool
	// Logger logs failed queue reads (without any ticket data). Default:
	// discard.
	Logger *slog.Logger
}

func (c *Config) fill() error {
	if c.StatsTimeout < 0 {
		return ticketsum.Errorf(ticketsum.EINVALID, "metrics: StatsTimeout %v is negative", c.StatsTimeout)
	}
	if c.StatsTimeout == 0 {
		c.StatsTimeout = 5 * time.Second
	}
	if c.LatencyBuckets == nil {
		c.LatencyBuckets = []float64{0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60}
	}
	for i, b := range c.LatencyBuckets {
		if b <= 0 || (i > 0 && b <= c.LatencyBuckets[i-1]) {
			return ticketsum.Errorf(ticketsum.EINVALID, "metrics: LatencyBuckets must be positive and increasing, got %v", c.LatencyBuckets)
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}
