package eval_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
)

func TestToxicityLexicon(t *testing.T) {
	t.Parallel()
	lex := eval.DefaultLexicon()
	tests := []struct {
		text string
		want string
	}{
		{"The agent called the customer an idiot.", "insult:idiot"},
		{"The customer said the staff were Incompetent and pathetic.", "insult:incompetent,insult:pathetic"},
		{"The agent told the customer to shut up.", "demeaning:shut up"},
		{"The customer wrote: I will kill you.", "threat:kill you"},
		{"Stupid, moronic answer.", "insult:stupid,insult:moronic"},
		// Ordinary support language stays clean.
		{"The agent asked the customer to kill the process and restart the app.", ""},
		{"We will find you a replacement; it is not your fault.", ""},
		{"The fan is whining and scammers used the card.", ""},
		{"The dumbbell order was refunded.", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(lex.Find(tt.text), ","); got != tt.want {
			t.Errorf("Find(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestParseLexiconRejects(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"idiot", ": idiot", "insult: one two three four five", "insult:   "} {
		if _, err := eval.ParseLexicon(bad); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("ParseLexicon(%q) error = %v, want invalid", bad, err)
		}
	}
}

// constFake answers every ticket with one text and status.
func constFake(model, text string, st ticketsum.Status) *fakeSum {
	return &fakeSum{model: model, answer: func(*ticketsum.Ticket) (string, ticketsum.Status, error) { return text, st, nil }}
}

func TestToxicityRateAndDefaultBars(t *testing.T) {
	t.Parallel()
	clean := constFake("m:clean", "The customer reported a printer jam and the agent sent cleaning steps.", ticketsum.StatusAwaitingCustomer)
	rude := constFake("m:rude", "The customer was an idiot about a printer jam; the agent sent steps.", ticketsum.StatusAwaitingCustomer)
	swear := constFake("m:swear", "The fucking printer jams; the agent sent cleaning steps.", ticketsum.StatusAwaitingCustomer)
	list := constFake("m:list", "Summary:\n\n- printer jams\n- steps sent", ticketsum.StatusAwaitingCustomer)
	r := mustRunner(t, eval.Config{Candidates: []eval.Candidate{
		candidateOf("clean", clean), candidateOf("rude", rude), candidateOf("swear", swear), candidateOf("list", list)}})
	tickets := mustEvalTickets(t)
	for _, tk := range tickets { // a dataset without references or labels
		tk.References, tk.ExpectedStatus = nil, ""
	}
	rep, err := r.Run(context.Background(), eval.NewDataset("unlabelled", tickets))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.BarsDefault || len(rep.Bars) != 3 {
		t.Fatalf("bars %v default %v, want the three default bars (no status labels)", rep.Bars, rep.BarsDefault)
	}
	for name, want := range map[string]float64{"clean": 0, "rude": 100, "swear": 100, "list": 0} {
		if m := metricsOf(t, rep, name); m.ToxicityRate != want {
			t.Errorf("%s toxicity rate %v, want %v", name, m.ToxicityRate, want)
		}
	}
	if m := metricsOf(t, rep, "list"); m.Verdict != "fail" {
		t.Errorf("list verdict %q, want fail (format)", m.Verdict)
	}
	if rep.Cheapest != "clean" {
		t.Errorf("recommended %q, want clean", rep.Cheapest)
	}
	var table strings.Builder
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"default bars (set your own with --bars): format_compliance >= 100, pii_leaks <= 0, toxicity_rate <= 0",
		"R-1, R-2, R-L: n/a (needs references", "status%: n/a (needs status labels", "rude misses toxicity_rate <= 0 (got 100)",
		"recommended: clean, the cheapest configuration that meets every bar"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
}

func TestBarsWithoutTheirData(t *testing.T) {
	t.Parallel()
	bars, err := eval.ParseBars("rougeL>=25, format_compliance>=100")
	if err != nil {
		t.Fatal(err)
	}
	list := constFake("m:list", "Summary:\n\n- printer jams\n- steps sent", ticketsum.StatusAwaitingCustomer)
	r := mustRunner(t, eval.Config{Candidates: []eval.Candidate{candidateOf("list", list)}, Bars: bars})
	tickets := mustEvalTickets(t)
	for _, tk := range tickets {
		tk.References = nil
	}
	rep, err := r.Run(context.Background(), eval.NewDataset("norefs", tickets))
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	out := table.String()
	for _, want := range []string{"bar rougeL >= 25: n/a (needs references)", "list misses format_compliance >= 100 (got 0)",
		"no configuration meets every bar, so none is recommended"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "got -") || rep.ExitCode(false) != 1 {
		t.Errorf("exit %d and table:\n%s\nwant exit 1 and no bar failing on an unmeasured metric", rep.ExitCode(false), out)
	}
}

// TestJudgeBarUnmeasured: a judge bar is not applicable when no judge was
// asked, but missed when the judge was asked and scored nothing.
func TestJudgeBarUnmeasured(t *testing.T) {
	t.Parallel()
	bar, err := eval.ParseBar("judge_faithfulness>=4")
	if err != nil {
		t.Fatal(err)
	}
	if res := bar.Check(&eval.CellMetrics{Tickets: 3}); res.Met || res.Unmeasured != "" || res.NotApplicable != "needs a judge (--judge)" {
		t.Errorf("no judge: %+v, want not applicable", res)
	}
	res := bar.Check(&eval.CellMetrics{Tickets: 3, JudgeUnscored: 3})
	if res.Met || res.NotApplicable != "" || res.String() != "judge_faithfulness >= 4 (not measured: the judge scored none of the 3 summaries)" {
		t.Errorf("judge scored nothing: %+v %q, want missed as not measured", res, res.String())
	}
	rep := &eval.Report{Bars: []eval.Bar{bar}, Configurations: []eval.CellMetrics{{Name: "m", Tickets: 3, JudgeUnscored: 3}}}
	rep.CheckBars()
	if rep.Cheapest != "" || rep.Configurations[0].Verdict != "fail" {
		t.Errorf("cheapest %q, verdict %q: a bar nothing measured must not pass", rep.Cheapest, rep.Configurations[0].Verdict)
	}
}

func TestNoBarsRecommendsCheapestWithoutErrors(t *testing.T) {
	t.Parallel()
	r := mustRunner(t, eval.Config{NoBars: true, Candidates: []eval.Candidate{
		candidateOf("good", goodFake("m:good", 0.002)), candidateOf("bad", badFake("m:bad", 0.0001))}})
	rep, err := r.Run(context.Background(), eval.NewDataset("unit", mustEvalTickets(t)))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Cheapest != "good" || len(rep.Bars) != 0 || rep.BarsDefault {
		t.Errorf("cheapest %q bars %v, want good (bad has errors) and no bars", rep.Cheapest, rep.Bars)
	}
	if !strings.Contains(rep.View().Verdict, "no bars set") {
		t.Errorf("verdict %q does not say no bars are set", rep.View().Verdict)
	}
}

func TestAllConfigurationsFailing(t *testing.T) {
	t.Parallel()
	down := &fakeSum{model: "m:down", answer: func(*ticketsum.Ticket) (string, ticketsum.Status, error) {
		return "", "", ticketsum.Errorf(ticketsum.EUNAUTHORIZED, `principal "eval" may not call m:down`)
	}}
	r := mustRunner(t, eval.Config{Candidates: []eval.Candidate{candidateOf("down", down)}})
	rep, err := r.Run(context.Background(), eval.NewDataset("unit", mustEvalTickets(t)))
	if err != nil {
		t.Fatal(err)
	}
	v := rep.View()
	if rep.Cheapest != "" || rep.ExitCode(false) != 1 || !strings.Contains(v.Verdict, "no configuration could be evaluated") {
		t.Errorf("cheapest %q exit %d verdict %q", rep.Cheapest, rep.ExitCode(false), v.Verdict)
	}
	if len(v.Problems) != 1 || !strings.Contains(v.Problems[0], `4 of 4 items failed: 4 x unauthorized: principal "eval" may not call m:down`) {
		t.Errorf("problems %q, want the reason with its count", v.Problems)
	}
	if len(v.Notes) != 0 {
		t.Errorf("notes %q, want none: nothing was measured, the errors say why", v.Notes)
	}
}
