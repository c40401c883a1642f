package guard

import (
	"strings"

	goaway "github.com/TwiN/go-away"
	"github.com/ticketsum/ticketsum"
)

// wordFilter matches the managed profanity list and custom words.
type wordFilter struct {
	profanity *goaway.ProfanityDetector // nil when the list is off
	grams     map[string]bool           // first three letters of each profanity, to skip clean words fast
	custom    [][]string                // custom phrases as folded tokens
}

type wordHit struct {
	start, end int
	custom     bool
}

func newWordFilter(profanity bool, custom []string) (*wordFilter, error) {
	w := &wordFilter{}
	if profanity {
		w.profanity = goaway.NewProfanityDetector().WithSanitizeSpaces(false).WithSanitizeSpecialCharacters(false)
		w.grams = map[string]bool{}
		for _, list := range [][]string{goaway.DefaultProfanities, goaway.DefaultFalseNegatives} {
			for _, p := range list {
				if len(p) >= 3 {
					w.grams[p[:3]] = true
				}
			}
		}
	}
	for _, c := range custom {
		var toks []string
		for _, t := range tokenize(c) {
			toks = append(toks, t.folded)
		}
		if len(toks) == 0 || len(toks) > 3 {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "guard: custom word %d must have one to three words", len(w.custom)+1)
		}
		w.custom = append(w.custom, toks)
	}
	return w, nil
}

// detect returns the words of text that the filters match: a token that the
// profanity detector calls profane (it knows the false positives such as
// "assist" or "Scunthorpe"), or a custom phrase matching consecutive tokens.
func (w *wordFilter) detect(toks []token) []wordHit {
	var out []wordHit
	for i, t := range toks {
		if w.profanity != nil && t.letters && len(t.folded) >= 3 && w.leadsProfane(t.folded) && w.profanity.IsProfane(t.folded) {
			out = append(out, wordHit{t.start, t.end, false})
			continue
		}
	custom:
		for _, c := range w.custom {
			if i+len(c) > len(toks) {
				continue
			}
			for k, cw := range c {
				if toks[i+k].folded != cw {
					continue custom
				}
			}
			out = append(out, wordHit{t.start, toks[i+len(c)-1].end, true})
			break
		}
	}
	return out
}

// leadsProfane is a cheap filter: some three letters of s start a
// profanity, so the detector may find one in it.
func (w *wordFilter) leadsProfane(s string) bool {
	for i := 0; i+3 <= len(s); i++ {
		if w.grams[s[i:i+3]] {
			return true
		}
	}
	return false
}

// maskWord returns asterisks as long as s in runes.
func maskWord(s string) string {
	return strings.Repeat("*", len([]rune(s)))
}
