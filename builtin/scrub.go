package builtin

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum"
)

// scrubber removes personal data from sentences: the ticket's people,
// names found in greetings and sign-offs, @handles, emails, URLs, phone and
// card numbers, long digit runs and emoji.
type scrubber struct {
	names      map[string]bool // lowercased name parts from Ticket.People
	greeted    map[string]bool // capitalised names found in greetings
	handles    map[string]bool // lowercased @handles without the @
	nameShapes keyShapes       // of the keys of names
}

// notNames are words that follow a greeting but are not names.
var notNames = map[string]bool{"there": true, "team": true, "support": true, "all": true, "everyone": true,
	"guys": true, "folks": true, "again": true, "so": true, "much": true, "sir": true, "madam": true,
	"friend": true, "friends": true, "mate": true, "i": true, "for": true, "you": true, "a": true,
	"lot": true, "the": true, "we": true, "please": true, "and": true, "good": true, "morning": true,
	"afternoon": true, "evening": true, "hello": true, "hi": true, "hey": true, "customer": true, "it": true,
	"both": true, "to": true, "again,": true, "in": true, "but": true, "now": true, "ok": true, "okay": true,
	"your": true, "our": true, "my": true, "their": true, "this": true, "that": true}

// commonWordNames are name parts that are also common words: they are
// dropped only when capitalised.
var commonWordNames = map[string]bool{"will": true, "mark": true, "bill": true, "may": true, "june": true,
	"grace": true, "hope": true, "faith": true, "joy": true, "rose": true, "summer": true, "art": true,
	"sam": false, "max": true, "frank": true, "case": true, "miles": true, "chance": true, "page": true,
	"long": true, "young": true, "king": true, "rich": true, "drew": true, "sky": true, "dawn": true}

// roleWords appear in author names such as "Sam (Support)" without being names.
var roleWords = map[string]bool{"support": true, "team": true, "agent": true, "customer": true,
	"service": true, "care": true, "help": true, "desk": true, "bot": true, "admin": true, "the": true}

// greetingShapes and notNameShapes filter the lookups of the harvest.
var greetingShapes, notNameShapes = newKeyShapes(greetings), newKeyShapes(notNames)

var greetings = map[string]bool{"hi": true, "hello": true, "hey": true, "dear": true, "hiya": true,
	"howdy": true, "greetings": true, "morning": true, "evening": true, "afternoon": true, "yo": true,
	"thanks": true, "thank": true, "cheers": true, "thx": true, "bonjour": true, "hola": true, "hallo": true,
	"regards": true, "sincerely": true, "cordialement": true, "saludos": true}

func newScrubber(t *ticketsum.Ticket, turns []turn) *scrubber {
	sc := &scrubber{names: map[string]bool{}, greeted: map[string]bool{}, handles: map[string]bool{}}
	for _, p := range t.People() {
		if at := strings.IndexByte(p, '@'); at >= 0 {
			p = p[:at] // the domain names a company, not a person
		}
		for _, part := range strings.FieldsFunc(p, func(r rune) bool { return !isLetter(r) && r != '\'' }) {
			lower := strings.ToLower(part)
			if utf8.RuneCountInString(part) >= 2 && !roleWords[lower] {
				sc.names[lower] = true
				sc.nameShapes.add(lower)
			}
		}
	}
	var words []string // one buffer for the words of every turn
	for _, tu := range turns {
		words = sc.harvest(words[:0], tu.text)
	}
	return sc
}

// harvestGreetings collects @handles and the names that follow a greeting
// on the same line: "Hi Sarah,", "Thanks, Norlene!".
func (sc *scrubber) harvestGreetings(words []string) {
	for i, w := range words {
		if strings.HasPrefix(w, "@") {
			if h := strings.ToLower(trimPunct(w[1:])); h != "" {
				sc.handles[h] = true
			}
		}
		if !inLowerShaped(greetings, greetingShapes, trimPunct(w)) || strings.HasSuffix(w, ".") || strings.HasSuffix(w, "?") {
			continue // "Good morning. Your system ..." names no one
		}
		j := i + 1
		if strings.EqualFold(trimPunct(w), "thank") && j < len(words) && strings.EqualFold(trimPunct(words[j]), "you") {
			j++
		}
		for k := j; k < len(words) && k < j+2; k++ {
			core := trimPunct(words[k])
			if !isCapitalised(core) || inLowerShaped(notNames, notNameShapes, core) {
				break
			}
			sc.greeted[core] = true
			if strings.ContainsAny(words[k], ",!.?:;") {
				break
			}
		}
	}
}

// harvest collects @handles, names that follow a greeting ("Hi Sarah,",
// "Thanks, Norlene!") and a sign-off name alone on the last line. It splits
// text into words appended to buf (empty), which it returns for reuse.
func (sc *scrubber) harvest(buf []string, text string) []string {
	words, lastLine := sc.lineWords(buf, text)
	sc.harvestVocatives(words)
	lastFields := words[lastLine:]
	last := withoutPartMarker(lastFields)
	if len(last) == 1 || len(last) == 2 && strings.Trim(last[0], "-~^*/") == "" {
		core := trimPunct(strings.TrimLeft(last[len(last)-1], "-~^*/"))
		if isCapitalised(core) && !inLower(notNames, core) {
			sc.greeted[core] = true
		}
	}
	// A name glued to a sign-off: "Thanks-Mich", "~Anna".
	if ws := withoutPartMarker(lastFields); len(ws) > 0 {
		lastw := ws[len(ws)-1]
		if k := strings.LastIndexAny(lastw, "-~^/"); k >= 0 {
			core := trimPunct(lastw[k+1:])
			if isCapitalised(core) && len(core) <= 12 && !inLower(notNames, core) {
				sc.greeted[core] = true
			}
		}
	}
	// The last word of a tweet-style reply is often the agent's name or
	// initials: "... Keep us posted. Rach", "... /JI".
	if ws := withoutPartMarker(lastFields); len(ws) > 2 {
		prev, lastw := ws[len(ws)-2], ws[len(ws)-1]
		core := trimPunct(lastw)
		if strings.HasSuffix(prev, ".") || strings.HasSuffix(prev, "!") || strings.HasSuffix(prev, "?") {
			if isCapitalised(core) && !inLower(notNames, core) && len(core) <= 12 {
				sc.greeted[core] = true
			}
		}
	}
	return words
}

// lineWords appends the words of text to buf, line by line, collecting the
// names after greetings on each line, and returns them with the index of
// the first word of the last line that has any: the words of the last
// line of strings.TrimSpace(text). The words of the lines, one after the
// other, are those of text (a line break is a space to strings.Fields).
func (sc *scrubber) lineWords(buf []string, text string) (words []string, lastLine int) {
	words = buf
	for rest := text; ; {
		line, after, more := strings.Cut(rest, "\n")
		n := len(words)
		words = appendFields(words, line)
		if len(words) > n {
			lastLine = n
			sc.harvestGreetings(words[n:])
		}
		if !more {
			break
		}
		rest = after
	}
	return words, lastLine
}

// withoutPartMarker drops a trailing "2/3" that numbers split tweets.
func withoutPartMarker(words []string) []string {
	if n := len(words); n > 0 {
		w := words[n-1]
		if i := strings.IndexByte(w, '/'); i > 0 && i < len(w)-1 && digits(w[:i]) && digits(w[i+1:]) {
			return words[:n-1]
		}
	}
	return words
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// harvestVocatives collects names addressed in passing: a capitalised word
// after a comma or "you" and before a comma or end mark ("nope, Demarton,
// you may", "a refund for you Sonal, can you"), and sign-off tokens such as
// "*RachaelTansey" or "- Taz".
func (sc *scrubber) harvestVocatives(words []string) {
	for i, w := range words {
		if c := w[0]; c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			continue // trimPunct keeps a leading letter or digit, so core is not capitalised
		}
		core := trimPunct(w)
		if !isCapitalised(core) || inLowerShaped(notNames, notNameShapes, core) || len(core) < 2 {
			continue
		}
		if (w[0] == '*' || w[0] == '~' || w[0] == '^') && len(core) >= 3 {
			sc.greeted[core] = true
			continue
		}
		if i == 0 {
			continue
		}
		prev := words[i-1]
		afterDash := prev == "-" || prev == "~" || prev == "--"
		afterComma := strings.HasSuffix(prev, ",") || strings.EqualFold(trimPunct(prev), "you") && !strings.ContainsAny(prev, ".!?")
		endsClause := strings.ContainsAny(w[len(w)-1:], ",!?") || strings.HasSuffix(w, ".") && i == len(words)-1
		if afterDash && (i == len(words)-1 || !isCapitalised(words[i+1])) || afterComma && endsClause && core == strings.TrimRight(w, ",!?.") {
			sc.greeted[core] = true
		}
	}
}

// scrub returns s without personal data, how many words it removed or
// replaced, and whether a removal left a gap after a word that needs an
// object ("refunded", "a", "to"). Links become "a link" and emails "an email address"; names,
// handles, phone and card numbers and long digit runs are dropped. atEnd
// marks the last sentence of an agent's message, where initials such as
// "MT" or "/JI" sign it.
func (sc *scrubber) scrub(s string, atEnd bool) (string, int, bool) {
	// Sentences are short: words, keep and repl live on the stack up to 64
	// words.
	var wordBuf [64]string
	words := appendFields(wordBuf[:0], s)
	var keepBuf [64]bool
	var replBuf [64]string
	var keep []bool
	var repl []string
	if len(words) <= len(keepBuf) {
		keep, repl = keepBuf[:len(words)], replBuf[:len(words)]
	} else {
		keep, repl = make([]bool, len(words)), make([]string, len(words))
	}
	for i := range words {
		keep[i] = true
	}
	// Each of these drops only numbers: of five digits or more in all, or
	// of four with a card ending or a PIN.
	if n := countDigitsTo(s, 5); n >= 4 {
		if n >= 5 {
			dropNumberRuns(words, keep)
		}
		dropCardEndings(words, keep)
		dropPINs(words, keep)
	}
	removed := 0
	for i, w := range words {
		if !keep[i] {
			removed++
			continue
		}
		core := trimPunct(w)
		at := strings.IndexByte(core, '@')
		// base is the word without a possessive; lookups lowercase it.
		base := strings.TrimSuffix(strings.TrimSuffix(core, "'s"), "’s")
		capitalised := isCapitalised(core)
		switch {
		case core == "":
			keep[i] = hasAlnum(w) || w == "&" || w == "-" || w == ">" || w == "→" || w == "/" || quotedSymbol(w)
			continue
		case strings.HasPrefix(w, "@") || strings.HasPrefix(core, "@"):
			keep[i] = false
			continue // handles open tweets; dropping them leaves no gap
		case at >= 0 && strings.IndexByte(core[at:], '.') >= 0:
			repl[i] = "an email address"
		case isURL(core) || strings.IndexByte(w, '<') >= 0 && (strings.Contains(w, "<LINK>") || strings.EqualFold(core, "link")):
			repl[i] = "a link"
		case at >= 0, strings.HasPrefix(core, "__"),
			inLower(sc.handles, base) && (i == 0 || !capitalised || len(core) > 6),
			// every greeted name is capitalised (see harvest)
			capitalised && (sc.greeted[core] || sc.greeted[strings.TrimSuffix(core, "'s")]) || sc.gluedName(core),
			inLowerShaped(sc.names, &sc.nameShapes, base) && (capitalised || !inLower(commonWordNames, base)),
			(atEnd && i == len(words)-1 && (len(words) <= 2 || strings.ContainsAny(words[i-1], ".!?-")) || w[0] == '/' || w[0] == '^' || w[0] == '*' || w[0] == '~') && isInitials(w),
			(w[0] == '*' || w[0] == '~' || w[0] == '^') && capitalised && len(core) >= 3:
			keep[i] = false
		default:
			continue
		}
		removed++
	}
	dropParenGroups(words, keep)
	if removed == 0 && unchanged(s, words, keep, repl) {
		return tidy(s), 0, false // nothing dropped or replaced: s is already the text built below
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	lastRepl := ""
	broken := false
	for i, w := range words {
		if !keep[i] {
			if i > 0 && i < len(words)-1 && keep[i-1] && !strings.HasPrefix(w, "@") && !strings.ContainsAny(words[i-1], ",.;:!?") {
				prev := strings.ToLower(trimPunct(words[i-1]))
				broken = broken || dangling[prev] || actionVerbs[prev] || strings.HasSuffix(prev, "ed")
			}
			// Keep the punctuation that ended a dropped word, so that
			// "Hi Sarah, thanks" still reads as two clauses.
			if p := trailingPunct(w); p != "" && b.Len() > 0 {
				b.WriteString(p)
			}
			continue
		}
		if repl[i] != "" {
			if repl[i] == lastRepl {
				continue // "a link a link"
			}
			lastRepl = repl[i]
			w = repl[i] + trailingPunct(w)
		} else {
			lastRepl = ""
			w = stripSymbols(w)
		}
		if w == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	out := b.String()
	if n := len(words); n > 0 && !keep[n-1] {
		// "... to ensure the {name}." must not end on "the".
		out = trimDanglers(strings.Fields(out))
	}
	return tidy(out), removed, broken
}

// unchanged reports whether scrub's output before tidying is s itself: every
// word kept and none replaced or holding a symbol, and s its words joined
// by single spaces.
func unchanged(s string, words []string, keep []bool, repl []string) bool {
	n := len(words) - 1
	for i, w := range words {
		if !keep[i] || repl[i] != "" || !isPlainASCII(w) {
			return false
		}
		n += len(w)
	}
	if n != len(s) {
		return false
	}
	// The words are s's in order; with lengths adding up, each gap is one
	// byte, which must be a space.
	at := 0
	for _, w := range words[:max(len(words)-1, 0)] {
		at += len(w)
		if s[at] != ' ' {
			return false
		}
		at++
	}
	return true
}

// dropParenGroups drops a whole parenthesised group of words when a word
// of it was dropped: "(order #TW-88213)" goes, not just its number.
func dropParenGroups(words []string, keep []bool) {
	for i := 0; i < len(words); i++ {
		if !strings.HasPrefix(words[i], "(") {
			continue
		}
		j := i
		for j < len(words) && !strings.Contains(words[j], ")") && j-i < 8 {
			j++
		}
		if j == len(words) || !strings.Contains(words[j], ")") {
			continue
		}
		some := false
		for k := i; k <= j; k++ {
			some = some || !keep[k]
		}
		if some {
			for k := i; k <= j; k++ {
				keep[k] = false
			}
		}
		i = j
	}
}

// quotedSymbol reports whether w is a quoted character such as '!' or "#".
func quotedSymbol(w string) bool {
	w = strings.TrimRight(w, ",.;:")
	return len(w) >= 3 && len(w) <= 6 && (w[0] == '\'' || w[0] == '"') && w[len(w)-1] == w[0]
}

// gluedName reports whether w ends with a known name glued on with a
// hyphen or tilde, as in "Thanks-Mich".
func (sc *scrubber) gluedName(w string) bool {
	if len(sc.greeted) == 0 {
		return false
	}
	for k := len(w) - 1; k >= 0; k-- {
		switch w[k] {
		case '-', '~', '^', '/':
			return sc.greeted[trimPunct(w[k+1:])]
		}
	}
	return false
}

// dropNumberRuns drops runs of numeric words holding 7 or more digits in
// all (phone and card numbers) and single words with 5 or more digits.
func dropNumberRuns(words []string, keep []bool) {
	for i := 0; i < len(words); {
		j, digits := i, 0
		for j < len(words) && isNumeric(words[j]) {
			digits += countDigits(words[j])
			j++
		}
		if j == i {
			if countDigits(words[i]) >= 5 && !isMoney(words[i]) {
				keep[i] = false
			}
			i++
			continue
		}
		if digits >= 7 || (j-i == 1 && digits >= 5) {
			for k := i; k < j; k++ {
				keep[k] = false
			}
			if i > 0 && isIBANPrefix(words[i-1]) {
				keep[i-1] = false // "DE89 3704 0044 ...": the country and check digits of an IBAN
			}
		}
		i = j
	}
}

// dropCardEndings drops the last digits of a card and the words that
// announce them: "a Visa card ending 4417", "ending in 0420".
func dropCardEndings(words []string, keep []bool) {
	for i, w := range words {
		if len(w) != 6 && len(w) != 4 || !strings.EqualFold(w, "ending") && !strings.EqualFold(w, "ends") {
			continue
		}
		j := i + 1
		if j < len(words) && strings.EqualFold(words[j], "in") {
			j++
		}
		if j < len(words) && countDigits(words[j]) == 4 && isNumeric(words[j]) {
			for k := i; k <= j; k++ {
				keep[k] = false
			}
			if i > 0 {
				words[i-1] += trailingPunct(words[j]) // keep the clause's comma
			}
		}
	}
}

// dropPINs drops bare numbers of four to six digits from a sentence that
// speaks of a PIN or passcode: "nobody else has 4821".
func dropPINs(words []string, keep []bool) {
	pin := false
	for _, w := range words {
		if j := strings.IndexFunc(w, isAlnumRune); len(w) < 3 || j < 0 || w[j] != 'p' && w[j] != 'P' {
			continue // every word below starts with p once trimmed
		}
		lw := strings.ToLower(trimPunct(w))
		pin = pin || lw == "pin" || lw == "pins" || lw == "passcode" || lw == "pin-code"
	}
	if !pin {
		return
	}
	for i, w := range words {
		if core := trimPunct(w); digits(core) && len(core) >= 4 && len(core) <= 6 {
			keep[i] = false
		}
	}
}

// isIBANPrefix reports whether w is the start of an IBAN written in groups:
// two capital letters and two check digits, such as "DE89".
func isIBANPrefix(w string) bool {
	return len(w) == 4 && w[0] >= 'A' && w[0] <= 'Z' && w[1] >= 'A' && w[1] <= 'Z' &&
		w[2] >= '0' && w[2] <= '9' && w[3] >= '0' && w[3] <= '9'
}

// isMoney reports whether w is an amount such as "$2,341.80" or "49€".
func isMoney(w string) bool {
	return strings.IndexByte(w, '$') >= 0 || !isPlainASCII(w) && strings.ContainsAny(w, "€£¥₹")
}

// isNumeric reports whether w is made of digits and phone punctuation;
// amounts of money are not.
func isNumeric(w string) bool {
	// Currency signs and every other byte outside the set end the word's
	// chance, so no separate money check is needed.
	digits := 0
	for i := 0; i < len(w); i++ {
		switch c := w[i]; c {
		case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			digits++
		case '+', '(', ')', '-', '.', '/', ',', ':', '#':
		default:
			return false
		}
	}
	return digits > 0
}

// countDigitsTo counts the digits of s up to limit.
func countDigitsTo(s string, limit int) int {
	n := 0
	for i := 0; i < len(s) && n < limit; i++ {
		if s[i]-'0' <= 9 {
			n++
		}
	}
	return n
}

func countDigits(w string) int {
	n := 0
	for i := 0; i < len(w); i++ {
		if w[i] >= '0' && w[i] <= '9' {
			n++
		}
	}
	return n
}

var tlds = []string{".com", ".net", ".org", ".io", ".co", ".uk", ".de", ".fr", ".ly", ".me", ".gov", ".edu", ".info", ".biz", ".app", ".us", ".ca", ".au", ".in", ".es", ".it", ".nl"}

// isURL reports whether w is a link or a bare domain.
func isURL(w string) bool {
	if strings.IndexByte(w, '.') < 0 && strings.IndexByte(w, ':') < 0 {
		return false
	}
	lower := strings.ToLower(w)
	if strings.Contains(lower, "://") || strings.HasPrefix(lower, "www.") || strings.Contains(lower, ".com/") ||
		strings.HasPrefix(lower, "t.co/") || strings.HasPrefix(lower, "bit.ly/") {
		return true
	}
	for _, t := range tlds {
		if strings.HasSuffix(lower, t) && len(lower) > len(t)+1 {
			return true
		}
	}
	return false
}

// isInitials reports whether w is an agent's initials such as "MT", "/JI" or "^XS".
func isInitials(w string) bool {
	if len(w) < 2 {
		return false
	}
	core := strings.TrimLeft(strings.TrimRight(w, ".!,"), "/^*~-")
	if n := len(core); n < 2 || n > 3 {
		return false
	}
	for i := 0; i < len(core); i++ {
		if core[i] < 'A' || core[i] > 'Z' {
			return false
		}
	}
	return true
}

func trailingPunct(w string) string {
	end := len(w)
	for end > 0 && strings.ContainsRune(",.!?;:", rune(w[end-1])) {
		end--
	}
	if end == len(w) {
		return ""
	}
	return w[end : end+1]
}

// stripSymbols removes emoji and other symbols from a word.
func stripSymbols(w string) string {
	if isPlainASCII(w) {
		return w
	}
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) || unicode.Is(unicode.Cs, r) || r == '\ufe0f' || r == '\u200d' {
			return -1
		}
		return r
	}, w)
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isLetter(r rune) bool { return unicode.IsLetter(r) }

func isAlnumRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func hasAlnum(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

func isCapitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// tidy removes spaces before punctuation, repeated punctuation and stray
// punctuation at the start.
func tidy(s string) string {
	s = trimLead(s)
	if !needsTidy(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' && i+1 < len(s) && strings.IndexByte(",.!?;:", s[i+1]) >= 0 {
			continue
		}
		if strings.IndexByte(",;:", c) >= 0 && b.Len() > 0 && strings.IndexByte(",;:.!?", b.String()[b.Len()-1]) >= 0 {
			continue
		}
		b.WriteByte(c)
	}
	return balanceParens(strings.TrimSpace(b.String()))
}

// trimLead returns strings.TrimLeft(s, ",.;:!?-) ") without building the
// cutset's table on every call.
func trimLead(s string) string {
	for len(s) > 0 && tidyLead[s[0]] {
		s = s[1:]
	}
	return s
}

// tidyLead holds the bytes trimLead trims.
var tidyLead = [256]bool{',': true, '.': true, ';': true, ':': true, '!': true, '?': true, '-': true, ')': true, ' ': true}

// needsTidy reports whether tidy would change s (already trimmed on the
// left): a space before punctuation, a comma, semicolon or colon after
// punctuation, a parenthesis, or space at the end.
func needsTidy(s string) bool {
	if s == "" || s[len(s)-1] == ' ' {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', ')':
			return true
		case '.', '!', '?':
			if i > 0 && s[i-1] == ' ' {
				return true
			}
		case ',', ';', ':':
			if i > 0 {
				switch s[i-1] {
				case ' ', ',', ';', ':', '.', '!', '?':
					return true
				}
			}
		}
	}
	return strings.TrimSpace(s) != s
}

// balanceParens removes parentheses left unmatched, often by scrubbing:
// "reader (serial won't turn on" becomes "reader serial won't turn on".
func balanceParens(s string) string {
	if !strings.ContainsAny(s, "()") {
		return s
	}
	drop := map[int]bool{}
	var open []int
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			open = append(open, i)
		case ')':
			if len(open) == 0 {
				drop[i] = true
			} else {
				open = open[:len(open)-1]
			}
		}
	}
	for _, i := range open {
		drop[i] = true
	}
	if len(drop) == 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if !drop[i] {
			b.WriteByte(s[i])
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// pleasantries open sentences that carry no content before a comma.
var pleasantries = []string{"hi", "hello", "hey", "dear", "thanks", "thank you", "sorry", "apologies",
	"we apologize", "we apologise", "i'm sorry", "we're sorry", "good morning", "good afternoon",
	"good evening", "ok", "okay", "oh", "ah", "great", "alright", "yes", "no worries", "hiya", "cheers",
	"perfect", "awesome", "excellent", "no problem", "of course", "absolutely", "sure", "understood", "got it",
	"bonjour", "hola", "hallo", "ciao", "salut", "buongiorno", "buenos días", "buenas", "olá", "oi"}

// pleasantriesByFirst lists the pleasantries by first byte, in the order
// of pleasantries.
var pleasantriesByFirst = func() (by [utf8.RuneSelf][]string) {
	for _, p := range pleasantries {
		by[p[0]] = append(by[p[0]], p)
	}
	return by
}()

// stripPleasantry removes a greeting or thanks that opens s up to the first
// comma or exclamation mark within six words: "Hi there, the cavalry's
// here!" becomes "the cavalry's here!".
func stripPleasantry(s string) string {
	p, ok := pleasantryAt(s)
	if ok {
		if len(s) > len(p) && (s[len(p)] == ',' || s[len(p)] == '!') && len(s) > len(p)+1 && s[len(p)+1] != ' ' {
			return s[len(p)+1:] // "Hi,How long ..."
		}
		words := strings.Fields(s)
		if len(words) > 2 && inLower(notNames, trimPunct(words[1])) && inLower(greetings, trimPunct(words[0])) && !strings.ContainsAny(words[0], ",!.") {
			switch strings.ToLower(trimPunct(words[1])) {
			case "there", "folks", "guys", "team", "all", "everyone":
				return strings.Join(words[2:], " ")
			}
		}
		for i := 0; i < len(words) && i < 6; i++ {
			if strings.ContainsAny(words[i], "()\"") {
				break // "Yes: with webhooks (a, b) ..." is content
			}
			if strings.HasSuffix(words[i], ",") || strings.HasSuffix(words[i], "!") || strings.HasSuffix(words[i], ".") || strings.HasSuffix(words[i], ":") {
				return strings.Join(words[i+1:], " ")
			}
		}
		if first := strings.ToLower(words[0]); len(words) > 2 && (first == "hi" || first == "hello" || first == "hey" || first == "dear" || first == "hiya") {
			return strings.Join(words[1:], " ") // "dear need a direct flight"
		}
	}
	return s
}

// pleasantryAt returns the first of pleasantries that opens s as a word,
// matched on s lowered. When the first 32 bytes of s are ASCII, they are
// lowered on the stack instead of lowering all of s.
func pleasantryAt(s string) (string, bool) {
	var buf [32]byte
	head, ascii := asciiLowerHead(s, buf[:0])
	lower := ""
	list := pleasantries
	if ascii && len(head) > 0 {
		list = pleasantriesByFirst[head[0]] // s lowered starts with head[0]
	}
	for _, p := range list {
		if ascii && len(p) < len(head) || ascii && len(head) == len(s) {
			if len(head) < len(p) || string(head[:len(p)]) != p || len(head) > len(p) && isLetter(rune(head[len(p)])) {
				continue
			}
			return p, true
		}
		if lower == "" {
			lower = strings.ToLower(s)
		}
		if !strings.HasPrefix(lower, p) || len(lower) > len(p) && isLetter(rune(lower[len(p)])) {
			continue
		}
		return p, true
	}
	return "", false
}
