package chart

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"regexp"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Kind is how a series is drawn.
type Kind string

// Series kinds.
const (
	Line    Kind = "line"
	Scatter Kind = "scatter"
	Bar     Kind = "bar"
)

// AxisType is the scale of an axis.
type AxisType string

// Axis types.
const (
	Value    AxisType = "value"    // linear
	Log      AxisType = "log"      // logarithmic, for values spanning orders of magnitude
	Time     AxisType = "time"     // points' X is a time (Point.At)
	Category AxisType = "category" // Axis.Categories, points' X is the index
)

// Axis is one axis of a chart.
type Axis struct {
	// Name is shown along the axis ("Cost per week (USD)").
	Name string
	// Type is the scale. Default Value.
	Type AxisType
	// Categories name the ticks of a Category axis.
	Categories []string
	// Format formats tick labels, "{value}" standing for the value, such as
	// "${value}" or "{value}%". Default: the value.
	Format string
	// FromZero starts a Value axis at zero. Default false: the axis fits
	// the data.
	FromZero bool
}

// Point is one point of a series.
type Point struct {
	X, Y float64
	// At is the X of a point on a Time axis.
	At time.Time
	// Label is drawn next to the point (Scatter) and shown in its tooltip.
	// Default none.
	Label string
}

// Series is one named set of points.
type Series struct {
	Name   string
	Kind   Kind
	Points []Point
	// Color overrides the palette colour, as "#rrggbb". Default: the next
	// palette colour.
	Color string
	// Dashed draws a line series dashed.
	Dashed bool
}

// Threshold is a straight line across the chart at a value of one axis,
// such as a quality bar or the team's weekly volume.
type Threshold struct {
	// Axis is "x" or "y".
	Axis  string
	Value float64
	// Label names the line ("bar: ROUGE-L ≥ 25").
	Label string
}

// Chart is one chart.
type Chart struct {
	// ID is the element id, unique in the page: letters, digits, '-'
	// and '_'. Required.
	ID string
	// Title is the chart's accessible name and heading. Required.
	Title string
	// Summary says in words what the chart shows, as its caption (for
	// readers who cannot see it). Default none.
	Summary string
	X, Y    Axis
	Series  []Series
	// Thresholds are drawn as dashed lines with their labels.
	Thresholds []Threshold
	// Tall draws a taller chart, for many series.
	Tall bool
}

var idPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// validate returns EINVALID for a chart that cannot be drawn.
func (c Chart) validate() error {
	switch {
	case !idPattern.MatchString(c.ID):
		return ticketsum.Errorf(ticketsum.EINVALID, "chart: id %q must start with a letter and hold only letters, digits, '-' and '_'", c.ID)
	case c.Title == "":
		return ticketsum.Errorf(ticketsum.EINVALID, "chart %s: a title is required", c.ID)
	}
	for _, s := range c.Series {
		switch s.Kind {
		case Line, Scatter, Bar:
		default:
			return ticketsum.Errorf(ticketsum.EINVALID, "chart %s: series %q has kind %q (want line, scatter or bar)", c.ID, s.Name, s.Kind)
		}
		for _, p := range s.Points {
			if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
				return ticketsum.Errorf(ticketsum.EINVALID, "chart %s: series %q has a point that is not a finite number", c.ID, s.Name)
			}
			if c.Y.Type == Log && p.Y <= 0 || c.X.Type == Log && p.X <= 0 {
				return ticketsum.Errorf(ticketsum.EINVALID, "chart %s: series %q has a point at or below zero on a log axis", c.ID, s.Name)
			}
		}
	}
	for _, t := range c.Thresholds {
		if t.Axis != "x" && t.Axis != "y" {
			return ticketsum.Errorf(ticketsum.EINVALID, "chart %s: threshold %q is on axis %q (want x or y)", c.ID, t.Label, t.Axis)
		}
	}
	return nil
}

// HTML returns the chart as a figure: the element the script draws into,
// the option as a JSON data block, and the summary as caption. It returns
// EINVALID for a chart that cannot be drawn.
func (c Chart) HTML() (template.HTML, error) {
	if err := c.validate(); err != nil {
		return "", err
	}
	opt, err := json.Marshal(c.Option())
	if err != nil {
		return "", fmt.Errorf("chart %s: %w", c.ID, err)
	}
	var b bytes.Buffer
	if err := figure.Execute(&b, map[string]any{"Chart": c, "Option": template.JS(escapeJSON(opt))}); err != nil {
		return "", fmt.Errorf("chart %s: %w", c.ID, err)
	}
	return template.HTML(b.String()), nil
}

// escapeJSON makes JSON safe inside a script element: "<", ">" and "&"
// cannot close it or open a comment.
func escapeJSON(b []byte) string {
	var out bytes.Buffer
	json.HTMLEscape(&out, b)
	return out.String()
}

var figure = template.Must(template.New("figure").Parse(`<figure class="ts-chart-figure">
<div id="{{.Chart.ID}}" class="ts-chart{{if .Chart.Tall}} ts-chart-tall{{end}}" role="img" aria-label="{{.Chart.Title}}"></div>
<script type="application/json" id="{{.Chart.ID}}-option">{{.Option}}</script>
{{- with .Chart.Summary}}
<figcaption>{{.}}</figcaption>
{{- end}}
</figure>`))
