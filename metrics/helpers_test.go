package metrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/metrics"
	"github.com/ticketsum/ticketsum/queue"
)

// MustScrape GETs /metrics from h and returns every sample, keyed by the
// series as written ("name{label=\"v\",...}"), with the raw text.
func MustScrape(tb testing.TB, h http.Handler) (map[string]float64, string) {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET /metrics: status %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		tb.Fatalf("GET /metrics: content type %q, want text/plain", ct)
	}
	body, _ := io.ReadAll(rec.Body)
	samples := map[string]float64{}
	for line := range strings.SplitSeq(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			tb.Fatalf("bad sample line %q: %v", line, err)
		}
		samples[line[:i]] = v
	}
	return samples, string(body)
}

// MustNew returns Metrics for cfg.
func MustNew(tb testing.TB, cfg metrics.Config) *metrics.Metrics {
	tb.Helper()
	m, err := metrics.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// fakeQueue is a QueueSource and OutcomeSource with set figures.
type fakeQueue struct {
	stats    queue.Stats
	outcomes queue.Outcomes
	err      error
	calls    int
}

func (f *fakeQueue) Stats(ctx context.Context) (queue.Stats, error) {
	f.calls++
	if _, ok := ctx.Deadline(); !ok {
		return queue.Stats{}, context.DeadlineExceeded // the collector must bound the read
	}
	return f.stats, f.err
}

func (f *fakeQueue) Outcomes() queue.Outcomes { return f.outcomes }

// statsOnly is a QueueSource without outcomes.
type statsOnly struct{ stats queue.Stats }

func (s statsOnly) Stats(context.Context) (queue.Stats, error) { return s.stats, nil }
