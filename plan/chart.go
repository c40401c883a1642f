package plan

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"

	"github.com/ticketsum/ticketsum/eval"
)

// Line is one line of a Chart: a label and its points, in increasing
// volume.
type Line struct {
	Label  string
	Points []Point
}

// Marker is a labelled point on a Chart, such as a break-even volume.
type Marker struct {
	// Line is the label of the line the marker belongs to (its colour).
	Line           string
	Label          string
	TicketsPerWeek float64
	WeeklyCostUSD  float64
}

// Chart is a line chart of weekly cost in USD against tickets a week,
// drawn as inline SVG with the axis rules of the evaluation report.
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

// palette colours the lines in order; it repeats after its end.
var palette = [...]string{"#1f5fbf", "#176a2c", "#b3261e", "#8a4baf", "#c77700", "#00838f", "#5d4037", "#d81b60", "#607d8b"}

// Chart geometry: plot size and margins, and the height of a legend row.
const (
	chartW, chartH                   = 720.0, 340.0
	chartL, chartB, chartT, chartR   = 70.0, 44.0, 24.0, 20.0
	legendRow                        = 18.0
	chartTicks                       = 4
	markerRadius, currentLabelOffset = 5.0, 4.0
)

// bounds returns the largest volume on the chart and the largest cost with
// a margin above it.
func (c Chart) bounds() (maxX, maxY float64) {
	for _, l := range c.Lines {
		for _, p := range l.Points {
			maxX = math.Max(maxX, p.TicketsPerWeek)
			maxY = math.Max(maxY, p.WeeklyCostUSD)
		}
	}
	maxX = math.Max(maxX, c.Current)
	for _, m := range c.Markers {
		if m.TicketsPerWeek <= maxX {
			maxY = math.Max(maxY, m.WeeklyCostUSD)
		}
	}
	return maxX, maxY * 1.05
}

// axis returns the top of an axis showing v and its number of ticks: the
// evaluation report's round top with four ticks, or a lower top on a round
// step when that wastes less of the chart (600 with three steps of 200
// rather than 1,000 for 527).
func axis(v float64) (top float64, ticks int) {
	top = eval.NiceCeil(v)
	if v <= 0 {
		return top, chartTicks
	}
	step := eval.NiceCeil(v / chartTicks)
	if alt := step * math.Ceil(v/step); alt < top {
		return alt, int(math.Round(alt / step))
	}
	return top, chartTicks
}

// SVG draws the chart: axes with three to five ticks, one polyline per line
// (class "series", data-label its label), the current volume (class
// "current") and the markers (class "break-even"), with the legend below.
func (c Chart) SVG() template.HTML {
	bx, by := c.bounds()
	maxX, nx := axis(bx)
	maxY, ny := axis(by)
	px := func(x float64) float64 { return chartL + x/maxX*(chartW-chartL-chartR) }
	py := func(y float64) float64 { return chartH - chartB - y/maxY*(chartH-chartB-chartT) }
	colour := map[string]string{}
	for i, l := range c.Lines {
		if _, ok := colour[l.Label]; !ok {
			colour[l.Label] = palette[i%len(palette)]
		}
	}
	height := chartH + legendRow*float64(len(c.Lines)) + 6
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" role="img" aria-label="%s" data-max-x="%s" data-max-y="%s">`,
		chartW, height, html.EscapeString(c.Title), eval.TrimFloat(maxX), eval.TrimFloat(maxY))
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#333"/><line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#333"/>`,
		chartL, chartH-chartB, chartW-chartR, chartH-chartB, chartL, chartT, chartL, chartH-chartB)
	for i := 0; i <= nx; i++ {
		x := maxX * float64(i) / float64(nx)
		fmt.Fprintf(&b, `<text class="x-tick" x="%.1f" y="%.0f" font-size="10" text-anchor="middle">%s</text>`, px(x), chartH-chartB+14, eval.TrimFloat(x))
	}
	for i := 0; i <= ny; i++ {
		y := maxY * float64(i) / float64(ny)
		fmt.Fprintf(&b, `<text class="y-tick" x="%.0f" y="%.1f" font-size="10" text-anchor="end">%s</text>`, chartL-4, py(y)+3, eval.TrimFloat(y))
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#eee"/>`, chartL+1, py(y), chartW-chartR, py(y))
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="11" text-anchor="middle">tickets a week</text>`, (chartL+chartW-chartR)/2, chartH-chartB+32)
	fmt.Fprintf(&b, `<text x="14" y="%.0f" font-size="11" text-anchor="middle" transform="rotate(-90 14 %.0f)">weekly cost (USD)</text>`, (chartT+chartH-chartB)/2, (chartT+chartH-chartB)/2)
	for _, l := range c.Lines {
		pts := make([]string, 0, len(l.Points))
		for _, p := range l.Points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(p.TicketsPerWeek), py(p.WeeklyCostUSD)))
		}
		fmt.Fprintf(&b, `<polyline class="series" data-label="%s" points="%s" fill="none" stroke="%s" stroke-width="2"><title>%s</title></polyline>`,
			html.EscapeString(l.Label), strings.Join(pts, " "), colour[l.Label], html.EscapeString(l.Label))
	}
	if c.Current > 0 {
		x := px(c.Current)
		fmt.Fprintf(&b, `<line class="current" data-tickets-per-week="%s" x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#444" stroke-dasharray="5 4"/>`,
			eval.TrimFloat(c.Current), x, chartT, x, chartH-chartB)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="11">now: %s a week</text>`, x+currentLabelOffset, chartT+10, eval.TrimFloat(math.Round(c.Current)))
	}
	for i, m := range c.Markers {
		if m.TicketsPerWeek > maxX {
			continue
		}
		x, y := px(m.TicketsPerWeek), py(m.WeeklyCostUSD)
		col := colour[m.Line]
		if col == "" {
			col = "#333"
		}
		dy := -9.0
		if i%2 == 1 {
			dy = 16
		}
		fmt.Fprintf(&b, `<circle class="break-even" cx="%.1f" cy="%.1f" r="%.0f" fill="#fff" stroke="%s" stroke-width="2"><title>%s</title></circle>`,
			x, y, markerRadius, col, html.EscapeString(m.Label))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle" fill="%s">%s</text>`, x, y+dy, col, eval.TrimFloat(math.Round(m.TicketsPerWeek)))
	}
	for i, l := range c.Lines {
		y := chartH + legendRow*float64(i) + 4
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="%s" stroke-width="3"/><text x="%.0f" y="%.0f" font-size="11">%s</text>`,
			chartL, y, chartL+24, y, colour[l.Label], chartL+30, y+4, html.EscapeString(l.Label))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
