package eval_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
)

func perturbation(t *testing.T, name string) eval.Perturbation {
	t.Helper()
	for _, p := range eval.Perturbations() {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no perturbation %q", name)
	return eval.Perturbation{}
}

func TestPerturbations(t *testing.T) {
	t.Parallel()
	text := "My Acme X200 printer jams on every page since version 4.2; I paid $120 for 3 cartridges at 10:30 and 1,500 pages."
	long := strings.Repeat(text+" ", 8) // long enough for every random perturbation to change something
	fold := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), "") }
	tests := []struct {
		name  string
		check func(in, out string) bool
	}{
		{"lowercase", func(in, out string) bool { return out == strings.ToLower(in) }},
		{"numbers-as-words", func(in, out string) bool {
			return strings.Contains(out, "for three cartridges") && !strings.Contains(out, " 3 ") && strings.Contains(out, "X200") &&
				strings.Contains(out, "4.2") && strings.Contains(out, "$120") && strings.Contains(out, "10:30") && strings.Contains(out, "1,500")
		}},
		{"typos", func(in, out string) bool { return len(out) == len(in) && strings.ToLower(out) != strings.ToLower(in) }},
		{"random-uppercase", func(in, out string) bool { return out != in && strings.ToLower(out) == strings.ToLower(in) }},
		{"whitespace", func(in, out string) bool { return out != in && fold(out) == fold(in) }},
	}
	for _, tt := range tests {
		p := perturbation(t, tt.name)
		out := p.Apply(long, rand.New(rand.NewPCG(1, 2)))
		if again := p.Apply(long, rand.New(rand.NewPCG(1, 2))); out != again {
			t.Errorf("%s: two runs with one seed differ", tt.name)
		}
		if !tt.check(long, out) {
			t.Errorf("%s gave %q", tt.name, out)
		}
	}
}

func TestPerturbTicketIsDeterministicAndCopies(t *testing.T) {
	t.Parallel()
	tk := mustEvalTickets(t)[0]
	body := tk.Messages[0].Body
	p := perturbation(t, "typos")
	a, b := eval.Perturb(tk, p, 7), eval.Perturb(tk, p, 7)
	if a.ContentHash() != b.ContentHash() {
		t.Error("the same seed perturbed one ticket two ways")
	}
	if tk.Messages[0].Body != body || a.ID != tk.ID || len(a.References) != 1 {
		t.Error("Perturb changed the original, or lost its id or references")
	}
	if eval.Perturb(tk, perturbation(t, "lowercase"), 7).ContentHash() == tk.ContentHash() {
		t.Error("lower-casing left the ticket unchanged")
	}
}

// caseSensitive answers the reference, but reads a ticket whose first
// message is all lower case as resolved: the fragility a robustness run
// must show.
func caseSensitive(model string) *fakeSum {
	return &fakeSum{model: model, cost: 0.001, answer: func(t *ticketsum.Ticket) (string, ticketsum.Status, error) {
		if b := t.Messages[0].Body; b == strings.ToLower(b) {
			return "The customer wrote in lower case and the agent closed the ticket.", ticketsum.StatusResolved, nil
		}
		return t.References[0], t.ExpectedStatus, nil
	}}
}

func TestRunRobustness(t *testing.T) {
	t.Parallel()
	steady, fragile := goodFake("m:steady", 0.001), caseSensitive("m:fragile")
	cache := eval.DirCache{Dir: t.TempDir()}
	cfg := eval.Config{
		Candidates: []eval.Candidate{candidateOf("steady", steady), candidateOf("fragile", fragile)},
		Robustness: &eval.RobustnessConfig{}, Cache: cache,
	}
	cfg.Candidates[0].EstimateUSD = func(*ticketsum.Ticket) float64 { return 0.001 }
	cfg.Candidates[1].EstimateUSD = func(*ticketsum.Ticket) float64 { return 0.001 }
	r := mustRunner(t, cfg)
	ds := eval.NewDataset("unit", mustEvalTickets(t))
	plan := r.PlanRobustness(ds)
	// Perturbations that leave a ticket unchanged (no standalone number to
	// spell out) add no call: the unperturbed summary stands for them.
	distinct := map[string]bool{}
	for _, tk := range ds.Tickets {
		for _, p := range eval.Perturbations() {
			if h := eval.Perturb(tk, p, 1).ContentHash(); h != tk.ContentHash() {
				distinct[h] = true
			}
		}
	}
	want := 2 * len(distinct)
	if plan.Calls != want || want < 2*3*4 || plan.Cached != 0 || !plan.CostKnown || math.Abs(plan.CostUSD-0.001*float64(want)) > 1e-9 {
		t.Errorf("plan %+v, want %d calls, none cached, $%.3f", plan, want, 0.001*float64(want))
	}
	if s := plan.String(); !strings.Contains(s, fmt.Sprintf("this adds 5 x 4 calls per configuration (%d in all, 0 cached), about $0.0", want)) {
		t.Errorf("plan says %q", s)
	}
	rep, err := r.Run(context.Background(), ds)
	if err != nil {
		t.Fatal(err)
	}
	st, fr := metricsOf(t, rep, "steady"), metricsOf(t, rep, "fragile")
	if st.RobustStatusAgreement == nil || *st.RobustStatusAgreement != 100 || *st.RobustSimilarity != 100 {
		t.Errorf("steady agreement %v similarity %v, want 100, 100", st.RobustStatusAgreement, st.RobustSimilarity)
	}
	var lower eval.PerturbationResult
	for _, p := range fr.Robustness.ByPerturbation {
		if p.Name == "lowercase" {
			lower = p
		}
	}
	if lower.Items != 4 || *lower.StatusAgreement != 25 || *lower.Similarity >= 50 || lower.Deltas["rougeL"] >= 0 || lower.Deltas["status_accuracy"] != -75 {
		t.Errorf("fragile under lower-casing: %+v, want agreement 25 (t2 was resolved already), similarity < 50, ROUGE-L and status accuracy down", lower)
	}
	if *fr.RobustStatusAgreement >= 90 || fr.Verdict != "fail" || rep.Cheapest != "steady" || !rep.BarsDefault {
		t.Errorf("fragile pooled agreement %v verdict %q, cheapest %q: want below the default 90%% bar, steady recommended", *fr.RobustStatusAgreement, fr.Verdict, rep.Cheapest)
	}
	calls := steady.calls.Load()
	if calls != int64(4+len(distinct)) {
		t.Errorf("steady made %d calls, want one per distinct ticket text (%d)", calls, 4+len(distinct))
	}
	var table strings.Builder
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "robust status%") || !strings.Contains(table.String(), "fragile misses robust_status_agreement >= 90") {
		t.Errorf("table lacks the robustness columns or miss:\n%s", table.String())
	}
	// A second run is served from the cache and announces it.
	if p := mustRunner(t, cfg).PlanRobustness(ds); p.Cached != want || p.CostUSD != 0 {
		t.Errorf("plan after a run %+v, want %d cached at no cost", p, want)
	}
	if _, err := mustRunner(t, cfg).Run(context.Background(), ds); err != nil || steady.calls.Load() != calls {
		t.Errorf("cached re-run: err %v, steady calls %d, want still %d", err, steady.calls.Load(), calls)
	}
}
