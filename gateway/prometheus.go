package gateway

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	ticketsum "github.com/ticketsum/ticketsum"
)

// PrometheusMetrics is a Metrics that keeps Prometheus series, labelled by
// model (a handful of values), never by principal or ticket:
//
//	ticketsum_model_attempts_total{model,code}        attempts by outcome ("ok", "throttled", ...)
//	ticketsum_model_attempt_seconds{model}            attempt latency histogram
//	ticketsum_model_tokens_total{model,kind}          input, output, cache_read, cache_write
//	ticketsum_model_cost_usd_total{model}             cost of successful attempts
//	ticketsum_model_fallbacks_total{from,to}          calls moved to a fallback
//	ticketsum_model_concurrency_limit{model}          current adaptive concurrency limit
type PrometheusMetrics struct {
	attempts    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	tokens      *prometheus.CounterVec
	cost        *prometheus.CounterVec
	fallbacks   *prometheus.CounterVec
	concurrency *prometheus.GaugeVec
}

var _ Metrics = (*PrometheusMetrics)(nil)

// NewPrometheusMetrics registers the gateway's series with reg. It returns
// EINVALID when they are already registered there.
func NewPrometheusMetrics(reg prometheus.Registerer) (*PrometheusMetrics, error) {
	m := &PrometheusMetrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ticketsum_model_attempts_total",
			Help: "Provider attempts by model and outcome (ok or the error code)."}, []string{"model", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ticketsum_model_attempt_seconds",
			Help:    "Provider attempt latency by model.",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64}}, []string{"model"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ticketsum_model_tokens_total",
			Help: "Tokens of successful attempts by model and kind."}, []string{"model", "kind"}),
		cost: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ticketsum_model_cost_usd_total",
			Help: "Cost in USD of successful attempts by model, from the catalogue."}, []string{"model"}),
		fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ticketsum_model_fallbacks_total",
			Help: "Calls moved from one model to its fallback."}, []string{"from", "to"}),
		concurrency: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ticketsum_model_concurrency_limit",
			Help: "Current adaptive concurrency limit by model."}, []string{"model"}),
	}
	for _, c := range []prometheus.Collector{m.attempts, m.latency, m.tokens, m.cost, m.fallbacks, m.concurrency} {
		if err := reg.Register(c); err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "gateway metrics: %w", err)
		}
	}
	return m, nil
}

// Attempt counts an attempt and observes its latency.
func (m *PrometheusMetrics) Attempt(model string, code ticketsum.ErrorCode, latency time.Duration) {
	outcome := string(code)
	if outcome == "" {
		outcome = "ok"
	}
	m.attempts.WithLabelValues(model, outcome).Inc()
	m.latency.WithLabelValues(model).Observe(latency.Seconds())
}

// Usage adds the tokens and cost of a successful attempt.
func (m *PrometheusMetrics) Usage(model string, u ticketsum.Usage, costUSD float64) {
	m.tokens.WithLabelValues(model, "input").Add(float64(u.InputTokens))
	m.tokens.WithLabelValues(model, "output").Add(float64(u.OutputTokens))
	m.tokens.WithLabelValues(model, "cache_read").Add(float64(u.CacheReadTokens))
	m.tokens.WithLabelValues(model, "cache_write").Add(float64(u.CacheWriteTokens))
	m.cost.WithLabelValues(model).Add(costUSD)
}

// Fallback counts a move to a fallback model.
func (m *PrometheusMetrics) Fallback(from, to string) { m.fallbacks.WithLabelValues(from, to).Inc() }

// Concurrency sets a model's concurrency limit.
func (m *PrometheusMetrics) Concurrency(model string, limit int) {
	m.concurrency.WithLabelValues(model).Set(float64(limit))
}
