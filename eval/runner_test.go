package eval_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// fakeSum is a hand-written fake Summarizer: answer decides the summary of
// each ticket; every call is counted.
type fakeSum struct {
	model  string
	cost   float64
	calls  atomic.Int64
	answer func(t *ticketsum.Ticket) (string, ticketsum.Status, error)
}

func (f *fakeSum) Summarize(ctx context.Context, t *ticketsum.Ticket) (*ticketsum.Summary, error) {
	f.calls.Add(1)
	text, status, err := f.answer(t)
	if err != nil {
		return nil, err
	}
	return &ticketsum.Summary{
		TicketID: t.ID, Text: text, Status: status, Model: f.model, PromptVersion: "default-v1",
		Usage:   ticketsum.Usage{InputTokens: 400, OutputTokens: 50},
		CostUSD: f.cost, Latency: time.Duration(100+10*len(t.ID)) * time.Millisecond,
	}, nil
}

func candidateOf(name string, f *fakeSum) eval.Candidate {
	return eval.Candidate{Name: name, Model: f.model, PromptVersion: "default-v1",
		New: func() (ticketsum.Summarizer, error) { return f, nil }}
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

var evalStart = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// mustEvalTickets returns four labelled tickets with one reference each.
func mustEvalTickets(tb testing.TB) []*ticketsum.Ticket {
	tb.Helper()
	mk := func(id, customer, agent, ref string, st ticketsum.Status) *ticketsum.Ticket {
		return &ticketsum.Ticket{ID: id, Customer: ticketsum.Customer{Name: "Alex Doe"},
			Messages: []ticketsum.Message{
				{Role: ticketsum.RoleCustomer, Author: "Alex Doe", Body: customer},
				{Role: ticketsum.RoleAgent, Body: agent},
			},
			References: []string{ref}, ExpectedStatus: st}
	}
	return []*ticketsum.Ticket{
		mk("t1", "My Acme X200 printer jams on every page.", "Clean the rollers; reply if it still jams.",
			"The customer's Acme X200 printer jams on every page. The agent advised cleaning the rollers and asked for a reply if it persists.", ticketsum.StatusAwaitingCustomer),
		mk("t2", "I was billed twice in March.", "Refunded the duplicate charge of 12 dollars.",
			"The customer was billed twice in March. The agent refunded the duplicate charge of 12 dollars.", ticketsum.StatusResolved),
		mk("t3", "The app crashes at login since version 4.2.", "We are investigating with the developers.",
			"The app crashes at login since version 4.2. The agent is investigating with the developers.", ticketsum.StatusAwaitingSupport),
		mk("t4", "How do I change my delivery address?", "Open Settings, then Addresses. Done?",
			"The customer asked how to change the delivery address. The agent pointed to Settings and Addresses and asked if it worked.", ticketsum.StatusAwaitingCustomer),
	}
}

// goodFake answers with the reference and the labelled status.
func goodFake(model string, cost float64) *fakeSum {
	return &fakeSum{model: model, cost: cost, answer: func(t *ticketsum.Ticket) (string, ticketsum.Status, error) {
		return t.References[0], t.ExpectedStatus, nil
	}}
}

// badFake leaks a name, adds a preamble, invents a number, gets statuses
// wrong and fails on t4.
func badFake(model string, cost float64) *fakeSum {
	return &fakeSum{model: model, cost: cost, answer: func(t *ticketsum.Ticket) (string, ticketsum.Status, error) {
		switch t.ID {
		case "t1":
			return "Here is a summary: the printer jams.", ticketsum.StatusAwaitingCustomer, nil
		case "t2":
			return "Alex was billed twice and got 45 dollars back.", ticketsum.StatusAwaitingSupport, nil
		case "t3":
			return "The app crashes at login; the agent is investigating.", ticketsum.StatusResolved, nil
		}
		return "", "", ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down")
	}}
}

func mustRunner(tb testing.TB, cfg eval.Config) *eval.Runner {
	tb.Helper()
	if cfg.Clock == nil {
		cfg.Clock = fixedClock{evalStart}
	}
	if cfg.ThrottlePause == 0 {
		cfg.ThrottlePause = time.Millisecond
	}
	r, err := eval.NewRunner(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func metricsOf(tb testing.TB, rep *eval.Report, name string) eval.CellMetrics {
	tb.Helper()
	for _, m := range rep.Configurations {
		if m.Name == name {
			return m
		}
	}
	tb.Fatalf("no configuration %q in report", name)
	return eval.CellMetrics{}
}

func TestRunMetrics(t *testing.T) {
	t.Parallel()
	good, bad := goodFake("fake:good", 0.002), badFake("fake:bad", 0.0005)
	r := mustRunner(t, eval.Config{Candidates: []eval.Candidate{candidateOf("good", good), candidateOf("bad", bad)}, KeepItems: true})
	rep, err := r.Run(context.Background(), eval.NewDataset("unit", mustEvalTickets(t)))
	if err != nil {
		t.Fatal(err)
	}
	g := metricsOf(t, rep, "good")
	if g.RougeL == nil || *g.RougeL != 100 || *g.Rouge1 != 100 {
		t.Errorf("good ROUGE = %v/%v, want 100 (summary equals reference)", g.Rouge1, g.RougeL)
	}
	if g.FormatCompliance != 100 || g.PIILeaks != 0 || g.Errors != 0 || *g.StatusAccuracy != 100 || g.HallucinationRate != 0 {
		t.Errorf("good metrics = %+v", g)
	}
	if g.CostPerTicketUSD != 0.002 || g.CostPerWeekUSD != 16 || g.InputTokensPerTkt != 400 || g.OutputTokensPerTkt != 50 {
		t.Errorf("good cost/tokens = %v/%v/%v/%v, want 0.002, 16, 400, 50", g.CostPerTicketUSD, g.CostPerWeekUSD, g.InputTokensPerTkt, g.OutputTokensPerTkt)
	}
	if g.LatencyP50MS != 120 || g.LatencyP95MS != 120 {
		t.Errorf("good latency p50/p95 = %v/%v, want 120/120", g.LatencyP50MS, g.LatencyP95MS)
	}
	b := metricsOf(t, rep, "bad")
	if b.Errors != 1 || b.PIILeaks != 1 || b.FormatCompliance != 66.67 {
		t.Errorf("bad: errors %d PII %d format %v, want 1, 1, 66.67 (t1 preamble of 3 summaries; t4 error counted apart)", b.Errors, b.PIILeaks, b.FormatCompliance)
	}
	if b.StatusAccuracy == nil || *b.StatusAccuracy != 33.33 || b.StatusLabelled != 3 {
		t.Errorf("bad status accuracy = %v of %d, want 33.33 of 3 (one right; the error is not a wrong status)", b.StatusAccuracy, b.StatusLabelled)
	}
	if len(b.ErrorReasons) != 1 || b.ErrorReasons[0] != (eval.Reason{Code: "throttled", Message: "slow down", Count: 1}) {
		t.Errorf("bad error reasons = %+v, want one throttled: slow down", b.ErrorReasons)
	}
	if b.Verdict != "errors" || b.PassesBars || g.Verdict != "pass" || rep.Cheapest != "good" {
		t.Errorf("verdicts bad %q good %q, cheapest %q; want errors, pass, good (a configuration with errors is never recommended)", b.Verdict, g.Verdict, rep.Cheapest)
	}
	if b.RougeL == nil || *b.RougeL >= 60 || b.WithReferences != 3 {
		t.Errorf("bad ROUGE-L = %v over %d, want < 60 over 3", b.RougeL, b.WithReferences)
	}
	var unsupported []string
	for _, it := range rep.Items {
		if it.Config == "bad" && it.TicketID == "t2" {
			unsupported = it.Unsupported
		}
		if it.Config == "bad" && it.TicketID == "t4" && it.ErrorCode != "throttled" {
			t.Errorf("t4 error code = %q, want throttled", it.ErrorCode)
		}
	}
	if strings.Join(unsupported, ",") != "45" || b.UnsupportedEntities != 1 {
		t.Errorf("bad t2 unsupported = %v (total %d), want [45]", unsupported, b.UnsupportedEntities)
	}
	if good.calls.Load() != 4 || bad.calls.Load() != 7 {
		t.Errorf("calls good %d bad %d, want 4 and 7 (t4 throttled every time: tried again in 3 rounds)", good.calls.Load(), bad.calls.Load())
	}
}

// throttledFirst answers like goodFake but throttles each ticket's first
// n calls.
func throttledFirst(n int) *fakeSum {
	var mu sync.Mutex
	calls := map[string]int{}
	good := goodFake("fake:throttled", 0.001)
	return &fakeSum{model: good.model, cost: good.cost, answer: func(t *ticketsum.Ticket) (string, ticketsum.Status, error) {
		mu.Lock()
		calls[t.ID]++
		c := calls[t.ID]
		mu.Unlock()
		if c <= n {
			return "", "", ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down")
		}
		return good.answer(t)
	}}
}

// A quota that throttles for a while (past the gateway's own retries) does
// not fail eval: the item is tried again after a pause.
func TestThrottledItemsTriedAgainAfterAPause(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		rounds, throt int
		wantErrors    int
		wantCalls     int64
	}{
		{"throttled twice", 0, 2, 0, 12},
		{"throttled past the rounds", 0, 4, 4, 16},
		{"rounds off", -1, 1, 4, 4},
		{"one round", 1, 1, 0, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := throttledFirst(tc.throt)
			r := mustRunner(t, eval.Config{Candidates: []eval.Candidate{candidateOf("c", f)}, ThrottleRounds: tc.rounds})
			rep, err := r.Run(context.Background(), eval.NewDataset("unit", mustEvalTickets(t)))
			if err != nil {
				t.Fatal(err)
			}
			m := metricsOf(t, rep, "c")
			if m.Errors != tc.wantErrors || f.calls.Load() != tc.wantCalls {
				t.Errorf("errors %d calls %d, want %d and %d", m.Errors, f.calls.Load(), tc.wantErrors, tc.wantCalls)
			}
		})
	}
}

// A run cancelled while items wait out a throttle pause ends at once.
func TestThrottlePauseEndsWithTheRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	f := throttledFirst(1)
	inner := f.answer
	f.answer = func(tk *ticketsum.Ticket) (string, ticketsum.Status, error) {
		cancel()
		return inner(tk)
	}
	r := mustRunner(t, eval.Config{Candidates: []eval.Candidate{candidateOf("c", f)}, ThrottlePause: time.Hour, Concurrency: 1})
	_, err := r.Run(ctx, eval.NewDataset("unit", mustEvalTickets(t)))
	if ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE {
		t.Fatalf("err = %v, want unavailable (run stopped)", err)
	}
	if f.calls.Load() != 1 {
		t.Errorf("calls = %d, want 1 (no round after the run was cancelled)", f.calls.Load())
	}
}

func TestRunCacheRescoresWithoutCalls(t *testing.T) {
	t.Parallel()
	cache := eval.DirCache{Dir: t.TempDir()}
	ds := eval.NewDataset("unit", mustEvalTickets(t))
	run := func(refresh bool) (*eval.Report, *fakeSum) {
		f := goodFake("fake:good", 0.001)
		r := mustRunner(t, eval.Config{Candidates: []eval.Candidate{candidateOf("good", f)}, Cache: cache, Refresh: refresh})
		rep, err := r.Run(context.Background(), ds)
		if err != nil {
			t.Fatal(err)
		}
		return rep, f
	}
	first, f1 := run(false)
	second, f2 := run(false)
	third, f3 := run(true)
	if f1.calls.Load() != 4 || f2.calls.Load() != 0 || f3.calls.Load() != 4 {
		t.Errorf("calls first %d cached %d refresh %d, want 4, 0, 4", f1.calls.Load(), f2.calls.Load(), f3.calls.Load())
	}
	a, b := first.Configurations[0], second.Configurations[0]
	if b.Cached != 4 || a.Cached != 0 || third.Configurations[0].Cached != 0 {
		t.Errorf("cached counts %d, %d, %d, want 0, 4, 0", a.Cached, b.Cached, third.Configurations[0].Cached)
	}
	a.Cached, b.Cached = 0, 0
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Errorf("re-scored metrics differ:\n%+v\n%+v", a, b)
	}
}

func TestRunProgress(t *testing.T) {
	t.Parallel()
	var (
		mu   sync.Mutex
		seen []eval.Progress
	)
	r := mustRunner(t, eval.Config{
		Candidates:  []eval.Candidate{candidateOf("a", goodFake("m:a", 0)), candidateOf("b", badFake("m:b", 0))},
		Concurrency: 3,
		Progress: func(p eval.Progress) {
			mu.Lock()
			seen = append(seen, p)
			mu.Unlock()
		},
	})
	if _, err := r.Run(context.Background(), eval.NewDataset("unit", mustEvalTickets(t))); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 8 {
		t.Fatalf("progress called %d times, want 8", len(seen))
	}
	for i, p := range seen {
		if p.Done != i+1 || p.Total != 8 {
			t.Errorf("progress %d = %d/%d", i, p.Done, p.Total)
		}
	}
	var buf strings.Builder
	print := eval.ProgressPrinter(&buf)
	for _, p := range seen {
		print(p)
	}
	if strings.Count(buf.String(), "\r") != 8 || !strings.HasSuffix(buf.String(), "\n") || !strings.Contains(buf.String(), "[##############################] 8/8") {
		t.Errorf("printed progress = %q", buf.String())
	}
	if last := seen[7]; last.Errors != 1 || !strings.Contains(last.String(), "8/8") {
		t.Errorf("last progress %+v (%s), want 1 error and 8/8", last, last)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	f := &fakeSum{model: "m", answer: func(t *ticketsum.Ticket) (string, ticketsum.Status, error) {
		cancel()
		return "x", ticketsum.StatusResolved, nil
	}}
	r := mustRunner(t, eval.Config{Candidates: []eval.Candidate{candidateOf("a", f)}, Concurrency: 1})
	_, err := r.Run(ctx, eval.NewDataset("unit", mustEvalTickets(t)))
	if ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE || f.calls.Load() >= 4 {
		t.Errorf("cancelled run: err %v after %d calls, want EUNAVAILABLE before all 4", err, f.calls.Load())
	}
}

func TestNewRunnerRejects(t *testing.T) {
	t.Parallel()
	ok := candidateOf("a", goodFake("m", 0))
	tests := []struct {
		name string
		cfg  eval.Config
	}{
		{"no candidates", eval.Config{}},
		{"duplicate names", eval.Config{Candidates: []eval.Candidate{ok, ok}}},
		{"no model", eval.Config{Candidates: []eval.Candidate{{Name: "x", PromptVersion: "v", New: ok.New}}}},
		{"no factory", eval.Config{Candidates: []eval.Candidate{{Model: "m", PromptVersion: "v"}}}},
		{"bad concurrency", eval.Config{Candidates: []eval.Candidate{ok}, Concurrency: -1}},
		{"bad bar", eval.Config{Candidates: []eval.Candidate{ok}, Bars: []eval.Bar{{Metric: "nope", Op: ">=", Value: 1}}}},
		{"judge without model", eval.Config{Candidates: []eval.Candidate{ok}, Judge: &eval.Judge{}}},
		{"throttle rounds below -1", eval.Config{Candidates: []eval.Candidate{ok}, ThrottleRounds: -2}},
		{"throttle rounds above 10", eval.Config{Candidates: []eval.Candidate{ok}, ThrottleRounds: 11}},
		{"negative throttle pause", eval.Config{Candidates: []eval.Candidate{ok}, ThrottlePause: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := eval.NewRunner(tt.cfg); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
				t.Errorf("NewRunner error = %v, want EINVALID", err)
			}
		})
	}
	r := mustRunner(t, eval.Config{Candidates: []eval.Candidate{{Model: "m", PromptVersion: "v", New: func() (ticketsum.Summarizer, error) {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "no credentials")
	}}}})
	if _, err := r.Run(context.Background(), eval.NewDataset("unit", mustEvalTickets(t))); ticketsum.ErrorCodeOf(err) != ticketsum.EUNAUTHORIZED {
		t.Errorf("factory error = %v, want EUNAUTHORIZED passed through", err)
	}
}

func goldenFile(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s: %v (run go test ./eval -update)", path, err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test ./eval -update and review):\n%s", name, got)
	}
}

// threeModelReport runs the three-model matrix used by the golden tests.
func threeModelReport(t *testing.T, bars string) *eval.Report {
	t.Helper()
	bs, err := eval.ParseBars(bars)
	if err != nil {
		t.Fatal(err)
	}
	r := mustRunner(t, eval.Config{
		Candidates: []eval.Candidate{
			candidateOf("large", goodFake("fake:large", 0.004)),
			candidateOf("small", goodFake("fake:small", 0.0004)),
			candidateOf("tiny", badFake("fake:tiny", 0.0001)),
		},
		Bars: bs,
	})
	rep, err := r.Run(context.Background(), eval.NewDataset("unit", mustEvalTickets(t)))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestReportOutputsGolden(t *testing.T) {
	t.Parallel()
	rep := threeModelReport(t, "rougeL>=40, pii_leaks<=0, format_compliance>=100")
	var table, js strings.Builder
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	goldenFile(t, "report_table.golden", table.String())
	goldenFile(t, "report_json.golden", js.String())
	if rep.Cheapest != "small" || rep.ExitCode(false) != 1 {
		t.Errorf("cheapest %q exit %d, want small, 1 (tiny could not be evaluated)", rep.Cheapest, rep.ExitCode(false))
	}
	rep.AllowErrors = true
	if rep.ExitCode(false) != 0 || rep.ExitCode(true) != 0 {
		t.Errorf("with errors allowed: exit %d/%d, want 0, 0", rep.ExitCode(false), rep.ExitCode(true))
	}
	for _, key := range []string{`"rouge1"`, `"rouge2"`, `"rougeL"`, `"cost_per_ticket_usd"`, `"format_compliance"`, `"pii_leaks"`, `"status_accuracy"`, `"cheapest_passing": "small"`} {
		if !strings.Contains(js.String(), key) {
			t.Errorf("JSON report lacks %s", key)
		}
	}
}

func TestBarsDecideExitCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		bars     string
		cheapest string
		exit     int
	}{
		{"", "small", 0},           // default bars; tiny has errors anyway
		{"rougeL>=50", "small", 0}, // tiny's ROUGE-L (41.1) is too low
		{"cost_per_ticket_usd<=0.0003, rougeL>=50", "", 1},
		{"status_accuracy>=100", "small", 0}, // labels exist
		{"judge_tone>=3", "small", 0},        // not measured: n/a, decides nothing
	}
	for _, tt := range tests {
		rep := threeModelReport(t, tt.bars)
		rep.AllowErrors = true
		if rep.Cheapest != tt.cheapest || rep.ExitCode(false) != tt.exit {
			t.Errorf("bars %q: cheapest %q exit %d, want %q, %d", tt.bars, rep.Cheapest, rep.ExitCode(false), tt.cheapest, tt.exit)
		}
	}
}

func TestParseBar(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"rougeL>=30", "rougeL >= 30", true},
		{" pii_leaks <= 0 ", "pii_leaks <= 0", true},
		{"format_compliance>=100%", "format_compliance >= 100", true},
		{"cost_per_ticket_usd<0.001", "cost_per_ticket_usd < 0.001", true},
		{"rougeL=>30", "", false},
		{"quality>=3", "", false},
		{"rougeL>=high", "", false},
	}
	for _, tt := range tests {
		b, err := eval.ParseBar(tt.in)
		if tt.ok != (err == nil) || tt.ok && b.String() != tt.want {
			t.Errorf("ParseBar(%q) = %v, %v; want %q ok=%v", tt.in, b, err, tt.want, tt.ok)
		}
		if err != nil && ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("ParseBar(%q) error code %q, want invalid", tt.in, ticketsum.ErrorCodeOf(err))
		}
	}
}
