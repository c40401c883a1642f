package thread_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum/thread"
)

// FuzzClean checks that Clean never panics and returns trimmed text with
// at most one blank line in a row, valid UTF-8 for valid input.
func FuzzClean(f *testing.F) {
	for _, seed := range []string{
		"<p>Hi &amp; bye</p>", "On Mon wrote:\n> x", "a\n-- \nsig", "```\ncode", "<script>", "<!--", "<a<b<c",
		"2025-01-01 ERROR x\n2025-01-01 ERROR y\n2025-01-01 ERROR z", "From: a\nSent: b", "\u00a0\u200b", "\r\r\n",
		"<blockquote><blockquote>x</blockquote>", "<pre>  a\n  b</pre>", "Regards,\nX",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := thread.Clean(in)
		if strings.Contains(out, "\n\n\n") {
			t.Errorf("Clean(%q) = %q has two blank lines in a row", in, out)
		}
		if out != strings.TrimSpace(out) {
			t.Errorf("Clean(%q) = %q is not trimmed", in, out)
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Errorf("Clean(%q) = %q is not valid UTF-8", in, out)
		}
	})
}
