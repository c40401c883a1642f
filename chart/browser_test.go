package chart_test

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ticketsum/ticketsum/chart"
	"github.com/ticketsum/ticketsum/internal/browsertest"
)

// planChart is the plan's weekly cost against volume: 23 lines spanning
// three orders of magnitude, on a log axis.
func planChart() chart.Chart {
	c := chart.Chart{ID: "plan-cost", Title: "Weekly cost against tickets a week", Tall: true,
		X: chart.Axis{Name: "Tickets a week", FromZero: true}, Y: chart.Axis{Name: "USD a week", Type: chart.Log, Format: "${value}"},
		Thresholds: []chart.Threshold{{Axis: "x", Value: 8000, Label: "your volume"}}}
	for i := range 23 {
		s := chart.Series{Name: fmt.Sprintf("model-%02d on demand", i), Kind: chart.Line}
		for v := 1000.0; v <= 20000; v += 1000 {
			s.Points = append(s.Points, chart.Point{X: v, Y: v * 0.0005 * float64(i+1) * float64(i+1)})
		}
		c.Series = append(c.Series, s)
	}
	return c
}

// strictCSP is the policy of the product's pages with the charts'
// allowance: no inline script or style anywhere.
const strictCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'"

func chartPage(tb testing.TB) *httptest.Server {
	tb.Helper()
	var figs []template.HTML
	for _, c := range []chart.Chart{evalChart(), planChart()} {
		h, err := c.HTML()
		if err != nil {
			tb.Fatal(err)
		}
		figs = append(figs, h)
	}
	page := template.Must(template.New("p").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>charts</title>{{.Head}}</head>
<body><main>{{range .Figs}}{{.}}{{end}}</main>{{.Scripts}}</body></html>`))
	mux := http.NewServeMux()
	mux.Handle("GET "+chart.Path, chart.Assets())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", strictCSP)
		page.Execute(w, map[string]any{"Head": chart.Head(), "Figs": figs, "Scripts": chart.Scripts()})
	})
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

// TestChartsInBrowser draws the charts in headless Chromium under the
// pages' strict policy, at desktop and phone widths: both are drawn, the
// page never overflows sideways, every label of the evaluation chart is
// shown and no two overlap (the two equal points included), and the plan
// chart's many lines get distinct colours.
func TestChartsInBrowser(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	browser := browsertest.MustBrowser(t, ctx)
	srv := chartPage(t)
	labels := []string{"nova-lite v2", "nova-lite v3", "haiku v2", "builtin", "builtin v2"}
	for _, vp := range browsertest.Viewports {
		t.Run(vp.Name, func(t *testing.T) {
			tab, closeTab := chromedp.NewContext(browser)
			defer closeTab()
			err := chromedp.Do(tab, vp.Emulate(), chromedp.Navigate(srv.URL+"/"),
				chromedp.WaitVisible(chromedp.CSS(`#plan-cost[data-drawn] svg`)), chromedp.WaitVisible(chromedp.CSS(`#quality-cost[data-drawn] svg`)))
			if err != nil {
				t.Fatalf("charts not drawn: %v", err)
			}
			w, err := browsertest.PageWidths(tab)
			if err != nil || w.Document > w.Window {
				t.Errorf("page is %d px wide in a %d px window (%v)", w.Document, w.Window, err)
			}
			browsertest.CheckLabelsApart(t, tab, "#quality-cost svg text", labels)
			// A window resized (or a screenshot taken) lays the chart out
			// again: the labels stay apart.
			if err := chromedp.Do(tab, chromedp.EmulateViewport(vp.Width-37, vp.Height)); err != nil {
				t.Fatal(err)
			}
			// Lay out now, twice (each pass starts from the last one's
			// offsets), rather than when the resize event arrives.
			if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelectorAll(".ts-chart").forEach(e => {
				const c = echarts.getInstanceByDom(e); c.resize({width: e.clientWidth - 1}); c.resize(); }); true`)); err != nil {
				t.Fatal(err)
			}
			browsertest.CheckLabelsApart(t, tab, "#quality-cost svg text", labels)
			if err := chromedp.Do(tab, vp.Emulate()); err != nil {
				t.Fatal(err)
			}
			colours, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`Array.from(new Set(Array.from(
				document.querySelectorAll("#plan-cost svg path[fill='none']")).map(p => p.getAttribute("stroke")).filter(s => s && s !== "none")))`))
			if err != nil {
				t.Fatal(err)
			}
			if len(colours) < 23 {
				t.Errorf("the plan chart's 23 lines use %d distinct stroke colours: %v", len(colours), colours)
			}
			browsertest.Screenshot(t, tab, "charts-"+vp.Name+".png")
		})
	}
}
