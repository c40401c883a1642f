package thread

import (
	"strings"
	"testing"
)

// fastCases are lines that probe the ASCII fast paths' edges.
var fastCases = []string{"", " ", "  ", "a", " a", "a ", "a  b", "a b", "\ta", "a\tb", "    code();", "x\v", "x\f",
	"ÿes", "On Monday", "ON MONDAY, X WROTE:", "on ", "On", "From: Sam", "FROM:x", "________", "---Original Message---",
	"Sent from my iPhone", "SENT FROM OUTLOOK", "Get Outlook for iOS", "\u212aelvin", "İl ", "Le 3 mars", "den 3",
	"a\u00a0b", "a\u200bb", "gracias ñ", "Am 3. März schrieb:", "op 3 maart", "em 3", "el lunes", "il 3",
	"x = y;", "a_b", "if (x) return", "    a = b", "    some prose (with one aside)", "{}{}", "ab{}", "abc{}", "abcd{}", "(((x", "a/b/c/d"}

// FuzzFastPaths checks the fast paths against the functions they stand in
// for.
func FuzzFastPaths(f *testing.F) {
	for _, c := range fastCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, l string) {
		checkFastPaths(t, l)
	})
}

func TestFastPaths(t *testing.T) {
	t.Parallel()
	for _, l := range []string{"gracias ñ", "“quoted” — done…", "Am 3. März schrieb:"} {
		if !isNormalLine(l) {
			t.Errorf("isNormalLine(%q) = false: the line takes the slow path", l)
		}
	}
	for _, c := range fastCases {
		checkFastPaths(t, c)
	}
}

// refIsCodeLine is isCodeLine's symbol test before it stopped counting
// early.
func refIsCodeLine(l, t string) bool {
	if strings.Contains(t, "{") {
		t = strings.TrimSpace(stripPlaceholders(t))
		if t == "" {
			return false
		}
	}
	if codeFirst[t[0]] && hasAnyPrefix(t, codeStarts) {
		return true
	}
	last := t[len(t)-1]
	if last == ';' || last == '{' || last == '}' {
		return true
	}
	if strings.HasPrefix(t, `"`) && strings.Contains(t, `":`) {
		return true // JSON
	}
	sym := 0
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '{', '}', '[', ']', '(', ')', ';', '=', '<', '>', '\\', '|', '$', '&', '*', '"', '_', '/':
			sym++
		}
	}
	indented := strings.HasPrefix(l, "    ")
	return len(t) >= 4 && (sym*4 >= len(t) || indented && sym*10 >= len(t))
}

func checkFastPaths(t *testing.T, l string) {
	t.Helper()
	for _, s := range []string{l, "    " + l, l + "(x)", "    a=" + l} {
		if tl := strings.TrimSpace(s); tl != "" {
			if got, want := isCodeLine(s, tl), refIsCodeLine(s, tl); got != want {
				t.Errorf("isCodeLine(%q) = %v, want %v", s, got, want)
			}
		}
	}
	for _, s := range []string{l, strings.Repeat(l, 201/max(len(l), 1)+1), "x " + strings.Repeat("y", 200) + l, l + strings.Repeat("z", 201)} {
		long := false
		for _, w := range strings.Fields(s) {
			long = long || len(w) > 200
		}
		if got := hasLongWord(s); got != long {
			t.Errorf("hasLongWord(%q) = %v, want %v", s, got, long)
		}
	}
	for _, x := range []string{l, "é " + l, l + " ü", "  ñ" + l} {
		if isNormalLine(x) && normalizeRunes(x) != x {
			t.Errorf("isNormalLine(%q) but normalizeRunes gives %q", x, normalizeRunes(x))
		}
	}
	for _, p := range append([]string{"from:", "sent from my ", "get outlook for ", "sent from outlook"}, replyStarts...) {
		if got, want := hasPrefixLower(l, p), strings.HasPrefix(strings.ToLower(l), p); got != want {
			t.Errorf("hasPrefixLower(%q, %q) = %v, want %v", l, p, got, want)
		}
	}
	// A line that is not a possible start is never a reply header.
	if tl := strings.TrimSpace(l); tl != "" && !mayStartReply(tl) {
		lower := strings.ToLower(tl)
		if strings.HasPrefix(lower, "---") || strings.HasPrefix(lower, "from:") || strings.HasPrefix(lower, "________") || hasAnyPrefix(lower, replyStarts) {
			t.Errorf("mayStartReply(%q) = false for a possible header", tl)
		}
	}
}
