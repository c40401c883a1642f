package plan_test

import (
	"bytes"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

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

// firstSVG returns the first chart of a page: the one by surface.
func firstSVG(tb testing.TB, page string) string {
	tb.Helper()
	start, end := strings.Index(page, "<svg"), strings.Index(page, "</svg>")
	if start < 0 || end < start {
		tb.Fatalf("no SVG chart in the page:\n%s", page)
	}
	return page[start : end+len("</svg>")]
}

var (
	seriesRE  = regexp.MustCompile(`<polyline class="series" data-label="([^"]*)" points="([^"]*)"`)
	xTickRE   = regexp.MustCompile(`<text class="x-tick" x="([0-9.]+)"[^>]*>([0-9.]+)</text>`)
	currentRE = regexp.MustCompile(`<line class="current" data-tickets-per-week="[^"]*" x1="([0-9.]+)"`)
	markerRE  = regexp.MustCompile(`<circle class="break-even" cx="([0-9.]+)"`)
)

// xValue maps an SVG x coordinate back to tickets a week through the
// chart's own tick labels.
func xValue(tb testing.TB, svg string, x float64) float64 {
	tb.Helper()
	ticks := xTickRE.FindAllStringSubmatch(svg, -1)
	if len(ticks) < 2 {
		tb.Fatalf("chart has %d x ticks", len(ticks))
	}
	first, last := ticks[0], ticks[len(ticks)-1]
	x0, v0 := atof(tb, first[1]), atof(tb, first[2])
	x1, v1 := atof(tb, last[1]), atof(tb, last[2])
	return v0 + (x-x0)/(x1-x0)*(v1-v0)
}

func atof(tb testing.TB, s string) float64 {
	tb.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func TestWriteHTMLGolden(t *testing.T) {
	t.Parallel()
	w := seed()
	w.StaticPromptTokens = 1200
	w.BackfillTickets = 20000
	_, _, page := MustHTML(t, plan.Config{
		Models:   []string{sonnet, "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0", "bedrock:amazon.nova-lite-v1:0", titan},
		Quotas:   map[string]plan.Quota{"*": {RequestsPerMinute: 50, TokensPerMinute: 400000}},
		Evidence: plan.Evidence{EvalRun: true, EvalMeetsBar: true, EvalSummary: "ROUGE-L 0.31, no PII leaks, 100% format on 200 tickets"},
	}, w)
	golden := filepath.Join("testdata", "seed.html.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if page != string(want) {
		t.Fatalf("WriteHTML output differs from %s (run go test -update after checking)", golden)
	}
	for _, s := range []string{"$72 a week", "72.00*", "2048-token cache minimum", "reaches end of life on Bedrock on 2026-03-01", "<td>26283</td>", "sagemaker/ml.g5.xlarge breaks even with on-demand at 26283 tickets", "fine-tuning"} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	for _, s := range []string{"<script", "src=", "href=", "@import", "url("} {
		if strings.Contains(page, s) {
			t.Errorf("page is not self-contained: it has %q", s)
		}
	}
}

// TestChartSeriesPerSurface checks the chart by surface has one line per
// priced surface of the reference model and per SageMaker instance type,
// each with a point per volume on CostCurve's figures.
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
			p, curve, page := MustHTML(t, cfg, w)
			svg := firstSVG(t, page)
			var got []string
			volumes := len(plan.ChartVolumes(p))
			for _, m := range seriesRE.FindAllStringSubmatch(svg, -1) {
				got = append(got, html.UnescapeString(m[1]))
				if n := len(strings.Fields(m[2])); n != volumes {
					t.Errorf("series %s has %d points, want %d", m[1], n, volumes)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("series = %q\nwant     %q", got, tc.want)
			}
			if len(curve) < len(got) {
				t.Fatalf("chart has %d series, the curve only %d", len(got), len(curve))
			}
		})
	}
}

// TestChartCurrentVolume reads the current-volume marker's position back
// through the axis labels: it must be at the workload's weekly volume.
func TestChartCurrentVolume(t *testing.T) {
	t.Parallel()
	for _, tickets := range []float64{8000, 3000, 123456, 40} {
		t.Run(strconv.FormatFloat(tickets, 'f', -1, 64), func(t *testing.T) {
			t.Parallel()
			w := seed()
			w.TicketsPerWeek = tickets
			_, _, page := MustHTML(t, plan.Config{Models: []string{sonnet}}, w)
			svg := firstSVG(t, page)
			m := currentRE.FindStringSubmatch(svg)
			if m == nil {
				t.Fatalf("no current-volume marker in\n%s", svg)
			}
			got := xValue(t, svg, atof(t, m[1]))
			// The coordinate has one decimal on a 630-pixel axis.
			ticks := xTickRE.FindAllStringSubmatch(svg, -1)
			if tol := 0.001 * atof(t, ticks[len(ticks)-1][2]); got < tickets-tol || got > tickets+tol {
				t.Fatalf("current marker at %v tickets a week, want %v", got, tickets)
			}
		})
	}
}

// TestChartBreakEvenMarkers checks each break-even within the chart is
// drawn at the plan's figure, and one beyond it is named in a note.
func TestChartBreakEvenMarkers(t *testing.T) {
	t.Parallel()
	p, _, page := MustHTML(t, plan.Config{Models: []string{sonnet}}, seed())
	svg := firstSVG(t, page)
	var want []float64
	for _, o := range p.Options {
		if o.BreakEvenTicketsPerWeek > 0 && o.BreakEvenTicketsPerWeek <= 5*p.Workload.TicketsPerWeek {
			want = append(want, o.BreakEvenTicketsPerWeek)
		}
	}
	got := markerRE.FindAllStringSubmatch(svg, -1)
	if len(want) == 0 || len(got) != len(want) {
		t.Fatalf("%d break-even markers drawn, want %d (%v)", len(got), len(want), want)
	}
	for i, m := range got {
		if x := xValue(t, svg, atof(t, m[1])); x < want[i]*0.995 || x > want[i]*1.005 {
			t.Errorf("marker %d at %v tickets a week, want %v", i, x, want[i])
		}
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
	if strings.Contains(page, "<script") {
		t.Fatalf("model name not escaped:\n%s", page)
	}
	if n := strings.Count(page, "&lt;script&gt;"); n < 3 {
		t.Fatalf("escaped model name appears %d times, want it in the tables and the chart", n)
	}
}

// TestChartYAxis checks the cost axis covers the dearest point with
// little waste: its top is above the highest cost and under twice it.
func TestChartYAxis(t *testing.T) {
	t.Parallel()
	yTickRE := regexp.MustCompile(`<text class="y-tick"[^>]*>([0-9.]+)</text>`)
	for _, top := range []float64{0.4, 7, 99, 450, 527, 1191, 3444, 20000} {
		c := plan.Chart{Lines: []plan.Line{{Label: "l", Points: []plan.Point{{TicketsPerWeek: 0}, {TicketsPerWeek: 100, WeeklyCostUSD: top}}}}}
		ticks := yTickRE.FindAllStringSubmatch(string(c.SVG()), -1)
		if len(ticks) < 4 || len(ticks) > 5 {
			t.Errorf("cost %v: %d y ticks", top, len(ticks))
			continue
		}
		if axisTop := atof(t, ticks[len(ticks)-1][1]); axisTop < top || axisTop >= 2*top {
			t.Errorf("cost %v: axis top %v", top, axisTop)
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
		notWant string
	}{
		{"by model", nil, []string{"on-demand by model", `data-label="` + titan + `"`}, "config &lt;x&gt;"},
		{"given figure", []plan.Figure{fig}, []string{"measured &lt;b&gt;", "note &lt;i&gt;", `data-label="config &lt;x&gt;"`}, "on-demand by model"},
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
			if n := strings.Count(s, "<svg"); n != 2 {
				t.Errorf("section has %d charts, want 2", n)
			}
		})
	}
}
