package metrics_test

import (
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/metrics"
)

// Record a throttled attempt and a successful one, then scrape /metrics.
// In the binary, the Metrics goes into gateway.Config.Metrics and its
// Handler into web.Config.Mount["GET /metrics"].
func Example() {
	m, err := metrics.New(metrics.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	m.Attempt("bedrock:amazon.nova-lite-v1:0", ticketsum.ETHROTTLED, 80*time.Millisecond)
	m.Attempt("bedrock:amazon.nova-lite-v1:0", "", 900*time.Millisecond)

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for line := range strings.SplitSeq(string(body), "\n") {
		if strings.HasPrefix(line, "ticketsum_model_calls_total") || strings.HasPrefix(line, "ticketsum_model_throttles_total") {
			fmt.Println(line)
		}
	}
	// Output:
	// ticketsum_model_calls_total{model="bedrock:amazon.nova-lite-v1:0",outcome="ok"} 1
	// ticketsum_model_calls_total{model="bedrock:amazon.nova-lite-v1:0",outcome="throttled"} 1
	// ticketsum_model_throttles_total{model="bedrock:amazon.nova-lite-v1:0"} 1
}
