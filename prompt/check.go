package prompt

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/ticketsum/ticketsum"
)

// Problem codes reported by Check.
const (
	ProblemEmpty      = "empty"       // no summary text
	ProblemPreamble   = "preamble"    // starts with "Here is a summary" or a title
	ProblemParagraphs = "paragraphs"  // more than one paragraph, or a list
	ProblemTooLong    = "too_long"    // more words than allowed
	ProblemNotEnglish = "not_english" // does not read as English
	ProblemPII        = "pii"         // contains personal data
	ProblemNoStatus   = "no_status"   // no valid status line
)

// Problem is one rule an answer breaks.
type Problem struct {
	Code string `json:"code"`
	// Detail says what was found, without quoting personal data.
	Detail string `json:"detail"`
}

func (p Problem) String() string { return p.Code + ": " + p.Detail }

// Instruction tells the model how to fix the problem, for the repair call.
func (p Problem) Instruction() string {
	switch p.Code {
	case ProblemEmpty:
		return "The summary was empty. Write the summary."
	case ProblemPreamble:
		return "It started with a preamble or title. Start directly with the summary."
	case ProblemParagraphs:
		return "It had more than one paragraph or a list. Write a single paragraph of prose."
	case ProblemTooLong:
		return "It was too long (" + p.Detail + "). Shorten it."
	case ProblemNotEnglish:
		return "It was not in English. Write it in English."
	case ProblemPII:
		return "It contained personal data (" + p.Detail + "). Remove it; say \"the customer\" or \"the agent\" instead of names."
	case ProblemNoStatus:
		return "The final STATUS line was missing or invalid. End with exactly one of STATUS: resolved, STATUS: awaiting_customer, STATUS: awaiting_support."
	}
	return p.Detail
}

// PIIChecker returns the kinds of personal data found in text (such as
// "EMAIL", "PHONE"), or none. It must not return the data itself. t is the
// ticket the text summarises, so that a checker can look for its people; it
// may be nil. The guard package plugs in as
//
//	func(t *ticketsum.Ticket, text string) []string {
//		var kinds []string
//		for _, f := range g.Detect(g.NewSession(t), text) {
//			kinds = append(kinds, f.Type)
//		}
//		return kinds
//	}
type PIIChecker func(t *ticketsum.Ticket, text string) []string

var (
	emailRE = regexp.MustCompile(`[\p{L}0-9._%+\-]+@[\p{L}0-9.\-]+\.[\p{L}]{2,}`)
	phoneRE = regexp.MustCompile(`\+?\(?\d[\d\s().\-]{7,}\d`)
)

// DefaultPII is the built-in PII check: email addresses, and phone numbers
// as runs of 9 to 15 digits with optional separators and leading "+".
// The guard package's detectors are better; plug them in as Config.PII.
func DefaultPII(_ *ticketsum.Ticket, text string) []string {
	var kinds []string
	if emailRE.MatchString(text) {
		kinds = append(kinds, "EMAIL")
	}
	for _, m := range phoneRE.FindAllString(text, -1) {
		digits := 0
		for _, r := range m {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits >= 9 && digits <= 15 {
			kinds = append(kinds, "PHONE")
			break
		}
	}
	return kinds
}

var (
	preambleRE = regexp.MustCompile(`(?i)^\s*(#+\s|\*\*|summary\s*[:\-]|ticket summary|here(?:'s| is| are)\b|below is|sure\b|certainly\b|of course\b|okay\b|ok[,!.]|absolutely\b|i (?:have|'ve) summari[sz]ed|this is (?:a|the) summary)`)
	listRE     = regexp.MustCompile(`(?m)^\s*(?:[-*•]|\d+[.)])\s+`)
	paraRE     = regexp.MustCompile(`\n\s*\n`)
)

// englishStopWords are frequent English function words; a text with few of
// them is not English.
var englishStopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`the a an and or but of to in on at for with from by about as is are was were be been
		has have had do does did not no it its this that these those they them their he she his her we our you your
		i which who what when after before then than so if into over under up out also can could would should will
		while because until again there here via any all some more most only same such own both each`) {
		englishStopWords[w] = true
	}
}

// foreignStopWords are frequent function words of the other languages
// tickets come in (French, Spanish, Portuguese, Italian, German, Dutch)
// that are not English words. A short French text has enough English "a"s
// to pass the English share alone ("Le client a signalé ... ce qui a
// résolu le problème": 3 of 20 words), but far more of these.
var foreignStopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`le la les des du une et est que qui pour dans pas sur au aux avec ce cette il elle nous vous
		ont été sont lui leur se ne el los las del y con para por una es está fue al lo su sus
		der die das und ist nicht mit ein eine einen den dem zu auf sich von wurde wird hat sie auch
		de het een van niet zijn werd um os em uma com não foi che per sono della gli`) {
		foreignStopWords[w] = true
	}
}

// EnglishScore returns the share of words of text that are common English
// function words (typically 0.3-0.5 for English prose, under 0.1 for other
// languages) and the number of words looked at. Non-Latin letters count as
// non-English words.
func EnglishScore(text string) (score float64, words int) {
	score, _, words = stopWordShares(text)
	return score, words
}

// stopWordShares returns the shares of the words of text that are English
// and foreign function words (foreignStopWords, and French elisions such as
// l'agent or qu'il), and the number of words.
func stopWordShares(text string) (english, foreign float64, words int) {
	var en, other int
	for _, f := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\'' && r != '’'
	}) {
		words++
		switch {
		case englishStopWords[f]:
			en++
		case foreignStopWords[f] || frenchElision(f):
			other++
		}
	}
	if words == 0 {
		return 0, 0, 0
	}
	return float64(en) / float64(words), float64(other) / float64(words), words
}

// frenchElision reports whether word is an elided French article or
// pronoun with its word: l'agent, d'une, qu'il.
func frenchElision(word string) bool {
	for _, p := range []string{"l'", "d'", "qu'", "n'", "s'", "c'", "j'", "l’", "d’", "qu’", "n’", "s’", "c’", "j’"} {
		if len(word) > len(p) && strings.HasPrefix(word, p) {
			return true
		}
	}
	return false
}

// minEnglishScore is the stop-word share under which a text of at least
// minEnglishWords words is taken as not English.
const (
	minEnglishScore = 0.12
	minEnglishWords = 8
)

// WordCount counts whitespace-separated words.
func WordCount(s string) int { return len(strings.Fields(s)) }

// Check parses a model's raw answer and returns it with the rules it breaks.
// tk, when not nil, lets the check also find the names and emails of the
// ticket's people (ticket.People) in the summary.
func (t *Template) Check(raw string, tk *ticketsum.Ticket) (Answer, []Problem) {
	a := ParseAnswer(raw)
	return a, t.CheckAnswer(a, tk)
}

// CheckAnswer returns the rules a parsed answer breaks.
func (t *Template) CheckAnswer(a Answer, tk *ticketsum.Ticket) []Problem {
	var ps []Problem
	text := strings.TrimSpace(a.Text)
	if text == "" {
		return []Problem{{ProblemEmpty, "no summary text"}}
	}
	if preambleRE.MatchString(text) {
		ps = append(ps, Problem{ProblemPreamble, "starts with a preamble or title"})
	}
	if paraRE.MatchString(text) || listRE.MatchString(text) {
		ps = append(ps, Problem{ProblemParagraphs, "more than one paragraph or a list"})
	}
	if n := WordCount(text); n > t.cfg.MaxWords {
		ps = append(ps, Problem{ProblemTooLong, fmt.Sprintf("%d words, limit %d", n, t.cfg.MaxWords)})
	}
	if en, foreign, n := stopWordShares(text); n >= minEnglishWords && (en < minEnglishScore || foreign > en) || nonLatinShare(text) > 0.3 {
		ps = append(ps, Problem{ProblemNotEnglish, fmt.Sprintf("English stop-word share %.2f, other languages' %.2f", en, foreign)})
	}
	kinds := t.cfg.PII(tk, text)
	if tk != nil {
		kinds = append(kinds, peopleIn(text, tk)...)
	}
	if len(kinds) > 0 {
		ps = append(ps, Problem{ProblemPII, strings.Join(dedupe(kinds), ", ")})
	}
	if !a.Status.Valid() {
		ps = append(ps, Problem{ProblemNoStatus, "no valid STATUS line"})
	}
	return ps
}

// peopleIn reports "PERSON" when the name (or a name part of 3+ letters
// that is not a common word) or email of one of the ticket's people occurs
// in text.
func peopleIn(text string, tk *ticketsum.Ticket) []string {
	lower := strings.ToLower(text)
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) && r != '@' && r != '.' }) {
		words[strings.Trim(w, ".")] = true
	}
	for _, p := range tk.People() {
		lp := strings.ToLower(p)
		if strings.Contains(lp, "@") {
			if strings.Contains(lower, lp) {
				return []string{"EMAIL"}
			}
			continue
		}
		for _, part := range strings.Fields(lp) {
			if len(part) >= 3 && !englishStopWords[part] && !roleWords[part] && words[part] {
				return []string{"PERSON"}
			}
		}
	}
	return nil
}

var roleWords = map[string]bool{"customer": true, "agent": true, "support": true, "team": true, "bot": true, "system": true, "admin": true}

func nonLatinShare(s string) float64 {
	var letters, other int
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
			if !unicode.Is(unicode.Latin, r) {
				other++
			}
		}
	}
	if letters == 0 {
		return 0
	}
	return float64(other) / float64(letters)
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
