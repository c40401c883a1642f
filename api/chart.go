package api

import (
	"fmt"
	"math"
	"time"
)

// chart is a bar chart drawn as inline SVG: no script, no external asset.
type chart struct {
	Title  string
	Width  int
	Height int
	// Max is the label of the top of the scale.
	Max    string
	Bars   []bar
	Labels []axisLabel
	// Base is the y of the axis line, LabelY the baseline of the day
	// labels.
	Base, LabelY int
}

// bar is one bar; Tip is its tooltip text.
type bar struct {
	X, Y, W, H float64
	Tip        string
}

// axisLabel is a day label under the axis; Anchor is its SVG
// text-anchor, so that the first and last labels stay inside the chart.
type axisLabel struct {
	X      float64
	Text   string
	Anchor string
}

// Chart geometry, in SVG user units.
const (
	chartWidth  = 720
	chartHeight = 120
	chartTop    = 10
	chartBase   = 96
	chartLeft   = 4
)

// dayChart draws one value per day, with a label on the first, middle and
// last day.
func dayChart(title string, days []DaySpend, value func(DaySpend) float64, format func(float64) string) chart {
	c := chart{Title: title, Width: chartWidth, Height: chartHeight, Base: chartBase, LabelY: chartBase + 18}
	top := 0.0
	for _, d := range days {
		top = math.Max(top, value(d))
	}
	c.Max = format(top)
	if len(days) == 0 {
		return c
	}
	slot := float64(chartWidth-2*chartLeft) / float64(len(days))
	gap := math.Min(4, slot/5)
	for i, d := range days {
		v := value(d)
		h := 0.0
		if top > 0 {
			h = float64(chartBase-chartTop) * v / top
		}
		if v > 0 && h < 1 {
			h = 1 // a day with any activity stays visible
		}
		x := chartLeft + float64(i)*slot
		c.Bars = append(c.Bars, bar{X: round1(x + gap/2), Y: round1(chartBase - h), W: round1(slot - gap), H: round1(h),
			Tip: fmt.Sprintf("%s: %s", d.Day, format(v))})
	}
	idx := labelIndexes(len(days))
	for j, i := range idx {
		l := axisLabel{X: round1(chartLeft + (float64(i)+0.5)*slot), Text: shortDay(days[i].Day), Anchor: "middle"}
		switch {
		case len(idx) == 1:
		case j == 0:
			l.X, l.Anchor = chartLeft, "start"
		case j == len(idx)-1:
			l.X, l.Anchor = chartWidth-chartLeft, "end"
		}
		c.Labels = append(c.Labels, l)
	}
	return c
}

// labelIndexes returns the first, middle and last index of n, without
// repeats.
func labelIndexes(n int) []int {
	switch n {
	case 0:
		return nil
	case 1:
		return []int{0}
	case 2:
		return []int{0, 1}
	}
	return []int{0, (n - 1) / 2, n - 1}
}

// shortDay turns "2026-11-25" into "Nov 25".
func shortDay(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("Jan 2")
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
