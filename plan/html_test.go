package plan_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/chart"
	"github.com/ticketsum/ticketsum/plan"
)

// allSurfaces is a catalogue override for a model priced on every surface.
const allSurfaces = `
models:
  - name: %s
    family: claude
    context_window: 200000
    max_output: 8192
    prompt_caching: true
    cache_min_tokens: 1024
    input: 3
    output: 15
    cache_read: 0.3
    cache_write: 3.75
    batch_discount: 0.5
    provisioned:
      no_commitment: 40
      one_month: 35
      six_month: 20
      tokens_per_minute_per_unit: 50000
    effective: "2026-01-01"
    source: test
`

// MustHTML makes a plan, its cost curve at ChartVolumes and the HTML page.
func MustHTML(tb testing.TB, cfg plan.Config, w plan.Workload) (*plan.Plan, []plan.Series, string) {
	tb.Helper()
	if cfg.Catalogue == nil {
		cfg.Catalogue = MustCatalogue(tb)
	}
	p := MustPlan(tb, cfg, w)
	curve, err := plan.CostCurve(cfg, w, plan.ChartVolumes(p))
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if err := plan.WriteHTML(&buf, p, curve); err != nil {
		tb.Fatal(err)
	}
	return p, curve, buf.String()
}

// chartOption is the part of a chart's ECharts option the tests read.
type chartOption struct {
	YAxis  struct{ Type string } `json:"yAxis"`
	Series []struct {
		Name string
		Type string
		Data []struct {
			Value []float64
			Name  string
		}
		MarkLine struct {
			Data []struct {
				XAxis *float64
				Name  string
			}
		} `json:"markLine"`
	}
}

var optionRE = regexp.MustCompile(`<script type="application/json" id="([a-z0-9-]+)-option">([^<]*)</script>`)

// charts returns the options of a page's charts by element id, in order.
func charts(tb testing.TB, page string) ([]string, map[string]chartOption) {
	tb.Helper()
	var ids []string
	out := map[string]chartOption{}
	for _, m := range optionRE.FindAllStringSubmatch(page, -1) {
		var o chartOption
		if err := json.Unmarshal([]byte(m[2]), &o); err != nil {
			tb.Fatalf("chart %s: option is not JSON: %v", m[1], err)
		}
		ids = append(ids, m[1])
		out[m[1]] = o
	}
	if len(ids) == 0 {
		tb.Fatalf("no chart in the page:\n%s", page)
	}
	return ids, out
}

// lines returns the line series of a chart by name, with their points.
func lines(o chartOption) (names []string, points map[string][][]float64) {
	points = map[string][][]float64{}
	for _, s := range o.Series {
		if s.Type != "line" || s.Name == "thresholds" {
			continue
		}
		names = append(names, s.Name)
		for _, d := range s.Data {
			points[s.Name] = append(points[s.Name], d.Value)
		}
	}
	return names, points
}

// scatter returns the points of a chart's scatter series.
func scatter(o chartOption) [][]float64 {
	var out [][]float64
	for _, s := range o.Series {
		if s.Type == "scatter" {
			for _, d := range s.Data {
				out = append(out, d.Value)
			}
		}
	}
	return out
}

// currentVolume returns the x of the chart's vertical threshold.
func currentVolume(o chartOption) (float64, bool) {
	for _, s := range o.Series {
		for _, d := range s.MarkLine.Data {
			if d.XAxis != nil {
				return *d.XAxis, true
			}
		}
	}
	return 0, false
}

func TestWriteHTMLGolden(t *testing.T) {
	t.Parallel()
	w := seed()
	w.StaticPromptTokens = 1200
	w.BackfillTickets = 20000
	cfg := plan.Config{
		Catalogue: MustCatalogue(t),
		Models:    []string{sonnet, "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0", "bedrock:amazon.nova-lite-v1:0", titan},
		Quotas:    map[string]plan.Quota{"*": {RequestsPerMinute: 50, TokensPerMinute: 400000}},
		Evidence:  plan.Evidence{EvalRun: true, EvalMeetsBar: true, EvalSummary: "ROUGE-L 0.31, no PII leaks, 100% format on 200 tickets"},
	}
	p, curve, page := MustHTML(t, cfg, w)
	sec, err := plan.Section("Deployment plan", p, curve)
	if err != nil {
		t.Fatal(err)
	}
	// The section is the golden file; the page around it adds the chart
	// scripts inline.
	golden := filepath.Join("testdata", "seed.html.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(sec), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(sec) != string(want) {
		t.Fatalf("Section output differs from %s (run go test -update after checking)", golden)
	}
	for _, s := range []string{"$72 a week", "72.00*", "2048-token cache minimum", "reaches end of life on Bedrock on 2026-03-01", "<td>26283</td>", "sagemaker/ml.g5.xlarge breaks even with on-demand at 26283 tickets", "fine-tuning"} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	// Self-contained: the chart scripts are inline, nothing is loaded.
	for _, s := range []string{"<script src", "<link", "@import"} {
		if strings.Contains(page, s) {
			t.Errorf("page is not self-contained: it has %q", s)
		}
	}
	if !strings.Contains(page, "Apache Software Foundation") || !strings.Contains(page, "ts-chart") {
		t.Errorf("page lacks the inline chart scripts")
	}
}

// TestChartSeriesPerSurface checks the chart by surface has one line per
// priced surface of the reference model and per SageMaker instance type,
// each with a point per volume on CostCurve's figures (the points at no
// cost left out of a logarithmic axis).
func TestChartSeriesPerSurface(t *testing.T) {
	t.Parallel()
	const model = "bedrock:test.every-surface-v1:0"
	for _, tc := range []struct {
		name   string
		models []string
		static float64
		want   []string
	}{
		{"every surface", []string{model, sonnet}, 1500, []string{
			plan.OnDemand, plan.OnDemandCached, plan.Batch,
			plan.Provisioned + "/" + plan.TermNone, plan.Provisioned + "/" + plan.TermOneMonth, plan.Provisioned + "/" + plan.TermSixMonth,
			"sagemaker/ml.g5.xlarge", "sagemaker/ml.g5.2xlarge", "sagemaker/ml.g5.12xlarge"}},
		{"no caching or provisioned price", []string{sonnet, model}, 1500, []string{
			plan.OnDemand, plan.Batch, "sagemaker/ml.g5.xlarge", "sagemaker/ml.g5.2xlarge", "sagemaker/ml.g5.12xlarge"}},
		{"static prompt under the cache minimum", []string{model}, 0, []string{
			plan.OnDemand, plan.Batch,
			plan.Provisioned + "/" + plan.TermNone, plan.Provisioned + "/" + plan.TermOneMonth, plan.Provisioned + "/" + plan.TermSixMonth,
			"sagemaker/ml.g5.xlarge", "sagemaker/ml.g5.2xlarge", "sagemaker/ml.g5.12xlarge"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := seed()
			w.StaticPromptTokens = tc.static
			cfg := plan.Config{Catalogue: MustCatalogue(t, strings.Replace(allSurfaces, "%s", model, 1)), Models: tc.models}
			_, curve, page := MustHTML(t, cfg, w)
			ids, opts := charts(t, page)
			o := opts[ids[0]]
			got, points := lines(o)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("series = %q\nwant     %q", got, tc.want)
			}
			for _, s := range curve {
				if !slices.Contains(got, s.Surface) || s.Model != cfg.Models[0] && !strings.HasPrefix(s.Surface, "sagemaker/") {
					continue
				}
				var want [][]float64
				for _, p := range s.Points {
					if o.YAxis.Type != "log" || p.WeeklyCostUSD > 0 {
						want = append(want, []float64{p.TicketsPerWeek, p.WeeklyCostUSD})
					}
				}
				if !slices.EqualFunc(points[s.Surface], want, slices.Equal) {
					t.Errorf("series %s charts %v, the curve has %v", s.Surface, points[s.Surface], want)
				}
			}
		})
	}
}

// TestChartCurrentVolume checks the current volume is marked at the
// workload's weekly volume.
func TestChartCurrentVolume(t *testing.T) {
	t.Parallel()
	for _, tickets := range []float64{8000, 3000, 123456, 40} {
		t.Run(strconv.FormatFloat(tickets, 'f', -1, 64), func(t *testing.T) {
			t.Parallel()
			w := seed()
			w.TicketsPerWeek = tickets
			_, _, page := MustHTML(t, plan.Config{Models: []string{sonnet}}, w)
			ids, opts := charts(t, page)
			if got, ok := currentVolume(opts[ids[0]]); !ok || got != tickets {
				t.Fatalf("current volume marked at %v (%v), want %v", got, ok, tickets)
			}
		})
	}
}

// TestChartBreakEvenMarkers checks each break-even within the chart is
// drawn at the plan's figure, and one beyond it is named in a note.
func TestChartBreakEvenMarkers(t *testing.T) {
	t.Parallel()
	p, _, page := MustHTML(t, plan.Config{Models: []string{sonnet}}, seed())
	ids, opts := charts(t, page)
	var want [][]float64
	for _, o := range p.Options {
		if o.BreakEvenTicketsPerWeek > 0 && o.BreakEvenTicketsPerWeek <= 5*p.Workload.TicketsPerWeek {
			want = append(want, []float64{o.BreakEvenTicketsPerWeek, o.WeeklyCostUSD})
		}
	}
	got := scatter(opts[ids[0]])
	if len(want) == 0 || !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("break-even markers at %v, want %v", got, want)
	}
	if !strings.Contains(page, "sagemaker/ml.g5.12xlarge breaks even with on-demand at 132347 tickets") || !strings.Contains(page, "beyond the chart") {
		t.Errorf("the off-chart break-even of ml.g5.12xlarge is not noted")
	}
}

// TestHTMLEscapesModelName prices a model whose name carries a script tag:
// it must appear escaped in the tables and the chart, never as markup.
func TestHTMLEscapesModelName(t *testing.T) {
	t.Parallel()
	const evil = `openai:<script>alert("x")</script>`
	cat := MustCatalogue(t, strings.Replace(allSurfaces, "%s", `'`+evil+`'`, 1))
	_, _, page := MustHTML(t, plan.Config{Catalogue: cat, Models: []string{evil, sonnet}}, seed())
	if strings.Contains(page, "<script>alert") {
		t.Fatalf("model name not escaped:\n%s", page)
	}
	if n := strings.Count(page, "&lt;script&gt;"); n < 2 {
		t.Fatalf("escaped model name appears %d times in the tables, want at least 2", n)
	}
	if n := strings.Count(page, `\u003cscript\u003e`); n < 1 {
		t.Fatalf("escaped model name appears %d times in the charts, want at least 1", n)
	}
}

// TestChartLogScale checks the cost axis turns logarithmic when the lines
// span orders of magnitude (the SageMaker endpoints against on-demand),
// leaving out the points at no cost, and stays linear otherwise.
func TestChartLogScale(t *testing.T) {
	t.Parallel()
	line := func(label string, top float64) plan.Line {
		return plan.Line{Label: label, Points: []plan.Point{{TicketsPerWeek: 0}, {TicketsPerWeek: 100, WeeklyCostUSD: top}}}
	}
	for _, tc := range []struct {
		name   string
		lines  []plan.Line
		log    bool
		points int
	}{
		{"one line", []plan.Line{line("a", 7)}, false, 2},
		{"within a factor of 20", []plan.Line{line("a", 7), line("b", 140)}, false, 2},
		{"orders of magnitude", []plan.Line{line("a", 7), line("b", 7000)}, true, 1},
		{"no cost at all", []plan.Line{line("a", 0)}, false, 2},
	} {
		c := plan.Chart{Title: "t", Lines: tc.lines}
		drawn := c.Draw("c")
		if got := drawn.Y.Type == chart.Log; got != tc.log || c.LogScale() != tc.log {
			t.Errorf("%s: log axis = %v, want %v", tc.name, got, tc.log)
		}
		if n := len(drawn.Series[0].Points); n != tc.points {
			t.Errorf("%s: %d points charted, want %d", tc.name, n, tc.points)
		}
		if _, err := drawn.HTML(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestChartVolumes(t *testing.T) {
	t.Parallel()
	for _, tickets := range []float64{0, 40, 8000, 1e6} {
		w := seed()
		w.TicketsPerWeek = tickets
		p := MustPlan(t, plan.Config{Models: []string{sonnet}}, w)
		vs := plan.ChartVolumes(p)
		if vs[0] != 0 || !slices.IsSorted(vs) || !slices.Contains(vs, tickets) || vs[len(vs)-1] < 2*tickets || vs[len(vs)-1] <= 0 {
			t.Errorf("ChartVolumes at %v tickets a week = %v", tickets, vs)
		}
	}
}

// TestSectionFigures checks given figures replace the chart by model and
// are escaped, and that without them several models get that chart.
func TestSectionFigures(t *testing.T) {
	t.Parallel()
	cfg := plan.Config{Catalogue: MustCatalogue(t), Models: []string{sonnet, titan}}
	p := MustPlan(t, cfg, seed())
	curve, err := plan.CostCurve(cfg, seed(), plan.ChartVolumes(p))
	if err != nil {
		t.Fatal(err)
	}
	fig := plan.Figure{Caption: "measured <b>", Notes: []string{"note <i>"}, Chart: plan.Chart{Title: "measured", Current: 8000,
		Lines: []plan.Line{{Label: "config <x>", Points: []plan.Point{{TicketsPerWeek: 0}, {TicketsPerWeek: 10000, WeeklyCostUSD: 90}}}}}}
	for _, tc := range []struct {
		name    string
		figures []plan.Figure
		want    []string
		series  string
		notWant string
	}{
		{"by model", nil, []string{"on-demand by model"}, titan, "config &lt;x&gt;"},
		{"given figure", []plan.Figure{fig}, []string{"measured &lt;b&gt;", "note &lt;i&gt;"}, "config <x>", "on-demand by model"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sec, err := plan.Section("plan", p, curve, tc.figures...)
			if err != nil {
				t.Fatal(err)
			}
			s := string(sec)
			for _, w := range tc.want {
				if !strings.Contains(s, w) {
					t.Errorf("section lacks %q", w)
				}
			}
			if strings.Contains(s, tc.notWant) || strings.Contains(s, "<b>") || strings.Contains(s, "<x>") {
				t.Errorf("section has %q or unescaped text", tc.notWant)
			}
			ids, opts := charts(t, s)
			if len(ids) != 2 || ids[0] == ids[1] {
				t.Fatalf("section has charts %v, want 2 with distinct ids", ids)
			}
			if names, _ := lines(opts[ids[1]]); !slices.Contains(names, tc.series) {
				t.Errorf("second chart's lines %q lack %q", names, tc.series)
			}
		})
	}
}
