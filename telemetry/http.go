package telemetry

import (
	"net/http"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// Handler wraps h with otelhttp: a SERVER span per request, named after
// the ServeMux pattern that matched ("GET /api/tickets/{id}"), continuing
// the caller's trace when the request carries a traceparent header, and
// the HTTP server metrics. Spans hold the method, route, path, status and
// peer address, never the query string, headers or bodies. When telemetry
// is off it returns h.
func (t *Telemetry) Handler(h http.Handler, operation string) http.Handler {
	if !t.Tracing() && !t.Metrics() {
		return h
	}
	routed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		// A ServeMux sets the pattern on the request it was given; otelhttp
		// names the span after it but leaves out http.route.
		if _, route, ok := strings.Cut(r.Pattern, " "); ok {
			trace.SpanFromContext(r.Context()).SetAttributes(semconv.HTTPRoute(route))
		} else if r.Pattern != "" {
			trace.SpanFromContext(r.Context()).SetAttributes(semconv.HTTPRoute(r.Pattern))
		}
	})
	return otelhttp.NewHandler(routed, operation,
		otelhttp.WithTracerProvider(t.tp), otelhttp.WithMeterProvider(t.mp), otelhttp.WithPropagators(t.prop))
}
