package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/sample"
	"github.com/ticketsum/ticketsum/web"
)

// chromiumPath is where Debian's chromium package, installed by
// scripts/install-chromium.sh, puts the browser.
const chromiumPath = "/usr/bin/chromium"

// seedSample stores the bundled sample tickets with a summary on most of them,
// so that the pages look as they do in production.
func seedSample(tb testing.TB) *memStore {
	tb.Helper()
	tickets, err := sample.Tickets()
	if err != nil {
		tb.Fatal(err)
	}
	store := newMemStore()
	for i, tk := range tickets {
		// Shift the sample's October times to just before the test clock.
		shift := testNow.Sub(tickets[len(tickets)-1].UpdatedAt) - time.Duration(len(tickets)-i)*17*time.Minute
		tk.CreatedAt, tk.UpdatedAt = tk.CreatedAt.Add(shift), tk.UpdatedAt.Add(shift)
		for j := range tk.Messages {
			tk.Messages[j].At = tk.Messages[j].At.Add(shift)
		}
		if i%7 == 3 {
			MustPut(tb, store, tk)
			continue
		}
		text := fmt.Sprintf("The customer asked about %s. The agent investigated, explained the cause and gave the next steps.", strings.ToLower(tk.Subject))
		MustPut(tb, store, tk, newSummary(tk, text, tk.ExpectedStatus, time.Duration(i+1)*4*time.Minute))
	}
	return store
}

// TestBrowserSummaryAboveThread loads the ticket page in headless Chromium
// and checks that the summary is visible and above the thread.
func TestBrowserSummaryAboveThread(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("%s not installed (run scripts/install-chromium.sh); skipping outside CI", chromiumPath)
		}
		t.Fatalf("%s is required in CI: %v", chromiumPath, err)
	}
	if _, err := exec.LookPath(chromiumPath); err != nil {
		t.Fatalf("%s is not executable: %v", chromiumPath, err)
	}

	store := seedSample(t)
	const want = "The customer asked about a duplicate charge. The agent refunded it and the customer confirmed."
	tk, err := store.FindTicket(t.Context(), "TS-1001")
	if err != nil {
		t.Fatal(err)
	}
	// A newer prompt version's summary becomes the current one.
	newer := newSummary(tk, want, ticketsum.StatusResolved, 3*time.Minute)
	newer.PromptVersion = "v2"
	MustPut(t, store, tk, newer)

	srv, _ := MustServer(t, store, func(c *web.Config) { c.ProductLines = sample.ProductLines() })
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(context.Background())
	base := "http://" + srv.Addr()

	browser := mustBrowser(t, ctx)
	if err := chromedp.Do(browser); err != nil { // starts the browser, tied to ctx
		t.Fatalf("start chromium: %v", err)
	}

	viewports := []struct {
		name          string
		width, height int64
		mobile        bool
	}{
		{"desktop", 1280, 900, false},
		{"phone", 390, 844, true},
	}
	for _, vp := range viewports {
		tab, closeTab := chromedp.NewContext(browser)
		emulate := chromedp.EmulateViewport(vp.width, vp.height)
		if vp.mobile {
			emulate = chromedp.EmulateViewport(vp.width, vp.height, chromedp.EmulateMobile, chromedp.EmulateScale(3))
		}
		got, err := measureTicketPage(tab, emulate, base+"/tickets/TS-1001")
		if err != nil {
			closeTab()
			t.Fatalf("%s: %v", vp.name, err)
		}
		if got.Text != want {
			t.Errorf("%s: summary text = %q, want %q", vp.name, got.Text, want)
		}
		if got.SummaryHeight <= 0 || got.Visibility != "visible" || got.Display == "none" {
			t.Errorf("%s: summary not visible: %+v", vp.name, got)
		}
		if got.SummaryBottom > got.ThreadTop {
			t.Errorf("%s: summary (top %.0f, bottom %.0f) is not above the thread (top %.0f)", vp.name, got.SummaryTop, got.SummaryBottom, got.ThreadTop)
		}
		if got.SummaryTop > float64(vp.height) {
			t.Errorf("%s: summary starts at %.0f px, below the first screen (%d px)", vp.name, got.SummaryTop, vp.height)
		}
		if got.ScrollWidth > got.InnerWidth {
			t.Errorf("%s: page is %d px wide in a %d px window", vp.name, got.ScrollWidth, got.InnerWidth)
		}
		summaryText, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("summary")))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"Resolved", "builtin", "v2", "3 minutes ago"} {
			if !strings.Contains(summaryText, w) {
				t.Errorf("%s: rendered summary %q lacks %q", vp.name, summaryText, w)
			}
		}
		type widths struct {
			Scroll int `json:"scroll"`
			Inner  int `json:"inner"`
			Rows   int `json:"rows"`
			// TableScroll > TableClient when the table needs sideways scrolling.
			TableScroll int `json:"tableScroll"`
			TableClient int `json:"tableClient"`
		}
		var list widths
		err = chromedp.Do(tab, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("table.tickets")))
		if err == nil {
			list, err = chromedp.Run(tab, chromedp.Evaluate[widths](`({scroll: document.documentElement.scrollWidth, inner: window.innerWidth, rows: document.querySelectorAll("table.tickets tbody tr").length,
				tableScroll: document.querySelector(".table-wrap").scrollWidth, tableClient: document.querySelector(".table-wrap").clientWidth})`))
		}
		closeTab()
		if err != nil {
			t.Fatalf("%s: list page: %v", vp.name, err)
		}
		if list.Rows != 25 || list.Scroll > list.Inner || list.TableScroll > list.TableClient {
			t.Errorf("%s: list page shows %d rows, is %d px wide in a %d px window, table %d px in %d px; want 25 rows that fit",
				vp.name, list.Rows, list.Scroll, list.Inner, list.TableScroll, list.TableClient)
		}
	}

	// Screenshots for a person to look at the design; never committed.
	if dir := os.Getenv("TICKETSUM_SCREENSHOT_DIR"); dir != "" {
		shots := []struct {
			name, path string
			width      int64
		}{
			{"ticket.png", "/tickets/TS-1001", 1280},
			{"ticket-internal.png", "/tickets/TS-2001", 1280},
			{"list.png", "/", 1280},
			{"list-phone.png", "/", 390},
			{"ticket-phone.png", "/tickets/TS-2001", 390},
		}
		for _, s := range shots {
			tab, closeTab := chromedp.NewContext(browser)
			err := chromedp.Do(tab, chromedp.EmulateViewport(s.width, 900), chromedp.Navigate(base+s.path), chromedp.WaitVisible(chromedp.CSS("main")))
			var png []byte
			if err == nil {
				shot := chromedp.FullScreenshot(100)
				if s.width < 600 {
					shot = chromedp.CaptureScreenshot() // the first screen of a phone
				}
				png, err = chromedp.Run(tab, shot)
			}
			closeTab()
			if err != nil {
				t.Fatalf("%s: %v", s.path, err)
			}
			if err := os.WriteFile(filepath.Join(dir, s.name), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// pageBox is where the summary and the thread are on a rendered page.
type pageBox struct {
	Text          string  `json:"text"`
	SummaryTop    float64 `json:"summaryTop"`
	SummaryBottom float64 `json:"summaryBottom"`
	SummaryHeight float64 `json:"summaryHeight"`
	ThreadTop     float64 `json:"threadTop"`
	Visibility    string  `json:"visibility"`
	Display       string  `json:"display"`
	ScrollWidth   int     `json:"scrollWidth"`
	InnerWidth    int     `json:"innerWidth"`
}

// measureTicketPage loads a ticket page in tab with the given viewport and
// measures the summary's and the thread's bounding boxes.
func measureTicketPage(tab context.Context, viewport chromedp.Action[chromedp.Void], url string) (pageBox, error) {
	if err := chromedp.Do(tab,
		viewport,
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.ID("summary")),
		chromedp.WaitVisible(chromedp.ID("thread")),
	); err != nil {
		return pageBox{}, fmt.Errorf("load %s: %w", url, err)
	}
	return chromedp.Run(tab, chromedp.Evaluate[pageBox](`(() => {
		const s = document.getElementById("summary"), t = document.getElementById("thread");
		const sb = s.getBoundingClientRect(), tb = t.getBoundingClientRect(), cs = getComputedStyle(s);
		return {text: s.querySelector(".summary-text").innerText, summaryTop: sb.top, summaryBottom: sb.bottom,
			summaryHeight: sb.height, threadTop: tb.top, visibility: cs.visibility, display: cs.display,
			scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth};
	})()`))
}

// mustBrowser starts headless Chromium with a fresh profile and returns a
// chromedp context for one tab. The browser stops when the test ends.
func mustBrowser(tb testing.TB, ctx context.Context) context.Context {
	tb.Helper()
	dir, err := os.MkdirTemp("", "ticketsum-chromium-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		// Chromium's child processes may still write for a moment after it stops.
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	tb.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	return browser
}
