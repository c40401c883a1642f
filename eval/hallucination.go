package eval

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/ticketsum/ticketsum"
)

var (
	numberRE    = regexp.MustCompile(`\b\d+(?:[.,:/]\d+)*\b`)
	wordRE      = regexp.MustCompile(`[\p{L}\p{N}][\p{L}\p{N}'’\-]*`)
	timeSplitRE = regexp.MustCompile(`[:/]`)
)

// numberWords lets "five days" in a ticket support "5 days" in a summary.
var numberWords = map[string]string{
	"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
	"eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "fifteen": "15", "twenty": "20",
	"thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "once": "1", "twice": "2", "first": "1", "second": "2",
	"third": "3", "single": "1", "double": "2", "half": "0.5", "dozen": "12",
}

// commonCapitalised are words a summary may capitalise without naming an
// entity of the ticket.
var commonCapitalised = map[string]bool{
	"i": true, "the": true, "a": true, "an": true, "customer": true, "agent": true, "support": true,
	"status": true, "english": true, "ok": true, "okay": true, "faq": true, "url": true,
	// Language names: a summary says "the customer wrote in Spanish" of a
	// ticket that never names its own language.
	"spanish": true, "german": true, "french": true, "italian": true, "portuguese": true, "dutch": true,
	"japanese": true, "chinese": true, "korean": true, "russian": true, "arabic": true, "polish": true,
}

// Unsupported returns the entities of a summary that the ticket does not
// contain, as a hallucination check: numbers (ignoring thousands
// separators, and accepting number words such as "five" in the ticket), and
// capitalised or alphanumeric words not at the start of a sentence (product
// names, places, codes such as "X200"). Matching ignores case. It is a
// heuristic: paraphrases ("the router" for "my modem") pass, and an entity
// may be flagged when the ticket spells it differently.
func Unsupported(summary string, t *ticketsum.Ticket) []string {
	var src strings.Builder
	src.WriteString(t.Subject + "\n" + t.ProductLine + "\n")
	for _, m := range t.Messages {
		src.WriteString(m.Body + "\n")
	}
	text := src.String()
	numbers := map[string]bool{}
	for _, n := range numberRE.FindAllString(text, -1) {
		addNumber(numbers, n)
	}
	words := map[string]bool{}
	for _, w := range wordRE.FindAllString(strings.ToLower(text), -1) {
		words[w] = true
		if d, ok := numberWords[w]; ok {
			numbers[d] = true
		}
		for _, part := range strings.FieldsFunc(w, func(r rune) bool { return r == '-' || r == '\'' || r == '’' }) {
			words[part] = true
		}
	}
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, n := range numberRE.FindAllString(summary, -1) {
		if !numbers[normaliseNumber(n)] {
			add(n)
		}
	}
	sentenceStart := true
	for _, loc := range wordRE.FindAllStringIndex(summary, -1) {
		w := summary[loc[0]:loc[1]]
		start := sentenceStart
		sentenceStart = endsSentence(summary[loc[1]:])
		if isNumber(w) || !entityLike(w, start) {
			continue
		}
		lw := strings.ToLower(w)
		if commonCapitalised[lw] || words[lw] {
			continue
		}
		add(w)
	}
	return out
}

// entityLike reports whether w looks like a name or code: capitalised
// (not at a sentence start), or mixing letters and digits, or with a
// capital after its first letter ("iPhone").
func entityLike(w string, sentenceStart bool) bool {
	var letters, digits, innerUpper int
	for i, r := range w {
		switch {
		case unicode.IsDigit(r):
			digits++
		case unicode.IsLetter(r):
			letters++
			if i > 0 && unicode.IsUpper(r) {
				innerUpper++
			}
		}
	}
	first := []rune(w)[0]
	switch {
	case letters > 0 && digits > 0:
		return true
	case innerUpper > 0:
		return true
	case unicode.IsUpper(first) && !sentenceStart:
		return true
	}
	return false
}

func endsSentence(rest string) bool {
	for _, r := range rest {
		switch {
		case r == '.' || r == '!' || r == '?' || r == ':' || r == ';' || r == '\n':
			return true
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return false
		}
	}
	return true
}

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

func normaliseNumber(n string) string {
	n = strings.ReplaceAll(n, ",", "")
	return strings.TrimRight(n, ".")
}

func addNumber(set map[string]bool, n string) {
	set[normaliseNumber(n)] = true
	// "10:30" also supports "10" and "30"; "4.1" also supports "4", as a
	// summary may shorten a version; "1,200" supports "1200" only.
	for _, part := range timeSplitRE.Split(n, -1) {
		set[normaliseNumber(part)] = true
	}
	if whole, _, ok := strings.Cut(n, "."); ok {
		set[normaliseNumber(whole)] = true
	}
}
