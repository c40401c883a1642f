package builtin

import (
	"strings"
	"unicode"

	"github.com/ticketsum/ticketsum"
)

// Word budgets of the two clauses; the status sentence takes the rest.
const (
	issueWords  = 26
	actionWords = 22
)

// statusSentences state the resolution status.
var statusSentences = map[ticketsum.Status]string{
	ticketsum.StatusResolved:         "The issue is resolved.",
	ticketsum.StatusAwaitingCustomer: "The agent is waiting for the customer's reply.",
	ticketsum.StatusAwaitingSupport:  "The customer is waiting for support.",
}

// compose writes the summary: the customer's issue, what the agent did and
// the status, within MaxWords, without profanity. Flags note what was
// removed.
func (s *Summarizer) compose(d *digest) (string, []string) {
	var parts []string
	if c := pick(d.customer, func(st sentence) float64 { return scoreIssue(d, st) }); c != nil {
		parts = append(parts, issueClause(c))
	} else {
		parts = append(parts, "The customer contacted support.")
	}
	if a := pick(d.agent, func(st sentence) float64 { return scoreAction(d, st) }); a != nil {
		parts = append(parts, actionClause(a))
	} else if d.lastAgent == 0 {
		parts = append(parts, "No agent has replied yet.")
	}
	status := statusSentences[d.status]
	text := strings.Join(parts, " ")
	text, profane := s.dropProfanity(text)
	text = limitWords(text, s.cfg.MaxWords-wordCount(status))
	var flags []string
	if profane {
		flags = append(flags, "output:profanity")
	}
	return text + " " + status, flags
}

// pick returns the best-scoring sentence, the earliest on ties.
func pick(cands []sentence, score func(sentence) float64) *sentence {
	var best *sentence
	bestScore := 0.0
	for i := range cands {
		sc := score(cands[i])
		if best == nil || sc > bestScore {
			best, bestScore = &cands[i], sc
		}
	}
	return best
}

var problemWords = []string{"can't", "cannot", "can not", "unable", "not ", "n't", "won't", "error", "issue",
	"problem", "broken", "fail", "charged", "refund", "missing", "wrong", "help", "why", "still", "never",
	"crash", "slow", "late", "lost", "stuck", "delay", "cancel", "disappoint", "worst", "terrible", "awful",
	"complain", "no longer", "nothing", "down", "outage", "bug"}

// scoreIssue rates a customer sentence as the statement of the issue.
func scoreIssue(d *digest, st sentence) float64 {
	score := 0.0
	switch st.turn {
	case 0:
		score += 3
	case 1:
		score += 1
	}
	if st.pos == 0 {
		score += 1
	}
	lower := strings.ToLower(st.text)
	if containsAny(lower+" ", problemWords) {
		score += 1.5
	}
	if strings.HasSuffix(st.text, "?") {
		score += 0.5
	}
	score += overlap(d.subject, lower)
	n := len(st.words)
	switch {
	case n < 4:
		score -= 3
	case n > 40:
		score -= 1
	}
	return score
}

var actionWords_ = []string{"please", "dm", "send", "follow", "try", "check", "could you", "can you", "we'll",
	"will ", "refund", "replace", "escalat", "pass", "look into", "reset", "update", "reinstall", "restart",
	"contact", "link", "recommend", "suggest", "need", "confirm", "provide", "fixed", "resolved"}

// idleWords mark agent sentences that say nothing about the issue.
var idleWords = []string{"checking back", "checking in", "following up", "just wanted to", "have a great", "have a good"}

var emptyWords = []string{"sorry", "thanks", "thank", "apolog", "happy to help", "glad", "understand",
	"frustrat", "inconvenience", "hear that", "hear this"}

// scoreAction rates an agent sentence as the statement of what the agent did.
func scoreAction(d *digest, st sentence) float64 {
	score := 0.0
	if st.last {
		score += 2
	}
	if d.lastAgent > 1 {
		score += 1.5 * float64(st.turn) / float64(d.lastAgent-1)
	}
	lower := strings.ToLower(st.text) + " "
	if containsAny(lower, actionWords_) {
		score += 1.5
	}
	if containsAny(lower, emptyWords) && len(st.words) < 10 {
		score -= 2
	}
	if containsAny(lower, closingPhrases) || containsAny(lower, idleWords) {
		score -= 3
	}
	if strings.HasSuffix(st.text, "?") {
		score += 0.3
	}
	if len(st.words) < 4 {
		score -= 3
	}
	return score
}

// overlap scores shared content words between the subject and a sentence.
func overlap(subject, lower string) float64 {
	if subject == "" {
		return 0
	}
	n := 0.0
	for _, w := range strings.Fields(strings.ToLower(subject)) {
		w = trimPunct(w)
		if len(w) > 3 && strings.Contains(lower, w) {
			n++
		}
	}
	return min(n, 3)
}

// firstPerson maps the customer's first person to the third.
var firstPerson = map[string]string{"i": "they", "i'm": "they are", "im": "they are", "i've": "they have",
	"ive": "they have", "i'd": "they would", "i'll": "they will", "me": "them", "my": "their", "mine": "theirs",
	"myself": "themselves", "we": "they", "we're": "they are", "we've": "they have", "we'll": "they will",
	"our": "their", "us": "them", "am": "are", "i’m": "they are", "i’ve": "they have", "i’ll": "they will"}

// agentPerson maps the agent's first and second person to the third.
var agentPerson = map[string]string{"we": "they", "we're": "they are", "we've": "they have", "we'll": "they will",
	"we’ll": "they will", "we’re": "they are", "our": "their", "us": "them", "i": "they", "i'm": "they are",
	"i'll": "they will", "i've": "they have", "me": "them", "my": "their", "you": "the customer",
	"your": "their", "you're": "the customer is", "you’re": "the customer is", "yourself": "themselves"}

// issueClause states the customer's issue in the third person.
func issueClause(st *sentence) string {
	words := calm(st.words)
	first := strings.ToLower(trimPunct(words[0]))
	question := strings.HasSuffix(st.text, "?")
	switch {
	case whWords[first]:
		return "Customer is asking " + limitWords(rewrite(words, firstPerson), issueWords) + "."
	case question && auxWords[first] && len(words) > 2 && subjects[strings.ToLower(trimPunct(words[1]))]:
		swapped := append([]string{words[1], strings.ToLower(words[0])}, words[2:]...)
		if doWords[first] {
			swapped = append([]string{words[1]}, words[2:]...)
		}
		return "Customer is asking whether " + limitWords(rewrite(swapped, firstPerson), issueWords) + "."
	case question:
		return "Customer is asking " + limitWords(rewrite(words, firstPerson), issueWords) + "."
	}
	return "Customer is complaining that " + limitWords(rewrite(words, firstPerson), issueWords) + "."
}

var (
	whWords  = map[string]bool{"why": true, "how": true, "what": true, "when": true, "where": true, "which": true, "who": true}
	auxWords = map[string]bool{"can": true, "could": true, "would": true, "will": true, "is": true, "are": true,
		"was": true, "should": true, "do": true, "does": true, "did": true, "has": true, "have": true}
	doWords  = map[string]bool{"do": true, "does": true, "did": true}
	subjects = map[string]bool{"i": true, "we": true, "they": true, "it": true, "there": true, "this": true,
		"that": true, "he": true, "she": true, "you": true}
)

var requestLeads = []string{"please ", "kindly ", "can you please ", "could you please ", "can you ", "could you ",
	"would you ", "will you ", "can we have you ", "could we have you ", "may we ask you to ", "pls ", "plz ",
	"would you mind ", "we'd like you to ", "we would like you to ", "we need you to ", "we'll need you to ",
	"i'd like you to ", "we'd ask that you ", "we ask that you "}

// imperatives open instructions to the customer.
var imperatives = map[string]bool{"try": true, "make": true, "go": true, "reach": true, "check": true,
	"follow": true, "restart": true, "reinstall": true, "delete": true, "update": true, "contact": true,
	"send": true, "dm": true, "visit": true, "call": true, "use": true, "click": true, "tap": true, "open": true,
	"select": true, "head": true, "give": true, "allow": true, "keep": true, "ensure": true, "clear": true,
	"turn": true, "sign": true, "log": true, "email": true, "swing": true, "pop": true, "drop": true,
	"hit": true, "reset": true, "remove": true, "install": true, "uninstall": true, "power": true,
	"unplug": true, "reboot": true, "shoot": true, "refer": true, "apply": true, "download": true,
	"confirm": true, "provide": true, "share": true, "fill": true, "submit": true, "see": true, "speak": true,
	"ask": true, "wait": true, "disable": true, "enable": true, "navigate": true, "hold": true, "tweet": true, "message": true}

// actionClause states what the agent did.
func actionClause(st *sentence) string {
	words := calm(st.words)
	lower := strings.ToLower(strings.Join(words, " "))
	for _, lead := range requestLeads {
		if strings.HasPrefix(lower, lead) {
			rest := words[len(strings.Fields(lead)):]
			if len(rest) > 0 {
				return "Agent asked the customer to " + limitWords(rewrite(rest, agentPerson), actionWords) + "."
			}
		}
	}
	for len(words) > 1 {
		w := strings.ToLower(trimPunct(words[0]))
		if w == "let's" || w == "lets" || w == "let’s" || w == "just" || w == "so" || w == "first" || w == "also" || w == "then" {
			words = words[1:]
			continue
		}
		break
	}
	if imperatives[strings.ToLower(trimPunct(words[0]))] {
		return "Agent suggested that the customer " + limitWords(rewrite(words, agentPerson), actionWords) + "."
	}
	return "Agent stated that " + limitWords(rewrite(words, agentPerson), actionWords) + "."
}

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
		return words
	}
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = strings.ToLower(w)
	}
	return out
}

// rewrite lowercases the first word when it is an ordinary word, maps
// pronouns, and drops the final punctuation.
func rewrite(words []string, persons map[string]string) string {
	out := make([]string, 0, len(words))
	prevThey, prevCustomer := false, false
	for i, w := range words {
		core := trimPunct(w)
		lower := strings.ToLower(core)
		if to, ok := persons[lower]; ok && core != "" && (lower != "us" || core == "us") {
			if lower == "am" && !prevThey {
				to = "am"
			}
			w = strings.Replace(w, core, to, 1)
		} else if i == 0 && isCapitalised(core) && len(core) > 1 && strings.ToLower(core[1:]) == core[1:] {
			w = strings.ToLower(w[:1]) + w[1:]
		}
		if prevThey && (lower == "was") {
			w = strings.Replace(w, core, "were", 1)
		}
		if prevThey && (lower == "is") {
			w = strings.Replace(w, core, "are", 1)
		}
		if prevThey && (lower == "has") {
			w = strings.Replace(w, core, "have", 1)
		}
		if prevCustomer {
			if to, ok := singular[lower]; ok {
				w = strings.Replace(w, core, to, 1)
			}
		}
		prevThey = strings.HasSuffix(w, "they")
		prevCustomer = strings.HasSuffix(w, "the customer")
		out = append(out, w)
	}
	return strings.TrimRight(strings.Join(out, " "), ".!?,;: ")
}

// singular fixes the verb after "the customer" (from "you").
var singular = map[string]string{"are": "is", "were": "was", "have": "has", "don't": "doesn't", "do": "does", "need": "needs", "want": "wants", "can't": "cannot"}

// limitWords keeps at most n words of s, ending cleanly without a dangling
// conjunction or comma.
func limitWords(s string, n int) string {
	words := strings.Fields(s)
	if len(words) <= n {
		return s
	}
	words = words[:n]
	for len(words) > 1 {
		last := strings.ToLower(trimPunct(words[len(words)-1]))
		if danglers[last] {
			words = words[:len(words)-1]
			continue
		}
		break
	}
	return strings.TrimRight(strings.Join(words, " "), ".!?,;: -")
}

var danglers = map[string]bool{"and": true, "or": true, "but": true, "the": true, "a": true, "an": true,
	"to": true, "of": true, "for": true, "with": true, "in": true, "on": true, "at": true, "that": true,
	"so": true, "because": true, "my": true, "their": true, "your": true, "is": true, "are": true, "was": true,
	"by": true, "from": true, "as": true, "if": true, "when": true, "then": true, "this": true, "they": true}

// dropProfanity removes words the profanity detector flags and reports
// whether any were removed.
func (s *Summarizer) dropProfanity(text string) (string, bool) {
	words := strings.Fields(text)
	out := words[:0]
	dropped := false
	for _, w := range words {
		if s.profanity.IsProfane(trimPunct(w)) {
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
