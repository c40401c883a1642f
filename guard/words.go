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
	tri       []uint64                  // the grams of lower-case ASCII letters as a bit set, indexed by triIndex
	byGram    map[string][]string       // the managed list by first three letters, for the prefix rule
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
		w.byGram = map[string][]string{}
		for _, list := range [][]string{goaway.DefaultProfanities, goaway.DefaultFalseNegatives} {
			for _, p := range list {
				if len(p) >= 3 {
					w.grams[p[:3]] = true
					if k := triIndex(p); k >= 0 {
						if w.tri == nil {
							w.tri = make([]uint64, 26*26*26/64+1)
						}
						w.tri[k>>6] |= 1 << (k & 63)
					}
					w.byGram[p[:3]] = append(w.byGram[p[:3]], p)
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

// detect returns the words of text that the filters match: a word that
// starts with a word of the managed list and that the profanity detector
// calls profane (it knows the false positives such as "assist" or
// "Scunthorpe"), or a custom phrase matching consecutive words.
func (w *wordFilter) detect(toks []token) []wordHit {
	var out []wordHit
	for i := range toks {
		t := &toks[i]
		if w.profanity != nil && t.letters && len(t.folded) >= 3 && w.mayStartProfane(t.folded) && w.startsProfane(t.folded) && w.profanity.IsProfane(t.folded) {
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

// mayStartProfane is the inlined first test of startsProfane: false when
// the first three letters, ASCII, begin no word of the list.
func (w *wordFilter) mayStartProfane(s string) bool {
	a, b, c := s[0]-'a', s[1]-'a', s[2]-'a'
	if a >= 26 || b >= 26 || c >= 26 {
		return true // not three ASCII lower-case letters: startsProfane decides
	}
	k := int(a)*676 + int(b)*26 + int(c)
	return w.tri != nil && w.tri[k>>6]&(1<<(k&63)) != 0
}

// startsProfane reports whether word s begins with a word of the managed
// list ("fucking" does; "parse", "dass" and "class" do not). go-away alone
// matches substrings, which flags ordinary words in English and German.
func (w *wordFilter) startsProfane(s string) bool {
	if k := triIndex(s); k >= 0 {
		if w.tri == nil || w.tri[k>>6]&(1<<(k&63)) == 0 {
			return false
		}
	} else if !w.grams[s[:3]] {
		return false
	}
	for _, p := range w.byGram[s[:3]] {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// triIndex returns the index of the first three bytes of s among the
// three-letter strings of a to z, or -1 when one of them is no such letter.
func triIndex(s string) int {
	k := 0
	for i := 0; i < 3; i++ {
		if i >= len(s) || s[i] < 'a' || s[i] > 'z' {
			return -1
		}
		k = k*26 + int(s[i]-'a')
	}
	return k
}

// maskWord returns asterisks as long as s in runes.
func maskWord(s string) string {
	return strings.Repeat("*", len([]rune(s)))
}
