package builtin

import "strings"

// discourse opens sentences without adding content ("But", "Also",
// "Unfortunately"); it is stripped whatever follows.
var discourse = map[string]bool{"but": true, "and": true, "so": true, "also": true, "however": true, "plus": true,
	"then": true, "now": true, "anyway": true, "btw": true, "meanwhile": true, "otherwise": true,
	"alternatively": true, "unfortunately": true, "fortunately": true, "luckily": true, "sadly": true,
	"basically": true, "actually": true, "honestly": true, "additionally": true, "furthermore": true,
	"besides": true, "firstly": true, "secondly": true, "finally": true, "lastly": true, "anyways": true,
	"ok": true, "okay": true, "um": true, "umm": true, "lol": true, "omg": true}

// interjections open sentences when a comma, colon or mark follows them
// ("Done: ...", "Agreed, ...", "Yes, ...").
var interjections = map[string]bool{"yes": true, "no": true, "ok": true, "okay": true, "great": true,
	"done": true, "agreed": true, "sure": true, "right": true, "first": true, "update": true, "edit": true,
	"ps": true, "p.s": true, "fyi": true, "oh": true, "ah": true, "hmm": true, "alright": true, "perfect": true,
	"cool": true, "nope": true, "yep": true, "yeah": true, "understood": true, "well": true, "phew": true,
	"wow": true, "ugh": true, "note": true, "also": true, "unfortunately": true, "however": true,
	"alternatively": true, "good": true, "noted": true, "correct": true, "indeed": true, "hi": true, "hello": true}

// leadPhrases open a sentence and end with a colon: "Quick question: ...".
var leadPhrases = []string{"quick question", "one more question", "one more thing", "another question",
	"a question", "question", "small question", "short question", "just a question"}

// stripLead removes discourse markers, interjections and lead phrases
// that open a sentence, keeping at least three words.
func stripLead(words []string) []string {
	for len(words) > 3 {
		w := words[0]
		lower := strings.ToLower(trimPunct(w))
		marked := strings.ContainsAny(w[len(w)-1:], ",:!.;—–")
		yesNo := (lower == "yes" || lower == "yeah" || lower == "no" && inLower(pronouns, trimPunct(words[1])))
		if discourse[lower] && (marked || !strings.ContainsAny(w, ":")) || interjections[lower] && marked || yesNo {
			words = words[1:]
			continue
		}
		if trimPunct(w) == "" || stepNumber(w) && (w != trimPunct(w) || isCapitalised(words[1])) || len(withoutPartMarker([]string{w})) == 0 {
			words = words[1:]
			continue
		}
		if k := labelEnd(words); k > 0 && len(words)-k >= 5 {
			words = words[k:] // "Tips in the report: the app hid them"
			continue
		}
		stripped := false
		joined := strings.ToLower(strings.Join(words[:min(4, len(words))], " "))
		for _, p := range leadPhrases {
			if strings.HasPrefix(joined, p+":") || strings.HasPrefix(joined, p+" -") {
				n := len(strings.Fields(p))
				if strings.HasSuffix(joined[:len(p)+2], "-") {
					n++
				}
				if len(words) > n+2 {
					words, stripped = words[n:], true
				}
				break
			}
		}
		if !stripped {
			break
		}
	}
	return words
}

// labelEnd returns the index after a short label that opens words ("Tips
// in the report:", two to five words ending with a colon), or 0.
func labelEnd(words []string) int {
	for k := 1; k < 5 && k < len(words); k++ {
		if strings.ContainsAny(words[k], ",;.!?()") {
			return 0
		}
		lw := strings.ToLower(trimPunct(words[k-1]))
		if pronouns[lw] || auxWords[lw] || objectPronouns[lw] {
			return 0 // "I can see both charges:" is a clause, not a label
		}
		if strings.HasSuffix(words[k], ":") {
			lw = strings.ToLower(trimPunct(words[k]))
			if pronouns[lw] || auxWords[lw] || objectPronouns[lw] {
				return 0
			}
			return k + 1
		}
	}
	return 0
}

// stepNumber reports whether w numbers a step: "4", "2.", "3)", "(1)".
func stepNumber(w string) bool {
	core := strings.Trim(w, ".):(")
	return core != "" && len(core) <= 2 && digits(core) && w != core+"%"
}

// dropTags removes hashtags that end a tweet ("... update? #hpsa #hppc")
// and one glued to the last word ("update?#hpsa").
func dropTags(words []string) []string {
	for len(words) > 1 && strings.HasPrefix(words[len(words)-1], "#") {
		words = words[:len(words)-1]
	}
	if n := len(words); n > 0 {
		if i := strings.Index(words[n-1], "#"); i > 0 && strings.ContainsAny(words[n-1][i-1:i], ".?!") {
			words = append(words[:n-1:n-1], words[n-1][:i])
		}
	}
	return words
}

// subordinators open a leading clause that can move to the end of the
// sentence: "If it fails, restart it" becomes "restart it if it fails".
var subordinators = map[string]int{"if": 18, "when": 14, "whenever": 14, "until": 12, "once": 12, "after": 12,
	"before": 12, "while": 12, "since": 12, "although": 12, "though": 12, "because": 12,
	// prepositions: short phrases only
	"in": 5, "on": 5, "at": 5, "from": 5, "under": 5, "for": 5, "during": 5, "via": 5, "through": 5,
	"within": 5, "inside": 5, "to": 5, "with": 5}

// clauseStarters cannot open the main clause after a moved lead.
var clauseStarters = map[string]bool{"which": true, "who": true, "and": true, "but": true, "or": true, "so": true,
	"that": true, "as": true, "e.g": true, "i.e": true, "etc": true}

// moveLeadClause splits a sentence that opens with a subordinate clause or
// a short prepositional phrase ended by a comma, returning the main clause
// and the lead (without its comma). ok is false when there is none.
func moveLeadClause(words []string) (main, lead []string, ok bool) {
	if len(words) < 5 {
		return nil, nil, false
	}
	limit, found := subordinators[strings.ToLower(trimPunct(words[0]))]
	if !found {
		return nil, nil, false
	}
	for k := 1; k < len(words)-2 && k < limit; k++ {
		if strings.ContainsAny(words[k], ".;:!?()") {
			return nil, nil, false
		}
		if strings.HasSuffix(words[k], ",") {
			rest := words[k+1:]
			if len(rest) < 3 || inLower(clauseStarters, trimPunct(rest[0])) {
				return nil, nil, false
			}
			lead = append([]string(nil), words[:k+1]...)
			lead[k] = strings.TrimSuffix(lead[k], ",")
			return rest, lead, true
		}
	}
	return nil, nil, false
}

// whWords open wh-questions.
var whWords = map[string]bool{"why": true, "how": true, "what": true, "when": true, "where": true, "which": true,
	"who": true, "whom": true, "whose": true}

// auxWords open yes/no questions and are inverted in wh-questions.
var auxWords = map[string]bool{"can": true, "could": true, "would": true, "will": true, "is": true, "are": true,
	"was": true, "were": true, "should": true, "do": true, "does": true, "did": true, "has": true, "have": true,
	"am": true, "may": true, "might": true, "must": true, "shall": true, "can't": true, "won't": true,
	"isn't": true, "aren't": true, "doesn't": true, "don't": true, "didn't": true, "wasn't": true,
	"hasn't": true, "haven't": true, "couldn't": true, "wouldn't": true, "shouldn't": true}

var doWords = map[string]bool{"do": true, "does": true, "did": true, "don't": true, "doesn't": true, "didn't": true}

// pronouns are one-word subjects.
var pronouns = map[string]bool{"i": true, "we": true, "you": true, "they": true, "it": true, "he": true, "she": true,
	"there": true, "someone": true, "anyone": true, "everyone": true, "nobody": true, "everything": true,
	"anything": true, "nothing": true, "something": true}

// determiners open noun phrases.
var determiners = wordSet("the a an my our your their his her its this that these those some any every each no all")

// objectPronouns follow a verb.
var objectPronouns = wordSet("me us you him her it them")

// verbish words end a subject noun phrase.
var verbish = map[string]bool{"not": true, "n't": true, "still": true, "already": true, "ever": true, "never": true,
	"always": true, "just": true, "really": true, "also": true, "even": true, "only": true, "usually": true,
	"sometimes": true, "suddenly": true, "now": true}

// commonVerbs are base forms of verbs frequent in support tickets.
var commonVerbs = wordSet(`select choose enter click tap press wish prefer try reply visit follow complete
submit restart reinstall reject decline refuse ignore hang lag accept access add affect allow appear apply arrive ask be become belong bill block
break buy calculate call cancel change charge check clear close come connect contain cost count cover crash
delete differ disable display do download drop email enable exist expire export fail find fix freeze get give
go handle happen have hold import include install keep know last let like limit link list load lock log login
look lose make mark match matter mean move need notify offer open order pair pay post print process provide
put reach read receive refund remove renew require reset restore return round run save say scan see sell send
set share ship show sign start stay stop support switch sync take tell track transfer turn update upload use
verify view want work`)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// subjectEnd returns the end (exclusive) of the subject noun phrase that
// starts at words[i], or -1. A pronoun is one word; other phrases run
// until a common verb, an adverb such as "still", or, with allowLast, the
// last word (the verb of "what size does the P1 printer take?").
func subjectEnd(words []string, i int, allowLast bool) int {
	if i >= len(words) {
		return -1
	}
	first := strings.ToLower(trimPunct(words[i]))
	if first == "" || strings.ContainsAny(words[i], ",;:") {
		return -1
	}
	if pronouns[first] || first == "this" || first == "that" {
		if first != "this" && first != "that" || i+1 < len(words) && (inLower(commonVerbs, trimPunct(words[i+1])) || inLower(verbish, trimPunct(words[i+1]))) {
			return i + 1
		}
	}
	for j := i + 1; j < len(words) && j <= i+6; j++ {
		w := strings.ToLower(trimPunct(words[j]))
		if commonVerbs[w] || verbish[w] || participle(w) && (j > i+1 || !determiners[first]) {
			return j
		}
		if allowLast && j+1 < len(words) && j > i+1 && w == trimPunct(words[j]) && isWordish(w) {
			// a lowercase word before an object is the verb: "the API
			// reject the price field"
			if nx := strings.ToLower(trimPunct(words[j+1])); determiners[nx] || objectPronouns[nx] {
				return j
			}
		}
		if strings.ContainsAny(words[j], ",;:") {
			return -1
		}
		if allowLast && j == len(words)-1 {
			return j
		}
	}
	return -1
}

// participle reports whether w looks like an -ing or -ed form.
func participle(w string) bool {
	return len(w) > 4 && (strings.HasSuffix(w, "ing") || strings.HasSuffix(w, "ed")) || participles[w] && !verbish[w]
}

// thirdPerson returns the present third-person singular of a base verb.
func thirdPerson(v string) string {
	switch v {
	case "have":
		return "has"
	case "do":
		return "does"
	case "go":
		return "goes"
	case "be":
		return "is"
	case "can", "will", "may", "must", "should", "could", "would", "might":
		return v
	}
	switch {
	case strings.HasSuffix(v, "s") || strings.HasSuffix(v, "sh") || strings.HasSuffix(v, "ch") ||
		strings.HasSuffix(v, "x") || strings.HasSuffix(v, "z") || strings.HasSuffix(v, "o"):
		return v + "es"
	case len(v) > 1 && strings.HasSuffix(v, "y") && !strings.ContainsRune("aeiou", rune(v[len(v)-2])):
		return v[:len(v)-1] + "ies"
	}
	return v + "s"
}

// irregularPast are past tenses that do not add -ed.
var irregularPast = map[string]string{"be": "was", "become": "became", "begin": "began", "break": "broke",
	"bring": "brought", "buy": "bought", "come": "came", "cost": "cost", "cut": "cut", "do": "did",
	"drop": "dropped", "find": "found", "forget": "forgot", "freeze": "froze", "get": "got", "give": "gave",
	"go": "went", "have": "had", "hear": "heard", "hold": "held", "keep": "kept", "know": "knew",
	"leave": "left", "let": "let", "log": "logged", "lose": "lost", "make": "made", "mean": "meant", "pay": "paid",
	"plan": "planned", "put": "put", "read": "read", "run": "ran", "say": "said", "see": "saw", "sell": "sold",
	"send": "sent", "set": "set", "ship": "shipped", "shut": "shut", "sign": "signed", "spend": "spent",
	"stop": "stopped", "take": "took", "tell": "told", "think": "thought", "understand": "understood",
	"win": "won", "write": "wrote", "show": "showed", "shop": "shopped", "top": "topped"}

// pastTense returns the simple past of a base verb.
func pastTense(v string) string {
	if p, ok := irregularPast[v]; ok {
		return p
	}
	switch {
	case strings.HasSuffix(v, "e"):
		return v + "d"
	case len(v) > 1 && strings.HasSuffix(v, "y") && !strings.ContainsRune("aeiou", rune(v[len(v)-2])):
		return v[:len(v)-1] + "ied"
	}
	return v + "ed"
}

// inflect replaces the core of w (w without its punctuation) by to.
func inflect(w, to string) string {
	core := trimPunct(w)
	if core == "" {
		return to
	}
	return strings.Replace(w, core, to, 1)
}

// agree returns the form of auxiliary aux after the subject subj (already
// in the third person): "they" takes plural forms, anything else singular.
func agree(aux, subj string) string {
	if subj == "they" || subj == "you" || strings.Contains(subj, " and ") {
		if to, ok := plural[aux]; ok {
			return to
		}
		return aux
	}
	if to, ok := singular[aux]; ok {
		return to
	}
	return aux
}

// indirect turns a direct question into an indirect one with statement
// word order, mapping persons: "How can I change this?" becomes "how they
// can change this", "Why does the app log me out?" becomes "why the app
// logs them out", "Do I lose my data?" becomes "whether they lose their
// data". It reports false when the word order cannot be worked out.
func indirect(words []string, persons map[string]string) (string, bool) {
	if len(words) < 2 {
		return "", false
	}
	first := strings.ToLower(trimPunct(words[0]))
	var head []string // "how", "what size paper rolls", or nothing for yes/no
	a := 0
	switch {
	case whWords[first]:
		a = -1
		for k := 1; k < len(words) && k <= 5; k++ {
			if inLower(auxWords, trimPunct(words[k])) {
				a = k
				break
			}
			if strings.ContainsAny(words[k], ",;:") {
				break
			}
		}
		if a < 0 {
			// A subject question ("what happened to my order") or
			// statement order already ("how I can").
			return rewrite(words, persons), true
		}
		head = words[:a]
		if a > 1 && inLower(commonVerbs, trimPunct(words[a-1])) && len(head) > 1 {
			return rewrite(words, persons), true
		}
		if a+1 < len(words) && a <= 2 && (first == "who" || first == "what" || first == "which") {
			// "who else is having", "what is causing": the wh-phrase is
			// the subject, the order is already right.
			if next := strings.ToLower(trimPunct(words[a+1])); participle(next) || commonVerbs[next] {
				return rewrite(words, persons), true
			}
		}
	case first == "any" && len(words) > 2:
		// "Any chance this may become a feature?"
		return "whether there is " + rewrite(words, persons), true
	case auxWords[first]:
		head = []string{"whether"}
	default:
		return "", false
	}
	aux := strings.ToLower(trimPunct(words[a]))
	if strings.HasSuffix(aux, "n't") && head[0] == "whether" {
		return "", false // "whether it isn't" reads badly
	}
	e := subjectEnd(words, a+1, doWords[aux])
	if e < 0 {
		return "", false
	}
	subj := rewrite(words[a+1:e], persons)
	// The customer's "you" is support; support's "you" is the customer.
	lowerSubj := strings.ToLower(subj)
	var body []string
	if doWords[aux] && !strings.HasSuffix(aux, "n't") {
		if e >= len(words) {
			return "", false
		}
		verb := strings.ToLower(trimPunct(words[e]))
		if !isWordish(verb) || dangling[verb] {
			return "", false // "do you by any chance have"
		}
		if len(head) == 1 && strings.EqualFold(head[0], "how") && (lowerSubj == "they" || lowerSubj == "support") && aux == "do" {
			return "how to " + rewrite(words[e:], persons), true
		}
		switch aux {
		case "does":
			verb = thirdPerson(verb)
		case "did":
			verb = pastTense(verb)
		default:
			if lowerSubj != "they" && lowerSubj != "you" {
				verb = thirdPerson(verb)
			}
		}
		body = append(body, subj, inflect(words[e], verb))
		if e+1 < len(words) {
			body = append(body, rewrite(words[e+1:], persons))
		}
	} else {
		form := aux
		if a+1 < len(words) && inLower(pronouns, trimPunct(words[a+1])) {
			form = agree(aux, lowerSubj) // "are you" becomes "the customer is"
		}
		body = append(body, subj, form)
		if e < len(words) {
			body = append(body, rewrite(words[e:], persons))
		}
	}
	h := make([]string, len(head))
	for i, w := range head {
		h[i] = strings.ToLower(w)
		if i > 0 {
			h[i] = rewrite([]string{w}, persons)
		}
	}
	return strings.TrimRight(strings.Join(append(h, body...), " "), ".!?,;: "), true
}

// isWordish reports whether w is made of letters (and apostrophes).
func isWordish(w string) bool {
	if w == "" {
		return false
	}
	for _, r := range w {
		if !isLetter(r) && r != '\'' && r != '-' {
			return false
		}
	}
	return true
}

// contextRefs point at text the reader of a summary does not have.
var contextRefs = []string{"above", "below", "the following", "as mentioned", "mentioned earlier", "as i said",
	"as we said", "attached", "this link", "these steps", "those steps", "the steps", "the step", "as described",
	"see screenshot", "the screenshot", "this article", "that article"}

// dangling words cannot end a sentence.
var dangling = wordSet(`to of for with at by from as about into onto without via like than and
or but nor the a an that so because if when then this these those their my your our his her its is are was
were be been being has have had will would can could should shall may might must do does did not very such
which who whose whom where while whether until unless e.g i.e etc per vs versus even just also both
either every each`)

// endsDangling reports whether a clause ends on a word that needs more.
func endsDangling(words []string) bool {
	if len(words) == 0 {
		return true
	}
	last := words[len(words)-1]
	if strings.HasSuffix(last, ",") || strings.HasSuffix(last, ":") || strings.HasSuffix(last, ";") {
		return true
	}
	core := trimPunct(last)
	if len(words) > 1 && isCapitalised(core) && core != "I" {
		return false // a name or a menu: "Settings > About"
	}
	return inLower(dangling, core)
}

// brokenEnds cannot end even a whole sentence.
var brokenEnds = wordSet("to of for with at by from the a an and or but if because their my your our")

// endsBroken reports whether a clause ends on a word that cannot end any
// sentence, or on a comma, colon or semicolon.
func endsBroken(words []string) bool {
	last := words[len(words)-1]
	if strings.HasSuffix(last, ",") || strings.HasSuffix(last, ":") || strings.HasSuffix(last, ";") {
		return true
	}
	return inLower(brokenEnds, trimPunct(last))
}

// auxEnd reports whether a whole sentence ends on an auxiliary that may
// end one: "a pairing code I don't have".
func auxEnd(words []string) bool {
	switch strings.ToLower(trimPunct(words[len(words)-1])) {
	case "have", "has", "had", "do", "does", "did":
		return len(words) > 2
	}
	return false
}

// cutWords are conjunctions before which a long clause may be cut when no
// punctuation offers a place.
var cutWords = map[string]bool{"and": true, "but": true, "which": true, "so": true, "because": true,
	"while": true, "although": true, "though": true, "as": true, "since": true, "unless": true,
	"whereas": true, "including": true, "then": true}

// shorten fits a clause into max words without cutting it mid-way: it
// drops parentheticals, then keeps the longest head that ends at a clause
// boundary (a semicolon, a colon, a dash, a comma or a conjunction). It
// reports false when no head of at least four words fits.
func shorten(words []string, max int) ([]string, bool) {
	if len(words) <= max {
		return words, true
	}
	words = dropParentheticals(words)
	if len(words) <= max {
		return words, true
	}
	best := -1
	for k := 4; k <= max && k < len(words); k++ {
		prev, next := words[k-1], strings.ToLower(trimPunct(words[k]))
		boundary := strings.HasSuffix(prev, ";") || strings.HasSuffix(prev, ":") || strings.HasSuffix(prev, ",") ||
			words[k] == "-" || words[k] == "–" || words[k] == "—" || (k >= 6 && cutWords[next])
		if !boundary {
			continue
		}
		head := trimTrailing(words[:k])
		if len(head) >= 4 && !endsDangling(head) {
			best = k
		}
	}
	if best < 0 {
		return nil, false
	}
	return trimTrailing(words[:best]), true
}

// trimTrailing drops a trailing dash and the punctuation that ends the
// last word.
func trimTrailing(words []string) []string {
	out := append([]string(nil), words...)
	for len(out) > 0 && (out[len(out)-1] == "-" || out[len(out)-1] == "–" || out[len(out)-1] == "—") {
		out = out[:len(out)-1]
	}
	if n := len(out); n > 0 {
		out[n-1] = strings.TrimRight(out[n-1], ",;:")
	}
	return out
}

// dropParentheticals removes groups of words in parentheses, keeping the
// punctuation that follows a group: "the reader (serial 4411), which"
// becomes "the reader, which". Unbalanced text is returned unchanged.
func dropParentheticals(words []string) []string {
	var out []string
	depth := 0
	carry := func(w string) {
		if i := strings.LastIndexByte(w, ')'); i >= 0 && len(out) > 0 {
			if p := strings.TrimSpace(w[i+1:]); p != "" && strings.Trim(p, ",.;:!?") == "" {
				out[len(out)-1] += p
			}
		}
	}
	for _, w := range words {
		if depth == 0 && !strings.HasPrefix(w, "(") {
			out = append(out, w)
			continue
		}
		depth += strings.Count(w, "(") - strings.Count(w, ")")
		if depth <= 0 {
			depth = 0
			carry(w)
		}
	}
	if depth != 0 || len(out) == 0 {
		return words
	}
	return out
}

// dedupe removes a word repeated right after itself ("the the").
func dedupe(words []string) []string {
	out := words[:0:0]
	for i, w := range words {
		if i > 0 && strings.EqualFold(trimPunct(w), trimPunct(words[i-1])) && trimPunct(w) != "" &&
			!strings.ContainsAny(words[i-1], ",;:.") && !digits(trimPunct(w)) {
			if len(out) > 0 {
				out[len(out)-1] = w
			}
			continue
		}
		out = append(out, w)
	}
	return out
}
