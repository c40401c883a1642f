package guard

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldTable maps U+00C0..U+024F to the ASCII letter it decomposes to; '?'
// means no ASCII base (kept as is). Generated from Unicode NFD decompositions.
const foldTable = "AAAAAAACEEEEIIIIDNOOOOO?OUUUUYTsaaaaaaaceeeeiiiidnooooo?ouuuuytyAaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi??JjKkkLlLlLl??LlNnNnNn?NnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZz?????????????????????????????????Oo?????????????Uu????????????????????????????AaIiOoUuUuUuUuUu?AaAa????GgKkOoOo??j???Gg??NnAa????AaAaEeEeIiIiOoOoRrRrUuUuSsTt??Hh??????AaEeOoOoOoOoYy????????????????????????????"

// foldRune lowercases r and strips its accent when it is a Latin letter.
func foldRune(r rune) rune {
	if r >= 0xC0 && r < 0x250 {
		if b := foldTable[r-0xC0]; b != '?' {
			r = rune(b)
		}
	}
	return unicode.ToLower(r)
}

// fold lowercases s and strips accents from Latin letters, so that "Sörös"
// and "soros" compare equal.
//
// An ASCII string folds to its ASCII lower case (foldRune maps each ASCII
// letter to its lower case and leaves the other bytes): asciiLower, which
// returns s itself when it has no capital, without a rune at a time.
// TestFoldASCII compares the two paths.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return asciiLower(s)
	}
	return foldRunes(s)
}

// foldRunes is fold a rune at a time, for a string beyond ASCII.
func foldRunes(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// isWordRune reports whether r belongs to a word (letters, digits, and the
// apostrophe and hyphen inside names).
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}
