package review_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/review"
)

func TestSampledShare(t *testing.T) {
	t.Parallel()
	const n = 200000
	for _, share := range []float64{0.01, 0.05, 0.5} {
		t.Run(fmt.Sprint(share), func(t *testing.T) {
			t.Parallel()
			hits := 0
			for i := range n {
				if review.Sampled(share, fmt.Sprintf("ZD-%d", 100000+i%5000), int64(i+1)) {
					hits++
				}
			}
			got := float64(hits) / n
			// Four standard deviations of a binomial proportion.
			tol := 4 * math.Sqrt(share*(1-share)/n)
			if math.Abs(got-share) > tol {
				t.Errorf("sampled %.4f of %d summaries, want %.4f ± %.4f", got, n, share, tol)
			}
		})
	}
}

func TestSampledDeterministic(t *testing.T) {
	t.Parallel()
	for i := range 1000 {
		id := fmt.Sprintf("T%d", i)
		first := review.Sampled(0.05, id, int64(i))
		if again := review.Sampled(0.05, id, int64(i)); again != first {
			t.Fatalf("Sampled(%s, %d) changed between calls", id, i)
		}
		if review.Sampled(0, id, int64(i)) {
			t.Fatal("a zero share sampled a summary")
		}
		if !review.Sampled(1, id, int64(i)) {
			t.Fatal("a share of 1 left a summary out")
		}
	}
	// The choice depends on both ids: ticket "1"+summary 23 is not ticket
	// "12"+summary 3.
	diff := 0
	for i := range 2000 {
		if review.Sampled(0.5, fmt.Sprint(i), 3) != review.Sampled(0.5, fmt.Sprint(i)+"3", 0) {
			diff++
		}
	}
	if diff == 0 {
		t.Error("the sample does not separate ticket id from summary id")
	}
}

// TestQualityFlags: the flags that send a summary to the review queue
// whatever the share, each once, and those that do not.
func TestQualityFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		flags, want []string
	}{
		{nil, nil},
		{[]string{"input:EMAIL:ANONYMIZED", "repaired:not_english", "joined", "structured", "answer_reused", "status_inferred", "output:no_status"}, nil},
		{[]string{"input:NAME:ANONYMIZED", "output:not_english", "repaired:not_english"}, []string{"output:not_english"}},
		{[]string{"trimmed", "output:preamble", "truncated", "output:preamble"}, []string{"trimmed", "output:preamble", "truncated"}},
		{[]string{"repair_failed:throttled", "output:EMAIL:ANONYMIZED"}, []string{"repair_failed:throttled", "output:EMAIL:ANONYMIZED"}},
	} {
		if got := review.QualityFlags(&ticketsum.Summary{Flags: tc.flags}); !slices.Equal(got, tc.want) {
			t.Errorf("QualityFlags(%v) = %v, want %v", tc.flags, got, tc.want)
		}
	}
}
