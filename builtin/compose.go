package builtin

import (
	"strings"
	"unicode"
	"unicode/utf8"

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
	ticketsum.StatusAwaitingCustomer: "The agent is waiting for the customer to reply.",
	ticketsum.StatusAwaitingSupport:  "The customer is waiting for the agent to reply.",
}

// compose writes the summary: the customer's issue, what the agent did and
// the status, within MaxWords, without profanity. Flags note what was
// removed.
func (s *Summarizer) compose(d *digest) (string, []string) {
	var parts []string
	if c := pick(d.customer, func(st sentence) float64 { return scoreIssue(d, st) }); c != nil && strings.HasSuffix(c.text, "?") {
		parts = append(parts, issueClause(c))
	} else if c != nil {
		parts = append(parts, issueClause(extend(d.customer, c, 10)))
	} else {
		parts = append(parts, "The customer contacted support.")
	}
	if a := pick(d.agent, func(st sentence) float64 { return scoreAction(d, st) }); a != nil {
		parts = append(parts, actionClause(a))
	}
	status := statusSentences[d.status]
	if d.lastAgent == 0 && d.status == ticketsum.StatusAwaitingSupport {
		status = "No agent has replied yet."
	}
	text := strings.Join(parts, " ")
	text, profane := s.dropProfanity(text)
	if limit := s.cfg.MaxWords - wordCount(status); wordCount(text) > limit {
		text = limitWords(text, limit) + "."
	}
	var flags []string
	if profane {
		flags = append(flags, "output:profanity")
	}
	return text + " " + status, flags
}

// extend joins a short sentence with the next one of the same message, so
// that "Still broken." carries what is broken.
func extend(cands []sentence, st *sentence, short int) *sentence {
	if len(st.words) >= short {
		return st
	}
	for i := range cands {
		n := &cands[i]
		if n.role == st.role && n.turn == st.turn && n.pos == st.pos+1 {
			if n.removed > 0 || len(n.words) < 3 {
				return st
			}
			words := append(append([]string(nil), st.words...), n.words...)
			if last := words[len(st.words)-1]; !strings.ContainsAny(last[len(last)-1:], ".!?,;:") {
				words[len(st.words)-1] = last + ","
			}
			return &sentence{role: st.role, turn: st.turn, pos: st.pos, last: st.last, text: st.text, words: words}
		}
	}
	return st
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
		score += 2
	}
	lower := strings.ToLower(st.text)
	if containsAny(lower+" ", problemWords) {
		score += 1.5
	}
	if strings.HasSuffix(st.text, "?") {
		score += 0.5
	}
	score += overlap(d.subject, lower)
	score -= 0.3 * float64(min(st.removed, 3))
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

var emptyWords = []string{"sorry", "thanks", "thank", "apolog", "happy to help", "glad", "understand", "welcome", "no trouble", "no problem",
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
	score -= 0.3 * float64(min(st.removed, 3))
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
	"our": "their", "us": "them", "am": "are", "your": "the", "i’m": "they are", "i’ve": "they have", "i’ll": "they will"}

// agentPerson maps the agent's first and second person to the third.
var agentPerson = map[string]string{"we": "they", "we're": "they are", "we've": "they have", "we'll": "they will",
	"we’ll": "they will", "we’re": "they are", "our": "their", "us": "them", "i": "they", "i'm": "they are",
	"i'll": "they will", "i've": "they have", "me": "them", "my": "their", "you": "the customer",
	"your": "their", "you're": "the customer is", "you'd": "the customer would", "you'll": "the customer will",
	"you've": "the customer has", "you’d": "the customer would", "you’ll": "the customer will", "we'd": "they would", "we’d": "they would", "i'd": "they would", "am": "are", "you’re": "the customer is", "yourself": "themselves"}

// issueClause states the customer's issue in the third person.
func issueClause(st *sentence) string {
	words := calm(st.words)
	first := strings.ToLower(trimPunct(words[0]))
	question := strings.HasSuffix(st.text, "?")
	switch {
	case whWords[first]:
		return "The customer is asking " + limitWords(rewrite(words, firstPerson), issueWords) + "."
	case question:
		if body, ok := whether(words, firstPerson); ok {
			return "The customer is asking " + limitWords(body, issueWords) + "."
		}
		return "The customer is asking " + limitWords(rewrite(words, firstPerson), issueWords) + "."
	}
	if lower := strings.ToLower(st.text) + " "; containsAny(lower, praiseWords) && !containsAny(lower, problemWords) {
		return "The customer says that " + limitWords(rewrite(words, firstPerson), issueWords) + "."
	}
	return "The customer is complaining that " + limitWords(rewrite(words, firstPerson), issueWords) + "."
}

// praiseWords mark a customer's statement as praise, not a complaint.
var praiseWords = []string{"great", "love", "thank", "amazing", "awesome", "brilliant", "excellent", "well done",
	"kudos", "shout out", "shoutout", "sunshine", "fantastic", "wonderful", "impressed", "happy with", "pleased"}

var (
	whWords  = map[string]bool{"why": true, "how": true, "what": true, "when": true, "where": true, "which": true, "who": true}
	auxWords = map[string]bool{"can": true, "could": true, "would": true, "will": true, "is": true, "are": true,
		"was": true, "should": true, "do": true, "does": true, "did": true, "has": true, "have": true}
	doWords  = map[string]bool{"do": true, "does": true, "did": true}
	subjects = map[string]bool{"i": true, "we": true, "they": true, "it": true, "there": true, "this": true,
		"that": true, "he": true, "she": true, "you": true}
)

// whether turns a yes/no question into an indirect one: "Are you able to
// send a DM?" becomes "whether the customer is able to send a DM", "Does
// restarting help?" becomes "whether restarting help". It reports false
// when the question does not open with an auxiliary verb.
func whether(words []string, persons map[string]string) (string, bool) {
	first := strings.ToLower(trimPunct(words[0]))
	if !auxWords[first] || len(words) < 3 {
		return "", false
	}
	if subjects[strings.ToLower(trimPunct(words[1]))] {
		subj := rewrite(words[1:2], persons)
		aux := first
		if subj == "the customer" {
			if to, ok := singular[aux]; ok {
				aux = to
			}
		} else if subj == "they" {
			if to, ok := plural[aux]; ok {
				aux = to
			}
		}
		if doWords[first] {
			return "whether " + subj + " " + rewrite(words[2:], persons), true
		}
		return "whether " + subj + " " + aux + " " + rewrite(words[2:], persons), true
	}
	if doWords[first] {
		return "whether " + rewrite(words[1:], persons), true
	}
	return "", false
}

// plural fixes an auxiliary verb after "they" (from "I").
var plural = map[string]string{"am": "are", "is": "are", "was": "were", "has": "have", "does": "do"}

// requestLeads open requests to the customer, longest first.
var requestLeads = []string{"can you please ", "could you please ", "would you please ", "would you mind ",
	"may we ask you to ", "we'd like you to ", "we would like you to ", "we need you to ", "we'll need you to ",
	"i'd like you to ", "we'd ask that you ", "we ask that you ", "can we have you ", "could we have you ",
	"please ", "kindly ", "can you ", "could you ", "would you ", "will you ", "pls ", "plz "}

// informLeads open notices: "Please note that ...".
var informLeads = []string{"please be informed that ", "please be advised that ", "please note that ",
	"kindly note that ", "kindly be informed that ", "please be aware that ", "just so you know, ", "fyi "}

// offerLeads open offers: "Would you like us to check?"
var offerLeads = []string{"would you like us to ", "would you like me to ", "do you want us to ", "do you want me to ",
	"shall we ", "should we ", "can we ", "may we "}

// imperatives open instructions to the customer.
var imperatives = map[string]bool{"try": true, "make": true, "go": true, "reach": true, "check": true,
	"follow": true, "restart": true, "reinstall": true, "delete": true, "update": true, "contact": true,
	"send": true, "dm": true, "visit": true, "call": true, "use": true, "click": true, "tap": true, "open": true,
	"select": true, "head": true, "give": true, "allow": true, "keep": true, "ensure": true, "clear": true,
	"turn": true, "sign": true, "log": true, "email": true, "swing": true, "pop": true, "drop": true,
	"hit": true, "reset": true, "remove": true, "install": true, "uninstall": true, "power": true,
	"unplug": true, "reboot": true, "shoot": true, "refer": true, "apply": true, "download": true,
	"confirm": true, "provide": true, "share": true, "fill": true, "submit": true, "see": true, "speak": true,
	"ask": true, "wait": true, "connect": true, "chat": true, "continue": true, "look": true, "verify": true,
	"double-check": true, "find": true, "start": true, "get": true, "pull": true, "write": true, "read": true, "disable": true, "enable": true, "navigate": true, "hold": true, "tweet": true, "message": true}

// actionClause states what the agent did.
func actionClause(st *sentence) string {
	words := calm(st.words)
	lower := strings.ToLower(strings.Join(words, " "))
	for _, lead := range offerLeads {
		if strings.HasPrefix(lower, lead) && len(words) > len(strings.Fields(lead)) {
			return "The agent offered to " + limitWords(rewrite(words[len(strings.Fields(lead)):], agentPerson), actionWords) + "."
		}
	}
	for _, lead := range informLeads {
		if strings.HasPrefix(lower, lead) && len(words) > len(strings.Fields(lead)) {
			return "The agent informed the customer that " + limitWords(rewrite(words[len(strings.Fields(lead)):], agentPerson), actionWords) + "."
		}
	}
	for _, lead := range requestLeads {
		if strings.HasPrefix(lower, lead) {
			rest := words[len(strings.Fields(lead)):]
			if len(rest) > 0 {
				return "The agent asked the customer to " + limitWords(rewrite(rest, agentPerson), actionWords) + "."
			}
		}
	}
	if strings.HasSuffix(st.text, "?") {
		if body, ok := whether(words, agentPerson); ok {
			return "The agent asked " + limitWords(body, actionWords) + "."
		}
	}
	for len(words) > 2 {
		w := strings.ToLower(trimPunct(words[0]))
		next := strings.ToLower(trimPunct(words[1]))
		switch {
		case w == "let's" || w == "lets" || w == "let’s" || w == "so" || w == "first" || w == "also" || w == "then" || w == "now":
			words = words[1:]
			continue
		case w == "just" && imperatives[next]:
			words = words[1:]
			continue
		case w == "have" && next == "you":
			words = words[2:]
			continue
		}
		break
	}
	if imperatives[strings.ToLower(trimPunct(words[0]))] {
		return "The agent suggested that the customer " + limitWords(rewrite(words, agentPerson), actionWords) + "."
	}
	return "The agent stated that " + limitWords(rewrite(words, agentPerson), actionWords) + "."
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
		} else if i == 0 && isCapitalised(core) && (len(core) > 1 && strings.ToLower(core[1:]) == core[1:] || core == "A") {
			w = lowerFirst(w, core)
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

// singular fixes the verb after "the customer" (from "you").
var singular = map[string]string{"am": "is", "are": "is", "were": "was", "have": "has", "don't": "doesn't", "do": "does", "need": "needs", "want": "wants", "can't": "cannot"}

// limitWords keeps at most n words of s, ending cleanly.
func limitWords(s string, n int) string {
	words := strings.Fields(s)
	if len(words) <= n {
		return s
	}
	return trimDanglers(words[:n])
}

// trimDanglers joins words without a dangling conjunction, article or
// punctuation at the end.
func trimDanglers(words []string) string {
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
	// One check of the whole text first: the detector is costly per call.
	if !s.profanity.IsProfane(text) {
		return text, false
	}
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
