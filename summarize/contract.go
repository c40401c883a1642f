package summarize

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/builtin"
	"github.com/ticketsum/ticketsum/prompt"
)

// StatusClassifier decides a ticket's resolution status from its thread.
// *builtin.Summarizer is one, and the default: its Status method is the
// classifier the built-in summariser itself uses.
type StatusClassifier interface {
	Status(t *ticketsum.Ticket) ticketsum.Status
}

// builtinClassifier is the built-in summariser's status classifier, built
// on first use: building it takes tens of milliseconds (its guard and word
// lists), and most answers carry their own status.
type builtinClassifier struct {
	get func() (*builtin.Summarizer, error)
}

func newBuiltinClassifier() *builtinClassifier {
	return &builtinClassifier{get: sync.OnceValues(func() (*builtin.Summarizer, error) { return builtin.New(builtin.Config{}) })}
}

// Status is the built-in's status of t; awaiting support, the status that
// keeps a person looking, should the built-in fail to build.
func (b *builtinClassifier) Status(t *ticketsum.Ticket) ticketsum.Status {
	s, err := b.get()
	if err != nil {
		return ticketsum.StatusAwaitingSupport
	}
	return s.Status(t)
}

// listMarker matches a list bullet or number at the start of a line.
var listMarker = regexp.MustCompile(`(?m)^[ \t]*(?:[-*•]|\d+[.)])[ \t]+`)

// settle applies the output contract to a finished answer, keeping it
// whenever a local fix makes it valid: a chat model's preamble and closing
// paragraphs are taken off (FlagTrimmed, see prompt.TrimChatter), lines and
// paragraphs are joined into
// one paragraph (FlagJoined), a text over ticketsum.MaxSummaryWords is cut
// (FlagTruncated, see Truncate), and a missing or unknown status is taken
// from c (FlagStatusInferred). Only an answer with no text at all is an
// error: fixable by configuration (another model or prompt), never a bad
// ticket, because the ticket is not at fault.
func settle(s *ticketsum.Summary, t *ticketsum.Ticket, c StatusClassifier) error {
	text := strings.TrimSpace(s.Text)
	if text == "" {
		return ticketsum.WithClass(ticketsum.Errorf(ticketsum.EUNAVAILABLE,
			"model %s answered ticket %s with no summary text: choose another model (model, models.<name>.fallback) or prompt version (prompt.version)",
			s.Model, t.ID), ticketsum.ClassConfig)
	}
	if trimmed, ok := prompt.TrimChatter(text); ok {
		text = trimmed
		addFlag(s, ticketsum.FlagTrimmed)
	}
	if strings.ContainsAny(text, "\r\n") {
		text = strings.Join(strings.Fields(listMarker.ReplaceAllString(text, "")), " ")
		addFlag(s, ticketsum.FlagJoined)
	}
	if cut, ok := Truncate(text, ticketsum.MaxSummaryWords); ok {
		text = cut
		s.Truncated = true
		addFlag(s, ticketsum.FlagTruncated)
	}
	s.Text = text
	if !s.Status.Valid() {
		s.Status = c.Status(t)
		s.StatusInferred = true
		addFlag(s, ticketsum.FlagStatusInferred)
	}
	return nil
}

func addFlag(s *ticketsum.Summary, f string) {
	if !s.HasFlag(f) {
		s.Flags = append(s.Flags, f)
	}
}

// Truncate cuts text to at most max words, at the end of the last sentence
// that ends within the limit, and reports whether it cut. When no sentence
// ends in the second half of the limit, so that a cut there would lose most
// of the summary, it cuts at the limit instead and ends the text with "…".
// Words are rejoined with single spaces.
func Truncate(text string, max int) (string, bool) {
	words := strings.Fields(text)
	if len(words) <= max || max <= 0 {
		return text, false
	}
	words = words[:max]
	for i := len(words) - 1; i >= max/2; i-- {
		if endsSentence(words[i]) {
			return strings.Join(words[:i+1], " "), true
		}
	}
	for len(words) > 1 && strings.TrimRightFunc(words[len(words)-1], unicode.IsPunct) == "" {
		words = words[:len(words)-1] // a lone dash or comma does not end the text
	}
	words[len(words)-1] = strings.TrimRightFunc(words[len(words)-1], unicode.IsPunct) + "…"
	return strings.Join(words, " "), true
}

// endsSentence reports whether word ends a sentence: its last character,
// closing quotes and brackets aside, is '.', '!', '?' or '…'.
func endsSentence(word string) bool {
	word = strings.TrimRight(word, `"')]”’»`)
	r, _ := utf8.DecodeLastRuneInString(word)
	return r == '.' || r == '!' || r == '?' || r == '…'
}
