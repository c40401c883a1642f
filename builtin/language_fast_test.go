package builtin

import (
	"strings"
	"testing"
	"unicode"
)

// refScriptLanguage is scriptLanguage before its ASCII and range fast
// paths.
func refScriptLanguage(text string) string {
	var latin, han, kana, hangul, cyrillic, ukrainian, arabic, greek, hebrew, thai, devanagari int
	for _, r := range text {
		if r < 0x80 {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				latin++
			}
			continue
		}
		switch {
		case unicode.Is(unicode.Latin, r):
			latin++
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			kana++
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.Is(unicode.Cyrillic, r):
			cyrillic++
			if strings.ContainsRune("іїєґІЇЄҐ", r) {
				ukrainian++
			}
		case unicode.Is(unicode.Arabic, r):
			arabic++
		case unicode.Is(unicode.Greek, r):
			greek++
		case unicode.Is(unicode.Hebrew, r):
			hebrew++
		case unicode.Is(unicode.Thai, r):
			thai++
		case unicode.Is(unicode.Devanagari, r):
			devanagari++
		}
	}
	other := han + kana + hangul + cyrillic + arabic + greek + hebrew + thai + devanagari
	if other == 0 || other*2 < latin {
		return ""
	}
	switch max(han+kana, hangul, cyrillic, arabic, greek, hebrew, thai, devanagari) {
	case han + kana:
		if kana > 0 {
			return "Japanese"
		}
		return "Chinese"
	case hangul:
		return "Korean"
	case cyrillic:
		if ukrainian > 0 {
			return "Ukrainian"
		}
		return "Russian"
	case arabic:
		return "Arabic"
	case greek:
		return "Greek"
	case hebrew:
		return "Hebrew"
	case thai:
		return "Thai"
	}
	return "Hindi"
}

// TestScriptLanguageRanges checks every rune below U+3000 against the
// reference: in "Ж" and three of the rune, a Latin letter makes the text
// Latin (""), a rune of no script leaves it Russian, and a rune of another
// script names that script.
func TestScriptLanguageRanges(t *testing.T) {
	t.Parallel()
	latin := 0
	for r := rune(0x80); r < 0x3000; r++ {
		text := "Ж" + strings.Repeat(string(r), 3)
		got, want := scriptLanguage(text), refScriptLanguage(text)
		if got != want {
			t.Fatalf("scriptLanguage(%q) = %q, want %q", text, got, want)
		}
		if want == "" {
			latin++
		}
	}
	if latin < 500 {
		t.Fatalf("only %d Latin runes below U+3000: the probe does not tell Latin apart", latin)
	}
}

// TestLanguageShapesKeepEveryKey checks that the shape filter in front of
// the stop-word lookup lets every stop word and English word through, and
// turns away some other words (else it filters nothing).
func TestLanguageShapesKeepEveryKey(t *testing.T) {
	t.Parallel()
	l := newLanguages()
	for w := range l.idx {
		if !l.shapes.may(w) {
			t.Errorf("shapes turn away %q", w)
		}
	}
	away := 0
	for _, w := range strings.Fields("printer receipt refund invoice subscription configuration xylophone quickly") {
		if !l.shapes.may(w) {
			away++
		}
	}
	if away == 0 {
		t.Error("shapes turn away no common word")
	}
}
