package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ticketsum/ticketsum"
)

// queueCollector reads the queue's figures on every scrape.
type queueCollector struct {
	src     QueueSource
	timeout time.Duration
	logger  *slog.Logger
	jobs    *prometheus.Desc
	oldest  *prometheus.Desc
	runs    *prometheus.Desc
	failed  *prometheus.Desc
	up      *prometheus.Desc
}

func newQueueCollector(src QueueSource, cfg Config) *queueCollector {
	return &queueCollector{
		src: src, timeout: cfg.StatsTimeout, logger: cfg.Logger,
		jobs: prometheus.NewDesc(namespace+"_queue_jobs",
			"Queue jobs by state; completed, cancelled and discarded count finished jobs River still keeps.", []string{"state"}, nil),
		oldest: prometheus.NewDesc(namespace+"_queue_oldest_job_age_seconds",
			"Age of the oldest unfinished job that is not running; 0 when none waits.", nil, nil),
		runs: prometheus.NewDesc(namespace+"_queue_job_runs_total",
			"Job runs by outcome in this process.", []string{"outcome"}, nil),
		failed: prometheus.NewDesc(namespace+"_ticket_failures_total",
			"Tickets this process's workers left failed, by failure class and error code (the reason's kind).", []string{"class", "code"}, nil),
		up: prometheus.NewDesc(namespace+"_queue_stats_up",
			"1 when the queue's figures could be read at this scrape, 0 when not.", nil, nil),
	}
}

// Describe sends the descriptors.
func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.jobs
	ch <- c.oldest
	ch <- c.runs
	ch <- c.failed
	ch <- c.up
}

// Collect reads the queue and sends its series. A failed read sends
// queue_stats_up 0 and no job figures, rather than stale ones.
func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	if o, ok := c.src.(OutcomeSource); ok {
		out := o.Outcomes()
		for _, r := range []struct {
			outcome string
			n       int64
		}{{"completed", out.Completed}, {"failed", out.Failed}, {"retried", out.Retried}, {"snoozed", out.Snoozed},
			{"cancelled", out.Cancelled}, {"superseded", out.Superseded}} {
			ch <- prometheus.MustNewConstMetric(c.runs, prometheus.CounterValue, float64(r.n), r.outcome)
		}
		for k, n := range out.FailedBy {
			ch <- prometheus.MustNewConstMetric(c.failed, prometheus.CounterValue, float64(n), string(k.Class), string(k.Code))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	st, err := c.src.Stats(ctx)
	if err != nil {
		c.logger.Warn("metrics: read queue stats", "code", string(ticketsum.ErrorCodeOf(err)), "error", ticketsum.ErrorMessage(err))
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	for _, s := range []struct {
		state string
		n     int
	}{{"available", st.Available}, {"running", st.Running}, {"waiting", st.Waiting},
		{"completed", st.Completed}, {"cancelled", st.Cancelled}, {"discarded", st.Discarded}} {
		ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(s.n), s.state)
	}
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, st.OldestAge.Seconds())
}
