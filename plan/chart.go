package plan

import (
	"fmt"
	"math"
	"strings"

	"github.com/ticketsum/ticketsum/chart"
)

// Line is one line of a Chart: a label and its points, in increasing
// volume.
type Line struct {
	Label  string
	Points []Point
}

// Marker is a labelled point on a Chart, such as a break-even volume.
type Marker struct {
	// Line is the label of the line the marker belongs to.
	Line string
	// Label says what the marker is, in its tooltip and the chart's
	// summary.
	Label          string
	TicketsPerWeek float64
	WeeklyCostUSD  float64
}

// Chart describes a line chart of weekly cost in USD against tickets a
// week, drawn by the chart package (Draw).
type Chart struct {
	// Title is the chart's accessible name.
	Title string
	Lines []Line
	// Current is the team's weekly volume, marked with a dashed vertical
	// line; 0 draws no marker.
	Current float64
	// Markers beyond the volumes of the lines are not drawn; list them in
	// the text around the chart.
	Markers []Marker
}

// logSpan is the ratio between the dearest and the cheapest line (by their
// highest cost) from which the cost axis is logarithmic: on a linear axis
// the cheap lines would lie flat on it, under a SageMaker endpoint's.
const logSpan = 20

// tallFrom is the number of lines from which the chart is drawn taller, so
// that its legend leaves room for the plot.
const tallFrom = 8

// LogScale reports whether the chart's cost axis is logarithmic: when its
// lines' highest costs span more than a factor of logSpan.
func (c Chart) LogScale() bool {
	lo, hi := math.Inf(1), 0.0
	for _, l := range c.Lines {
		top := 0.0
		for _, p := range l.Points {
			top = math.Max(top, p.WeeklyCostUSD)
		}
		if top > 0 {
			lo, hi = math.Min(lo, top), math.Max(hi, top)
		}
	}
	return hi > 0 && hi/lo > logSpan
}

// Draw returns the chart for the page, with element id id: a line per
// Line, in distinct colours; the current volume as a dashed line; the
// markers within the lines' volumes as labelled points; a logarithmic cost
// axis when the lines span orders of magnitude (LogScale), which leaves out
// the points at no cost.
func (c Chart) Draw(id string) chart.Chart {
	logY := c.LogScale()
	out := chart.Chart{ID: id, Title: c.Title, Tall: len(c.Lines) >= tallFrom,
		X: chart.Axis{Name: "Tickets a week", FromZero: true},
		Y: chart.Axis{Name: "Weekly cost (USD)", Format: "${value}", FromZero: true}}
	if logY {
		out.Y.Type = chart.Log
		out.Summary = "The cost axis is logarithmic: the lines span orders of magnitude."
	}
	maxX := c.Current
	for _, l := range c.Lines {
		s := chart.Series{Name: l.Label, Kind: chart.Line}
		for _, p := range l.Points {
			maxX = math.Max(maxX, p.TicketsPerWeek)
			if logY && p.WeeklyCostUSD <= 0 {
				continue
			}
			s.Points = append(s.Points, chart.Point{X: p.TicketsPerWeek, Y: p.WeeklyCostUSD})
		}
		out.Series = append(out.Series, s)
	}
	if c.Current > 0 {
		out.Thresholds = append(out.Thresholds, chart.Threshold{Axis: "x", Value: c.Current,
			Label: fmt.Sprintf("now: %.0f a week", math.Round(c.Current))})
	}
	marks := chart.Series{Name: "break-even with on-demand", Kind: chart.Scatter, Color: "#202124"}
	var said []string
	for _, m := range c.Markers {
		if m.TicketsPerWeek > maxX || logY && m.WeeklyCostUSD <= 0 {
			continue
		}
		marks.Points = append(marks.Points, chart.Point{X: m.TicketsPerWeek, Y: m.WeeklyCostUSD,
			Label: fmt.Sprintf("%s: %.0f", m.Line, m.TicketsPerWeek)})
		said = append(said, m.Label)
	}
	if len(said) > 0 {
		out.Summary = strings.TrimSpace(out.Summary + " " + strings.Join(said, "; ") + ".")
	}
	if len(marks.Points) > 0 {
		out.Series = append(out.Series, marks)
	}
	return out
}
