package eval

import (
	"context"
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/guard"
)

//go:embed toxicity_lexicon.txt
var lexiconText string

// Lexicon is a list of toxic words and phrases by category (insult,
// demeaning, threat). DefaultLexicon is the maintained one,
// eval/toxicity_lexicon.txt.
type Lexicon struct {
	phrases map[string][][]string // first word -> phrases starting with it
	cat     map[string]string     // phrase -> category
}

// DefaultLexicon returns the embedded, maintained lexicon.
func DefaultLexicon() *Lexicon {
	l, err := ParseLexicon(lexiconText)
	if err != nil {
		panic(fmt.Sprintf("eval: embedded toxicity lexicon: %v", err))
	}
	return l
}

// ParseLexicon reads "category: phrase" lines; blank lines and lines
// starting with # are skipped. It returns EINVALID naming the bad line.
func ParseLexicon(text string) (*Lexicon, error) {
	l := &Lexicon{phrases: map[string][][]string{}, cat: map[string]string{}}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cat, phrase, ok := strings.Cut(line, ":")
		words := lexWords(phrase)
		if !ok || strings.TrimSpace(cat) == "" || len(words) == 0 || len(words) > 4 {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "toxicity lexicon line %d: want \"category: phrase\" of one to four words", n+1)
		}
		l.phrases[words[0]] = append(l.phrases[words[0]], words)
		l.cat[strings.Join(words, " ")] = strings.TrimSpace(cat)
	}
	return l, nil
}

// lexWords lowercases text and splits it into words of letters, digits and
// apostrophes.
func lexWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
}

// Find returns "category:phrase" for every lexicon phrase in text.
func (l *Lexicon) Find(text string) []string {
	words := lexWords(text)
	var out []string
	for i, w := range words {
	next:
		for _, p := range l.phrases[w] {
			if i+len(p) > len(words) {
				continue
			}
			for k := range p {
				if words[i+k] != p[k] {
					continue next
				}
			}
			key := strings.Join(p, " ")
			out = append(out, l.cat[key]+":"+key)
		}
	}
	return out
}

// toxicity returns what makes text toxic: the guard's word filters
// (profanity and custom words, as "profanity" or "custom") and the lexicon's
// phrases, sorted and without repeats.
func (r *Runner) toxicity(ctx context.Context, text string) []string {
	seen := map[string]bool{}
	if r.cfg.Guard != nil {
		if res, _ := r.cfg.Guard.CheckOutput(ctx, nil, text); res != nil {
			for _, f := range res.Findings {
				if f.Kind == guard.KindWord {
					seen[strings.ToLower(f.Type)] = true
				}
			}
		}
	}
	for _, hit := range r.cfg.Lexicon.Find(text) {
		seen[hit] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// fillToxicity fills in the default guard and lexicon.
func (c *Config) fillToxicity() error {
	if c.Lexicon == nil {
		c.Lexicon = DefaultLexicon()
	}
	if c.Guard == nil {
		g, err := guard.New(guard.Config{})
		if err != nil {
			return fmt.Errorf("eval: default guard: %w", err)
		}
		c.Guard = g
	}
	return nil
}
