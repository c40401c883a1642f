package prompt

import (
	"regexp"
	"strings"
)

// closingRE matches a paragraph in which a chat model speaks to the reader
// after the summary: "Let me know if you need anything else!", "I hope
// this helps."
var closingRE = regexp.MustCompile(`(?i)^\s*(?:let me know\b|please let me know\b|i hope (?:this|that) helps\b|hope (?:this|that) helps\b|feel free to\b|is there anything else\b|if you (?:need|have|would like)\b|would you like\b)`)

// TrimChatter takes off the paragraphs with which a chat model wraps a
// summary in conversation: a first paragraph that is a preamble or title
// ("Sure! Here is a summary of the ticket:", "**Summary**") and last
// paragraphs that speak to the reader ("Let me know if you need anything
// else!"). It only takes off whole paragraphs, and only when another
// paragraph is left, so that a one-paragraph answer is never emptied or
// cut mid-sentence. It returns the text and whether it took anything off.
func TrimChatter(text string) (string, bool) {
	paras := paraRE.Split(strings.TrimSpace(text), -1)
	trimmed := false
	for len(paras) > 1 && isPreamble(paras[0]) {
		paras, trimmed = paras[1:], true
	}
	for len(paras) > 1 && closingRE.MatchString(paras[len(paras)-1]) {
		paras, trimmed = paras[:len(paras)-1], true
	}
	if !trimmed {
		return text, false
	}
	return strings.Join(paras, "\n\n"), true
}

// isPreamble reports whether a paragraph only introduces what follows: it
// starts as a preamble or title does and is short, ending with a colon or
// being a title line.
func isPreamble(p string) bool {
	p = strings.TrimSpace(p)
	if !preambleRE.MatchString(p) || WordCount(p) > 15 {
		return false
	}
	return strings.HasSuffix(strings.TrimRight(p, "*_ "), ":") || !strings.ContainsAny(p, ".!?") || strings.HasPrefix(p, "#") || strings.HasPrefix(p, "**")
}
