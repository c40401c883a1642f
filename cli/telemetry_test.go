package cli

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// TestSummarizeExportsSpans runs `ticketsum summarize` with only the OTEL_*
// variables set to an in-process OTLP/HTTP receiver, and checks that the
// short command's spans arrive before it exits: one summariser span per
// ticket, holding its ID and none of its text.
func TestSummarizeExportsSpans(t *testing.T) {
	var mu sync.Mutex
	var names []string
	var bodies []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		req := &collectortrace.ExportTraceServiceRequest{}
		if err := proto.Unmarshal(data, req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		bodies = append(bodies, data...)
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					names = append(names, s.Name)
				}
			}
		}
	}))
	defer srv.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	t.Setenv("OTEL_METRICS_EXPORTER", "none")
	otelOnly := func(k string) string {
		if strings.HasPrefix(k, "OTEL_") {
			return os.Getenv(k)
		}
		return ""
	}
	var out, errb syncBuffer
	code := Main(context.Background(), []string{"summarize", "-"}, strings.NewReader(goodTicket), &out, &errb, otelOnly)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(names) != 1 || names[0] != "ticketsum.summarize" {
		t.Fatalf("spans received before exit: %v, want one ticketsum.summarize", names)
	}
	if !strings.Contains(string(bodies), "T-1") {
		t.Error("the span does not hold the ticket ID")
	}
	for _, v := range []string{"Ana", "Lima", "Sam Reyes", "ana.lima@example.com", "7946", "password", "dashboard"} {
		if strings.Contains(string(bodies), v) {
			t.Errorf("exported spans contain the ticket value %q", v)
		}
	}
}
