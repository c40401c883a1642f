package chart_test

import (
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/chart"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// evalChart is an evaluation's quality against cost, with two points at
// the same place (equal scores, equal cost) and a bar.
func evalChart() chart.Chart {
	return chart.Chart{
		ID: "quality-cost", Title: "Quality against weekly cost", Summary: "Nova Lite meets the bar at the lowest cost.",
		X: chart.Axis{Name: "Cost per week (USD)", Format: "${value}", FromZero: true},
		Y: chart.Axis{Name: "ROUGE-L", FromZero: true},
		Series: []chart.Series{
			{Name: "met every bar", Kind: chart.Scatter, Color: "#176a2c", Points: []chart.Point{
				{X: 0.7, Y: 31.2, Label: "nova-lite v2"}, {X: 0.7, Y: 31.2, Label: "nova-lite v3"}, {X: 10.4, Y: 33.0, Label: "haiku v2"}}},
			{Name: "missed a bar", Kind: chart.Scatter, Color: "#b3261e", Points: []chart.Point{
				{X: 0, Y: 24.1, Label: "builtin"}, {X: 0, Y: 24.3, Label: "builtin v2"}}},
		},
		Thresholds: []chart.Threshold{{Axis: "y", Value: 25, Label: "bar: ROUGE-L ≥ 25"}},
	}
}

func TestOptionGolden(t *testing.T) {
	t.Parallel()
	opt, err := json.MarshalIndent(evalChart().Option(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	const path = "testdata/quality-cost.golden.json"
	if *update {
		if err := os.WriteFile(path, append(opt, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(opt)+"\n" {
		t.Errorf("option differs from %s (run go test ./chart -update to accept):\n%s", path, opt)
	}
}

// TestHTMLEscapes: text from tickets and config (model names, labels) can
// never close the data block or inject markup.
func TestHTMLEscapes(t *testing.T) {
	t.Parallel()
	c := evalChart()
	c.Title = `Quality "x" <b>bold</b>`
	c.Series[0].Points[0].Label = `</script><script>alert(1)</script>`
	html, err := c.HTML()
	if err != nil {
		t.Fatal(err)
	}
	s := string(html)
	if strings.Count(s, "</script>") != 1 || strings.Contains(s, "<b>") || strings.Contains(s, "alert(1)</script>") {
		t.Fatalf("unsafe figure:\n%s", s)
	}
	// The data block still holds the label, escaped as JSON.
	start := strings.Index(s, `type="application/json" id="quality-cost-option">`)
	end := strings.Index(s, "</script>")
	var opt map[string]any
	if start < 0 || json.Unmarshal([]byte(s[start+len(`type="application/json" id="quality-cost-option">`):end]), &opt) != nil {
		t.Fatalf("the data block is not JSON:\n%s", s)
	}
	if !strings.Contains(s, `role="img" aria-label="Quality &#34;x&#34; &lt;b&gt;bold&lt;/b&gt;"`) || !strings.Contains(s, "<figcaption>Nova Lite") {
		t.Errorf("figure lacks its accessible name or caption:\n%s", s)
	}
}

func TestHTMLRejectsBadCharts(t *testing.T) {
	t.Parallel()
	bad := map[string]func(*chart.Chart){
		"id with a quote":  func(c *chart.Chart) { c.ID = `x" onload="y` },
		"no title":         func(c *chart.Chart) { c.Title = "" },
		"unknown kind":     func(c *chart.Chart) { c.Series[0].Kind = "pie" },
		"NaN":              func(c *chart.Chart) { c.Series[0].Points[0].Y = nan() },
		"zero on log axis": func(c *chart.Chart) { c.Y.Type = chart.Log; c.Series[1].Points[0].Y = 0 },
		"threshold on z":   func(c *chart.Chart) { c.Thresholds[0].Axis = "z" },
	}
	for name, mutate := range bad {
		c := evalChart()
		mutate(&c)
		if _, err := c.HTML(); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
}

func nan() float64 { z := 0.0; return z / z }

func TestTimeAxisPoints(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	c := chart.Chart{ID: "h", Title: "History", X: chart.Axis{Type: chart.Time},
		Series: []chart.Series{{Name: "nova", Kind: chart.Line, Points: []chart.Point{{At: at, Y: 30}}}}}
	b, _ := json.Marshal(c.Option())
	if !strings.Contains(string(b), `"value":["2026-11-30T08:00:00Z",30]`) {
		t.Errorf("time point not in UTC ISO form: %s", b)
	}
}

func TestAssets(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(chart.Assets())
	defer srv.Close()
	for path, wantType := range map[string]string{"echarts.min.js": "text/javascript", "chart.js": "text/javascript", "chart.css": "text/css"} {
		resp, err := http.Get(srv.URL + chart.Path + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), wantType) || len(body) == 0 {
			t.Errorf("%s: %d %q, %d bytes", path, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
	}
	if resp, _ := http.Get(srv.URL + chart.Path + "../go.mod"); resp.StatusCode == http.StatusOK {
		t.Error("the asset handler serves outside its directory")
	}
	inline := string(chart.InlineScripts())
	if !strings.Contains(inline, "Apache") || strings.Count(inline, "<script>") != 2 || strings.Count(inline, "</script>") != 2 {
		t.Errorf("inline scripts: %d opening, %d closing tags", strings.Count(inline, "<script>"), strings.Count(inline, "</script>"))
	}
}
