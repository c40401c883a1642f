package builtin

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// firstPerson maps the customer's first person to the third, and the
// customer's "you" (the support team) to "support".
var firstPerson = map[string]string{"i": "they", "i'm": "they are", "im": "they are", "i've": "they have",
	"ive": "they have", "i'd": "they would", "i'll": "they will", "me": "them", "my": "their", "mine": "theirs",
	"myself": "themselves", "we": "they", "we're": "they are", "we've": "they have", "we'll": "they will",
	"we'd": "they would", "our": "their", "ours": "theirs", "us": "them", "am": "am", "your": "the",
	"i’m": "they are", "i’ve": "they have", "i’ll": "they will", "i’d": "they would", "we’re": "they are",
	"we’ve": "they have", "we’ll": "they will", "you": "support", "you're": "support is", "you’re": "support is",
	"you've": "support has", "you’ve": "support has", "you'll": "support will", "you’ll": "support will",
	"yourself": "support", "cant": "cannot", "dont": "don't", "doesnt": "doesn't", "didnt": "didn't", "wont": "won't"}

// agentPerson maps the agent's first and second person to the third.
var agentPerson = map[string]string{"we": "they", "we're": "they are", "we've": "they have", "we'll": "they will",
	"we’ll": "they will", "we’re": "they are", "we’ve": "they have", "our": "their", "ours": "theirs", "us": "them",
	"i": "they", "i'm": "they are", "i’m": "they are", "i'll": "they will", "i’ll": "they will", "i've": "they have",
	"i’ve": "they have", "me": "them", "my": "their", "myself": "themselves", "you": "the customer",
	"your": "their", "yours": "theirs", "you're": "the customer is", "you'd": "the customer would",
	"you'll": "the customer will", "you've": "the customer has", "you’d": "the customer would",
	"you’ll": "the customer will", "you’ve": "the customer has", "we'd": "they would", "we’d": "they would",
	"i'd": "they would", "i’d": "they would", "am": "am", "you’re": "the customer is", "yourself": "themselves",
	"cant": "cannot", "dont": "don't", "ive": "they have", "im": "they are", "weve": "they have"}

// objectVerbs take "you" as an object before a bare verb: "let you know".
var objectVerbs = wordSet("let help make have see watch hear get bid for to with ask tell give send thank thanks email contact call remind show allow")

// calm lowercases a shouted sentence, one mostly in capitals.
func calm(words []string) []string {
	upper, letters := 0, 0
	for _, w := range words {
		for _, r := range w {
			if isLetter(r) {
				letters++
				if unicode.IsUpper(r) {
					upper++
				}
			}
		}
	}
	if letters < 10 || upper*10 < letters*6 {
		return calmWords(words)
	}
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = strings.ToLower(w)
	}
	return out
}

// acronyms of four letters or more stay in capitals.
var acronyms = wordSet("HTTP HTTPS JSON GDPR IBAN DATEV OAUTH HTML UUID NULL EPOS WIFI SEPA IMAP SMTP ACH NFC BACS")

// calmWords lowercases the shouted words of a sentence that is not
// shouted as a whole: "support is STILL storing it".
func calmWords(words []string) []string {
	var out []string
	for i, w := range words {
		core := trimPunct(w)
		if len(core) < 4 || !isPlainASCII(core) || acronyms[core] || strings.ToUpper(core) != core || strings.ToLower(core) == core || strings.ContainsAny(core, "0123456789-_/") {
			continue
		}
		if out == nil {
			out = append([]string(nil), words...)
		}
		out[i] = strings.Replace(w, core, strings.ToLower(core), 1)
	}
	if out == nil {
		return words
	}
	return out
}

// rewrite lowercases the first word when it is an ordinary word, maps
// persons, makes the verb after a mapped subject agree, and drops the final
// punctuation.
func rewrite(words []string, persons map[string]string) string {
	out := make([]string, 0, len(words))
	prevThey, prevSingular := false, false
	for i, w := range words {
		core := trimPunct(w)
		lower := strings.ToLower(core)
		mapped := false
		if to, ok := persons[lower]; ok && core != "" && (lower != "us" || core == "us") {
			if lower == "am" {
				to = "am"
				if prevThey {
					to = "are"
				}
			}
			w = strings.Replace(w, core, to, 1)
			mapped = true
		} else if i == 0 && isCapitalised(core) && (len(core) > 1 && strings.ToLower(core[1:]) == core[1:] || core == "A") {
			w = lowerFirst(w, core)
		}
		if !mapped {
			switch {
			case prevThey:
				if to, ok := plural[lower]; ok {
					w = strings.Replace(w, core, to, 1)
				}
			case prevSingular:
				if to, ok := singular[lower]; ok {
					w = strings.Replace(w, core, to, 1)
				} else if commonVerbs[lower] && core == lower {
					w = strings.Replace(w, core, thirdPerson(lower), 1)
				}
			}
		}
		prevThey = strings.HasSuffix(w, "they")
		prevSingular = false
		if mapped && (strings.HasSuffix(w, "the customer") || strings.HasSuffix(w, "support")) && !strings.ContainsAny(w, ",.;:!?") {
			prevSingular = i == 0 || !inLower(objectVerbs, trimPunct(words[i-1]))
		}
		out = append(out, w)
	}
	return strings.TrimRight(strings.Join(out, " "), ".!?,;: ")
}

// lowerFirst lowercases the first letter of core inside w, rune-safe:
// "¿Dónde" becomes "¿dónde".
func lowerFirst(w, core string) string {
	i := strings.Index(w, core)
	if i < 0 || core == "" {
		return w
	}
	r, size := utf8.DecodeRuneInString(core)
	return w[:i] + string(unicode.ToLower(r)) + w[i+size:]
}

// singular fixes the verb after "the customer" or "support" (from "you").
var singular = map[string]string{"am": "is", "are": "is", "were": "was", "have": "has", "don't": "doesn't",
	"do": "does", "can't": "cannot", "aren't": "isn't", "weren't": "wasn't", "haven't": "hasn't"}

// plural fixes an auxiliary verb after "they" (from "I").
var plural = map[string]string{"am": "are", "is": "are", "was": "were", "has": "have", "does": "do",
	"isn't": "aren't", "wasn't": "weren't", "hasn't": "haven't", "doesn't": "don't"}

// trimDanglers joins words without a dangling conjunction, article or
// punctuation at the end.
func trimDanglers(words []string) string {
	for len(words) > 1 {
		last := strings.ToLower(trimPunct(words[len(words)-1]))
		if dangling[last] {
			words = words[:len(words)-1]
			continue
		}
		break
	}
	return strings.TrimRight(strings.Join(words, " "), ".!?,;: -")
}

// isProfane reports whether the profanity detector flags text.
func (s *Summarizer) isProfane(text string) bool {
	if isPlainASCII(text) {
		return s.profanityASCII.IsProfane(text)
	}
	return s.profanity.IsProfane(text)
}

// dropProfanity removes words the profanity detector flags and reports
// whether any were removed.
func (s *Summarizer) dropProfanity(text string) (string, bool) {
	// One check of the whole text first: the detector is costly per call.
	if !s.isProfane(text) {
		return text, false
	}
	words := strings.Fields(text)
	out := words[:0]
	dropped := false
	for _, w := range words {
		if s.isProfane(trimPunct(w)) {
			dropped = true
			if p := trailingPunct(w); p != "" && len(out) > 0 {
				out[len(out)-1] += p
			}
			continue
		}
		out = append(out, w)
	}
	return strings.Join(out, " "), dropped
}
