package telemetry_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/gateway"
	"github.com/ticketsum/ticketsum/telemetry"
)

const (
	haiku = "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0"
	nova  = "bedrock:amazon.nova-pro-v1:0"
)

// fakeModel answers from a script of faults, then with text (which may
// echo the prompt, to prove it never reaches a span).
type fakeModel struct {
	name  string
	echo  bool
	flags []string

	mu     sync.Mutex
	faults []error
	always error
}

func (f *fakeModel) Name() string { return f.name }

func (f *fakeModel) Generate(_ context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	f.mu.Lock()
	var err error
	if len(f.faults) > 0 {
		err, f.faults = f.faults[0], f.faults[1:]
	} else {
		err = f.always
	}
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	text := "The customer asked for help; the agent resolved it."
	if f.echo && len(req.Messages) > 0 {
		text = "Echo: " + req.Messages[len(req.Messages)-1].Content
	}
	return &ticketsum.ModelResponse{Text: text, Model: f.name, StopReason: "end_turn", Flags: f.flags,
		Usage: ticketsum.Usage{InputTokens: 1200, OutputTokens: 80, CacheReadTokens: 300}}, nil
}

// recorder is telemetry with spans in memory and a manual metric reader.
type recorder struct {
	tel     *telemetry.Telemetry
	spans   *tracetest.InMemoryExporter
	metrics *sdkmetric.ManualReader
}

// mustRecorder returns telemetry exporting to memory, shut down at the
// end of the test.
func mustRecorder(tb testing.TB) *recorder {
	tb.Helper()
	r := &recorder{spans: tracetest.NewInMemoryExporter(), metrics: sdkmetric.NewManualReader()}
	tel, err := telemetry.New(context.Background(), telemetry.Config{SpanExporter: r.spans, MetricReader: r.metrics})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	r.tel = tel
	return r
}

// ended flushes and returns the spans ended so far.
func (r *recorder) ended(tb testing.TB) tracetest.SpanStubs {
	tb.Helper()
	tp, ok := r.tel.TracerProvider().(*sdktrace.TracerProvider)
	if !ok {
		tb.Fatalf("tracer provider is %T, want the SDK's", r.tel.TracerProvider())
	}
	if err := tp.ForceFlush(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return r.spans.GetSpans()
}

// mustGateway returns a gateway over models with the telemetry wrappers
// outermost (none for a nil tel), plus any extra wrappers, retrying
// without waiting.
func mustGateway(tb testing.TB, tel *telemetry.Telemetry, outer []gateway.Middleware, fallbacks map[string][]string, models ...ticketsum.Model) *gateway.Gateway {
	tb.Helper()
	var inner []gateway.Middleware
	if tel != nil { // nil: no telemetry wrappers at all, for benchmarks
		o, i := tel.ModelCalls(func(model string) string { return "bedrock-runtime.eu-west-1.amazonaws.com" })
		outer, inner = append([]gateway.Middleware{o}, outer...), []gateway.Middleware{i}
	}
	g, err := gateway.New(gateway.Config{
		Outer: outer, Inner: inner,
		Fallbacks: fallbacks, MaxAttempts: 2, Rand: func() float64 { return 0 },
		Sleep: func(context.Context, time.Duration) error { return nil },
	}, models...)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// attrs returns a span's attributes by key.
func attrs(s tracetest.SpanStub) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes {
		m[kv.Key] = kv.Value
	}
	return m
}

// byName returns the spans whose name starts with prefix.
func byName(spans tracetest.SpanStubs, prefix string) tracetest.SpanStubs {
	var out tracetest.SpanStubs
	for _, s := range spans {
		if strings.HasPrefix(s.Name, prefix) {
			out = append(out, s)
		}
	}
	return out
}
