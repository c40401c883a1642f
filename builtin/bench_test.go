package builtin_test

import (
	"context"
	"testing"

	"github.com/ticketsum/ticketsum/builtin"
)

// BenchmarkTweetSummTest summarises the 110 TweetSumm test dialogs per
// iteration; tickets/s is the throughput.
func BenchmarkTweetSummTest(b *testing.B) {
	tickets := mustTickets(b, "tweetsumm/tweetsumm_test.jsonl")
	s := builtin.MustNew(b, builtin.Config{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range tickets {
			if _, err := s.Summarize(ctx, t); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(tickets)*b.N)/b.Elapsed().Seconds(), "tickets/s")
}

// BenchmarkLargeTicket summarises one synthetic ticket of 150 KB.
func BenchmarkLargeTicket(b *testing.B) {
	t := bigTicket(150 << 10)
	s := builtin.MustNew(b, builtin.Config{})
	ctx := context.Background()
	b.SetBytes(int64(t.Size()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Summarize(ctx, t); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
}
