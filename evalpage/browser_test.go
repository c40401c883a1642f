package evalpage_test

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ticketsum/ticketsum/evalpage"
	"github.com/ticketsum/ticketsum/internal/browsertest"
)

// chartState is what a page's charts look like once drawn.
type chartState struct {
	Charts int `json:"charts"`
	// Drawn counts charts with an SVG holding at least one shape per
	// series point or line.
	Drawn int `json:"drawn"`
}

const chartsJS = `(() => {
	const els = [...document.querySelectorAll(".ts-chart")];
	const drawn = els.filter(e => e.getAttribute("data-drawn") && e.querySelector("svg") &&
		e.querySelectorAll("svg path").length > 2);
	return {charts: els.length, drawn: drawn.length};
})()`

// navState is how the header's links lie: on how many rows, and whether
// any is cut off by the window.
type navState struct {
	Rows    int  `json:"rows"`
	Clipped bool `json:"clipped"`
}

const navJS = `(() => {
	const links = [...document.querySelectorAll("nav.nav a")];
	const tops = new Set(links.map(a => Math.round(a.getBoundingClientRect().top)));
	return {rows: tops.size, clipped: links.some(a => a.getBoundingClientRect().right > window.innerWidth + 0.5 || a.getBoundingClientRect().left < -0.5)};
})()`

// reachable tabs through the page from the top and returns the
// descriptions ("tag name=value" or "tag:text") of what took the focus.
func reachable(t *testing.T, tab context.Context, presses int) []string {
	t.Helper()
	if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); true`)); err != nil {
		t.Fatal(err)
	}
	var seen []string
	for range presses {
		if err := chromedp.Do(tab, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
		d, err := chromedp.Run(tab, chromedp.Evaluate[string](`(() => { const e = document.activeElement; if (!e || e === document.body) return "";
			return e.tagName.toLowerCase() + (e.name ? " " + e.name + "=" + e.value : ":" + e.textContent.trim().slice(0, 60)); })()`))
		if err != nil {
			t.Fatal(err)
		}
		if d != "" && !slices.Contains(seen, d) {
			seen = append(seen, d)
		}
	}
	return seen
}

// TestPagesInBrowser loads every eval page in headless Chromium at 1280 px
// and 390 px: no sideways overflow, every chart drawn, the quality chart's
// labels all shown and apart (two configurations score and cost the same),
// the controls reachable by keyboard at desktop width, and the blind
// rating started from the keyboard. A screenshot of each page is kept under
// $TICKETSUM_TEST_ARTIFACTS.
func TestPagesInBrowser(t *testing.T) {
	t.Parallel()
	// A deadline, not a timing assertion: two shared cores run this
	// beside other tests.
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	browser := browsertest.MustBrowser(t, ctx)
	for _, vp := range browsertest.Viewports {
		t.Run(vp.Name, func(t *testing.T) {
			e := MustEnv(t, true)
			run := "/evals/" + url.PathEscape(e.Run.ID)
			pages := []struct {
				name, path string
				charts     int
			}{
				{"evals", "/evals", 1},
				{"evals-cost", "/evals?figure=cost", 1},
				{"run", run, 1},
				{"ticket", run + "/tickets/T-006", 0},
			}
			for _, p := range pages {
				tab, closeTab := chromedp.NewContext(browser)
				actions := []chromedp.Action[chromedp.Void]{vp.Emulate(), chromedp.Navigate(e.URL + p.path), chromedp.WaitVisible(chromedp.CSS("main"))}
				if p.charts > 0 {
					actions = append(actions, chromedp.WaitVisible(chromedp.CSS(".ts-chart[data-drawn] svg")))
				}
				if err := chromedp.Do(tab, actions...); err != nil {
					closeTab()
					t.Fatalf("%s: %v", p.name, err)
				}
				w, err := browsertest.PageWidths(tab)
				if err != nil || w.Document > w.Window {
					t.Errorf("%s: page is %d px wide in a %d px window (%v)", p.name, w.Document, w.Window, err)
				}
				cs, err := chromedp.Run(tab, chromedp.Evaluate[chartState](chartsJS))
				if err != nil || cs.Charts != p.charts || cs.Drawn != p.charts {
					t.Errorf("%s: %d charts, %d drawn, want %d (%v)", p.name, cs.Charts, cs.Drawn, p.charts, err)
				}
				nav, err := chromedp.Run(tab, chromedp.Evaluate[navState](navJS))
				if err != nil || nav.Rows != 1 || nav.Clipped {
					t.Errorf("%s: the header's links take %d rows, clipped %v (%v)", p.name, nav.Rows, nav.Clipped, err)
				}
				if p.name == "run" {
					browsertest.CheckLabelsApart(t, tab, "#quality-cost svg text", []string{"nova-lite v2", "nova-lite v3", "haiku v2", "builtin"})
				}
				browsertest.Screenshot(t, tab, "evals-"+p.name+"-"+vp.Name+".png")
				closeTab()
			}
			if !vp.Mobile { // a keyboard is a desktop's
				checkKeyboard(t, browser, vp, e.URL, run)
			}
		})
	}
}

// checkKeyboard tabs through /evals and a run's page: the figure control,
// the runs, the sample's links, the configurations to compare and the
// start button take the focus; Enter on the button starts the rating.
func checkKeyboard(t *testing.T, browser context.Context, vp browsertest.Viewport, base, run string) {
	t.Helper()
	tab, closeTab := chromedp.NewContext(browser)
	defer closeTab()
	if err := chromedp.Do(tab, vp.Emulate(), chromedp.Navigate(base+"/evals"), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatal(err)
	}
	got := reachable(t, tab, 20)
	for _, want := range []string{"select figure=quality", "button:Show", "a:Evaluations"} {
		if !slices.Contains(got, want) {
			t.Errorf("/evals: %q not reached by Tab; reached %v", want, got)
		}
	}
	if err := chromedp.Do(tab, chromedp.Navigate(base+run), chromedp.WaitVisible(chromedp.CSS(".ts-chart[data-drawn] svg"))); err != nil {
		t.Fatal(err)
	}
	got = reachable(t, tab, 45)
	for _, want := range []string{"a:Printer jams on page 1", "input config=nova-lite v2", "input config=builtin", "button:Start blind rating of this sample"} {
		if !slices.Contains(got, want) {
			t.Errorf("run page: %q not reached by Tab; reached %v", want, got)
		}
	}
	if err := chromedp.Do(tab, chromedp.Focus(chromedp.CSS(".ev-start button")), chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	// The run page's own main stays visible until the form's answer
	// arrives, so wait for the navigation itself (up to 20 s), not for main.
	var loc string
	var err error
	for range 200 {
		if loc, err = chromedp.Run(tab, chromedp.Location()); err == nil && strings.Contains(loc, "/review/tasks/") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil || !strings.Contains(loc, "/review/tasks/") {
		t.Errorf("Enter on the start button led to %q (%v), want a rating task", loc, err)
	}
}

// TestStandaloneInBrowser opens the `eval --html` file from disk: the
// chart is drawn with nothing but the file, and the page fits both widths.
func TestStandaloneInBrowser(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	browser := browsertest.MustBrowser(t, ctx)
	rep, ds := fixtureReport(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	var b bytes.Buffer
	if err := evalpage.WriteStandalone(&b, evalpage.RunData{Report: rep, Items: rep.Items, Tickets: ticketsOf(ds)}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, vp := range browsertest.Viewports {
		tab, closeTab := chromedp.NewContext(browser)
		err := chromedp.Do(tab, vp.Emulate(), chromedp.Navigate("file://"+path), chromedp.WaitVisible(chromedp.CSS("#quality-cost[data-drawn] svg")))
		if err != nil {
			closeTab()
			t.Fatalf("%s: chart not drawn offline: %v", vp.Name, err)
		}
		if w, err := browsertest.PageWidths(tab); err != nil || w.Document > w.Window {
			t.Errorf("%s: page is %d px wide in a %d px window (%v)", vp.Name, w.Document, w.Window, err)
		}
		browsertest.CheckLabelsApart(t, tab, "#quality-cost svg text", []string{"nova-lite v2", "nova-lite v3", "haiku v2", "builtin"})
		browsertest.Screenshot(t, tab, "eval-report-"+vp.Name+".png")
		closeTab()
	}
}
