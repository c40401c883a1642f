package plan_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	ticketsum "github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/cost"
	"github.com/ticketsum/ticketsum/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const (
	sonnet   = "bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0"
	sonnet37 = "bedrock:anthropic.claude-3-7-sonnet-20250219-v1:0"
	titan    = "bedrock:amazon.titan-text-express-v1"
)

// seedDate is the date the tests price at: before Claude 3.5 Sonnet v2's
// extended access, when the seed's $72 a week was its price.
var seedDate = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)

// fixedClock is a Clock stopped at one instant.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// MustCatalogue returns the embedded catalogue with overrides applied, as
// of seedDate.
func MustCatalogue(tb testing.TB, overrides ...string) *cost.Catalogue {
	tb.Helper()
	var o [][]byte
	for _, s := range overrides {
		o = append(o, []byte(s))
	}
	c, err := cost.New(cost.Config{Overrides: o, Clock: fixedClock{seedDate}})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// MustPlan makes a plan or fails the test.
func MustPlan(tb testing.TB, cfg plan.Config, w plan.Workload) *plan.Plan {
	tb.Helper()
	if cfg.Catalogue == nil {
		cfg.Catalogue = MustCatalogue(tb)
	}
	p, err := plan.Make(cfg, w)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func option(tb testing.TB, p *plan.Plan, model, surface string) plan.Option {
	tb.Helper()
	for _, o := range p.Options {
		if o.Model == model && o.Surface == surface {
			return o
		}
	}
	tb.Fatalf("plan has no option %s on %s", model, surface)
	return plan.Option{}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func seed() plan.Workload {
	return plan.Workload{TicketsPerWeek: 8000, InputTokens: 2000, OutputTokens: 200}
}

// TestSeedExample reproduces the seed's figures: 16M input and 1.6M output
// tokens a week, $48 + $24 = $72 a week on Claude 3.5 Sonnet on-demand.
func TestSeedExample(t *testing.T) {
	t.Parallel()
	p := MustPlan(t, plan.Config{Models: []string{sonnet}}, seed())
	o := option(t, p, sonnet, plan.OnDemand)
	if o.WeeklyInputTokens != 16_000_000 || o.WeeklyOutputTokens != 1_600_000 {
		t.Fatalf("weekly tokens = %v in, %v out; want 16M and 1.6M", o.WeeklyInputTokens, o.WeeklyOutputTokens)
	}
	inUSD, outUSD := o.WeeklyInputTokens*3/1e6, o.WeeklyOutputTokens*15/1e6
	if !near(inUSD, 48) || !near(outUSD, 24) || !near(o.WeeklyCostUSD, 72) {
		t.Fatalf("weekly cost = %v, want $48 + $24 = $72", o.WeeklyCostUSD)
	}
	if !near(o.MonthlyCostUSD, 72*52.0/12) {
		t.Fatalf("monthly cost = %v, want 72 * 52 / 12", o.MonthlyCostUSD)
	}
	if p.Recommendation.Model != sonnet || p.Recommendation.Surface != plan.OnDemand {
		t.Fatalf("recommendation = %+v, want Sonnet on-demand", p.Recommendation)
	}
}

// TestPricesFromCatalogue doubles Sonnet's prices in an override: the plan
// must follow, since no price lives in code.
func TestPricesFromCatalogue(t *testing.T) {
	t.Parallel()
	cat := MustCatalogue(t, `
models:
  - name: `+sonnet+`
    family: claude
    context_window: 200000
    max_output: 8192
    input: 6
    output: 30
    batch_discount: 0.25
    effective: "2026-01-01"
    source: test
`)
	p := MustPlan(t, plan.Config{Catalogue: cat, Models: []string{sonnet}}, seed())
	if o := option(t, p, sonnet, plan.OnDemand); !near(o.WeeklyCostUSD, 144) {
		t.Fatalf("on-demand = %v, want 144 at the overridden $6/$30", o.WeeklyCostUSD)
	}
	if o := option(t, p, sonnet, plan.Batch); !near(o.WeeklyCostUSD, 108) {
		t.Fatalf("batch = %v, want 144 * 0.75", o.WeeklyCostUSD)
	}
	if o := option(t, p, sonnet, plan.OnDemandCached); o.Available {
		t.Fatalf("caching priced for a model the override says cannot cache: %+v", o)
	}
}

func TestCachingAndBatch(t *testing.T) {
	t.Parallel()
	const haiku = "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0"
	w := seed()
	w.StaticPromptTokens = 1500
	w.BackfillTickets = 1000
	p := MustPlan(t, plan.Config{Models: []string{sonnet, haiku}}, w)
	if o := option(t, p, haiku, plan.OnDemandCached); o.Available || !strings.Contains(o.Note, "2048-token cache minimum") {
		t.Fatalf("1,500 static tokens cached on Claude 3.5 Haiku, whose minimum is 2,048: %+v", o)
	}
	w2 := seed()
	w2.InputTokens, w2.StaticPromptTokens = 2600, 2100
	p2 := MustPlan(t, plan.Config{Models: []string{haiku}}, w2)
	// 2,016 five-minute windows a week write the cache, the other 5,984 tickets read it.
	want := (8000*500*0.80 + 2016*2100*1.00 + 5984*2100*0.08 + 8000*200*4.0) / 1e6
	if o := option(t, p2, haiku, plan.OnDemandCached); !o.Available || !near(o.WeeklyCostUSD, want) {
		t.Fatalf("cached = %+v, want $%v", o, want)
	}
	if o := option(t, p, sonnet, plan.OnDemandCached); o.Available {
		t.Fatalf("caching priced for Claude 3.5 Sonnet, whose caching was preview-only: %+v", o)
	}
	b := option(t, p, sonnet, plan.Batch)
	if !near(b.WeeklyCostUSD, 36) || !near(b.BackfillCostUSD, 1000*0.009*0.5) {
		t.Fatalf("batch = %+v, want $36 a week and $4.50 for the backfill", b)
	}
	if od := option(t, p, sonnet, plan.OnDemand); !near(od.BackfillCostUSD, 9) {
		t.Fatalf("on-demand backfill = %v, want $9", od.BackfillCostUSD)
	}

	w.StaticPromptTokens = 1500
	p = MustPlan(t, plan.Config{Models: []string{haiku}, CacheMinTokens: 1024}, w)
	if o := option(t, p, haiku, plan.OnDemandCached); !o.Available {
		t.Fatalf("an explicit 1,024-token minimum is not used: %+v", o)
	}
}

// TestBreakEven checks provisioned throughput against on-demand at and
// around the break-even volume.
func TestBreakEven(t *testing.T) {
	t.Parallel()
	w := seed()
	p := MustPlan(t, plan.Config{Models: []string{titan}}, w)
	perTicket := (2000*0.20 + 200*0.60) / 1e6
	pt := option(t, p, titan, plan.Provisioned+"/"+plan.TermNone)
	if !near(pt.WeeklyCostUSD, 20.50*24*7) || pt.Units != 1 {
		t.Fatalf("provisioned no-commitment = %+v, want one unit at 20.50 * 168", pt)
	}
	if !near(pt.BreakEvenTicketsPerWeek, 20.50*24*7/perTicket) {
		t.Fatalf("break-even = %v, want %v", pt.BreakEvenTicketsPerWeek, 20.50*24*7/perTicket)
	}
	// At the break-even volume on-demand costs what provisioned does.
	w.TicketsPerWeek = pt.BreakEvenTicketsPerWeek
	at := MustPlan(t, plan.Config{Models: []string{titan}}, w)
	if od := option(t, at, titan, plan.OnDemand); !near(od.WeeklyCostUSD, pt.WeeklyCostUSD) {
		t.Fatalf("on-demand at break-even = %v, provisioned = %v", od.WeeklyCostUSD, pt.WeeklyCostUSD)
	}
	six := option(t, p, titan, plan.Provisioned+"/"+plan.TermSixMonth)
	if six.BreakEvenTicketsPerWeek >= pt.BreakEvenTicketsPerWeek {
		t.Fatalf("6-month break-even %v not below no-commitment %v", six.BreakEvenTicketsPerWeek, pt.BreakEvenTicketsPerWeek)
	}
	if s := option(t, p, "sagemaker:self-hosted", "sagemaker/ml.g5.xlarge"); !near(s.BreakEvenTicketsPerWeek, s.WeeklyCostUSD/perTicket) {
		t.Fatalf("sagemaker break-even = %v, want %v", s.BreakEvenTicketsPerWeek, s.WeeklyCostUSD/perTicket)
	}
	if len(p.Recommendation.Reasons) == 0 || !strings.Contains(strings.Join(p.Recommendation.Reasons, "\n"), "pays off only above") {
		t.Fatalf("recommendation does not explain the provisioned break-even: %v", p.Recommendation.Reasons)
	}
	free := MustPlan(t, plan.Config{Models: []string{"builtin"}}, seed())
	for _, o := range free.Options {
		if o.BreakEvenTicketsPerWeek != 0 {
			t.Fatalf("break-even against a free model = %v, want none", o.BreakEvenTicketsPerWeek)
		}
	}
}

// TestProvisionedUnits sizes model units from the peak hour at the edge of
// one unit's throughput.
func TestProvisionedUnits(t *testing.T) {
	t.Parallel()
	entry := func(tpmPerUnit int) string {
		return `
models:
  - name: ` + titan + `
    family: titan
    context_window: 8000
    max_output: 8192
    input: 0.2
    output: 0.6
    provisioned:
      six_month: 10
      tokens_per_minute_per_unit: ` + itoa(tpmPerUnit) + `
    effective: "2026-01-01"
    source: test
`
	}
	w := plan.Workload{TicketsPerWeek: 8000, PeakHourTickets: 600, InputTokens: 2000, OutputTokens: 200} // 10 a minute, 22,000 tokens
	for _, tt := range []struct{ perUnit, units int }{{22000, 1}, {21999, 2}, {11000, 2}, {10999, 3}} {
		p := MustPlan(t, plan.Config{Catalogue: MustCatalogue(t, entry(tt.perUnit)), Models: []string{titan}}, w)
		o := option(t, p, titan, plan.Provisioned+"/"+plan.TermSixMonth)
		if o.Units != tt.units || !near(o.WeeklyCostUSD, 10*168*float64(tt.units)) {
			t.Errorf("%d tokens a unit: %d units at $%v, want %d", tt.perUnit, o.Units, o.WeeklyCostUSD, tt.units)
		}
	}
}

func TestQuotaEdges(t *testing.T) {
	t.Parallel()
	w := plan.Workload{TicketsPerWeek: 8000, PeakHourTickets: 600, InputTokens: 2000, OutputTokens: 200}
	tests := []struct {
		name   string
		model  string
		quota  *plan.Quota
		status string
		tpm    float64
	}{
		{"exactly at quota", sonnet, &plan.Quota{RequestsPerMinute: 10, TokensPerMinute: 22000}, plan.QuotaOK, 22000},
		{"one request short", sonnet, &plan.Quota{RequestsPerMinute: 9, TokensPerMinute: 22000}, plan.QuotaIncrease, 22000},
		{"one token short", sonnet, &plan.Quota{RequestsPerMinute: 10, TokensPerMinute: 21999}, plan.QuotaIncrease, 22000},
		{"output burns 5x on Claude 3.7", sonnet37, &plan.Quota{RequestsPerMinute: 10, TokensPerMinute: 29999}, plan.QuotaIncrease, 30000},
		{"no quota configured", sonnet, nil, plan.QuotaUnknown, 22000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := plan.Config{Models: []string{tt.model}}
			if tt.quota != nil {
				cfg.Quotas = map[string]plan.Quota{"*": *tt.quota}
			}
			p := MustPlan(t, cfg, w)
			q := p.Quotas[0]
			if q.Status != tt.status || !near(q.PeakRequestsPerMinute, 10) || !near(q.PeakTokensPerMinute, tt.tpm) {
				t.Fatalf("quota check = %+v, want %s at 10 RPM and %v TPM", q, tt.status, tt.tpm)
			}
		})
	}
}

func TestRecommendationConstraints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		models      []string
		constraints plan.Constraints
		surface     string
		excluded    string
	}{
		{"default: within the hour", []string{sonnet}, plan.Constraints{}, plan.OnDemand, "latency target"},
		{"overnight is fine", []string{sonnet}, plan.Constraints{LatencyTargetHours: 24}, plan.Batch, ""},
		{"data in the VPC", []string{sonnet}, plan.Constraints{DataInVPC: true}, "sagemaker/ml.g5.xlarge", "VPC"},
		{"fine-tuned without a provisioned price", []string{sonnet}, plan.Constraints{FineTuned: true}, "sagemaker/ml.g5.xlarge", "provisioned throughput"},
		{"fine-tuned titan", []string{titan}, plan.Constraints{FineTuned: true}, "sagemaker/ml.g5.xlarge", "provisioned throughput"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := MustPlan(t, plan.Config{Models: tt.models, Constraints: tt.constraints}, seed())
			r := p.Recommendation
			if r.Surface != tt.surface || len(r.Reasons) == 0 {
				t.Fatalf("recommendation = %+v, want %s with reasons", r, tt.surface)
			}
			if tt.excluded != "" && !strings.Contains(strings.Join(r.Excluded, "\n"), tt.excluded) {
				t.Fatalf("excluded = %v, want a reason mentioning %q", r.Excluded, tt.excluded)
			}
		})
	}
}

func TestStages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		evidence plan.Evidence
		fineTune plan.Constraints
		needed   bool
		mention  string
	}{
		{"no eval", plan.Evidence{}, plan.Constraints{}, false, "no evaluation results"},
		{"eval meets bar", plan.Evidence{EvalRun: true, EvalMeetsBar: true, EvalSummary: "ROUGE-L 0.31 on 200 tickets"}, plan.Constraints{}, false, "meets every bar (ROUGE-L 0.31"},
		{"eval misses bar", plan.Evidence{EvalRun: true, EvalSummary: "format 91%"}, plan.Constraints{}, false, "misses the bar (format 91%)"},
		{"fine-tuned required", plan.Evidence{}, plan.Constraints{FineTuned: true}, true, "requires a fine-tuned model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := MustPlan(t, plan.Config{Models: []string{sonnet}, Evidence: tt.evidence, Constraints: tt.fineTune}, seed())
			names := []string{}
			for _, s := range p.Stages {
				names = append(names, s.Name)
			}
			want := "model choice,access,adaptation,deployment surface,integration,evaluation,governance,retrieval,fine-tuning"
			if strings.Join(names, ",") != want {
				t.Fatalf("stages = %v, want %s", names, want)
			}
			ft := p.Stages[8]
			if ft.Needed != tt.needed || !strings.Contains(ft.Evidence, tt.mention) {
				t.Fatalf("fine-tuning = %+v, want needed=%v mentioning %q", ft, tt.needed, tt.mention)
			}
			if p.Stages[7].Needed {
				t.Fatal("retrieval marked needed for ticket summaries")
			}
		})
	}
}

func TestMakeRejects(t *testing.T) {
	t.Parallel()
	cat := MustCatalogue(t)
	tests := []struct {
		name string
		cfg  plan.Config
		w    plan.Workload
		code ticketsum.ErrorCode
	}{
		{"no catalogue", plan.Config{}, seed(), ticketsum.EINVALID},
		{"negative tickets", plan.Config{Catalogue: cat}, plan.Workload{TicketsPerWeek: -1}, ticketsum.EINVALID},
		{"NaN tokens", plan.Config{Catalogue: cat}, plan.Workload{TicketsPerWeek: 1, InputTokens: math.NaN()}, ticketsum.EINVALID},
		{"static above input", plan.Config{Catalogue: cat}, plan.Workload{TicketsPerWeek: 1, InputTokens: 10, StaticPromptTokens: 11}, ticketsum.EINVALID},
		{"unknown model", plan.Config{Catalogue: cat, Models: []string{"bedrock:nope"}}, seed(), ticketsum.ENOTFOUND},
		{"negative latency", plan.Config{Catalogue: cat, Constraints: plan.Constraints{LatencyTargetHours: -1}}, seed(), ticketsum.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := plan.Make(tt.cfg, tt.w); ticketsum.ErrorCodeOf(err) != tt.code {
				t.Fatalf("Make error = %v, want %s", err, tt.code)
			}
		})
	}
}

func TestDefaultModelsAndJSON(t *testing.T) {
	t.Parallel()
	p := MustPlan(t, plan.Config{}, seed())
	seen := map[string]bool{}
	for _, o := range p.Options {
		seen[o.Model] = true
		if strings.HasSuffix(o.Model, ":*") || o.Model == "builtin" {
			t.Fatalf("generic entry %s priced as a model", o.Model)
		}
	}
	if !seen[sonnet] || !seen["bedrock:amazon.nova-micro-v1:0"] || len(p.Quotas) < 10 {
		t.Fatalf("default plan prices %d models, %d quota checks", len(seen), len(p.Quotas))
	}
	if p.Workload.PeakHourTickets != 400 {
		t.Fatalf("default peak hour = %v, want 2 * 8000 / 40", p.Workload.PeakHourTickets)
	}
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Options []map[string]any `json:"options"`
	}
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"model", "surface", "weekly_cost_usd", "monthly_cost_usd"} {
		if _, ok := back.Options[0][key]; !ok {
			t.Fatalf("JSON option lacks %q: %v", key, back.Options[0])
		}
	}
}

func TestMeasure(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	var tickets []*ticketsum.Ticket
	for i := range 140 { // 10 a day over 14 days, and 5 more in one hour
		at := start.Add(time.Duration(i/10)*24*time.Hour + time.Duration(i%10)*time.Hour)
		tickets = append(tickets, &ticketsum.Ticket{ID: itoa(i), CreatedAt: at,
			Messages: []ticketsum.Message{{Role: ticketsum.RoleCustomer, Body: strings.Repeat("x", 4000)}}})
	}
	for i := range 5 {
		tickets = append(tickets, &ticketsum.Ticket{ID: "burst" + itoa(i), CreatedAt: start.Add(3*24*time.Hour + 2*time.Hour + time.Duration(i)*time.Minute),
			Messages: []ticketsum.Message{{Role: ticketsum.RoleCustomer, Body: strings.Repeat("x", 4000)}}})
	}
	summaries := []*ticketsum.Summary{
		{Usage: ticketsum.Usage{OutputTokens: 90}},
		{Usage: ticketsum.Usage{OutputTokens: 110}},
		{Text: strings.Repeat("w", 400)}, // no usage recorded: 100 tokens from the text
		{},                               // nothing to count
	}
	w, err := plan.Measure(tickets, summaries, plan.MeasureOptions{PromptTokens: 500})
	if err != nil {
		t.Fatal(err)
	}
	span := tickets[139].CreatedAt.Sub(start)
	if !near(w.TicketsPerWeek, 145/(span.Hours()/168)) {
		t.Fatalf("tickets a week = %v, want %v", w.TicketsPerWeek, 145/(span.Hours()/168))
	}
	wantIn := 0.0
	for _, tk := range tickets { // a quarter of the text (4,000 bytes and the ID) plus the prompt
		wantIn += float64((4000+len(tk.ID)+3)/4 + 500)
	}
	wantIn /= float64(len(tickets))
	if w.PeakHourTickets != 6 || !near(w.InputTokens, wantIn) || !near(w.OutputTokens, 100) {
		t.Fatalf("workload = %+v, want peak 6, %v input, 100 output", w, wantIn)
	}
	if !strings.Contains(w.Source, "145 tickets") || !strings.Contains(w.Source, "3 recorded summaries") {
		t.Fatalf("source = %q", w.Source)
	}
	counted, err := plan.Measure(tickets[:20], nil, plan.MeasureOptions{InputTokens: func(*ticketsum.Ticket) int { return 42 }})
	if err != nil || counted.InputTokens != 42 || counted.OutputTokens != 100 || !strings.Contains(counted.Source, "estimated") {
		t.Fatalf("with a counter and no summaries: %+v, %v", counted, err)
	}
	for name, ts := range map[string][]*ticketsum.Ticket{
		"none":            nil,
		"within a minute": {tickets[140], tickets[141]},
		"no time":         {{ID: "t", Messages: []ticketsum.Message{{Role: ticketsum.RoleAgent, Body: "x"}}}},
	} {
		if _, err := plan.Measure(ts, nil, plan.MeasureOptions{}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	w := seed()
	w.StaticPromptTokens = 1200
	w.BackfillTickets = 20000
	p := MustPlan(t, plan.Config{
		Models:   []string{sonnet, "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0", "bedrock:amazon.nova-lite-v1:0", titan},
		Quotas:   map[string]plan.Quota{"*": {RequestsPerMinute: 50, TokensPerMinute: 400000}},
		Evidence: plan.Evidence{EvalRun: true, EvalMeetsBar: true, EvalSummary: "ROUGE-L 0.31, no PII leaks, 100% format on 200 tickets"},
	}, w)
	var buf bytes.Buffer
	if err := plan.Render(&buf, p); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "seed.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("Render output differs from %s (run go test -update after checking):\n%s", golden, buf.String())
	}
	for _, s := range []string{"72.00*", "2048-token cache minimum", "16M input and 1.6M output tokens a week", "Recommendation: " + sonnet + " on on-demand,"} {
		if !strings.Contains(buf.String(), s) {
			t.Fatalf("rendered plan lacks %q:\n%s", s, buf.String())
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
