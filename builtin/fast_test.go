package builtin

import (
	"strings"
	"testing"
)

// fastCases probe the ASCII fast paths' edges.
var fastCases = []string{"", " ", "a", "Hi", "HI", "hi,", "(Sarah)", "\"quoted\"", "@handle", "__x", "don't", "José",
	"¿Dónde?", "\u212aelvin", "İstanbul", "straße", "x\u00a0y", "a\u0085b", "tab\there", "line\nbreak", "  lead", "trail  ",
	"...", "—dash—", "emoji🙂", strings.Repeat("A", 70), strings.Repeat("a", 64), "\xff\xfe", "ÉCOLE", "e.g.", "MR."}

// FuzzFastPaths checks the fast paths against the functions they stand in
// for.
func FuzzFastPaths(f *testing.F) {
	for _, c := range fastCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkFastPaths(t, s)
	})
}

func TestFastPaths(t *testing.T) {
	t.Parallel()
	for _, c := range fastCases {
		checkFastPaths(t, c)
	}
}

func checkFastPaths(t *testing.T, s string) {
	t.Helper()
	if got, want := trimPunct(s), trimPunctRunes(s); got != want {
		t.Errorf("trimPunct(%q) = %q, want %q", s, got, want)
	}
	m := map[string]bool{strings.ToLower(s): true, "hi": true, "kelvin": true}
	for _, probe := range []string{s, strings.ToUpper(s), "HI", "Kelvin"} {
		if got, want := inLower(m, probe), m[strings.ToLower(probe)]; got != want {
			t.Errorf("inLower(%q) = %v, want %v", probe, got, want)
		}
	}
	if got, want := appendFields(nil, s), strings.Fields(s); strings.Join(got, "\x00") != strings.Join(want, "\x00") || len(got) != len(want) {
		t.Errorf("appendFields(%q) = %q, want %q", s, got, want)
	}
	if got, want := isMoney(s), strings.ContainsAny(s, "$€£¥₹"); got != want {
		t.Errorf("isMoney(%q) = %v, want %v", s, got, want)
	}
}
