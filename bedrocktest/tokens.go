package bedrocktest

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tokens is how the fake counts tokens: one token per four characters
// (runes), rounded up. Every usage figure, token header, quota and context
// check of the server uses it, so tests compute expected figures with it
// rather than hard-coding them.
func Tokens(s string) int {
	n := utf8.RuneCountInString(s)
	return (n + 3) / 4
}

// truncateTokens cuts s to at most n tokens as Tokens counts them.
func truncateTokens(s string, n int) (string, bool) {
	if Tokens(s) <= n {
		return s, false
	}
	runes := []rune(s)
	return string(runes[:n*4]), true
}

// stopWords are skipped when DefaultResponder picks the topic of a prompt,
// space-separated with a space at each end.
const stopWords = ` a about above after again against all also am an and any are as at be because been
before being below between both but by can cannot could did do does doing down during each few for from further
had has have having he her here hers him his how i if in into is it its itself just let me more most my no nor not
now of off on once only or other our ours out over own please same she should so some such than that the their
them then there these they this those through to too under until up very was we were what when where which while
who whom why will with would you your yours hi hello thanks thank regards dear customer agent support ticket
summarize summarise summary one paragraph words message messages get got also still really like need want know
since already back able today yesterday tomorrow im ive dont cant didnt doesnt isnt wont youre `

func isStopWord(w string) bool {
	for _, sep := range []string{" ", "\n"} {
		for _, sep2 := range []string{" ", "\n"} {
			if strings.Contains(stopWords, sep+w+sep2) {
				return true
			}
		}
	}
	return false
}

// DefaultResponder is the responder used when Config.Responder is nil: a
// deterministic, summary-like paragraph of at most 60 words naming the
// prompt's three most frequent content words (lower-case words only, so
// names, emails and numbers never appear in it) and whether the thread
// reads as resolved.
func DefaultResponder(model, prompt string) string {
	counts := map[string]int{}
	first := map[string]int{}
	i := 0
	for _, f := range strings.FieldsFunc(prompt, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' && r != '\'' && r != '@' }) {
		i++
		w := strings.Trim(f, "-'")
		if len(w) < 4 || strings.ContainsRune(w, '@') || strings.ContainsRune(w, '\'') || w != strings.ToLower(w) || isStopWord(w) {
			continue
		}
		if _, ok := first[w]; !ok {
			first[w] = i
		}
		counts[w]++
	}
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	sort.Slice(words, func(a, b int) bool {
		if counts[words[a]] != counts[words[b]] {
			return counts[words[a]] > counts[words[b]]
		}
		return first[words[a]] < first[words[b]]
	})
	if len(words) > 3 {
		words = words[:3]
	}
	topic := "their account"
	switch len(words) {
	case 1:
		topic = words[0]
	case 2:
		topic = words[0] + " and " + words[1]
	case 3:
		topic = words[0] + ", " + words[1] + " and " + words[2]
	}
	lower := strings.ToLower(prompt)
	status := "The issue is awaiting a reply from the customer."
	for _, cue := range []string{"resolved", "works now", "working now", "fixed", "that worked", "all set", "sorted"} {
		if strings.Contains(lower, cue) {
			status = "The issue is resolved."
			break
		}
	}
	return "The customer contacted support about a problem with " + topic +
		". The agent reviewed the details and explained the steps to fix it. " + status
}
