package summarize_test

import (
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/summarize"
)

func TestTruncate(t *testing.T) {
	t.Parallel()
	words := func(n int, w string) string { return strings.TrimSpace(strings.Repeat(w+" ", n)) }
	tests := []struct {
		name, text string
		max        int
		want       string
		cut        bool
	}{
		{"within the limit", "One. Two three.", 3, "One. Two three.", false},
		{"cut at the last sentence end", "A b. C d. E f g h.", 5, "A b. C d.", true},
		{"closing quote ends a sentence", `He said "done." Then more words here.`, 5, `He said "done."`, true},
		{"question mark", "Is it fixed? Yes it is now fixed.", 5, "Is it fixed?", true},
		{"no end in the second half: cut at the limit", "Hi. " + words(10, "word"), 8, "Hi. " + words(6, "word") + " word…", true},
		{"trailing comma dropped", "a b c, d e", 3, "a b c…", true},
		{"lone dash skipped", "a b - c d", 3, "a b…", true},
		{"whitespace rejoined", "A  b.\tC d. E", 4, "A b. C d.", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, cut := summarize.Truncate(tt.text, tt.max)
			if got != tt.want || cut != tt.cut {
				t.Fatalf("Truncate(%q, %d) = %q, %v; want %q, %v", tt.text, tt.max, got, cut, tt.want, tt.cut)
			}
			if n := len(strings.Fields(got)); n > tt.max {
				t.Errorf("%d words, over %d", n, tt.max)
			}
		})
	}
}

func FuzzTruncate(f *testing.F) {
	f.Add("The customer asked. The agent fixed it! Done? Yes.", 3)
	f.Add("- , . ! ?", 2)
	f.Fuzz(func(t *testing.T, text string, max int) {
		if max < 1 || max > 100 {
			return
		}
		got, cut := summarize.Truncate(text, max)
		if n := len(strings.Fields(got)); n > max {
			t.Fatalf("Truncate(%q, %d) = %q: %d words", text, max, got, n)
		}
		if !cut && got != text {
			t.Fatalf("changed the text without cutting it")
		}
	})
}
