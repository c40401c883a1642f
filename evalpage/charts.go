package evalpage

import (
	"fmt"
	"html/template"
	"slices"
	"strings"

	"github.com/ticketsum/ticketsum/chart"
	"github.com/ticketsum/ticketsum/eval"
)

// chartView is a drawn chart or why there is none.
type chartView struct {
	HTML template.HTML
	Note string
}

// qualityFigure is the quality figure a run is charted by: ROUGE-L when
// any configuration was scored against references, else the judge's
// faithfulness, else format compliance.
type qualityFigure struct {
	Key, Name string
	Value     func(m *eval.CellMetrics) (float64, bool)
}

var qualityFigures = []qualityFigure{
	{"rougeL", "ROUGE-L", func(m *eval.CellMetrics) (float64, bool) { return deref(m.RougeL) }},
	{"judge_faithfulness", "judge faithfulness (1-5)", func(m *eval.CellMetrics) (float64, bool) { return deref(m.JudgeFaithfulness) }},
	{"format_compliance", "format compliance %", func(m *eval.CellMetrics) (float64, bool) { return m.FormatCompliance, m.Errors < m.Tickets }},
}

func deref(f *float64) (float64, bool) {
	if f == nil {
		return 0, false
	}
	return *f, true
}

// figureOf chooses the quality figure of a set of configurations.
func figureOf(configs []eval.CellMetrics) qualityFigure {
	for _, f := range qualityFigures[:2] {
		for i := range configs {
			if _, ok := f.Value(&configs[i]); ok {
				return f
			}
		}
	}
	return qualityFigures[2]
}

// qualityChart draws quality against weekly cost, one point per
// configuration coloured by verdict, labelled with its name, with the
// bar on the quality figure as a line.
func qualityChart(rep *eval.Report) chartView {
	if imported(rep) {
		return chartView{Note: "An imported Amazon Bedrock job has no cost figures, so there is no quality-against-cost chart; its scores are on the cards."}
	}
	fig := figureOf(rep.Configurations)
	c := chart.Chart{ID: "quality-cost", Title: "Quality against weekly cost",
		X: chart.Axis{Name: fmt.Sprintf("Cost per week at %s tickets (USD)", thousands(rep.TicketsPerWeek)), Format: "${value}", FromZero: true},
		Y: chart.Axis{Name: fig.Name, FromZero: true}}
	// The recommended point is drawn last, on top of any equal one.
	groups := []struct {
		name, color string
		in          func(m *eval.CellMetrics) bool
	}{
		{"some tickets failed", "#8a5a00", func(m *eval.CellMetrics) bool { return m.Errors > 0 }},
		{"missed a bar", "#b3261e", func(m *eval.CellMetrics) bool { return !m.PassesBars }},
		{"met every bar", "#1f5fbf", func(m *eval.CellMetrics) bool { return m.Name != rep.Cheapest }},
		{"recommended", "#176a2c", func(m *eval.CellMetrics) bool { return true }},
	}
	var left []string
	done := map[string]bool{}
	for _, g := range groups {
		s := chart.Series{Name: g.name, Kind: chart.Scatter, Color: g.color}
		for i := range rep.Configurations {
			m := &rep.Configurations[i]
			if done[m.Name] || !g.in(m) {
				continue
			}
			done[m.Name] = true
			y, ok := fig.Value(m)
			if !ok {
				left = append(left, m.Name)
				continue
			}
			s.Points = append(s.Points, chart.Point{X: m.CostPerWeekUSD, Y: y, Label: m.Name})
		}
		if len(s.Points) > 0 {
			c.Series = append(c.Series, s)
		}
	}
	for _, b := range rep.Bars {
		if b.Metric == fig.Key {
			c.Thresholds = append(c.Thresholds, chart.Threshold{Axis: "y", Value: b.Value, Label: "bar: " + fig.Name + " " + b.Op + " " + num(b.Value)})
		}
	}
	if len(c.Series) == 0 {
		return chartView{Note: "No configuration made a summary, so there is nothing to chart."}
	}
	c.Summary = qualitySummary(rep, fig, left)
	h, err := c.HTML()
	if err != nil {
		return chartView{Note: "The chart could not be drawn: " + err.Error()}
	}
	return chartView{HTML: h}
}

// qualitySummary says in words what the quality chart shows.
func qualitySummary(rep *eval.Report, fig qualityFigure, left []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Each point is a configuration: %s against its cost per week.", fig.Name)
	if m := byName(rep, rep.Cheapest); m != nil {
		if y, ok := fig.Value(m); ok {
			fmt.Fprintf(&b, " The recommended %s scores %s at %s a week.", m.Name, num(y), usd(m.CostPerWeekUSD))
		}
	}
	if len(left) > 0 {
		fmt.Fprintf(&b, " Not drawn (no %s): %s.", fig.Name, strings.Join(left, ", "))
	}
	return b.String()
}

// historyFigure is a figure /evals charts over time.
type historyFigure struct {
	Key, Name, Axis, Format string
	Value                   func(rs []*eval.Run, m *eval.CellMetrics) (float64, bool)
}

// historyFigures are the figures /evals charts over time; errors are
// apart from quality, so that an outage never looks like a quality drop.
var historyFigures = []historyFigure{
	{"quality", "Quality", "", "", nil}, // the quality figure of the runs, chosen by figureOf
	{"cost", "Cost per week", "USD a week", "${value}", func(_ []*eval.Run, m *eval.CellMetrics) (float64, bool) {
		return m.CostPerWeekUSD, m.Errors < m.Tickets
	}},
	{"errors", "Tickets that failed", "% of tickets that could not be evaluated", "{value}%", func(_ []*eval.Run, m *eval.CellMetrics) (float64, bool) {
		if m.Tickets == 0 {
			return 0, false
		}
		return 100 * float64(m.Errors) / float64(m.Tickets), true
	}},
}

// maxHistorySeries caps the configurations drawn over time: the most
// recently evaluated ones.
const maxHistorySeries = 12

// historyChart draws one figure of every configuration over the runs
// (oldest first), a line per configuration name.
func historyChart(runs []*eval.Run, key string) (chartView, string) {
	f := historyFigures[0]
	for _, h := range historyFigures {
		if h.Key == key {
			f = h
		}
	}
	value := f.Value
	if f.Key == "quality" {
		var all []eval.CellMetrics
		for _, r := range runs {
			all = append(all, r.Configurations...)
		}
		q := figureOf(all)
		f.Name, f.Axis = "Quality: "+q.Name, q.Name
		value = func(_ []*eval.Run, m *eval.CellMetrics) (float64, bool) { return q.Value(m) }
	}
	var names []string // most recent first
	for i := len(runs) - 1; i >= 0; i-- {
		for _, m := range runs[i].Configurations {
			if m.Verdict != "imported" && !slices.Contains(names, m.Name) {
				names = append(names, m.Name)
			}
		}
	}
	dropped := max(0, len(names)-maxHistorySeries)
	names = names[:min(len(names), maxHistorySeries)]
	slices.Sort(names)
	c := chart.Chart{ID: "history", Title: f.Name + " over time", Tall: len(names) > 6,
		X: chart.Axis{Name: "Run started (UTC)", Type: chart.Time},
		Y: chart.Axis{Name: f.Axis, Format: f.Format, FromZero: true}}
	points := 0
	for _, name := range names {
		s := chart.Series{Name: name, Kind: chart.Line}
		for _, r := range runs {
			for i := range r.Configurations {
				m := &r.Configurations[i]
				if m.Name != name || m.Verdict == "imported" {
					continue // imported jobs have their own metrics only
				}
				if y, ok := value(runs, m); ok {
					s.Points = append(s.Points, chart.Point{At: r.StartedAt, Y: y})
				}
			}
		}
		if len(s.Points) > 0 {
			points += len(s.Points)
			c.Series = append(c.Series, s)
		}
	}
	if points == 0 {
		return chartView{Note: "No run has this figure yet."}, f.Name
	}
	c.Summary = fmt.Sprintf("%s of %d %s over %d %s, a line per configuration.", f.Name, len(c.Series),
		plural(len(c.Series), "configuration", "configurations"), len(runs), plural(len(runs), "run", "runs"))
	if dropped > 0 {
		c.Summary += fmt.Sprintf(" %d configurations evaluated longer ago are left out.", dropped)
	}
	h, err := c.HTML()
	if err != nil {
		return chartView{Note: "The chart could not be drawn: " + err.Error()}, f.Name
	}
	return chartView{HTML: h}, f.Name
}
