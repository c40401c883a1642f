package telemetry

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
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
	return otelhttp.NewHandler(h, operation,
		otelhttp.WithTracerProvider(t.tp), otelhttp.WithMeterProvider(t.mp), otelhttp.WithPropagators(t.prop))
}
