// Package browsertest drives Debian's headless Chromium (installed by
// scripts/install-chromium.sh) for tests that check what a person sees:
// layout at desktop and phone widths, charts drawn, labels apart, and
// screenshots kept as artefacts.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian's chromium package puts the browser.
const ChromiumPath = "/usr/bin/chromium"

// Viewport is a window size a page is checked at.
type Viewport struct {
	Name          string
	Width, Height int64
	Mobile        bool
}

// Viewports are the sizes pages are checked at: a 1280 px desktop and a
// 390 px phone.
var Viewports = []Viewport{{"desktop", 1280, 900, false}, {"phone", 390, 844, true}}

// Emulate returns the action that sizes a tab to v.
func (v Viewport) Emulate() chromedp.Action[chromedp.Void] {
	if v.Mobile {
		return chromedp.EmulateViewport(v.Width, v.Height, chromedp.EmulateMobile, chromedp.EmulateScale(3))
	}
	return chromedp.EmulateViewport(v.Width, v.Height)
}

// MustBrowser starts headless Chromium for tb, stopped when tb ends, and
// returns its context; open tabs with chromedp.NewContext. Without
// Chromium it skips tb, except in CI (CI set), where it fails.
func MustBrowser(tb testing.TB, ctx context.Context) context.Context {
	tb.Helper()
	if _, err := exec.LookPath(ChromiumPath); err != nil {
		if os.Getenv("CI") == "" {
			tb.Skipf("%s not installed (run scripts/install-chromium.sh); skipping outside CI", ChromiumPath)
		}
		tb.Fatalf("%s is required in CI: %v", ChromiumPath, err)
	}
	dir, err := os.MkdirTemp("", "ticketsum-chromium-")
	if err != nil {
		tb.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ChromiumPath), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.UserDataDir(dir), chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	tb.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		// Chromium's child processes may still write for a moment.
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Do(browser); err != nil { // starts the browser, tied to ctx
		tb.Fatalf("start chromium: %v", err)
	}
	return browser
}

// Widths are a page's document and window widths: the page overflows
// sideways when Document > Window.
type Widths struct {
	Document int `json:"document"`
	Window   int `json:"window"`
}

// PageWidths returns the widths of the page in tab.
func PageWidths(tab context.Context) (Widths, error) {
	return chromedp.Run(tab, chromedp.Evaluate[Widths](`({document: document.documentElement.scrollWidth, window: window.innerWidth})`))
}

// Box is an element's text and bounding box in CSS pixels: left, top,
// right, bottom.
type Box struct {
	Text string  `json:"text"`
	L    float64 `json:"l"`
	T    float64 `json:"t"`
	R    float64 `json:"r"`
	B    float64 `json:"b"`
}

// Overlaps reports whether a and b share more than a pixel of area.
func (a Box) Overlaps(b Box) bool {
	const slack = 1
	return a.L < b.R-slack && b.L < a.R-slack && a.T < b.B-slack && b.T < a.B-slack
}

// Boxes returns the bounding boxes of the elements selector matches, with
// their text, skipping invisible (zero-size or hidden) ones.
func Boxes(tab context.Context, selector string) ([]Box, error) {
	return chromedp.Run(tab, chromedp.Evaluate[[]Box](`Array.from(document.querySelectorAll(`+jsString(selector)+`)).
		filter(e => { const s = getComputedStyle(e); const r = e.getBoundingClientRect();
			return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none" && e.getAttribute("opacity") !== "0"; }).
		map(e => { const r = e.getBoundingClientRect(); return {text: e.textContent, l: r.left, t: r.top, r: r.right, b: r.bottom}; })`))
}

// Screenshot keeps a full-page screenshot of tab as name under
// $TICKETSUM_TEST_ARTIFACTS, when it is set; CI keeps that directory.
func Screenshot(tb testing.TB, tab context.Context, name string) {
	tb.Helper()
	dir := os.Getenv("TICKETSUM_TEST_ARTIFACTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100)) // quality 100 makes a PNG
	if err != nil {
		tb.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		tb.Errorf("screenshot %s: %v", name, err)
	}
}

func jsString(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		switch r {
		case '"', '\\':
			b = append(b, '\\', byte(r))
		default:
			b = append(b, string(r)...)
		}
	}
	return string(append(b, '"'))
}

// CheckLabelsApart checks that each of labels is shown exactly once among
// the text elements selector matches (such as "#quality-cost svg text")
// and that no two of their bounding boxes overlap.
func CheckLabelsApart(tb testing.TB, tab context.Context, selector string, labels []string) {
	tb.Helper()
	texts, err := Boxes(tab, selector)
	if err != nil {
		tb.Fatal(err)
	}
	var shown []Box
	for _, b := range texts {
		if slices.Contains(labels, strings.TrimSpace(b.Text)) {
			shown = append(shown, b)
		}
	}
	if len(shown) != len(labels) {
		tb.Errorf("labels shown in %s: %v, want each of %v once", selector, shown, labels)
	}
	for i := range shown {
		for j := i + 1; j < len(shown); j++ {
			if shown[i].Overlaps(shown[j]) {
				tb.Errorf("labels %q %+v and %q %+v overlap", shown[i].Text, shown[i], shown[j].Text, shown[j])
			}
		}
	}
}
