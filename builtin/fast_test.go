package builtin

import (
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
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
	// digest lowers each turn and joins the lowered turns with line
	// breaks, standing in for lowering the joined text.
	if got, want := strings.ToLower(s)+"\n"+strings.ToLower(strings.ToTitle(s))+"\n", strings.ToLower(s+"\n"+strings.ToTitle(s)+"\n"); got != want {
		t.Errorf("lowering %q per turn gives %q, lowering the join %q", s, got, want)
	}
	// inLowerShaped gives inLower's answers: probe the names of a ticket
	// whose customer is s, and the set m, with the words of s in four cases.
	sc := newScrubber(&ticketsum.Ticket{Customer: ticketsum.Customer{Name: s}}, nil)
	shaped := newKeyShapes(m)
	for _, w := range append(strings.FieldsFunc(s, func(r rune) bool { return !isLetter(r) && r != '\'' }), s, "hi", "Kelvin", "\u212aelvin") {
		for _, probe := range []string{w, strings.ToUpper(w), strings.ToTitle(w), strings.ToLower(w)} {
			if got, want := inLowerShaped(sc.names, &sc.nameShapes, probe), inLower(sc.names, probe); got != want {
				t.Errorf("names of %q: inLowerShaped(%q) = %v, want %v", s, probe, got, want)
			}
			if got, want := inLowerShaped(m, shaped, probe), inLower(m, probe); got != want {
				t.Errorf("inLowerShaped(%q) = %v, want %v", probe, got, want)
			}
		}
	}
	for _, x := range []string{s, strings.ToUpper(s), "ÉCOLE " + s, s + "\xff", "\u212a" + s} {
		if got, want := toLower(x), strings.ToLower(x); got != want {
			t.Errorf("toLower(%q) = %q, want %q", x, got, want)
		}
	}
	if got, want := wordCount(s), len(strings.Fields(s)); got != want {
		t.Errorf("wordCount(%q) = %d, want %d", s, got, want)
	}
	if got, want := scriptLanguage(s), refScriptLanguage(s); got != want {
		t.Errorf("scriptLanguage(%q) = %q, want %q", s, got, want)
	}
	if got, want := isNumeric(s), refIsNumeric(s); got != want {
		t.Errorf("isNumeric(%q) = %v, want %v", s, got, want)
	}
	for _, x := range []string{s, ",;) " + s, "-" + s} {
		if got, want := trimLead(x), strings.TrimLeft(x, ",.;:!?-) "); got != want {
			t.Errorf("trimLead(%q) = %q, want %q", x, got, want)
		}
	}
	for _, x := range []string{s, s + "\n", "a b\n" + s, s + "\n \u00a0\n", "x\n\n" + s + "\n y z "} {
		sc := &scrubber{greeted: map[string]bool{}, handles: map[string]bool{}}
		words, last := sc.lineWords(nil, x)
		trimmed := strings.TrimSpace(x)
		want := strings.Fields(trimmed[strings.LastIndexByte(trimmed, '\n')+1:])
		if strings.Join(words, " ") != strings.Join(strings.Fields(x), " ") || strings.Join(words[last:], "\x00") != strings.Join(want, "\x00") || len(words[last:]) != len(want) {
			t.Errorf("lineWords(%q): words %q, last line %q, want %q", x, words, words[last:], want)
		}
	}
	if got, want := countDigitsTo(s, 5), min(countDigits(s), 5); got != want {
		t.Errorf("countDigitsTo(%q, 5) = %d, want %d", s, got, want)
	}
	if got, want := needsTidy(s), refNeedsTidy(s); got != want {
		t.Errorf("needsTidy(%q) = %v, want %v", s, got, want)
	}
	for _, p := range []string{"hi", "thank you", "good morning", "buenos días", "olá"} {
		for _, x := range []string{s, p + s, strings.ToUpper(p) + s, p + ", " + s, p + strings.Repeat("x", 40) + s} {
			gp, gok := pleasantryAt(x)
			wp, wok := refPleasantryAt(x)
			if gp != wp || gok != wok {
				t.Errorf("pleasantryAt(%q) = %q, %v, want %q, %v", x, gp, gok, wp, wok)
			}
		}
	}
	if got, want := isMoney(s), strings.ContainsAny(s, "$€£¥₹"); got != want {
		t.Errorf("isMoney(%q) = %v, want %v", s, got, want)
	}
}

// The functions below are the versions the fast paths replaced.

func refIsNumeric(w string) bool {
	if strings.ContainsAny(w, "$€£¥₹") {
		return false
	}
	digits := 0
	for _, r := range w {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+()-./,:#", r):
		default:
			return false
		}
	}
	return digits > 0
}

func refNeedsTidy(s string) bool {
	if s == "" || s[len(s)-1] == ' ' || strings.ContainsAny(s, "()") {
		return true
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if strings.IndexByte(",.!?;:", c) >= 0 && s[i-1] == ' ' || strings.IndexByte(",;:", c) >= 0 && strings.IndexByte(",;:.!?", s[i-1]) >= 0 {
			return true
		}
	}
	return strings.TrimSpace(s) != s
}

func refPleasantryAt(s string) (string, bool) {
	lower := strings.ToLower(s)
	for _, p := range pleasantries {
		if !strings.HasPrefix(lower, p) || len(lower) > len(p) && isLetter(rune(lower[len(p)])) {
			continue
		}
		return p, true
	}
	return "", false
}
