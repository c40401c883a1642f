package builtin

import (
	"cmp"
	"math"
	"sort"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// statusSentences state the resolution status.
var statusSentences = map[ticketsum.Status]string{
	ticketsum.StatusResolved:         "The issue is resolved.",
	ticketsum.StatusAwaitingCustomer: "The agent is waiting for the customer to reply.",
	ticketsum.StatusAwaitingSupport:  "The customer is waiting for the agent to reply.",
}

// maxTries bounds the candidates framed per clause, keeping the summariser
// fast on long threads.
const maxTries = 12

// compose writes the summary: the customer's issue, what the agent did and
// the status, in English, within MaxWords, without cutting a sentence
// mid-way and without profanity. Flags note what was removed.
func (s *Summarizer) compose(d *digest) (string, []string) {
	status := statusSentences[d.status]
	switch {
	case d.internalOnly:
		status = "The ticket stays open with support."
	case d.lastAgent == 0 && d.status == ticketsum.StatusAwaitingSupport:
		status = "No agent has replied yet."
	case d.autoReplyLast && d.status == ticketsum.StatusAwaitingCustomer:
		status = "The customer's only reply since is an automatic out-of-office message, so the agent is waiting for the customer."
	}
	budget := s.cfg.MaxWords - wordCount(status)
	if sp := s.special(d, budget); sp != "" {
		text, _ := s.dropProfanity(sp)
		return text + " " + status, nil
	}
	var parts []string
	if d.reopened {
		parts = append(parts, "The customer reopened the ticket.")
		budget -= 5
	}
	issue := ""
	if d.lastCust > 0 || d.lastAgent == 0 {
		// An agent's notice with no customer message has no issue to state.
		issue = s.multiIssue(d, min(34, budget*60/100))
		if issue == "" {
			issue = s.issue(d, min(32, budget*60/100))
		}
		parts = append(parts, issue)
	}
	action := ""
	if strings.HasPrefix(issue, "The customer raised") {
		action = s.multiAction(d, budget-wordCount(issue))
	}
	if action == "" {
		action = s.action(d, budget-wordCount(issue))
	}
	if action != "" {
		parts = append(parts, action)
	}
	if len(parts) == 0 {
		parts = append(parts, "The agent contacted the customer.")
	}
	text, profane := s.dropProfanity(strings.Join(parts, " "))
	for wordCount(text)+wordCount(status) > s.cfg.MaxWords && len(parts) > 1 {
		parts = parts[:len(parts)-1] // never over the limit: drop the last clause
		text, _ = s.dropProfanity(strings.Join(parts, " "))
	}
	if wordCount(text)+wordCount(status) > s.cfg.MaxWords {
		text = "The customer contacted support."
	}
	var flags []string
	if profane {
		flags = append(flags, "output:profanity")
	}
	return text + " " + status, flags
}

// referBackMargin is how much lower another issue clause may score and
// still be stated instead of one that refers back (refersBack).
const referBackMargin = 1.5

// ranked returns the indexes of cands by decreasing score, earliest first
// on ties, and fills scores (len(cands) long) with each one's score.
func ranked(cands []sentence, score func(sentence) float64, scores []float64) []int {
	idx := make([]int, len(cands))
	for i := range cands {
		idx[i] = i
		scores[i] = score(cands[i])
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	return idx
}

// english reports whether a sentence may be quoted in the English summary:
// it is not in another language and, in a ticket whose side is written in
// another language, it holds at least two English words.
func (s *Summarizer) english(text, sideLang string) bool {
	lang, english := s.lang.classify(text)
	if lang != "" {
		return false
	}
	return sideLang == "" || english >= 2
}

// issue states the customer's issue in at most budget words: the best
// customer sentence that frames well, else the English subject, else a
// template naming the language and the topic.
func (s *Summarizer) issue(d *digest, budget int) string {
	tries := 0
	backup := "" // the best clause that holds a placeholder such as "a link", or refers back
	scores := make([]float64, len(d.customer))
	floor := math.Inf(-1) // below it, a clause that refers back beats the rest
	for _, i := range ranked(d.customer, func(st sentence) float64 { return s.scoreIssue(d, st) }, scores) {
		if tries >= maxTries || scores[i] < floor {
			break
		}
		st := &d.customer[i]
		if !s.english(st.text, d.customerLang) {
			continue
		}
		tries++
		// A clause that refers back ("How can I change this?") says what
		// "this" is only with the sentence before it; alone it gives way to
		// a clause nearly as good.
		back := refersBack(st.words)
		if back {
			if c, ok := s.withAntecedent(d, st, budget); ok {
				return c
			}
		}
		c := ""
		if !strings.HasSuffix(st.text, "?") {
			if ext := extend(d.customer, st, 10); ext != st && s.english(strings.Join(ext.words, " "), d.customerLang) {
				if ec, ok := issueClause(ext, budget); ok && !s.personal(d, ec) {
					c = ec
				}
			}
		}
		if c == "" || hasPlaceholder(c) {
			if sc, ok := issueClause(st, budget); ok && !s.personal(d, sc) && (c == "" || !hasPlaceholder(sc)) {
				c = sc
			}
		}
		switch {
		case c == "":
		case back:
			if backup == "" {
				backup, floor = c, scores[i]-referBackMargin
			}
		case !hasPlaceholder(c):
			return c
		default:
			backup = cmp.Or(backup, c)
		}
	}
	if backup != "" {
		return backup
	}
	if subj := s.englishSubject(d); subj != "" {
		if c := "The customer reports a problem: " + subj + "."; wordCount(c) <= budget && !s.personal(d, c) {
			return c
		}
	}
	if d.customerLang != "" {
		if c := foreignIssue(d); wordCount(c) <= budget {
			return c
		}
	}
	if topic := topicOf(d.customerText, d.productLine); topic != "an issue" && d.lastCust > 0 {
		if c := "The customer contacted support about " + topic + "."; wordCount(c) <= budget {
			return c
		}
	}
	return "The customer contacted support."
}

// action states what the agent did in at most budget words, or "" when no
// agent replied or nothing fits.
func (s *Summarizer) action(d *digest, budget int) string {
	if d.lastAgent == 0 || budget < 5 {
		return ""
	}
	tries := 0
	first, firstAt := "", -1
	backup := "" // the best clause that holds a placeholder such as "a link"
	for _, i := range ranked(d.agent, func(st sentence) float64 { return s.scoreAction(d, st) }, make([]float64, len(d.agent))) {
		if tries >= maxTries {
			break
		}
		st := &d.agent[i]
		if !s.english(st.text, d.agentLang) {
			continue
		}
		tries++
		if first != "" {
			// A second clause of the other kind: what the agent did
			// beside what they asked for, or the reverse.
			if isRequest(first) == isRequest2(st) || !(isRequest2(st) && st.last || hasActionVerb(st)) {
				continue
			}
			if c, ok := actionClause(st, budget-wordCount(first)); ok && isRequest(c) != isRequest(first) && !hasPlaceholder(c) && !s.personal(d, c) {
				if isRequest(first) {
					return c + " " + first
				}
				return first + " " + c
			}
			continue
		}
		if c, ok := actionClause(st, budget); ok && !s.personal(d, c) {
			if hasPlaceholder(c) {
				backup = cmp.Or(backup, c)
				continue
			}
			first, firstAt = c, i
		}
	}
	if first == "" {
		first = backup
	}
	if first != "" {
		_ = firstAt
		return first
	}
	var c string
	switch {
	case d.agentLang != "":
		c = foreignAction(d, d.agentLang)
	case containsAny(d.agentLower, []string{"escalat", "engineering", "engineers", "developers", "devs"}):
		c = "The agent escalated the issue."
	case d.status == ticketsum.StatusAwaitingCustomer:
		c = "The agent asked the customer for more information."
	}
	if wordCount(c) > budget {
		return ""
	}
	return c
}

// hasPlaceholder reports whether a clause holds a value the scrubber
// replaced by a generic noun: a clause without one reads better.
func hasPlaceholder(c string) bool {
	return strings.Contains(c, "a link") || strings.Contains(c, "an email address")
}

// isRequest reports whether a framed agent clause asks something of the
// customer.
func isRequest(clause string) bool {
	return strings.HasPrefix(clause, "The agent asked") || strings.HasPrefix(clause, "The agent suggested")
}

// isRequest2 reports whether an agent sentence reads as a request or a
// question before it is framed.
func isRequest2(st *sentence) bool {
	lower := strings.ToLower(strings.Join(stripLead(st.words), " ")) + " "
	if strings.HasSuffix(st.text, "?") {
		return true
	}
	for _, l := range requestLeads {
		if strings.HasPrefix(lower, l) {
			return true
		}
	}
	return inLower(imperatives, trimPunct(st.words[0]))
}

// hasActionVerb reports whether a sentence holds one of actionVerbs.
func hasActionVerb(st *sentence) bool {
	for _, w := range st.words {
		if inLower(actionVerbs, trimPunct(w)) {
			return true
		}
	}
	return false
}

// englishSubject returns the ticket's subject, scrubbed, when it is in
// English, without reply prefixes and final punctuation; else "".
func (s *Summarizer) englishSubject(d *digest) string {
	subj := strings.TrimSpace(d.subject)
	for {
		lower := strings.ToLower(subj)
		cut := false
		for _, p := range []string{"re:", "fwd:", "fw:", "aw:", "wg:", "tr:"} {
			if strings.HasPrefix(lower, p) {
				subj, cut = strings.TrimSpace(subj[len(p):]), true
			}
		}
		if !cut {
			break
		}
	}
	subj = strings.TrimRight(subj, ".!?,;: ")
	words := strings.Fields(subj)
	if len(words) < 2 || len(words) > 14 {
		return ""
	}
	lang, english := s.lang.classify(subj)
	if lang != "" {
		return ""
	}
	if d.customerLang != "" && english < 2 && !(isPlainASCII(subj) && scriptLanguage(d.customerText) != "") {
		known := 0
		for _, w := range words {
			lw := strings.ToLower(trimPunct(w))
			if englishSupport[lw] || englishWords[lw] {
				known++
			}
		}
		if known*2 < len(words) {
			return ""
		}
	}
	return subj
}

// englishSupport are English words frequent in ticket subjects.
var englishSupport = wordSet(`error issue problem failed fails failing not working broken charge charged double
duplicate account app crash crashes sync missing late wrong question help request reader printer invoice
refund payment login password order repair card declined update cancel subscription export report disconnects
disconnecting tamper detected screen device billing tax setup question shipping delivery damaged receipt
print prints printing characters garbled blank slow delayed double charged locked reset sync syncing`)

// extend joins a short sentence with the next one of the same message, so
// that "Still broken." carries what is broken.
func extend(cands []sentence, st *sentence, short int) *sentence {
	if len(st.words) >= short {
		return st
	}
	for i := range cands {
		n := &cands[i]
		if n.role == st.role && n.turn == st.turn && n.pos == st.pos+1 {
			if n.removed > 0 || len(n.words) < 3 || strings.HasSuffix(n.text, "?") || strings.HasSuffix(n.text, ":") {
				return st
			}
			next := stripLead(n.words)
			if len(next) < 3 {
				return st
			}
			next = append([]string(nil), next...)
			if core := trimPunct(next[0]); isCapitalised(core) && len(core) > 1 && strings.ToLower(core[1:]) == core[1:] && core != "I" {
				next[0] = lowerFirst(next[0], core)
			}
			words := append(append([]string(nil), st.words...), next...)
			last := strings.TrimRight(words[len(st.words)-1], ".!")
			if last == "" {
				return st
			}
			if !strings.ContainsAny(last[len(last)-1:], "?,;:") {
				last += ";"
			}
			words[len(st.words)-1] = last
			return &sentence{role: st.role, turn: st.turn, pos: st.pos, last: st.last, text: n.text, words: words}
		}
	}
	return st
}

// withAntecedent states a customer sentence that refers back (refersBack)
// together with the sentence before it in the same message, which says what
// its "this" stands for: "The customer reports that the invoices they get
// only show their name, and is asking how they can change this." It fails
// when that sentence is missing, scrubbed, a question or refers back too.
func (s *Summarizer) withAntecedent(d *digest, st *sentence, budget int) (string, bool) {
	if st.pos == 0 {
		return "", false
	}
	for i := range d.customer {
		p := &d.customer[i]
		if p.turn != st.turn || p.pos != st.pos-1 {
			continue
		}
		if p.removed > 0 || p.broken || strings.HasSuffix(p.text, "?") || refersBack(p.words) || !s.english(p.text, d.customerLang) {
			return "", false
		}
		first, ok := issueClause(p, budget)
		if !ok {
			return "", false
		}
		second, ok := issueClause(st, budget-wordCount(first)+2)
		rest, cut := strings.CutPrefix(second, "The customer ")
		if !ok || !cut {
			return "", false
		}
		c := strings.TrimSuffix(first, ".") + ", and " + rest
		if wordCount(c) > budget || hasPlaceholder(c) || s.personal(d, c) {
			return "", false
		}
		return c, true
	}
	return "", false
}

// scoreIssue rates a customer sentence as the statement of the issue.
func (s *Summarizer) scoreIssue(d *digest, st sentence) float64 {
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
	lower := toLower(st.text)
	spaced := lower + " "
	problem := s.phrases.problem.in(spaced)
	if problem {
		score += 1.5
	}
	if strings.HasSuffix(st.text, "?") {
		score += 0.5
	}
	if !problem && s.phrases.thanks.in(spaced) {
		score -= 2 // "That's great, thanks for getting back to me."
	}
	score += overlap(d.subjectKeys(), lower)
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

// actionHints are words of agent sentences that state an action.
var actionHints = []string{"please", "dm", "send", "follow", "try", "check", "could you", "can you", "we'll",
	"will ", "refund", "replace", "escalat", "pass", "look into", "reset", "update", "reinstall", "restart",
	"contact", "link", "recommend", "suggest", "need", "confirm", "provide", "fixed", "resolved"}

// idleWords mark agent sentences that say nothing about the issue.
var idleWords = []string{"checking back", "checking in", "following up", "just wanted to", "have a great", "have a good"}

var emptyWords = []string{"sorry", "thanks", "thank", "apolog", "happy to help", "glad", "understand", "welcome", "no trouble", "no problem",
	"frustrat", "inconvenience", "hear that", "hear this"}

// scoreAction rates an agent sentence as the statement of what the agent did.
func (s *Summarizer) scoreAction(d *digest, st sentence) float64 {
	score := 0.0
	if st.last {
		score += 2
	}
	if d.lastAgent > 1 {
		score += 1.5 * float64(st.turn) / float64(d.lastAgent-1)
	}
	lower := toLower(st.text) + " "
	if s.phrases.actionHints.in(lower) {
		score += 1.5
	}
	for _, w := range st.words {
		if inLower(actionVerbs, trimPunct(w)) {
			score += 1.5
			break
		}
	}
	if len(st.words) < 10 && s.phrases.empty.in(lower) {
		score -= 2
	}
	if s.phrases.closing.in(lower) || s.phrases.idle.in(lower) {
		score -= 3
	}
	if strings.HasSuffix(st.text, "?") {
		score += 0.3
	}
	if completed(st.words) >= 0 {
		score += 2.5 // "I have refunded", "we removed": what was done beats what was explained
		if strings.Contains(lower, " also ") {
			score -= 1.5 // "I've also sent you a guide" follows the main action
		}
	}
	if strings.HasPrefix(lower, "done:") || strings.HasPrefix(lower, "done,") || strings.HasPrefix(lower, "done -") {
		score += 2 // "Done: both extra registers are removed"
	}
	if n := len(st.words); n < 8 && inLower(referringEnd, trimPunct(st.words[n-1])) {
		score -= 1.5 // "All future invoices will use them."
	}
	score -= 0.3 * float64(min(st.removed, 3))
	if len(st.words) < 4 {
		score -= 3
	}
	return score
}

// referringEnd are pronouns that, ending a short sentence, point at
// context the reader of a summary lacks.
var referringEnd = wordSet("them it this that these those there")

// overlap scores shared content words between the subject and a sentence:
// keys are the subject's (subjectKeys).
func overlap(keys []string, lower string) float64 {
	n := 0.0
	for _, w := range keys {
		if strings.Contains(lower, w) {
			n++
		}
	}
	return min(n, 3)
}

// subjectKeys returns the words of the subject that overlap looks for in
// every candidate: lowered, trimmed and longer than three bytes.
func (d *digest) subjectKeys() []string {
	if !d.subjectKeysDone {
		for _, w := range strings.Fields(toLower(d.subject)) {
			if w = trimPunct(w); len(w) > 3 {
				d.subjectKeysCache = append(d.subjectKeysCache, w)
			}
		}
		d.subjectKeysDone = true
	}
	return d.subjectKeysCache
}
