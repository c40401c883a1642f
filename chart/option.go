package chart

// palette has 24 colours that stay apart from each other (and from the
// background) so that even the plan's two dozen lines can be matched to
// the legend; symbols vary too, for readers who do not tell colours apart.
var palette = []string{
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
	"#bcbd22", "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173", "#3182bd", "#e6550d",
	"#31a354", "#756bb1", "#636363", "#843c39", "#cedb9c", "#9c9ede", "#fdae6b", "#de9ed6",
}

var symbols = []string{"circle", "rect", "triangle", "diamond", "roundRect", "pin"}

// Option returns the ECharts option of the chart.
func (c Chart) Option() map[string]any {
	// The legend sits below the plot, where it cannot cover an axis name,
	// and lists the series only (not the thresholds' carrier).
	names := make([]string, len(c.Series))
	series := make([]any, 0, len(c.Series)+1)
	for i, s := range c.Series {
		names[i] = s.Name
		series = append(series, c.series(i, s))
	}
	legend := map[string]any{"type": "scroll", "bottom": 0, "left": "center", "data": names}
	if len(c.Thresholds) > 0 {
		series = append(series, c.thresholds())
	}
	return map[string]any{
		"aria":      map[string]any{"enabled": true},
		"animation": false,
		"color":     palette,
		"title":     map[string]any{"text": c.Title, "left": "center", "textStyle": map[string]any{"fontSize": 14}},
		"legend":    legend,
		"tooltip":   map[string]any{"trigger": "item", "confine": true},
		"grid":      map[string]any{"left": 16, "right": 32, "top": 48, "bottom": 64, "containLabel": true},
		"xAxis":     axis(c.X, "middle"),
		"yAxis":     axis(c.Y, "end"),
		"series":    series,
	}
}

func axis(a Axis, nameLocation string) map[string]any {
	t := a.Type
	if t == "" {
		t = Value
	}
	m := map[string]any{"type": string(t), "name": a.Name, "nameLocation": nameLocation, "nameGap": 28}
	if nameLocation == "end" {
		m["nameGap"] = 12
	}
	if t == Category {
		m["data"] = a.Categories
	}
	if t == Value {
		m["scale"] = !a.FromZero
	}
	if a.Format != "" {
		m["axisLabel"] = map[string]any{"formatter": a.Format, "hideOverlap": true}
	} else {
		m["axisLabel"] = map[string]any{"hideOverlap": true}
	}
	return m
}

// series returns the ECharts series of the i-th series.
func (c Chart) series(i int, s Series) map[string]any {
	data := make([]any, len(s.Points))
	for j, p := range s.Points {
		var x any = p.X
		if c.X.Type == Time {
			x = p.At.UTC().Format("2006-01-02T15:04:05Z")
		}
		d := map[string]any{"value": []any{x, p.Y}}
		if p.Label != "" {
			d["name"] = p.Label
		}
		data[j] = d
	}
	m := map[string]any{"name": s.Name, "type": string(s.Kind), "data": data,
		"symbol": symbols[i%len(symbols)], "emphasis": map[string]any{"focus": "series"}}
	if s.Color != "" {
		m["itemStyle"] = map[string]any{"color": s.Color}
		m["lineStyle"] = map[string]any{"color": s.Color}
	}
	switch s.Kind {
	case Scatter:
		m["symbolSize"] = 12
		// Every point keeps its label; assets/chart.js replaces "apart"
		// with a layout that moves a label that would overlap another
		// (of any series) up or down, nearest first.
		m["label"] = map[string]any{"show": true, "position": "right", "formatter": "{b}"}
		m["labelLayout"] = "apart"
		m["labelLine"] = map[string]any{"show": true}
	case Line:
		m["showSymbol"] = len(s.Points) <= 40
		if s.Dashed {
			ls, _ := m["lineStyle"].(map[string]any)
			if ls == nil {
				ls = map[string]any{}
			}
			ls["type"] = "dashed"
			m["lineStyle"] = ls
		}
	}
	return m
}

// thresholds returns an invisible series carrying the thresholds as mark
// lines, so that they show in no legend but draw across the grid.
func (c Chart) thresholds() map[string]any {
	lines := make([]any, 0, len(c.Thresholds))
	for _, t := range c.Thresholds {
		lines = append(lines, map[string]any{
			t.Axis + "Axis": t.Value, "name": t.Label,
			"label": map[string]any{"formatter": "{b}", "position": "insideEndTop"},
		})
	}
	return map[string]any{
		"name": "thresholds", "type": "line", "data": []any{}, "silent": true,
		"markLine": map[string]any{"symbol": "none", "data": lines,
			"lineStyle": map[string]any{"type": "dashed", "color": "#44474e"}},
	}
}
