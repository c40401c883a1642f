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
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
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

// token is a word of a text with its byte offsets.
type token struct {
	start, end int
	text       string
	folded     string
	upper      bool // starts with an upper-case letter
	letters    bool // letters only (and inner ' or -)
}

// tokenize splits s into words: runs of letters and digits, with inner
// apostrophes, hyphens and periods of initials left out.
func tokenize(s string) []token {
	var out []token
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := s[start:end]
		// trim a possessive 's and trailing apostrophes and hyphens
		if len(w) > 2 && (strings.HasSuffix(w, "'s") || strings.HasSuffix(w, "'S")) {
			w = w[:len(w)-2]
		}
		for len(w) > 0 && (w[len(w)-1] == '\'' || w[len(w)-1] == '-') {
			w = w[:len(w)-1]
		}
		if w != "" {
			first, _ := utf8.DecodeRuneInString(w)
			letters := true
			for _, r := range w {
				if !unicode.IsLetter(r) && !unicode.IsMark(r) && r != '\'' && r != '-' {
					letters = false
					break
				}
			}
			out = append(out, token{start: start, end: start + len(w), text: w, folded: fold(w), upper: unicode.IsUpper(first), letters: letters})
		}
		start = -1
	}
	for i, r := range s {
		switch {
		case isWordRune(r):
			if start < 0 {
				start = i
			}
		case (r == '\'' || r == '-') && start >= 0:
			// kept inside a word; trimmed if trailing
		default:
			flush(i)
		}
	}
	flush(len(s))
	return out
}
