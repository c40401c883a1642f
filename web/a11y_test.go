package web_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/sample"
	"github.com/ticketsum/ticketsum/web"
)

// axeResult is what the accessibility check returns: each violated rule
// with the first offending elements, and how the header fits.
type axeResult struct {
	Violations []struct {
		ID     string   `json:"id"`
		Impact string   `json:"impact"`
		Help   string   `json:"help"`
		Nodes  []string `json:"nodes"`
	} `json:"violations"`
	Passes     int  `json:"passes"`
	NavRows    int  `json:"navRows"`
	NavClipped bool `json:"navClipped"`
	SkipFirst  bool `json:"skipFirst"`
	FocusRing  bool `json:"focusRing"`
	PageWidth  int  `json:"pageWidth"`
	InnerWidth int  `json:"innerWidth"`
}

// axeRun runs axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules on the page,
// then measures the header navigation and checks that the skip link is the
// first thing Tab reaches and that it shows a focus ring.
const axeRun = `(async () => {
	const r = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]}});
	const links = [...document.querySelectorAll("nav.nav a")];
	const tops = new Set(links.map(a => Math.round(a.getBoundingClientRect().top)));
	const clipped = links.some(a => { const b = a.getBoundingClientRect(); return b.left < 0 || b.right > window.innerWidth; });
	const skip = document.querySelector("body > a.skip-link");
	skip.focus();
	const cs = getComputedStyle(skip);
	return {violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))})),
		passes: r.passes.length, navRows: tops.size, navClipped: clipped,
		skipFirst: document.body.firstElementChild === skip, focusRing: cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 2,
		pageWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth};
})()`

// TestBrowserAccessibility loads the list, a ticket page and a failed
// ticket page in headless Chromium at 1280 and 390 px, and checks each with
// axe-core (vendored by scripts/vendor-axe.sh, test data only): no
// violation, navigation on one row and not clipped, the skip link first,
// a visible focus ring, nothing wider than the window.
func TestBrowserAccessibility(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("%s not installed (run scripts/install-chromium.sh); skipping outside CI", chromiumPath)
		}
		t.Fatalf("%s is required in CI: %v", chromiumPath, err)
	}
	axeJS, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core is not vendored (run scripts/vendor-axe.sh): %v", err)
	}
	store := MustSQLite(t)
	tickets, err := sample.Tickets()
	if err != nil {
		t.Fatal(err)
	}
	for i, tk := range tickets[:30] {
		if i%5 == 2 {
			MustPut(t, store, tk)
			continue
		}
		MustPut(t, store, tk, newSummary(tk, "The customer asked about "+strings.ToLower(tk.Subject)+"; the agent explained the next steps.", tk.ExpectedStatus, time.Duration(i+1)*time.Minute))
	}
	failed := tickets[2]
	if err := store.RecordFailure(context.Background(), &ticketsum.Failure{TicketID: failed.ID, ContentHash: failed.ContentHash(),
		Code: ticketsum.EBLOCKED, Class: ticketsum.ClassPolicy, Reason: "blocked by guardrail: denied topic legal threats", Attempts: 1, LastAttemptAt: testNow}); err != nil {
		t.Fatal(err)
	}
	jobs := &fakeJobs{}
	srv, _ := MustServer(t, store, func(c *web.Config) {
		c.ProductLines = sample.ProductLines()
		c.Nav = []web.Link{{Label: "Review", Path: "/review/"}, {Label: "Governance", Path: "/governance"}}
		c.Retry, c.Regenerate = jobs.retry, jobs.regenerate
		c.Backlog = func(context.Context) (int, error) { return 49660, nil }
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(context.Background())
	base := "http://" + srv.Addr()
	browser := mustBrowser(t, ctx)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	pages := []string{"/", "/?state=failed", "/tickets/" + url.PathEscape(tickets[0].ID), "/tickets/" + url.PathEscape(failed.ID) + "?done=retry", "/nowhere"}
	for _, width := range []int64{1280, 390} {
		for _, path := range pages {
			tab, closeTab := chromedp.NewContext(browser)
			emulate := chromedp.EmulateViewport(width, 900)
			if width < 600 {
				emulate = chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile, chromedp.EmulateScale(3))
			}
			// The page's Content-Security-Policy forbids scripts; the test
			// injects axe through the DevTools protocol, which it allows.
			err := chromedp.Do(tab, emulate, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main")))
			var res axeResult
			if err == nil {
				_, err = chromedp.Run(tab, chromedp.Evaluate[bool](string(axeJS)+";true"))
			}
			if err == nil {
				res, err = chromedp.Run(tab, chromedp.Evaluate[axeResult](axeRun, chromedp.EvalAwaitPromise))
			}
			closeTab()
			name := fmt.Sprintf("%s at %d px", path, width)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, v := range res.Violations {
				t.Errorf("%s: axe %s (%s): %s at %v", name, v.ID, v.Impact, v.Help, v.Nodes)
			}
			if res.Passes < 10 || res.NavRows != 1 || res.NavClipped || !res.SkipFirst || !res.FocusRing || res.PageWidth > res.InnerWidth {
				t.Errorf("%s: %d rules passed, navigation on %d rows (clipped %v), skip link first %v, focus ring %v, page %d px in %d px",
					name, res.Passes, res.NavRows, res.NavClipped, res.SkipFirst, res.FocusRing, res.PageWidth, res.InnerWidth)
			}
		}
	}
}
