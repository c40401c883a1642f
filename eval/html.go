package eval

import (
	"fmt"
	"html"
	"html/template"
	"io"
	"math"
	"strings"
)

// htmlPage is the self-contained report page: inline CSS and SVG, no
// external assets or scripts. It renders the report's View.
var htmlPage = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ticketsum evaluation: {{.R.Dataset.Name}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}.pass{color:#176a2c;font-weight:bold}.fail,.errors{color:#b3261e;font-weight:bold}
.best{background:#e8f5e9}figure{display:inline-block;margin:0 2em 2em 0;vertical-align:top}figcaption{font-weight:bold}
code{background:#f3f3f3;padding:1px 4px}
</style></head><body>
<h1>Evaluation of {{len .R.Configurations}} configurations</h1>
<p>{{.V.Dataset}}; started {{.R.StartedAt.Format "2006-01-02 15:04 UTC"}}, {{.R.DurationMS}} ms{{if .R.Judge}}; judge <code>{{.R.Judge}}</code>{{end}}.</p>
<p class="{{if .V.Recommended}}pass{{else}}fail{{end}}">{{.V.Verdict}}</p>
{{if .V.Bars}}<p>{{.V.BarsNote}}: <code>{{.V.Bars}}</code></p>{{end}}
<table><tr><th>configuration</th><th>model</th><th>prompt</th>{{range .V.Columns}}<th title="{{.Title}}">{{.Head}}</th>{{end}}<th>verdict</th></tr>
{{range .V.Rows}}<tr{{if .Recommended}} class="best"{{end}}><td>{{.Name}}</td><td>{{.Model}}</td><td>{{.PromptVersion}}</td>{{range .Cells}}<td>{{.}}</td>{{end}}<td class="{{.Verdict}}">{{.Verdict}}</td></tr>
{{end}}</table>
{{if .V.Notes}}<ul>{{range .V.Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .V.Problems}}<h2>Problems</h2><ul>{{range .V.Problems}}<li>{{.}}</li>{{end}}</ul>{{end}}
<figure><figcaption>Quality against cost per configuration</figcaption>{{.Scatter}}</figure>
{{range .Hists}}<figure><figcaption>ROUGE-L distribution: {{.Name}}</figcaption>{{.SVG}}</figure>{{end}}
</body></html>
`))

type histView struct {
	Name string
	SVG  template.HTML
}

// WriteHTML writes the report as one self-contained HTML page: its View as
// a table with the bars, notes, problems and recommendation, a
// quality-against-cost chart and a ROUGE-L distribution per configuration,
// as inline SVG.
func (rep *Report) WriteHTML(w io.Writer) error {
	data := struct {
		R       *Report
		V       *View
		Scatter template.HTML
		Hists   []histView
	}{R: rep, V: rep.View(), Scatter: scatterSVG(rep)}
	for _, m := range rep.Configurations {
		if len(m.RougeLDist) > 0 {
			data.Hists = append(data.Hists, histView{Name: m.Name, SVG: histogramSVG(m.RougeLDist)})
		}
	}
	if err := htmlPage.Execute(w, data); err != nil {
		return fmt.Errorf("write eval HTML report: %w", err)
	}
	return nil
}

// quality is the y value of the scatter chart: ROUGE-L when measured, else
// format compliance.
func quality(m CellMetrics) (float64, string) {
	if m.RougeL != nil {
		return *m.RougeL, "ROUGE-L"
	}
	return m.FormatCompliance, "format compliance %"
}

func scatterSVG(rep *Report) template.HTML {
	const W, H, L, B, T, R = 560.0, 360.0, 60.0, 40.0, 20.0, 160.0
	maxX, maxY, label := 0.0, 0.0, "ROUGE-L"
	for _, m := range rep.Configurations {
		y, l := quality(m)
		label = l
		maxX = math.Max(maxX, m.CostPerTicketUSD)
		maxY = math.Max(maxY, y)
	}
	maxX = niceCeil(maxX * 1.1)
	maxY = math.Min(100, niceCeil(maxY*1.15))
	if maxY == 0 {
		maxY = 100
	}
	px := func(x float64) float64 { return L + x/maxX*(W-L-R) }
	py := func(y float64) float64 { return H - B - y/maxY*(H-B-T) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" role="img" aria-label="quality against cost">`, W, H)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#333"/><line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#333"/>`,
		L, H-B, W-R, H-B, L, T, L, H-B)
	for i := 0; i <= 4; i++ {
		x, y := maxX*float64(i)/4, maxY*float64(i)/4
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="10" text-anchor="middle">%s</text>`, px(x), H-B+14, trimFloat(x))
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" font-size="10" text-anchor="end">%s</text>`, L-4, py(y)+3, trimFloat(y))
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#eee"/>`, L+1, py(y), W-R, py(y))
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="11" text-anchor="middle">cost per ticket (USD)</text>`, (L+W-R)/2, H-6)
	fmt.Fprintf(&b, `<text x="14" y="%.0f" font-size="11" text-anchor="middle" transform="rotate(-90 14 %.0f)">%s</text>`, (T+H-B)/2, (T+H-B)/2, html.EscapeString(label))
	for _, m := range rep.Configurations {
		y, _ := quality(m)
		color := "#1f5fbf"
		if len(rep.Bars) > 0 {
			color = "#b3261e"
			if m.PassesBars {
				color = "#176a2c"
			}
		}
		r := 5.0
		if m.Name == rep.Cheapest {
			r = 8
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.0f" fill="%s"><title>%s: %.1f at $%.5f</title></circle>`,
			px(m.CostPerTicketUSD), py(y), r, color, html.EscapeString(m.Name), y, m.CostPerTicketUSD)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11">%s</text>`, px(m.CostPerTicketUSD)+9, py(y)+4, html.EscapeString(m.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// histogramSVG draws ROUGE-L scores in ten bins of ten points.
func histogramSVG(xs []float64) template.HTML {
	const W, H, B, T = 260.0, 140.0, 20.0, 10.0
	var bins [10]int
	top := 1
	for _, x := range xs {
		i := min(max(int(x/10), 0), 9)
		bins[i]++
		top = max(top, bins[i])
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" role="img" aria-label="ROUGE-L distribution">`, W, H)
	bw := W / 10
	for i, n := range bins {
		h := float64(n) / float64(top) * (H - B - T)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#1f5fbf"><title>%d-%d: %d</title></rect>`,
			float64(i)*bw+1, H-B-h, bw-2, h, i*10, i*10+10, n)
		if i%2 == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="9">%d</text>`, float64(i)*bw+1, H-6, i*10)
		}
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="9" text-anchor="end">max %d</text></svg>`, W-2, T, top)
	return template.HTML(b.String())
}

func niceCeil(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

func trimFloat(f float64) string {
	s := fmt.Sprintf("%.6f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "" {
		return "0"
	}
	return s
}
