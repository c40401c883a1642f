package metrics_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/metrics"
	"github.com/ticketsum/ticketsum/queue"
)

// BenchmarkAttempt is the cost the gateway pays on every provider attempt.
func BenchmarkAttempt(b *testing.B) {
	m := MustNew(b, metrics.Config{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Attempt("bedrock:anthropic.claude-3-5-haiku-20241022-v1:0", "", 1200*time.Millisecond)
			m.Usage("bedrock:anthropic.claude-3-5-haiku-20241022-v1:0", ticketsum.Usage{InputTokens: 2000, OutputTokens: 100}, 0.002)
		}
	})
}

// BenchmarkScrape serves /metrics with 10 models' series and the queue's.
func BenchmarkScrape(b *testing.B) {
	m := MustNew(b, metrics.Config{Queue: &fakeQueue{stats: queue.Stats{Available: 100, Running: 4, OldestAge: time.Minute}}})
	for i := range 10 {
		model := fmt.Sprintf("bedrock:model-%d", i)
		m.Attempt(model, "", time.Second)
		m.Attempt(model, ticketsum.ETHROTTLED, time.Second)
		m.Usage(model, ticketsum.Usage{InputTokens: 1, OutputTokens: 1, CacheReadTokens: 1, CacheWriteTokens: 1}, 0.001)
	}
	h := m.Handler()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}
