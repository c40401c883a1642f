package telemetry_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/gateway"
	"github.com/ticketsum/ticketsum/telemetry"
)

// BenchmarkModelCall measures one gateway call to an instant fake model:
// without the telemetry wrappers, with telemetry off (the wrappers are the
// identity), and with tracing and metrics on (spans to a discarding
// exporter, metrics to a manual reader).
func BenchmarkModelCall(b *testing.B) {
	ctx := context.Background()
	off, err := telemetry.New(ctx, telemetry.Config{})
	if err != nil {
		b.Fatal(err)
	}
	on := mustRecorder(b)
	discard, err := telemetry.New(ctx, telemetry.Config{SpanExporter: tracetest.NewNoopExporter(), MetricReader: on.metrics})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = discard.Shutdown(ctx) })
	req := &ticketsum.ModelRequest{MaxTokens: 300, Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "hello"}},
		Meta: ticketsum.CallMeta{Principal: "worker", TicketID: "T-1"}}
	for _, tc := range []struct {
		name string
		gw   func() *gateway.Gateway
	}{
		{"bare", func() *gateway.Gateway { return mustGateway(b, nil, nil, nil, &fakeModel{name: haiku}) }},
		{"off", func() *gateway.Gateway { return mustGateway(b, off, nil, nil, &fakeModel{name: haiku}) }},
		{"on", func() *gateway.Gateway { return mustGateway(b, discard, nil, nil, &fakeModel{name: haiku}) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			m, err := tc.gw().Model(haiku)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Generate(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
