package builtin

import "strings"

// A clause is one framed sentence of the summary, such as "The customer
// reports that ...". Framing fails (ok false) for sentences that would
// read badly: fragments, references to text the reader lacks, questions
// whose word order cannot be worked out, and clauses that cannot be
// shortened to the word budget at a clause boundary.

// requestLeads open requests, longest first.
var requestLeads = []string{"can you please ", "could you please ", "would you please ", "would you mind ",
	"may we ask you to ", "we'd like you to ", "we would like you to ", "we need you to ", "we'll need you to ",
	"i'd like you to ", "we'd ask that you ", "we ask that you ", "can we have you ", "could we have you ",
	"i need you to ", "i want you to ", "please ", "kindly ", "can you ", "could you ", "would you ",
	"will you ", "pls ", "plz "}

// informLeads open notices: "Please note that ...".
var informLeads = []string{"please be informed that ", "please be advised that ", "please note that ",
	"kindly note that ", "kindly be informed that ", "please be aware that ", "just so you know, ", "fyi "}

// offerLeads open offers: "Would you like us to check?"
var offerLeads = []string{"would you like us to ", "would you like me to ", "do you want us to ", "do you want me to ",
	"shall we ", "should we ", "can we ", "may we "}

// imperatives open instructions to the customer.
var imperatives = wordSet(`try make go reach check follow restart reinstall delete update contact send dm visit
call use click tap open select head give allow keep ensure clear turn sign log email swing pop drop hit reset
remove install uninstall power unplug reboot shoot refer apply download confirm provide share fill submit see
speak ask wait connect chat continue look verify double-check find start get pull write read disable enable
navigate hold tweet message switch set change move plug pair re-pair unpair scan print go add press
reply include attach let tell stop avoid put take leave mention describe record note remember`)

// praiseWords mark a customer's statement as praise, not a complaint.
var praiseWords = []string{"great", "love", "thank", "amazing", "awesome", "brilliant", "excellent", "well done",
	"kudos", "shout out", "shoutout", "sunshine", "fantastic", "wonderful", "impressed", "happy with", "pleased"}

// problemWords mark a customer's statement as a complaint.
var problemWords = []string{"can't", "cannot", "can not", "unable", "not ", "n't", "won't", "error", "issue",
	"problem", "broken", "fail", "charged", "refund", "missing", "wrong", "help", "why", "still", "never",
	"crash", "slow", "late", "lost", "stuck", "delay", "cancel", "disappoint", "worst", "terrible", "awful",
	"complain", "no longer", "nothing", "down", "outage", "bug", "declined", "twice", "reject", "freez",
	"blurry", "garbled", "negative", "bounc", "expired"}

// frameWords opens the framed sentence and fits the body into the budget;
// lead is a moved leading clause appended when it fits.
func frameWords(frame string, body, lead []string, budget int) (string, bool) {
	room := budget - len(strings.Fields(frame))
	if len(lead) > 0 && len(body)+len(lead) <= room {
		body = append(append([]string(nil), body...), lead...)
	}
	whole := len(body)
	body, ok := shorten(body, room)
	if !ok || len(body) == 0 || endsBroken(body) || endsDangling(body) && (len(body) < whole || !auxEnd(body)) {
		return "", false
	}
	body = dedupe(body)
	if strings.HasPrefix(frame, "The agent") {
		body = dropForCustomer(body)
	}
	text := strings.TrimRight(strings.Join(body, " "), ".!?,;: -")
	if strings.HasSuffix(text, " is a link") || strings.HasSuffix(text, " is an email address") {
		return "", false // the value was the point of the sentence
	}
	return frame + " " + text + ".", true
}

// dropForCustomer removes "for the customer" (the agent's "for you") from
// an agent clause, where it only repeats who the agent works for:
// "they can regenerate them for the customer" becomes "they can
// regenerate them".
func dropForCustomer(words []string) []string {
	out := words[:0:0]
	for i := 0; i < len(words); i++ {
		if i+2 < len(words) && words[i] == "for" && words[i+1] == "the" && trimPunct(words[i+2]) == "customer" && words[i+2] != "customer's" && len(words) >= 6 {
			if p := trailingPunct(words[i+2]); p != "" && len(out) > 0 {
				out[len(out)-1] += p
			}
			i += 2
			continue
		}
		out = append(out, words[i])
	}
	return out
}

// leadWords rewrites a moved leading clause ("If I downgrade") for the end
// of the sentence ("if they downgrade").
func leadWords(lead []string, persons map[string]string) []string {
	if len(lead) == 0 {
		return nil
	}
	return strings.Fields(rewrite(lead, persons))
}

// looksAsked reports whether a sentence without a question mark is still a
// question: "Is it fully updated" opens with an auxiliary and a subject.
func looksAsked(words []string) bool {
	if len(words) < 3 {
		return false
	}
	first, second := strings.ToLower(trimPunct(words[0])), strings.ToLower(trimPunct(words[1]))
	return auxWords[first] && !strings.HasSuffix(first, "n't") && (pronouns[second] || second == "this" || second == "that" || second == "the" || second == "your" || second == "my")
}

// dropIntro removes the last comma clause of a sentence that introduces
// pasted text: "Sync fails every night, log below:" becomes "Sync fails
// every night". Other sentences are returned unchanged.
func dropIntro(words []string) []string {
	n := len(words)
	if n == 0 || !strings.HasSuffix(words[n-1], ":") {
		return words
	}
	for k := n - 2; k >= 3; k-- {
		if strings.HasSuffix(words[k], ",") && n-k <= 5 {
			return trimTrailing(words[:k+1])
		}
	}
	return words
}

// isLabel reports whether a sentence opens with a label such as
// "Account:" or "Error code:".
func isLabel(words []string) bool {
	for i := 0; i < len(words) && i < 2; i++ {
		if strings.HasSuffix(words[i], ":") {
			return true
		}
	}
	return false
}

// refersToContext reports whether a sentence points at text the reader of
// the summary does not have ("the steps above").
func refersToContext(lower string) bool {
	for _, p := range contextRefs {
		if i := strings.Index(lower, p); i >= 0 {
			end := i + len(p)
			if (i == 0 || !isLetter(rune(lower[i-1]))) && (end == len(lower) || !isLetter(rune(lower[end]))) {
				return true
			}
		}
	}
	return false
}

// refersBack reports whether a sentence uses a demonstrative as a pronoun,
// standing for something an earlier sentence said: "How can I change this
// for past invoices?", "That didn't work.", "I tried those again". Quoted
// alone, such a clause leaves the reader asking what "this" is. A
// demonstrative before a noun ("this invoice", "these charges") names its
// own referent, and "that" joining clauses ("it says that ...", "the app
// that keeps crashing") is no pronoun.
func refersBack(words []string) bool {
	for i, w := range words {
		core := trimPunct(w)
		if !inLower(demonstratives, core) {
			continue
		}
		that := len(core) >= 4 && strings.EqualFold(core[:4], "that")
		if i == len(words)-1 || len(core) < len(w) && strings.ContainsAny(w[len(w)-1:], ".,;:!?)") {
			if that && i > 0 && inLower(thatEndsAfter, trimPunct(words[i-1])) {
				continue // "so that."
			}
			return true // "fix this.", "Can you do that?"
		}
		next := trimPunct(words[i+1])
		verb := len(core) > 5 || inLower(auxWords, next) || inflected(next, !that && len(core) == 5) // "that's"
		switch {
		case that:
			// A subject only where a clause starts: "That didn't work",
			// "and that just fixed it".
			if (verb || inLower(verbish, next)) && (i == 0 || strings.ContainsAny(words[i-1][len(words[i-1])-1:], ",;:") || inLower(clauseJoins, trimPunct(words[i-1]))) {
				return true
			}
		case verb || inLower(afterPronoun, next):
			return true // "this is", "this happens", "change this for"
		}
	}
	return false
}

// inflected reports whether w is a common verb in the past ("worked") or,
// after a plural subject, in its base form ("these work"), else with -s
// ("this happens"): "these charges" is a noun.
func inflected(w string, plural bool) bool {
	if plural && inLower(commonVerbs, w) {
		return true
	}
	lw := strings.ToLower(w)
	for _, suf := range []string{"ed", "d", "es", "s"} {
		if plural && suf[len(suf)-1] == 's' {
			break
		}
		if stem, ok := strings.CutSuffix(lw, suf); ok && len(stem) > 1 && commonVerbs[stem] {
			return true
		}
	}
	return false
}

// demonstratives may stand for something said before; thatEndsAfter and
// clauseJoins are the words around a "that" that is no pronoun or that
// starts a clause; afterPronoun follow a demonstrative used alone.
var (
	demonstratives = wordSet("this that these those that's this's that'll this'll that’s that’ll")
	thatEndsAfter  = wordSet("so such like than")
	clauseJoins    = wordSet("and but so because since as then or if when")
	afterPronoun   = wordSet(`for to in on at with from of about by into after before since and or but so because
when if as again anymore now too yet either still already please asap up out off back over right`)
)

// issueClause states the customer's issue in the third person within
// budget words.
func issueClause(st *sentence, budget int) (string, bool) {
	words := stripLead(calm(dropIntro(dropTags(st.words))))
	lower := strings.ToLower(strings.Join(words, " "))
	if len(words) < 4 || isLabel(words) || refersToContext(lower) || strings.HasSuffix(words[len(words)-1], ":") || st.broken ||
		st.turn > 0 && containsAny(lower+" ", thanksPhrases) && !containsAny(lower+" ", problemWords) {
		return "", false // "That worked, thank you." is no issue
	}
	question := strings.HasSuffix(words[len(words)-1], "?") || looksAsked(words) ||
		inLower(whWords, words[0]) && inLower(auxWords, trimPunct(words[1]))
	main, lead, moved := moveLeadClause(words)
	if !moved {
		main = words
	}
	ml := strings.ToLower(strings.Join(main, " ")) + " "
	for _, l := range requestLeads {
		if strings.HasPrefix(ml, l) && len(main) > len(strings.Fields(l))+1 {
			body := strings.Fields(rewrite(main[len(strings.Fields(l)):], firstPerson))
			return frameWords("The customer asked support to", body, leadWords(lead, firstPerson), budget)
		}
	}
	if question {
		body, ok := indirect(main, firstPerson)
		if !ok {
			return "", false
		}
		return frameWords("The customer is asking", strings.Fields(body), leadWords(lead, firstPerson), budget)
	}
	if w := strings.ToLower(trimPunct(main[0])); whWords[w] && w != "when" && !moved {
		// "Why the app logs out" without a mark may be a question; "When I
		// save the hours nothing happens" is a statement.
		return "", false
	}
	body := strings.Fields(rewrite(main, firstPerson))
	if first := strings.ToLower(trimPunct(main[0])); subjectless[first] {
		body = append([]string{"they"}, body...) // "Can't log in" has lost its "I"
	} else if to, ok := subjectlessAux[first]; ok {
		body = append(strings.Fields(to), body...) // "Been trying for weeks"
	}
	frame := "The customer reports that"
	switch {
	case containsAny(lower+" ", praiseWords) && !containsAny(lower+" ", problemWords):
		frame = "The customer says that"
	case containsAny(lower+" ", problemWords):
		frame = "The customer is complaining that"
	}
	return frameWords(frame, body, leadWords(lead, firstPerson), budget)
}

// subjectless open a customer's statement that has dropped its "I".
var subjectless = wordSet("can't cannot cant can won't wont don't dont didn't didnt need want have had tried got keep " +
	"bought ordered paid received called waited spent lost just")

// subjectlessAux open a customer's statement that has dropped "I" and its
// auxiliary verb.
var subjectlessAux = map[string]string{"been": "they have", "trying": "they are", "having": "they are",
	"looking": "they are", "getting": "they are", "using": "they are", "waiting": "they are"}

// agentFluff marks agent sentences that carry no action: pleasantries,
// sign-offs, closing formulas and check-ins.
var agentFluff = []string{"greetings for the day", "like to help", "love to help", "glad to assist",
	"happy to assist", "here to help", "glad to help", "be glad to", "thanks in advance", "thank you in advance", "thanks for reaching out", "thank you for reaching out", "thanks for contacting",
	"thank you for contacting", "thanks for your patience", "thank you for your patience", "sorry for the",
	"sorry about the", "sorry to hear", "apologies for", "apologize for", "apologise for", "we're sorry",
	"i'm sorry", "let me know if", "let us know if", "hope this", "hope that", "does that help", "if that helps",
	"don't hesitate", "do not hesitate", "just checking", "checking whether", "checking if", "we'll assume",
	"we will assume", "if we don't hear", "if we do not hear", "keeping the ticket open", "keep the ticket open",
	"keeping this ticket open", "reply any time", "reply anytime", "thanks for the", "thank you for the",
	"thanks for letting", "thank you for letting", "thanks for confirming", "great to hear", "good to hear",
	"nice to hear", "my pleasure", "no worries", "no trouble", "no problem at all", "you're welcome", "you are welcome", "how can i help", "how can we help", "happy to", "glad to"}

// actionVerbs are what an agent does for a customer; sentences holding one
// are preferred as the agent's action.
var actionVerbs = wordSet(`reset refunded replaced escalated fixed sent updated deployed removed credited
cancelled canceled ordered shipped created added changed enabled restored renewed raised corrected issued
processed applied unlocked reinstated reversed voided resolved merged switched extended waived rebooted resent
re-sent mapped migrated released passed filed booked arranged scheduled corrected recreated regenerated
reconnected reverted adjusted increased cleared deleted reactivated activated verified confirmed upgraded
downgraded transferred moved reissued refunding replacing escalating fixing sending updating`)

// participles follow "have" in the agent's "I've done it".
func isParticiple(w string) bool {
	return strings.HasSuffix(w, "ed") || participles[w]
}

var participles = wordSet(`broken frozen stolen gone hidden chosen forgotten reset sent done given taken written made put set found told seen got gotten shipped
been begun brought bought built cut dealt drawn driven fed felt held kept known laid led left lent let lost
meant met paid read run said shown shut sold spent split spoken stuck understood won just already now also
asked`)

// pastVerbs follow "I" or "we" in the agent's "We sent it".
func isPast(w string) bool {
	if strings.HasSuffix(w, "ed") && len(w) > 4 && w != "need" {
		return true
	}
	for _, p := range irregularPast {
		if p == w && w != "read" && w != "set" && w != "put" && w != "let" && w != "cut" && w != "cost" && w != "shut" {
			return true
		}
	}
	return false
}

// notActions are past tenses that report no completed action.
var notActions = wordSet(`looked checked noticed saw found thought said told tried wanted hoped understood realised
realized believed guessed received got heard spoke talked mentioned explained wondered assumed expected meant felt knew`)

// completed returns the index of the clause of words in which the agent
// reports a completed action ("I have refunded", "we removed", "I've
// switched"), at the start or after a clause boundary, or -1.
func completed(words []string) int {
	for k := 0; k+2 < len(words); k++ {
		if k > 0 {
			prev := words[k-1]
			lp := strings.ToLower(prev)
			if !strings.ContainsAny(prev[len(prev)-1:], ",;:") && lp != "so" && lp != "and" && lp != "then" {
				continue
			}
		}
		first := strings.ToLower(trimPunct(words[k]))
		second := strings.ToLower(trimPunct(words[k+1]))
		switch {
		case (first == "i" || first == "we") && (second == "have" || second == "'ve") && isParticiple(strings.ToLower(trimPunct(words[k+2]))) && !inLower(pronouns, trimPunct(words[k+2])),
			(first == "i've" || first == "we've") && isParticiple(second),
			(first == "i" || first == "we") && isPast(second) && !notActions[second]:
			return k
		}
	}
	return -1
}

// actionClause states what the agent did within budget words.
func actionClause(st *sentence, budget int) (string, bool) {
	words := stripLead(calm(dropIntro(dropTags(st.words))))
	if k := completed(words); k > 0 && len(words)-k >= 5 && !inLower(referringEnd, trimPunct(words[len(words)-1])) {
		words = words[k:] // "the update reset it, so I have switched tips back on"
	}
	lower := strings.ToLower(strings.Join(words, " ")) + " "
	if len(words) < 4 || isLabel(words) || refersToContext(lower) || strings.HasSuffix(words[len(words)-1], ":") || st.broken ||
		containsAny(lower, agentFluff) || containsAny(lower, closingPhrases) || containsAny(lower, idleWords) {
		return "", false
	}
	question := strings.HasSuffix(st.text, "?") || looksAsked(words)
	for _, l := range offerLeads {
		if strings.HasPrefix(lower, l) && len(words) > len(strings.Fields(l))+1 {
			body := words[len(strings.Fields(l)):]
			for k := 1; k+1 < len(body); k++ {
				if strings.HasSuffix(body[k-1], ",") && strings.EqualFold(body[k], "or") {
					body = trimTrailing(body[:k]) // "cancel now, or are you only checking?"
					break
				}
			}
			return frameWords("The agent offered to", strings.Fields(rewrite(body, agentPerson)), nil, budget)
		}
	}
	for _, l := range informLeads {
		if strings.HasPrefix(lower, l) && len(words) > len(strings.Fields(l))+2 {
			return frameWords("The agent informed the customer that", strings.Fields(rewrite(words[len(strings.Fields(l)):], agentPerson)), nil, budget)
		}
	}
	main, lead, moved := moveLeadClause(words)
	if !moved {
		main = words
	}
	leadW := leadWords(lead, agentPerson)
	ml := strings.ToLower(strings.Join(main, " ")) + " "
	if strings.HasPrefix(ml, "let us know ") || strings.HasPrefix(ml, "let me know ") {
		return frameWords("The agent asked the customer to", strings.Fields(rewrite(main, agentPerson)), leadW, budget)
	}
	for _, l := range requestLeads {
		if strings.HasPrefix(ml, l) && len(main) > len(strings.Fields(l))+1 {
			body := strings.Fields(rewrite(main[len(strings.Fields(l)):], agentPerson))
			if len(body) <= 4 && strings.HasPrefix(strings.ToLower(strings.Join(body, " ")), "let them know") {
				return "", false // "Please let us know." says nothing
			}
			return frameWords("The agent asked the customer to", body, leadW, budget)
		}
	}
	if question && !inLower(imperatives, trimPunct(main[0])) {
		body, ok := indirect(main, agentPerson)
		if !ok {
			return "", false
		}
		return frameWords("The agent asked", strings.Fields(body), leadW, budget)
	}
	if question {
		// "Share the serial number of your laptop?" is a request.
		return frameWords("The agent asked the customer to", strings.Fields(rewrite(main, agentPerson)), leadW, budget)
	}
	for len(main) > 2 {
		w := strings.ToLower(trimPunct(main[0]))
		next := strings.ToLower(trimPunct(main[1]))
		switch {
		case w == "let's" || w == "lets" || w == "let’s":
			main = main[1:]
			continue
		case w == "just" && imperatives[next]:
			main = main[1:]
			continue
		case w == "have" && next == "you":
			main = main[2:]
			continue
		}
		break
	}
	first := strings.ToLower(trimPunct(main[0]))
	second := ""
	if len(main) > 1 {
		second = strings.ToLower(trimPunct(main[1]))
	}
	if (first == "that" || first == "this") && (second == "is" || second == "was" || second == "means") || first == "that's" {
		// "That is the processing fee" would read "stated that that is".
		main = append([]string{inflect(main[0], map[bool]string{true: "it's", false: "it"}[first == "that's"])}, main[1:]...)
		first = "it"
	}
	switch {
	case (first == "i" || first == "we") && (second == "have" || second == "'ve") && len(main) > 3 && isParticiple(strings.ToLower(trimPunct(main[2]))):
		return frameWords("The agent has", strings.Fields(rewrite(main[2:], agentPerson)), leadW, budget)
	case (first == "i've" || first == "we've" || first == "ive" || first == "weve") && len(main) > 2 && isParticiple(second):
		return frameWords("The agent has", strings.Fields(rewrite(main[1:], agentPerson)), leadW, budget)
	case (first == "i" || first == "we") && len(main) > 2 && isPast(second):
		return frameWords("The agent", strings.Fields(rewrite(main[1:], agentPerson)), leadW, budget)
	case first == "i'll" || first == "we'll" || first == "ill" && main[0] == "ill":
		return frameWords("The agent will", strings.Fields(rewrite(main[1:], agentPerson)), leadW, budget)
	case (first == "i" || first == "we") && (second == "recommend" || second == "suggest" || second == "advise") && len(main) > 3:
		return frameWords("The agent "+pastTense(second), strings.Fields(rewrite(main[2:], agentPerson)), leadW, budget)
	case (first == "i" || first == "we") && second == "will" && len(main) > 3:
		return frameWords("The agent will", strings.Fields(rewrite(main[2:], agentPerson)), leadW, budget)
	case imperatives[first]:
		return frameWords("The agent suggested that the customer", strings.Fields(rewrite(main, agentPerson)), leadW, budget)
	case first == "you" && (second == "can" || second == "could" || second == "may" || second == "need" || second == "should" || second == "will"):
		return frameWords("The agent explained that", strings.Fields(rewrite(main, agentPerson)), leadW, budget)
	}
	if _, sub := subordinators[first]; sub && !moved {
		for k := 1; k+1 < len(main); k++ {
			if strings.HasSuffix(main[k], ",") {
				if inLower(imperatives, trimPunct(main[k+1])) {
					return "", false // "If you have a spare cable, try that."
				}
				break
			}
		}
	}
	return frameWords("The agent stated that", strings.Fields(rewrite(main, agentPerson)), leadW, budget)
}
