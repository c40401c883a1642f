package guard

import (
	"math/rand/v2"
	"slices"
	"testing"
	"unicode/utf8"
)

// lexReference is lexDigits as it was before its inline path for words
// that appendToken would not trim: every word through appendToken. A word
// starts at an ASCII letter or digit or a word rune.
func lexReference(s, lower string, lx *lexicon) []token {
	var dst []token
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if c := byteClass[s[i]]; c == bLetter || c == bDigit || c == bHigh && isWordRune(r) {
			w := readWord(s, i)
			dst = appendToken(dst, s, lower, i, w.end, w.ascii, w.digit, w.hash, lx)
			n = w.end - i
		}
		i += n
	}
	return dst
}

// TestLexInlineTokens checks that lexDigits builds the same tokens, with
// the same lexicon flags, as appendToken for every word: on the test texts,
// every development-set thread and 30,000 random strings of words that end
// in possessives, apostrophes, hyphens, digits and accented letters.
func TestLexInlineTokens(t *testing.T) {
	t.Parallel()
	g := MustGuard(t, Config{Topics: DefaultTopics()})
	check := func(text string) {
		lower := asciiLower(text)
		got, _ := lexDigits(nil, nil, text, lower, g.lx, true)
		if want := lexReference(text, lower, g.lx); !slices.Equal(got, want) {
			t.Fatalf("lexDigits(%q) = %v, want %v", text, got, want)
		}
	}
	texts := prefilterTexts(t)
	for _, tk := range devsetTickets(t) {
		texts = append(texts, threadText(tk))
	}
	for _, text := range texts {
		check(text)
	}
	pieces := []string{"Anna", "anna's", "ANNA'S", "it's", "s", "'s", "S", "x's", "Berg'", "re-", "-", "'", "''", " ", "\n", ".",
		"12", "a1", "1s", "O'Brien", "José", "josé's", "naïve", "Straße", "é", "İ", "ok", "hello", "world", "2026-03-01", "\u00a0"}
	r := rand.New(rand.NewPCG(5, 17))
	for range randomStrings(30_000) {
		check(randomJoin(r, pieces, 12))
	}
}
