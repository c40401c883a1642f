package plan

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/ticketsum/ticketsum/chart"
)

// chartPoints is how many intervals ChartVolumes divides its range into.
const chartPoints = 40

// ChartVolumes returns the weekly volumes to pass to CostCurve for p's
// charts: from zero to a round figure above twice the current volume,
// stretched to show the break-even volumes up to five times the current
// one, with the current volume itself included.
func ChartVolumes(p *Plan) []float64 {
	cur := p.Workload.TicketsPerWeek
	top := 2 * cur
	ref := referenceModel(p)
	for _, o := range p.Options {
		be := o.BreakEvenTicketsPerWeek
		if o.Available && be > 0 && (o.Model == ref || isSageMaker(o)) && (cur == 0 || be <= 5*cur) {
			top = max(top, be*1.15)
		}
	}
	if top == 0 {
		top = 1000
	}
	top = niceCeil(top)
	out := make([]float64, 0, chartPoints+2)
	for i := 0; i <= chartPoints; i++ {
		out = append(out, top*float64(i)/chartPoints)
	}
	if i, found := slices.BinarySearch(out, cur); !found {
		out = slices.Insert(out, i, cur)
	}
	return out
}

// referenceModel is the model the recommendation is for: the first one
// priced; "" when only SageMaker is.
func referenceModel(p *Plan) string {
	if len(p.Options) == 0 || isSageMaker(p.Options[0]) {
		return ""
	}
	return p.Options[0].Model
}

func isSageMaker(o Option) bool { return strings.HasPrefix(o.Surface, SageMaker+"/") }

// Figure is a chart with its caption and the notes shown below it.
type Figure struct {
	Caption string
	Chart   Chart
	Notes   []string
}

// figure is a Figure drawn for the template.
type figure struct {
	Caption string
	Chart   template.HTML
	Notes   []string
}

// draw renders f's chart as element id.
func (f Figure) draw(id string) (figure, error) {
	h, err := f.Chart.Draw(id).HTML()
	if err != nil {
		return figure{}, err
	}
	return figure{Caption: f.Caption, Chart: h, Notes: f.Notes}, nil
}

// niceCeil rounds x up to 1, 2, 2.5, 5 or 10 times a power of ten: a round
// top for the chart's volumes.
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

// surfaceFigure charts the reference model on each surface, with the
// SageMaker endpoints, the current volume and the break-even points.
func surfaceFigure(p *Plan, curve []Series) Figure {
	ref := referenceModel(p)
	f := Figure{Caption: "Weekly cost against volume by surface: " + orSelfHosted(ref)}
	c := Chart{Title: "Weekly cost by surface", Current: p.Workload.TicketsPerWeek}
	for _, s := range curve {
		if s.Model == ref || strings.HasPrefix(s.Surface, SageMaker+"/") {
			c.Lines = append(c.Lines, Line{Label: s.Surface, Points: s.Points})
		}
	}
	top := 0.0
	for _, l := range c.Lines {
		for _, pt := range l.Points {
			top = max(top, pt.TicketsPerWeek)
		}
	}
	for _, o := range p.Options {
		if o.Model != ref && !isSageMaker(o) {
			continue
		}
		switch {
		case !o.Available:
			f.Notes = append(f.Notes, o.Surface+" not charted: "+strings.TrimPrefix(o.Note, "n/a: "))
		case o.BreakEvenTicketsPerWeek > 0:
			label := o.Surface + " breaks even with on-demand at " + fmt.Sprintf("%.0f", o.BreakEvenTicketsPerWeek) + " tickets a week ($" + ftoa(o.WeeklyCostUSD) + " a week)"
			c.Markers = append(c.Markers, Marker{Line: o.Surface, Label: label, TicketsPerWeek: o.BreakEvenTicketsPerWeek, WeeklyCostUSD: o.WeeklyCostUSD})
			if niceCeil(top) < o.BreakEvenTicketsPerWeek {
				f.Notes = append(f.Notes, label+", beyond the chart")
			}
		}
	}
	f.Chart = c
	return f
}

// modelFigure charts each model on-demand; nil with fewer than two models.
func modelFigure(p *Plan, curve []Series) *Figure {
	f := Figure{Caption: "Weekly cost against volume on-demand by model"}
	c := Chart{Title: "Weekly cost on-demand by model", Current: p.Workload.TicketsPerWeek}
	for _, s := range curve {
		if s.Surface == OnDemand {
			c.Lines = append(c.Lines, Line{Label: s.Model, Points: s.Points})
		}
	}
	if len(c.Lines) < 2 {
		return nil
	}
	f.Chart = c
	return &f
}

// htmlSection is the plan as an HTML section: styles scoped to the section
// so that it reads the same alone and inside the evaluation report.
var htmlSection = template.Must(template.New("plan").Funcs(template.FuncMap{
	"usd":    usd,
	"f":      ftoa,
	"tokens": tokens,
	"mul":    func(a, b float64) float64 { return a * b },
	"int":    func(f float64) string { return fmt.Sprintf("%.0f", f) },
}).Parse(`<section class="ticketsum-plan">
<style>
.ticketsum-plan{font:14px/1.4 system-ui,sans-serif;color:#222}
.ticketsum-plan table{border-collapse:collapse;margin:1em 0}
.ticketsum-plan th,.ticketsum-plan td{border:1px solid #ccc;padding:4px 8px;text-align:right;vertical-align:top}
.ticketsum-plan th:first-child,.ticketsum-plan td:first-child,.ticketsum-plan .text{text-align:left}
.ticketsum-plan tr.na td{color:#888}.ticketsum-plan tr.rec td{background:#e8f5e9}
.ticketsum-plan .yes{color:#176a2c;font-weight:bold}.ticketsum-plan .no{color:#666}
.ticketsum-plan .figure{margin:1em 0 2em;max-width:960px}
.ticketsum-plan .note{color:#555;font-size:13px}
.ticketsum-plan .scroll{overflow-x:auto;max-width:100%}
</style>
<h2>{{.Title}}</h2>
{{with .P.Workload}}<h3>Workload</h3>
<p>{{f .TicketsPerWeek}} tickets a week, {{f .PeakHourTickets}} in the peak hour, {{f .InputTokens}} input + {{f .OutputTokens}} output tokens a ticket{{if .StaticPromptTokens}} ({{f .StaticPromptTokens}} static){{end}}: {{tokens (mul .TicketsPerWeek .InputTokens)}} input and {{tokens (mul .TicketsPerWeek .OutputTokens)}} output tokens a week{{if .BackfillTickets}}; backfill of {{f .BackfillTickets}} tickets{{end}}.</p>
<p class="note">Source: {{.Source}}</p>{{end}}
{{range .Figures}}<div class="figure"><h3>{{.Caption}}</h3>
{{.Chart}}{{range .Notes}}
<div class="note">{{.}}</div>{{end}}</div>
{{end}}<h3>Cost by model and surface</h3>
<p class="note">USD; * marks prices not verified against the official price list.</p>
<div class="scroll"><table><tr><th>model</th><th class="text">surface</th><th>weekly</th><th>monthly</th><th>backfill</th><th>units</th><th>break-even tickets/week</th><th class="text">note</th></tr>
{{range .P.Options}}<tr{{if not .Available}} class="na"{{else if and (eq .Model $.P.Recommendation.Model) (eq .Surface $.P.Recommendation.Surface)}} class="rec"{{end}}><td>{{.Model}}</td><td class="text">{{.Surface}}</td><td>{{if .Available}}{{usd .WeeklyCostUSD .Verified}}{{else}}-{{end}}</td><td>{{if .Available}}{{usd .MonthlyCostUSD .Verified}}{{else}}-{{end}}</td><td>{{if .BackfillCostUSD}}{{usd .BackfillCostUSD .Verified}}{{end}}</td><td>{{if .Units}}{{.Units}}{{end}}</td><td>{{if .BreakEvenTicketsPerWeek}}{{int .BreakEvenTicketsPerWeek}}{{end}}</td><td class="text">{{.Note}}</td></tr>
{{end}}</table></div>
{{with .P.Warnings}}<h3>Warnings</h3>
<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>
{{end}}<h3>Quota at the peak hour</h3>
<div class="scroll"><table><tr><th>model</th><th>RPM needed</th><th>RPM quota</th><th>TPM needed</th><th>TPM quota</th><th class="text">status</th></tr>
{{range .P.Quotas}}<tr><td>{{.Model}}</td><td>{{f .PeakRequestsPerMinute}}</td><td>{{with .Configured}}{{.RequestsPerMinute}}{{else}}-{{end}}</td><td>{{f .PeakTokensPerMinute}}</td><td>{{with .Configured}}{{.TokensPerMinute}}{{else}}-{{end}}</td><td class="text">{{.Status}}{{with .Note}}: {{.}}{{end}}</td></tr>
{{end}}</table></div>
{{with .P.Recommendation}}<h3>Recommendation</h3>
{{if .Surface}}<p><strong>{{.Model}}</strong> on <strong>{{.Surface}}</strong>, ${{f .WeeklyCostUSD}} a week (${{f .MonthlyCostUSD}} a month)</p>{{else}}<p><strong>No option meets the constraints.</strong></p>{{end}}
<ul>{{range .Reasons}}<li>{{.}}</li>{{end}}{{range .Excluded}}<li>excluded: {{.}}</li>{{end}}</ul>{{end}}
{{with .P.Models}}<h3>Approved and evaluated models</h3>
<div class="scroll"><table><tr><th>model</th><th class="text">approved</th><th class="text">evaluated</th><th class="text">next</th></tr>
{{range .}}<tr{{if .Winner}} class="rec"{{end}}><td>{{.Model}}</td><td class="text">{{if .Approved}}<span class="yes">yes</span>{{else}}<span class="no">no</span>{{end}}</td><td class="text">{{if .Evaluated}}<span class="yes">yes</span>{{else}}<span class="no">no</span>{{end}}</td><td class="text">{{.Next}}</td></tr>
{{end}}</table></div>
{{end}}<h3>Stages</h3>
<div class="scroll"><table><tr><th>stage</th><th class="text">needed</th><th class="text">evidence</th></tr>
{{range .P.Stages}}<tr><td>{{.Name}}</td><td class="text">{{if .Needed}}<span class="yes">yes</span>{{else}}<span class="no">no</span>{{end}}</td><td class="text">{{.Evidence}}</td></tr>
{{end}}</table></div>
</section>`))

// Section returns the plan as an HTML section to embed in a page (the
// evaluation report embeds it): the workload, the charts of weekly cost
// against volume (by surface for the reference model, with the current
// volume and the break-even points; on-demand by model when several are
// priced), the cost, quota and stage tables and the recommendation. curve
// is CostCurve's output, normally at ChartVolumes(p). Figures, when given,
// are drawn instead of the chart by model (the evaluation report passes
// one with each configuration's measured cost a ticket). All text is
// escaped. The charts are drawn by the chart package's scripts, which the
// page must hold once (chart.InlineScripts, or chart.Scripts when served);
// their element ids start with "plan-".
func Section(title string, p *Plan, curve []Series, figures ...Figure) (template.HTML, error) {
	figs := []Figure{surfaceFigure(p, curve)}
	if len(figures) > 0 {
		figs = append(figs, figures...)
	} else if f := modelFigure(p, curve); f != nil {
		figs = append(figs, *f)
	}
	data := struct {
		Title   string
		P       *Plan
		Figures []figure
	}{Title: title, P: p}
	for i, f := range figs {
		d, err := f.draw(fmt.Sprintf("plan-chart-%d", i+1))
		if err != nil {
			return "", fmt.Errorf("write plan HTML: %w", err)
		}
		data.Figures = append(data.Figures, d)
	}
	var b bytes.Buffer
	if err := htmlSection.Execute(&b, data); err != nil {
		return "", fmt.Errorf("write plan HTML: %w", err)
	}
	return template.HTML(b.String()), nil
}

var htmlPage = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ticketsum plan: {{.Title}}</title>
<style>body{margin:1em 2em}@media (max-width:480px){body{margin:1em}}</style></head><body>
{{.Section}}
{{.Scripts}}
</body></html>
`))

// WriteHTML writes the plan as one self-contained HTML page that opens
// offline: inline CSS, and the chart package's scripts inline; see
// Section.
func WriteHTML(w io.Writer, p *Plan, curve []Series) error {
	title := fmt.Sprintf("%s tickets a week", ftoa(p.Workload.TicketsPerWeek))
	sec, err := Section("Deployment plan for "+title, p, curve)
	if err != nil {
		return err
	}
	if err := htmlPage.Execute(w, struct {
		Title            string
		Section, Scripts template.HTML
	}{title, sec, chart.InlineScripts()}); err != nil {
		return fmt.Errorf("write plan HTML: %w", err)
	}
	return nil
}
