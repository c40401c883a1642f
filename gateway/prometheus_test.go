package gateway_test

import (
	"context"
	"math"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	ticketsum "github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/gateway"
)

func TestPrometheusMetrics(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	pm, err := gateway.NewPrometheusMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gateway.NewPrometheusMetrics(reg); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Fatalf("second registration: %v, want EINVALID", err)
	}
	clock := newFakeClock()
	primary := &fakeModel{name: sonnet, always: coded(ticketsum.ETHROTTLED)}
	backup := &fakeModel{name: haiku, usage: ticketsum.Usage{InputTokens: 1_000_000, OutputTokens: 1_000_000}}
	g := MustGateway(t, gateway.Config{Clock: clock, Sleep: clock.Sleep, Metrics: pm, MaxAttempts: 2,
		Fallbacks: map[string][]string{sonnet: {haiku}}}, primary, backup)
	if _, err := MustModel(t, g, sonnet).Generate(context.Background(), request()); err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	value := func(name string, labels map[string]string) float64 {
		for _, f := range families {
			if f.GetName() != name {
				continue
			}
			for _, m := range f.GetMetric() {
				if match(m, labels) {
					if m.GetCounter() != nil {
						return m.GetCounter().GetValue()
					}
					return float64(m.GetHistogram().GetSampleCount())
				}
			}
		}
		return math.NaN()
	}
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"ticketsum_model_attempts_total", map[string]string{"model": sonnet, "code": "throttled"}, 2},
		{"ticketsum_model_attempts_total", map[string]string{"model": haiku, "code": "ok"}, 1},
		{"ticketsum_model_attempt_seconds", map[string]string{"model": sonnet}, 2},
		{"ticketsum_model_tokens_total", map[string]string{"model": haiku, "kind": "output"}, 1_000_000},
		{"ticketsum_model_cost_usd_total", map[string]string{"model": haiku}, 0.80 + 4.00},
		{"ticketsum_model_fallbacks_total", map[string]string{"from": sonnet, "to": haiku}, 1},
	}
	for _, c := range checks {
		if got := value(c.name, c.labels); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
}

func match(m *dto.Metric, labels map[string]string) bool {
	n := 0
	for _, l := range m.GetLabel() {
		if v, ok := labels[l.GetName()]; ok {
			if v != l.GetValue() {
				return false
			}
			n++
		}
	}
	return n == len(labels)
}
