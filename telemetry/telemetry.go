package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/ticketsum/ticketsum"
)

// ScopeName is the instrumentation scope of ticketsum's spans and metrics.
const ScopeName = "github.com/ticketsum/ticketsum"

// Config configures New.
type Config struct {
	// Getenv reads the environment variables that turn telemetry on (see
	// Enabled). Default: nothing set, so telemetry is off unless
	// SpanExporter or MetricReader is given. The exporters themselves read
	// the OTEL_EXPORTER_OTLP_* variables from the process environment, as
	// the OpenTelemetry SDK does everywhere.
	Getenv func(string) string
	// ServiceName is service.name unless OTEL_SERVICE_NAME or
	// OTEL_RESOURCE_ATTRIBUTES set it. Default "ticketsum".
	ServiceName string
	// ServiceVersion is service.version. Default: none.
	ServiceVersion string
	// SpanExporter, when set, receives the spans instead of the exporter
	// the environment names, and turns tracing on (tests; embedding).
	SpanExporter sdktrace.SpanExporter
	// MetricReader, when set, reads the metrics instead of the reader the
	// environment names, and turns metrics on.
	MetricReader sdkmetric.Reader
	// Logger receives a line saying where telemetry goes. Default: discard.
	Logger *slog.Logger
}

// Telemetry holds the tracer and meter providers. A nil *Telemetry is
// valid and off.
type Telemetry struct {
	tp       trace.TracerProvider
	mp       metric.MeterProvider
	tracer   trace.Tracer
	prop     propagation.TextMapPropagator
	genai    *genaiMetrics
	tracing  bool
	metrics  bool
	shutdown []func(context.Context) error
	flush    []func(context.Context) error
}

// Enabled reports which signals the environment turns on: traces when
// OTEL_TRACES_EXPORTER names an exporter other than "none", or when
// OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set
// and OTEL_TRACES_EXPORTER is not "none"; metrics likewise with the
// METRICS variables. OTEL_SDK_DISABLED=true turns both off.
func Enabled(getenv func(string) string) (traces, metrics bool) {
	if getenv == nil || strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return false, false
	}
	on := func(signal string) bool {
		exp := strings.TrimSpace(getenv("OTEL_" + signal + "_EXPORTER"))
		if exp == "none" {
			return false
		}
		return exp != "" || getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_"+signal+"_ENDPOINT") != ""
	}
	return on("TRACES"), on("METRICS")
}

// New returns the telemetry the environment asks for: no-op providers when
// it asks for none. It returns EINVALID when an OTEL_* variable names an
// unknown exporter or protocol, or the resource attributes are malformed.
func New(ctx context.Context, cfg Config) (*Telemetry, error) {
	if cfg.ServiceName == "" {
		cfg.ServiceName = "ticketsum"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	traces, metrics := Enabled(cfg.Getenv)
	traces = traces || cfg.SpanExporter != nil
	metrics = metrics || cfg.MetricReader != nil
	t := &Telemetry{
		tp: tracenoop.NewTracerProvider(), mp: metricnoop.NewMeterProvider(),
		prop:    propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
		tracing: traces, metrics: metrics,
	}
	if traces || metrics {
		res, err := newResource(ctx, cfg)
		if err != nil {
			return nil, err
		}
		if traces {
			if err := t.startTracing(ctx, cfg, res); err != nil {
				return nil, err
			}
		}
		if metrics {
			if err := t.startMetrics(ctx, cfg, res); err != nil {
				_ = t.Shutdown(ctx)
				return nil, err
			}
		}
		cfg.Logger.Info("OpenTelemetry on", "traces", traces, "metrics", metrics, "service", res.Set().Encoded(attribute.DefaultEncoder()))
	}
	t.tracer = t.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(cfg.ServiceVersion))
	g, err := newGenAIMetrics(t.mp.Meter(ScopeName, metric.WithInstrumentationVersion(cfg.ServiceVersion)))
	if err != nil {
		_ = t.Shutdown(ctx)
		return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "telemetry: GenAI metrics: %w", err)
	}
	t.genai = g
	return t, nil
}

// newResource describes this process: service.name (default, then the
// environment's), the SDK, the host and process.
func newResource(ctx context.Context, cfg Config) (*resource.Resource, error) {
	attrs := []attribute.KeyValue{attribute.String("service.name", cfg.ServiceName)}
	if cfg.ServiceVersion != "" {
		attrs = append(attrs, attribute.String("service.version", cfg.ServiceVersion))
	}
	res, err := resource.New(ctx, resource.WithAttributes(attrs...), resource.WithTelemetrySDK(), resource.WithFromEnv())
	if err != nil && !errors.Is(err, resource.ErrPartialResource) && !errors.Is(err, resource.ErrSchemaURLConflict) {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "telemetry: resource (check OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME): %v", err)
	}
	return res, nil
}

func (t *Telemetry) startTracing(ctx context.Context, cfg Config, res *resource.Resource) error {
	exp := cfg.SpanExporter
	if exp == nil {
		var err error
		if exp, err = autoexport.NewSpanExporter(ctx); err != nil {
			return ticketsum.Errorf(ticketsum.EINVALID, "telemetry: trace exporter (check OTEL_TRACES_EXPORTER and OTEL_EXPORTER_OTLP_*): %v", err)
		}
	}
	// The SDK reads OTEL_TRACES_SAMPLER(_ARG) and OTEL_BSP_* itself.
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	t.tp = tp
	t.shutdown = append(t.shutdown, tp.Shutdown)
	t.flush = append(t.flush, tp.ForceFlush)
	return nil
}

func (t *Telemetry) startMetrics(ctx context.Context, cfg Config, res *resource.Resource) error {
	r := cfg.MetricReader
	if r == nil {
		var err error
		if r, err = autoexport.NewMetricReader(ctx); err != nil {
			return ticketsum.Errorf(ticketsum.EINVALID, "telemetry: metric reader (check OTEL_METRICS_EXPORTER and OTEL_EXPORTER_OTLP_*): %v", err)
		}
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r), sdkmetric.WithResource(res))
	t.mp = mp
	t.shutdown = append(t.shutdown, mp.Shutdown)
	t.flush = append(t.flush, mp.ForceFlush)
	return nil
}

// Tracing reports whether spans are recorded and exported.
func (t *Telemetry) Tracing() bool { return t != nil && t.tracing }

// Metrics reports whether metrics are exported.
func (t *Telemetry) Metrics() bool { return t != nil && t.metrics }

// TracerProvider returns the tracer provider: a no-op one when tracing is
// off.
func (t *Telemetry) TracerProvider() trace.TracerProvider {
	if t == nil {
		return tracenoop.NewTracerProvider()
	}
	return t.tp
}

// MeterProvider returns the meter provider: a no-op one when metrics are
// off.
func (t *Telemetry) MeterProvider() metric.MeterProvider {
	if t == nil {
		return metricnoop.NewMeterProvider()
	}
	return t.mp
}

// Propagator returns the W3C trace-context and baggage propagator that
// carries traces through HTTP requests and queue jobs.
func (t *Telemetry) Propagator() propagation.TextMapPropagator {
	if t == nil {
		return propagation.TraceContext{}
	}
	return t.prop
}

// Flush exports the spans and metrics buffered so far and keeps the
// exporters running, waiting at most until ctx ends: for a process that
// may be frozen between units of work, such as a Lambda function before
// its invocation returns. It does nothing when telemetry is off.
func (t *Telemetry) Flush(ctx context.Context) error {
	if t == nil {
		return nil
	}
	var errs []error
	for _, f := range t.flush {
		if err := f(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("telemetry: flush: %w", err)
	}
	return nil
}

// Shutdown flushes buffered spans and metrics and stops the exporters,
// waiting at most until ctx ends. It does nothing when telemetry is off.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	var errs []error
	for _, f := range t.shutdown {
		if err := f(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	t.shutdown = nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("telemetry: flush: %w", err)
	}
	return nil
}
