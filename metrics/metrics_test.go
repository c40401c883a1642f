package metrics_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/gateway"
	"github.com/ticketsum/ticketsum/metrics"
	"github.com/ticketsum/ticketsum/queue"
)

func TestGatewaySeries(t *testing.T) {
	t.Parallel()
	const a, b = "bedrock:a", "bedrock:b"
	m := MustNew(t, metrics.Config{LatencyBuckets: []float64{0.5, 1, 2}})
	m.Attempt(a, "", 300*time.Millisecond)
	m.Attempt(a, "", 1500*time.Millisecond)
	m.Attempt(a, ticketsum.ETHROTTLED, 100*time.Millisecond)
	m.Attempt(a, ticketsum.ETHROTTLED, 100*time.Millisecond)
	m.Attempt(b, ticketsum.EUNAVAILABLE, 3*time.Second)
	m.Usage(a, ticketsum.Usage{InputTokens: 1000, OutputTokens: 80, CacheReadTokens: 500}, 0.0012)
	m.Usage(a, ticketsum.Usage{InputTokens: 200, OutputTokens: 20, CacheWriteTokens: 7}, 0.0003)
	m.Fallback(a, b)
	m.Concurrency(a, 8)
	m.Concurrency(a, 4)

	got, _ := MustScrape(t, m.Handler())
	tests := []struct {
		series string
		want   float64
	}{
		{`ticketsum_model_calls_total{model="bedrock:a",outcome="ok"}`, 2},
		{`ticketsum_model_calls_total{model="bedrock:a",outcome="throttled"}`, 2},
		{`ticketsum_model_calls_total{model="bedrock:b",outcome="unavailable"}`, 1},
		{`ticketsum_model_throttles_total{model="bedrock:a"}`, 2},
		{`ticketsum_model_call_duration_seconds_bucket{model="bedrock:a",le="0.5"}`, 3},
		{`ticketsum_model_call_duration_seconds_bucket{model="bedrock:a",le="2"}`, 4},
		{`ticketsum_model_call_duration_seconds_count{model="bedrock:a"}`, 4},
		{`ticketsum_model_call_duration_seconds_bucket{model="bedrock:b",le="2"}`, 0},
		{`ticketsum_model_call_duration_seconds_bucket{model="bedrock:b",le="+Inf"}`, 1},
		{`ticketsum_model_tokens_total{kind="input",model="bedrock:a"}`, 1200},
		{`ticketsum_model_tokens_total{kind="output",model="bedrock:a"}`, 100},
		{`ticketsum_model_tokens_total{kind="cache_read",model="bedrock:a"}`, 500},
		{`ticketsum_model_tokens_total{kind="cache_write",model="bedrock:a"}`, 7},
		{`ticketsum_model_cost_usd_total{model="bedrock:a"}`, 0.0015},
		{`ticketsum_model_fallbacks_total{from="bedrock:a",to="bedrock:b"}`, 1},
		{`ticketsum_model_concurrency_limit{model="bedrock:a"}`, 4},
	}
	for _, tt := range tests {
		v, ok := got[tt.series]
		if !ok {
			t.Errorf("series %s missing", tt.series)
			continue
		}
		if diff := v - tt.want; diff > 1e-9 || diff < -1e-9 {
			t.Errorf("%s = %v, want %v", tt.series, v, tt.want)
		}
	}
	if _, ok := got[`ticketsum_model_throttles_total{model="bedrock:b"}`]; ok {
		t.Error("an unavailable attempt counted as a throttle")
	}
	if _, ok := got[`ticketsum_queue_stats_up`]; ok {
		t.Error("queue series without a queue")
	}
}

func TestQueueSeries(t *testing.T) {
	t.Parallel()
	q := &fakeQueue{
		stats: queue.Stats{Available: 3, Running: 2, Waiting: 5, Completed: 40, Cancelled: 1, Discarded: 2,
			OldestAge: 90 * time.Second},
		outcomes: queue.Outcomes{Completed: 40, Cancelled: 1, Snoozed: 6, Retried: 5, Superseded: 4, Failed: 3,
			FailedBy: map[queue.FailureKind]int64{
				{Class: ticketsum.ClassConfig, Code: ticketsum.EFORBIDDEN}: 2,
				{Class: ticketsum.ClassPolicy, Code: ticketsum.EBLOCKED}:   1,
			}},
	}
	m := MustNew(t, metrics.Config{Queue: q})
	got, _ := MustScrape(t, m.Handler())
	want := map[string]float64{
		`ticketsum_queue_stats_up`:                                         1,
		`ticketsum_queue_jobs{state="available"}`:                          3,
		`ticketsum_queue_jobs{state="running"}`:                            2,
		`ticketsum_queue_jobs{state="waiting"}`:                            5,
		`ticketsum_queue_jobs{state="completed"}`:                          40,
		`ticketsum_queue_jobs{state="cancelled"}`:                          1,
		`ticketsum_queue_jobs{state="discarded"}`:                          2,
		`ticketsum_queue_oldest_job_age_seconds`:                           90,
		`ticketsum_queue_job_runs_total{outcome="completed"}`:              40,
		`ticketsum_queue_job_runs_total{outcome="cancelled"}`:              1,
		`ticketsum_queue_job_runs_total{outcome="snoozed"}`:                6,
		`ticketsum_queue_job_runs_total{outcome="failed"}`:                 3,
		`ticketsum_queue_job_runs_total{outcome="retried"}`:                5,
		`ticketsum_queue_job_runs_total{outcome="superseded"}`:             4,
		`ticketsum_ticket_failures_total{class="config",code="forbidden"}`: 2,
		`ticketsum_ticket_failures_total{class="policy",code="blocked"}`:   1,
	}
	for series, w := range want {
		if v, ok := got[series]; !ok || v != w {
			t.Errorf("%s = %v (present %v), want %v", series, v, ok, w)
		}
	}
	// Each scrape reads the queue afresh.
	q.stats.Available = 9
	got, _ = MustScrape(t, m.Handler())
	if v := got[`ticketsum_queue_jobs{state="available"}`]; v != 9 {
		t.Errorf("second scrape: available = %v, want 9", v)
	}
	if q.calls != 2 {
		t.Errorf("queue read %d times for 2 scrapes", q.calls)
	}
}

func TestQueueSeriesWhenStatsFail(t *testing.T) {
	t.Parallel()
	q := &fakeQueue{err: ticketsum.Errorf(ticketsum.EUNAVAILABLE, "count queue jobs: connection refused")}
	m := MustNew(t, metrics.Config{Queue: q})
	got, body := MustScrape(t, m.Handler())
	if v, ok := got[`ticketsum_queue_stats_up`]; !ok || v != 0 {
		t.Errorf("queue_stats_up = %v (present %v), want 0", v, ok)
	}
	if strings.Contains(body, "ticketsum_queue_jobs{") || strings.Contains(body, "ticketsum_queue_oldest_job_age_seconds ") {
		t.Errorf("job figures exported after a failed read:\n%s", body)
	}
	if _, ok := got[`ticketsum_queue_job_runs_total{outcome="completed"}`]; !ok {
		t.Error("outcome counters missing after a failed stats read; they do not need the database")
	}
}

func TestQueueWithoutOutcomes(t *testing.T) {
	t.Parallel()
	m := MustNew(t, metrics.Config{Queue: statsOnly{queue.Stats{Running: 1}}})
	got, body := MustScrape(t, m.Handler())
	if got[`ticketsum_queue_jobs{state="running"}`] != 1 {
		t.Errorf("running jobs missing:\n%s", body)
	}
	if strings.Contains(body, "ticketsum_queue_job_runs_total{") {
		t.Errorf("outcome series from a source without outcomes:\n%s", body)
	}
}

func TestRuntimeCollectors(t *testing.T) {
	t.Parallel()
	_, with := MustScrape(t, MustNew(t, metrics.Config{Runtime: true}).Handler())
	_, without := MustScrape(t, MustNew(t, metrics.Config{}).Handler())
	if !strings.Contains(with, "go_goroutines ") {
		t.Error("Runtime: true exports no go_goroutines")
	}
	if strings.Contains(without, "go_goroutines") {
		t.Error("runtime series without Runtime: the registry is not private")
	}
}

func TestConfigRejected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  metrics.Config
	}{
		{"negative timeout", metrics.Config{StatsTimeout: -time.Second}},
		{"unsorted buckets", metrics.Config{LatencyBuckets: []float64{1, 0.5}}},
		{"zero bucket", metrics.Config{LatencyBuckets: []float64{0, 1}}},
	}
	for _, tt := range tests {
		if _, err := metrics.New(tt.cfg); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("%s: New = %v, want an invalid error", tt.name, err)
		}
	}
}

// flakyModel throttles its first n calls, then answers.
type flakyModel struct {
	name      string
	throttles int64
	calls     atomic.Int64
}

func (f *flakyModel) Name() string { return f.name }

func (f *flakyModel) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	if f.calls.Add(1) <= f.throttles {
		return nil, ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down")
	}
	return &ticketsum.ModelResponse{Text: "ok", Model: f.name, Usage: ticketsum.Usage{InputTokens: 1000, OutputTokens: 100}}, nil
}

// The gateway reports through Metrics: a throttled attempt, its retry, and
// the priced usage.
func TestWithGateway(t *testing.T) {
	t.Parallel()
	const name = "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0"
	m := MustNew(t, metrics.Config{})
	g, err := gateway.New(gateway.Config{Metrics: m, Sleep: func(context.Context, time.Duration) error { return nil }},
		&flakyModel{name: name, throttles: 1})
	if err != nil {
		t.Fatal(err)
	}
	model, err := g.Model(name)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := model.Generate(t.Context(), &ticketsum.ModelRequest{Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "hi"}}})
	if err != nil {
		t.Fatal(err)
	}
	got, body := MustScrape(t, m.Handler())
	for series, want := range map[string]float64{
		`ticketsum_model_calls_total{model="` + name + `",outcome="throttled"}`: 1,
		`ticketsum_model_calls_total{model="` + name + `",outcome="ok"}`:        1,
		`ticketsum_model_throttles_total{model="` + name + `"}`:                 1,
		`ticketsum_model_tokens_total{kind="input",model="` + name + `"}`:       1000,
		`ticketsum_model_tokens_total{kind="output",model="` + name + `"}`:      100,
		`ticketsum_model_cost_usd_total{model="` + name + `"}`:                  resp.CostUSD,
	} {
		if v, ok := got[series]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v\n%s", series, v, ok, want, body)
		}
	}
	if resp.CostUSD <= 0 {
		t.Errorf("cost %v: the catalogue did not price the call", resp.CostUSD)
	}
}

// A queue opened after the Metrics is watched with WatchQueue, once.
func TestWatchQueue(t *testing.T) {
	t.Parallel()
	m := MustNew(t, metrics.Config{})
	if err := m.WatchQueue(nil); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("WatchQueue(nil) = %v, want invalid", err)
	}
	if err := m.WatchQueue(statsOnly{queue.Stats{Waiting: 7}}); err != nil {
		t.Fatal(err)
	}
	got, body := MustScrape(t, m.Handler())
	if got[`ticketsum_queue_jobs{state="waiting"}`] != 7 {
		t.Errorf("waiting jobs missing after WatchQueue:\n%s", body)
	}
	if err := m.WatchQueue(statsOnly{}); ticketsum.ErrorCodeOf(err) != ticketsum.ECONFLICT {
		t.Errorf("second WatchQueue = %v, want conflict", err)
	}
}
