package builtin

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/guard"
	"github.com/ticketsum/ticketsum/thread"
)

// turn is one customer or agent message after cleaning.
type turn struct {
	role  ticketsum.Role
	index int    // position among the turns of the same role
	text  string // cleaned text, not scrubbed
	lower string // text lowered, for the phrase checks
}

// sentence is a candidate for the summary.
type sentence struct {
	role  ticketsum.Role
	turn  int // position among the turns of the same role
	pos   int // position within its turn
	last  bool
	text  string // scrubbed text
	words []string
	// removed counts the words scrubbed out: a sentence full of personal
	// data reads badly once scrubbed.
	removed int
	// broken marks a sentence that scrubbing left with a gap after a word
	// that needs an object: "I have refunded {invoice number} in full".
	broken bool
}

// digest is what the summariser knows about a ticket.
type digest struct {
	subject     string
	productLine string
	// customerText and agentText join each side's cleaned messages;
	// customerLang and agentLang name the side's language when it is not
	// English.
	customerText, agentText string
	// customerLower and agentLower are the same texts lowered.
	customerLower, agentLower string
	customerLang, agentLang   string
	// session is the guard's view of the ticket's people; scrub removes
	// their details from text.
	session    *guard.Session
	scrub      *scrubber
	turns      []turn
	customer   []sentence
	agent      []sentence
	status     ticketsum.Status
	inputWords int
	lastAgent  int // number of agent turns
	lastCust   int // number of customer turns
	// autoReplies counts the customer's out-of-office replies and acks the
	// help desk's automatic acknowledgements, both left out of the turns;
	// autoReplyLast is set when the thread ends with an out-of-office reply.
	autoReplies, acks int
	autoReplyLast     bool
	// internalOnly marks a ticket of internal notes only; notes holds the
	// first sentence of each.
	internalOnly bool
	notes        []sentence
	// spam, reopened and customerWordless mark tickets stated as such.
	spam, reopened, customerWordless bool
	// subjectKeysCache holds subjectKeys once subjectKeysDone.
	subjectKeysCache []string
	subjectKeysDone  bool
}

// digest cleans the ticket's messages within the input cap, scrubs their
// sentences and decides the status.
func (s *Summarizer) digest(t *ticketsum.Ticket) *digest {
	d := &digest{productLine: t.ProductLine, session: s.cfg.Guard.NewSession(t)}
	msgs := s.selectMessages(t.Messages)
	if len(msgs) == 0 {
		d.internalOnly = true
		msgs = t.Messages
	}
	counts := map[ticketsum.Role]int{}
	d.turns = make([]turn, 0, len(msgs))
	for _, m := range msgs {
		text := thread.Clean(m.Body)
		if strings.Contains(text, "&") {
			text = html.UnescapeString(text)
		}
		text = strings.ReplaceAll(text, "’", "'")
		lower := toLower(text) // one lowering for the phrase checks below
		if s.phrases.footer.in(lower) {
			text = stripFooter(text)
			lower = toLower(text)
		}
		if text == "" {
			continue
		}
		switch {
		case m.Role == ticketsum.RoleCustomer && s.phrases.autoReply.in(lower):
			d.autoReplies++
			d.autoReplyLast = true
			continue
		case m.Role == ticketsum.RoleAgent && s.phrases.ack.in(lower):
			d.acks++
			continue
		case m.Role == ticketsum.RoleInternal:
			if sents := splitSentences(text); len(sents) > 0 {
				if sc := newScrubber(t, nil); sc != nil {
					clean, _, _ := sc.scrub(sents[0], false)
					d.notes = append(d.notes, sentence{role: m.Role, text: clean, words: strings.Fields(clean)})
				}
			}
			continue
		}
		d.autoReplyLast = false
		d.turns = append(d.turns, turn{role: m.Role, index: counts[m.Role], text: text, lower: lower})
		counts[m.Role]++
	}
	d.lastCust, d.lastAgent = counts[ticketsum.RoleCustomer], counts[ticketsum.RoleAgent]
	sc := newScrubber(t, d.turns)
	d.scrub = sc
	d.subject, _, _ = sc.scrub(t.Subject, false)
	// Split every turn first, so that the candidate lists are allocated
	// once, at the most they can hold.
	split := make([][]string, len(d.turns))
	nCust, nAgent := 0, 0
	for i, tu := range d.turns {
		split[i] = splitSentences(strings.ReplaceAll(tu.text, "。", "。\n"))
		if tu.role == ticketsum.RoleCustomer {
			nCust += len(split[i])
		} else {
			nAgent += len(split[i])
		}
	}
	d.customer, d.agent = make([]sentence, 0, nCust), make([]sentence, 0, nAgent)
	for _, tu := range d.turns {
		d.inputWords += wordCount(tu.text)
	}
	// The candidates' words are slices of one array, each capped at its
	// end as strings.Fields's own would be; scrubbing can add a few words
	// ("an email address"), after which append moves on to a new array.
	arena := make([]string, 0, d.inputWords+d.inputWords/8)
	for ti, tu := range d.turns {
		sents := split[ti]
		latinTurn := scriptLanguage(tu.text) == ""
		for i, raw := range sents {
			if latinTurn && scriptLanguage(raw) != "" {
				continue // a Japanese greeting in an English reply cannot be quoted in an English summary
			}
			if s.hasAddress(d, raw) {
				continue // the scrubber drops the postcode, after which the guard no longer sees the address
			}
			text, removed, broken := sc.scrub(raw, tu.role == ticketsum.RoleAgent && i == len(sents)-1)
			text = stripPleasantry(text)
			n := len(arena)
			arena = appendFields(arena, text)
			words := arena[n:len(arena):len(arena)]
			if len(words) == 0 || !hasLetters(text) || isMarker(text) {
				arena = arena[:n]
				continue
			}
			st := sentence{role: tu.role, turn: tu.index, pos: i, text: text, words: words, removed: removed, broken: broken}
			if tu.role == ticketsum.RoleCustomer {
				st.last = tu.index == d.lastCust-1
				d.customer = append(d.customer, st)
			} else {
				st.last = tu.index == d.lastAgent-1
				d.agent = append(d.agent, st)
			}
		}
	}
	// Lowering each turn's text and joining them with line breaks gives
	// the lowered side text: strings.ToLower maps rune by rune.
	var cust, agent, custLower, agentLower strings.Builder
	nc, na := d.inputBytes(ticketsum.RoleCustomer), d.inputBytes(ticketsum.RoleAgent)
	cust.Grow(nc)
	agent.Grow(na)
	custLower.Grow(nc)
	agentLower.Grow(na)
	for _, tu := range d.turns {
		b, bl := &agent, &agentLower
		if tu.role == ticketsum.RoleCustomer {
			b, bl = &cust, &custLower
		}
		b.WriteString(tu.text)
		b.WriteByte('\n')
		bl.WriteString(tu.lower)
		bl.WriteByte('\n')
	}
	d.customerText, d.agentText = cust.String(), agent.String()
	d.customerLower, d.agentLower = custLower.String(), agentLower.String()
	d.customerLang = s.sideLanguage(d.customerText, d.customerLower)
	d.agentLang = s.sideLanguage(d.agentText, d.agentLower)
	d.status = decideStatus(d.turns)
	if d.lastCust > 0 {
		d.spam = s.isSpam(d)
		d.reopened = s.isReopened(d.turns)
		d.customerWordless = true
		for _, st := range d.customer {
			d.customerWordless = d.customerWordless && noWords(st.text)
		}
	}
	if d.internalOnly {
		d.status = ticketsum.StatusAwaitingSupport
	}
	return d
}

// inputBytes returns the length of the turns of one role with a line
// break each.
func (d *digest) inputBytes(role ticketsum.Role) int {
	n := 0
	for _, tu := range d.turns {
		if tu.role == role {
			n += len(tu.text) + 1
		}
	}
	return n
}

// languageSample returns the part of a side's text its language is told
// from: the first 3 KB, cut at a space, which holds hundreds of words.
func languageSample(text string) string {
	const n = 3 << 10
	if len(text) <= n {
		return text
	}
	if i := strings.LastIndexByte(text[:n], ' '); i > 0 {
		return text[:i]
	}
	return truncateBytes(text, n)
}

// sideLanguage classifies the sample of a side's text (languageSample),
// lowered, when the sample is plain ASCII, as the same bytes of the
// side's lowered text.
func (s *Summarizer) sideLanguage(text, lower string) string {
	sample := languageSample(text)
	if !isPlainASCII(sample) {
		lang, _ := s.lang.classify(sample)
		return lang
	}
	lang, _ := s.lang.classifyLower(sample, lower[:len(sample)])
	return lang
}

// hasAddress reports whether the guard finds a postal address in a raw
// sentence; only sentences with a digit (a house number or postcode) and of
// a readable length are checked.
func (s *Summarizer) hasAddress(d *digest, raw string) bool {
	if len(raw) > 600 || !houseNumber(raw) {
		return false
	}
	return s.cfg.Guard.HasAddress(d.session, raw)
}

// houseNumber reports whether s has a number followed by a capitalised
// word, as addresses do ("17 Rue de la Paix", "42 Harbour Street").
func houseNumber(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		if s[i] == ' ' && s[i-1] >= '0' && s[i-1] <= '9' {
			if r, _ := utf8.DecodeRuneInString(s[i+1:]); unicode.IsUpper(r) {
				return true
			}
		}
	}
	return false
}

// personal reports whether the guard finds personal data in a clause.
func (s *Summarizer) personal(d *digest, clause string) bool {
	return len(s.cfg.Guard.Detect(d.session, clause)) > 0
}

// selectMessages drops internal notes and keeps the thread within
// MaxInputBytes: when it is longer, the first and last messages are kept,
// each cut to a quarter of the cap.
func (s *Summarizer) selectMessages(all []ticketsum.Message) []ticketsum.Message {
	msgs := make([]ticketsum.Message, 0, len(all))
	total := 0
	for _, m := range all {
		if m.Role == ticketsum.RoleInternal {
			continue
		}
		msgs = append(msgs, m)
		total += len(m.Body)
	}
	budget := s.cfg.MaxInputBytes
	if total <= budget {
		return msgs
	}
	per := budget / 4
	cut := func(m ticketsum.Message) ticketsum.Message {
		m.Body = truncateBytes(m.Body, per)
		return m
	}
	var head, tail []ticketsum.Message
	used := 0
	for i, j := 0, len(msgs)-1; i <= j && used < budget; {
		h := cut(msgs[i])
		head = append(head, h)
		used += len(h.Body)
		i++
		if i > j || used >= budget {
			break
		}
		tl := cut(msgs[j])
		tail = append(tail, tl)
		used += len(tl.Body)
		j--
	}
	for i := len(tail) - 1; i >= 0; i-- {
		head = append(head, tail[i])
	}
	return head
}

// truncateBytes cuts s to at most n bytes at a rune boundary.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// abbreviations do not end a sentence.
var abbreviations = map[string]bool{"e.g.": true, "i.e.": true, "mr.": true, "mrs.": true, "ms.": true,
	"dr.": true, "st.": true, "vs.": true, "etc.": true, "no.": true, "approx.": true, "inc.": true}

// splitSentences splits text at line breaks and at '.', '!' or '?'
// followed by a space.
func splitSentences(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		start := 0
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c != '.' && c != '!' && c != '?' {
				continue
			}
			j := i
			for j+1 < len(line) && (line[j+1] == '.' || line[j+1] == '!' || line[j+1] == '?') {
				j++
			}
			if j+1 < len(line) && line[j+1] != ' ' && !gluedSentence(line, i, j) {
				i = j
				continue
			}
			if c == '.' && j == i {
				w := line[max(strings.LastIndexByte(line[:i], ' ')+1, start) : i+1]
				if inLower(abbreviations, strings.TrimLeft(w, "(\"'[")) {
					continue
				}
			}
			if s := strings.TrimSpace(line[start : j+1]); s != "" {
				out = append(out, s)
			}
			start, i = j+1, j
		}
		if s := strings.TrimSpace(line[start:]); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func hasLetters(s string) bool {
	for _, r := range s {
		if isLetter(r) {
			return true
		}
	}
	return false
}

// wordCount counts the words of s as strings.Fields splits them, without
// allocating them.
func wordCount(s string) int {
	n, in := 0, false
	for i := 0; i < len(s); {
		space := false
		if c := s[i]; c < utf8.RuneSelf {
			space = asciiSpace[c]
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
			i += size
		}
		if space {
			in = false
		} else if !in {
			in = true
			n++
		}
	}
	return n
}

// gluedSentence reports whether the punctuation at line[i..j] ends a
// sentence that the next starts right after, without a space:
// "card.Thanks" (a lowercase letter, then an uppercase one).
func gluedSentence(line string, i, j int) bool {
	return i > 0 && j+1 < len(line) && line[i-1] >= 'a' && line[i-1] <= 'z' && line[j+1] >= 'A' && line[j+1] <= 'Z' &&
		(j+2 >= len(line) || line[j+2] >= 'a' && line[j+2] <= 'z')
}

// isMarker reports whether s is one of thread's markers, such as
// "[log: 120 lines omitted]".
func isMarker(s string) bool {
	return strings.HasPrefix(s, "[") && strings.HasSuffix(s, "omitted]")
}
