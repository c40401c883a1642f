package eval_test

import (
	"context"
	"testing"

	"github.com/ticketsum/ticketsum/eval"
)

// BenchmarkRunScoring measures the runner's own work per item (scheduling,
// format and PII checks, ROUGE, hallucination check) with summarizers that
// answer at once.
func BenchmarkRunScoring(b *testing.B) {
	tickets := mustEvalTickets(b)
	r := mustRunner(b, eval.Config{Candidates: []eval.Candidate{
		candidateOf("good", goodFake("m:g", 0.001)), candidateOf("bad", badFake("m:b", 0.001)),
	}})
	ds := eval.NewDataset("bench", tickets)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Run(context.Background(), ds); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(tickets)*2), "ns/item")
}
