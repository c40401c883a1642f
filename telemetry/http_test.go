package telemetry_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

// TestHandlerSpans checks that a request gets a SERVER span named after
// the route, continuing the caller's trace, with the path but not the
// query string (which holds searches).
func TestHandlerSpans(t *testing.T) {
	t.Parallel()
	r := mustRecorder(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /tickets/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := r.tel.Handler(mux, "ticketsum serve")
	req := httptest.NewRequest(http.MethodGet, "/tickets/T-9?q=Philippa+Quennell", nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.ServeHTTP(httptest.NewRecorder(), req)
	spans := r.ended(t)
	if len(spans) != 1 {
		t.Fatalf("%d spans, want 1", len(spans))
	}
	s := spans[0]
	a := attrs(s)
	if s.Name != "GET /tickets/{id}" || s.SpanKind != trace.SpanKindServer || s.SpanContext.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" ||
		a["http.route"].AsString() != "/tickets/{id}" || a["url.path"].AsString() != "/tickets/T-9" || a["http.response.status_code"].AsInt64() != http.StatusNoContent {
		t.Errorf("span %q kind %s trace %s attributes %v", s.Name, s.SpanKind, s.SpanContext.TraceID(), a)
	}
	for k, v := range a {
		if strings.Contains(v.Emit(), "Philippa") || strings.Contains(v.Emit(), "q=") {
			t.Errorf("attribute %s holds the query string: %s", k, v.Emit())
		}
	}
}
