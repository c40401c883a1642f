package guard

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum/sample"
)

// splitsWord reports whether [s,e) begins or ends between two letters or
// digits of text.
func splitsWord(text string, s, e int) bool {
	inWord := func(i int) bool {
		if i <= 0 || i >= len(text) {
			return false
		}
		r, _ := utf8.DecodeRuneInString(text[i:])
		p, _ := utf8.DecodeLastRuneInString(text[:i])
		return isWordRune(r) && isWordRune(p)
	}
	return inWord(s) || inWord(e)
}

// TestRedactionNeverSplitsAWord checks the texts that once came out as
// "login is{USERNAME_1}" (and, from the built-in, "a login isa username"):
// input, output, scrub and log redaction keep the word whole.
func TestRedactionNeverSplitsAWord(t *testing.T) {
	t.Parallel()
	g := MustGuard(t, Config{})
	ctx := context.Background()
	tests := []struct{ text, keep string }{
		{"The customer reported a login issue and the agent reset the account.", "login issue"},
		{"Password issue: the reset link expired.", "Password issue"},
		{"the username issue was fixed", "username issue"},
		{"A PIN issue blocked the card.", "PIN issue"},
		{"The CVV issue was resolved.", "CVV issue"},
		{"The login isn't working since Monday.", "login isn't"},
		{"Their bank account issue is open.", "account issue"},
		{"My plate issue is with the DMV.", "plate issue"},
	}
	for _, tt := range tests {
		t.Run(tt.keep, func(t *testing.T) {
			t.Parallel()
			for name, out := range map[string]func() string{
				"input":  func() string { r, _ := g.CheckInput(ctx, nil, tt.text); return r.Text },
				"output": func() string { r, _ := g.CheckOutput(ctx, nil, tt.text); return r.Text },
				"scrub":  func() string { s, _ := g.Scrub(nil, tt.text); return s },
				"redact": func() string { return g.Redact(tt.text) },
			} {
				if got := out(); !strings.Contains(got, tt.keep) {
					t.Errorf("%s: %q lost %q: %q", name, tt.text, tt.keep, got)
				}
			}
		})
	}
}

// TestSpansAreWordAligned checks that the detectors themselves match whole
// words on every text at hand (bench texts, the bundled sample tickets, the Presidio set when it
// is beside the repository),
// and that a span that does not is widened, not cut: wordAligned is a
// safety net, not the detectors' way of finding words.
func TestSpansAreWordAligned(t *testing.T) {
	t.Parallel()
	g := MustGuard(t, Config{})
	var texts []string
	for _, f := range []string{"prose.txt", "thread.txt"} {
		texts = append(texts, readTestdata(t, f))
	}
	tickets, err := sample.Tickets()
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range tickets {
		for _, m := range tk.Messages {
			texts = append(texts, m.Body)
		}
	}
	if _, err := os.Stat(presidioFile()); err == nil {
		for _, d := range loadPresidio(t) {
			texts = append(texts, d.Text)
		}
	}
	for _, text := range texts {
		s := g.NewSession(nil)
		for _, sp := range g.rawSpans(s, newScan(text, g.lx, &g.scans)) {
			if splitsWord(text, sp.start, sp.end) {
				t.Errorf("%s span %q splits a word in %q", sp.typ, text[sp.start:sp.end], around(text, sp.start, sp.end))
			}
		}
	}
	for _, tt := range []struct {
		text       string
		start, end int
		want       string
	}{
		{"tokenAKIAIOSFODNN7EXAMPLE!", 5, 25, "tokenAKIAIOSFODNN7EXAMPLE"},
		{"login issue", 8, 11, "issue"},
		{"Ünïcödé 123", 2, 3, "Ünïcödé"},
		{"a-b", 2, 3, "b"},
	} {
		s, e := wordAligned(tt.text, tt.start, tt.end)
		if got := tt.text[s:e]; got != tt.want {
			t.Errorf("wordAligned(%q, %d, %d) = %q, want %q", tt.text, tt.start, tt.end, got, tt.want)
		}
	}
}

// readTestdata returns the content of testdata/name.
func readTestdata(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func around(text string, s, e int) string {
	a, b := max(0, s-20), min(len(text), e+20)
	return strings.ToValidUTF8(text[a:b], "")
}
