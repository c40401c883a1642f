package builtin

import (
	"strings"

	"github.com/ticketsum/ticketsum"
)

// Tickets of some kinds are stated as such rather than summarised as a
// customer's issue and an agent's answer: spam, tickets whose only
// customer message is an out-of-office reply, tickets of internal notes
// only, and messages with no words.

// autoReplyPhrases mark an out-of-office or other automatic reply, in the
// languages the summariser reads.
var autoReplyPhrases = []string{"out of the office", "out of office", "automatic reply", "auto-reply", "autoreply",
	"limited access to email", "limited access to my email", "i am currently away", "i'm currently away",
	"on annual leave", "nicht im büro", "abwesenheitsnotiz", "fuera de la oficina", "absent du bureau",
	"absente du bureau", "fuori ufficio", "afwezig", "fora do escritório"}

// ackPhrases mark a help desk's automatic acknowledgement sent as an agent
// message.
var ackPhrases = []string{"this is an automated message", "this is an automatic message", "automated response",
	"do not reply to this email", "please do not reply to this", "we have received your request"}

// footerPhrases mark a legal or environmental footer line.
var footerPhrases = []string{"confidentiality notice", "intended solely", "intended recipient", "received this e-mail in error",
	"received this email in error", "registered in england", "registered office", "before printing this",
	"may contain privileged", "legally privileged", "strictly forbidden", "strictly prohibited"}

// spamPhrases mark unsolicited offers; two are needed unless an agent
// calls the ticket spam.
var spamPhrases = []string{"seo", "first page of google", "1st page", "guaranteed", "click here", "crypto",
	"zero risk", "free audit", "guest post", "do-follow", "casino", "qualified b2b leads", "b2b leads",
	"quick call", "15 minutes this week", "dear sir/madam", "dear purchasing manager", "hello webmaster",
	"best price", "moq", "oem welcome", "whatsapp", "congratulations!!!", "claim your bonus", "$5000 a week",
	"per post", "our catalog", "wholesale", "exclusive", "we help saas companies"}

// agentSpamWords in an agent's message mark the ticket as spam.
var agentSpamWords = []string{"spam", "unsolicited", "marketing email", "sales email"}

// reopenPhrases in a customer's message mean an earlier fix did not hold.
var reopenPhrases = []string{"reopen", "re-open", "is back", "came back", "closed my ticket", "closed the ticket",
	"closed this as fixed", "closed as fixed", "still hasn't", "never arrived", "happened again", "froze again",
	"broke again", "again since", "missing from the woocommerce sync again", "said it was fixed", "saying it was fixed"}

// stripFooter removes the lines of a legal or environmental footer.
func stripFooter(text string) string {
	lines := strings.Split(text, "\n")
	out := lines[:0]
	for _, l := range lines {
		if !containsAny(strings.ToLower(l), footerPhrases) {
			out = append(out, l)
		}
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// isSpam reports whether the customer's text is an unsolicited offer.
func (s *Summarizer) isSpam(d *digest) bool {
	n := s.phrases.spam.count(d.customerLower)
	agentSays := s.phrases.agentSpam.in(d.agentLower)
	return n >= 2 || n >= 1 && agentSays || agentSays && wordCount(d.agentText) < 12
}

// isReopened reports whether a customer message after the first says an
// earlier fix did not hold, or the first says the ticket is reopened.
func (s *Summarizer) isReopened(turns []turn) bool {
	for _, tu := range turns {
		if tu.role == ticketsum.RoleCustomer && s.phrases.reopen.in(tu.lower) {
			return true
		}
	}
	return false
}

// noWords reports whether a customer's text has no word of two letters
// or more: "y", "?", ".".
func noWords(text string) bool {
	for _, w := range strings.Fields(text) {
		n := 0
		for _, r := range w {
			if isLetter(r) {
				n++
			}
		}
		if n >= 2 {
			return false
		}
	}
	return true
}

// special returns the summary of a ticket of a kind stated as such, or ""
// for an ordinary ticket. budget is the words left beside the status.
func (s *Summarizer) special(d *digest, budget int) string {
	switch {
	case d.internalOnly:
		return s.internalSummary(d, budget)
	case d.spam:
		c := "The ticket is spam: an unsolicited offer, not a support request."
		if d.lastAgent > 0 {
			c += " The agent closed it as spam."
		}
		return c
	case d.lastCust == 0 && d.autoReplies > 0:
		c := "The customer's only message is an automatic out-of-office reply, with no request."
		if d.lastAgent > 0 {
			c += " The agent closed the ticket with nothing to do."
		}
		return c
	case d.lastCust > 0 && d.customerWordless && d.lastAgent == 0:
		return "The customer sent a one-character message with no request."
	}
	return ""
}

// internalSummary states that the ticket holds internal notes only and
// what the first and last notes say.
func (s *Summarizer) internalSummary(d *digest, budget int) string {
	out := "The ticket holds only internal notes; the customer was not contacted."
	rest := budget - wordCount(out)
	for i, st := range d.notes {
		if i > 0 && i < len(d.notes)-1 {
			continue
		}
		frame := "The first note reads:"
		if i > 0 {
			frame = "The latest note reads:"
		}
		words := stripLead(calm(st.words))
		if len(words) < 4 {
			continue
		}
		body := strings.Fields(rewrite(words, agentPerson))
		if core := trimPunct(body[0]); core != "" {
			body[0] = strings.Replace(body[0], core, strings.ToUpper(core[:1])+core[1:], 1)
		}
		if c, ok := frameWords(frame, body, nil, rest); ok && !s.personal(d, c) {
			out += " " + c
			rest -= wordCount(c)
		}
	}
	return out
}
