package eval_test

import (
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/ticketsum/ticketsum/eval"
)

func TestRougeHandComputed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cand string
		refs []string
		want eval.Scores
	}{
		{
			// unigrams: the x2, cat, on, mat = 5 of 6; bigrams: the cat, on the,
			// the mat = 3 of 5; LCS "the cat on the mat" = 5 of 6.
			name: "one word differs",
			cand: "The cat sat on the mat.",
			refs: []string{"the cat is on the mat"},
			want: eval.Scores{R1: 5.0 / 6, R2: 3.0 / 5, RL: 5.0 / 6},
		},
		{
			// the overlaps once (clipped): P=1/3, R=1/2, F=0.4; no bigram matches.
			name: "clipped counts",
			cand: "the the the",
			refs: []string{"the cat"},
			want: eval.Scores{R1: 0.4, R2: 0, RL: 0.4},
		},
		{
			// LCS a b c = 3: P=3/5, R=1, F=0.75; no bigram in common.
			name: "gapped subsequence",
			cand: "a x b y c",
			refs: []string{"a b c"},
			want: eval.Scores{R1: 0.75, R2: 0, RL: 0.75},
		},
		{
			// all unigrams match but the LCS is one token: 1/2.
			name: "order matters for L",
			cand: "b a",
			refs: []string{"a b"},
			want: eval.Scores{R1: 1, R2: 0, RL: 0.5},
		},
		{
			// mean over references of F1, not the best one.
			name: "mean over references",
			cand: "a b",
			refs: []string{"a b", "c d"},
			want: eval.Scores{R1: 0.5, R2: 0.5, RL: 0.5},
		},
		{
			name: "no references",
			cand: "a b",
			want: eval.Scores{},
		},
		{
			name: "empty candidate",
			cand: "¡¿ ...",
			refs: []string{"a b"},
			want: eval.Scores{},
		},
		{
			// single-token texts have no bigrams: R2 is zero, not NaN.
			name: "no bigrams",
			cand: "Refund",
			refs: []string{"refund"},
			want: eval.Scores{R1: 1, R2: 0, RL: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := eval.Rouge(tt.cand, tt.refs)
			if !near(got.R1, tt.want.R1) || !near(got.R2, tt.want.R2) || !near(got.RL, tt.want.RL) {
				t.Errorf("Rouge(%q, %q) = %+v, want %+v", tt.cand, tt.refs, got, tt.want)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"Don't-stop! 2FA", []string{"don", "t", "stop", "2fa"}},
		{"Café über@Example.COM", []string{"caf", "ber", "example", "com"}},
		{"", nil},
		{"  \n\t", nil},
	}
	for _, tt := range tests {
		if got := eval.Tokens(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMeanAndPercent(t *testing.T) {
	t.Parallel()
	got := eval.Mean([]eval.Scores{{R1: 0.2, R2: 0.1, RL: 0.3}, {R1: 0.4, R2: 0.3, RL: 0.1}}).Percent()
	if !near(got.R1, 30) || !near(got.R2, 20) || !near(got.RL, 20) {
		t.Errorf("Mean(...).Percent() = %+v, want {30 20 20}", got)
	}
	if got := eval.Mean(nil); got != (eval.Scores{}) {
		t.Errorf("Mean(nil) = %+v, want zero", got)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func ExampleRouge() {
	s := eval.Rouge("The agent reset the password.", []string{
		"Agent reset the customer's password.",
		"The password was reset by the agent.",
	}).Percent()
	fmt.Printf("ROUGE-1 %.1f ROUGE-2 %.1f ROUGE-L %.1f\n", s.R1, s.R2, s.RL)
	// Output:
	// ROUGE-1 78.0 ROUGE-2 42.2 ROUGE-L 61.4
}

func BenchmarkRouge(b *testing.B) {
	cand := "The customer reports that the app crashes on start after the update. The agent asked for the device model and suggested reinstalling. The issue is resolved."
	refs := []string{
		"Customer is complaining that the app crashes after the update. Agent suggested reinstalling the app.",
		"The customer says the app keeps crashing. The agent asks for the device model and suggests a reinstall.",
	}
	b.ReportAllocs()
	for b.Loop() {
		eval.Rouge(cand, refs)
	}
}

func TestScoresString(t *testing.T) {
	t.Parallel()
	if got, want := (eval.Scores{R1: 0.4185, R2: 0.1851, RL: 0.3461}).String(), "ROUGE-1/2/L 41.85 / 18.51 / 34.61"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
