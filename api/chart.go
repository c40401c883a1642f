package api

import (
	"fmt"
	"html/template"
	"math"
	"time"

	"github.com/ticketsum/ticketsum/chart"
)

// dayChart draws one value per day as a bar chart (the chart package's),
// with element id id, summarised in words under it.
func dayChart(id, title string, days []DaySpend, value func(DaySpend) float64, format func(float64) string, axisFormat string) (template.HTML, error) {
	c := chart.Chart{ID: id, Title: title,
		X: chart.Axis{Name: "Day (UTC)", Type: chart.Category},
		Y: chart.Axis{Format: axisFormat, FromZero: true}}
	s := chart.Series{Name: title, Kind: chart.Bar}
	top, total, at := 0.0, 0.0, ""
	for i, d := range days {
		v := value(d)
		c.X.Categories = append(c.X.Categories, shortDay(d.Day))
		s.Points = append(s.Points, chart.Point{X: float64(i), Y: v})
		total += v
		if v > top {
			top, at = v, shortDay(d.Day)
		}
	}
	c.Series = []chart.Series{s}
	c.Summary = fmt.Sprintf("%s over %d days: %s in all", title, len(days), format(total))
	if at != "" {
		c.Summary += fmt.Sprintf(", the most (%s) on %s", format(top), at)
	}
	c.Summary += "."
	return c.HTML()
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
