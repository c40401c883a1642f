package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/gateway"
)

const namespace = "ticketsum"

// Metrics holds ticketsum's Prometheus series on a private registry. It is
// safe for concurrent use.
type Metrics struct {
	cfg         Config
	reg         *prometheus.Registry
	calls       *prometheus.CounterVec
	throttles   *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	tokens      *prometheus.CounterVec
	cost        *prometheus.CounterVec
	fallbacks   *prometheus.CounterVec
	concurrency *prometheus.GaugeVec
}

var _ gateway.Metrics = (*Metrics)(nil)

// New returns Metrics with its series registered, or EINVALID for a bad
// Config.
func New(cfg Config) (*Metrics, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	m := &Metrics{
		cfg: cfg,
		reg: prometheus.NewRegistry(),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "model_calls_total",
			Help: "Provider attempts by model and outcome (ok or the error code)."}, []string{"model", "outcome"}),
		throttles: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "model_throttles_total",
			Help: "Provider attempts throttled by the provider's quota."}, []string{"model"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "model_call_duration_seconds",
			Help: "Latency of provider attempts.", Buckets: cfg.LatencyBuckets}, []string{"model"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "model_tokens_total",
			Help: "Tokens of successful provider attempts by kind (input, output, cache_read, cache_write)."}, []string{"model", "kind"}),
		cost: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "model_cost_usd_total",
			Help: "Cost of successful provider attempts in US dollars, at catalogue prices."}, []string{"model"}),
		fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "model_fallbacks_total",
			Help: "Calls moved from one model to the next."}, []string{"from", "to"}),
		concurrency: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "model_concurrency_limit",
			Help: "The gateway's current adaptive concurrency limit per model."}, []string{"model"}),
	}
	m.reg.MustRegister(m.calls, m.throttles, m.latency, m.tokens, m.cost, m.fallbacks, m.concurrency)
	if cfg.Queue != nil {
		m.reg.MustRegister(newQueueCollector(cfg.Queue, cfg))
	}
	if cfg.Runtime {
		m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	return m, nil
}

// WatchQueue adds the queue series for q, read on every scrape, when the
// queue is opened after the Metrics (the gateway needs the Metrics before
// the queue's handler exists). It returns EINVALID for a nil q and
// ECONFLICT when a queue is already watched.
func (m *Metrics) WatchQueue(q QueueSource) error {
	if q == nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "metrics: WatchQueue needs a queue")
	}
	if err := m.reg.Register(newQueueCollector(q, m.cfg)); err != nil {
		return ticketsum.Errorf(ticketsum.ECONFLICT, "metrics: a queue is already watched")
	}
	return nil
}

// Registry returns the private registry, for registering more collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition format, for
// mounting at /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Attempt records one provider attempt.
func (m *Metrics) Attempt(model string, code ticketsum.ErrorCode, latency time.Duration) {
	outcome := string(code)
	if code == "" {
		outcome = "ok"
	}
	m.calls.WithLabelValues(model, outcome).Inc()
	if code == ticketsum.ETHROTTLED {
		m.throttles.WithLabelValues(model).Inc()
	}
	m.latency.WithLabelValues(model).Observe(latency.Seconds())
}

// Usage records the tokens and cost of a successful attempt.
func (m *Metrics) Usage(model string, u ticketsum.Usage, costUSD float64) {
	for _, k := range []struct {
		kind string
		n    int
	}{{"input", u.InputTokens}, {"output", u.OutputTokens}, {"cache_read", u.CacheReadTokens}, {"cache_write", u.CacheWriteTokens}} {
		if k.n > 0 {
			m.tokens.WithLabelValues(model, k.kind).Add(float64(k.n))
		}
	}
	if costUSD > 0 {
		m.cost.WithLabelValues(model).Add(costUSD)
	}
}

// Fallback records that a call moved from one model to the next.
func (m *Metrics) Fallback(from, to string) { m.fallbacks.WithLabelValues(from, to).Inc() }

// Concurrency records a model's new concurrency limit.
func (m *Metrics) Concurrency(model string, limit int) {
	m.concurrency.WithLabelValues(model).Set(float64(limit))
}
