package plan

import (
	ticketsum "github.com/ticketsum/ticketsum"
)

// Point is the weekly cost of a surface at one weekly volume.
type Point struct {
	TicketsPerWeek float64 `json:"tickets_per_week"`
	WeeklyCostUSD  float64 `json:"weekly_cost_usd"`
}

// Series is the weekly cost of one model on one surface against volume,
// for the chart in the HTML report.
type Series struct {
	Model   string  `json:"model"`
	Surface string  `json:"surface"`
	Points  []Point `json:"points"`
}

// CostCurve prices w at each weekly volume (the peak hour scaled in
// proportion) and returns one series per model and surface that has a
// price, in the order of Make's options. It returns what Make returns for
// a bad configuration, and EINVALID for a negative volume.
func CostCurve(cfg Config, w Workload, volumes []float64) ([]Series, error) {
	var out []Series
	index := map[[2]string]int{}
	for _, v := range volumes {
		if v < 0 {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "plan: volume %v is negative", v)
		}
		at := w
		at.TicketsPerWeek = v
		if w.PeakHourTickets > 0 && w.TicketsPerWeek > 0 {
			at.PeakHourTickets = w.PeakHourTickets * v / w.TicketsPerWeek
		} else {
			at.PeakHourTickets = 0
		}
		p, err := Make(cfg, at)
		if err != nil {
			return nil, err
		}
		for _, o := range p.Options {
			if !o.Available {
				continue
			}
			k := [2]string{o.Model, o.Surface}
			i, ok := index[k]
			if !ok {
				i = len(out)
				index[k] = i
				out = append(out, Series{Model: o.Model, Surface: o.Surface})
			}
			out[i].Points = append(out[i].Points, Point{TicketsPerWeek: v, WeeklyCostUSD: o.WeeklyCostUSD})
		}
	}
	return out, nil
}
