package builtin

import (
	"strings"

	"github.com/ticketsum/ticketsum"
)

// Phrases that decide the status, matched on lowercased text.
var (
	thanksPhrases = []string{"thank you", "thanks", "thx", "thank u", "ty ", "cheers", "works now", "working now",
		"works fine", "working fine", "fixed", "solved", "resolved", "sorted", "that did it", "that worked",
		"it worked", "all good", "perfect", "awesome", "appreciate", "got it", "brilliant", "you can close",
		"close the ticket", "adds up", "merci", "gracias", "danke", "vielen dank", "grazie", "obrigad",
		"funktioniert", "fonctionne", "funciona", "dank u", "dank je", "bedankt", "gelukt", "klopt", "werkt",
		"c'est bon", "ça marche", "reçu", "obrigad", "perfett",
		// plain acceptance: "Fine.", "Received, looks correct.", "Much faster now."
		"fine", "looks correct", "looks good", "received", "works", "working", "passes now", "back to normal",
		"that was it", "it's there", "they're there", "are there", "arrived", "better", "faster", "makes sense",
		"answers it", "found it", "clear,", "clear.", "confirmed", "it's hidden", "prints now", "synced fine",
		"hasn't restarted", "no freeze", "i'm in", "we're in", "got the", "all sorted", "all three", "both fine",
		// thanks in scripts the stop-word test cannot read
		"谢谢", "謝謝", "ありがとう", "감사", "спасибо", "شكرا"}
	// openPhrases in a customer's thanks mean the problem is not over.
	openPhrases = []string{"still", "not working", "doesn't work", "does not work", "didn't work", "did not work",
		"didn't help", "did not help", "doesn't help", "no luck", "can't", "cannot", "won't", "?", "but ",
		"however", "unfortunately", "same problem", "same issue", "same error", "no longer", "please",
		"let me know", "let us know", "waiting", "when it's fixed", "any update", "haven't", "hasn't arrived",
		"not arrived", "never", "isn't", "aren't", "not there", "not clear", "is back", "came back", "reopen",
		"closed my ticket", "again since", "froze again", "happened again"}
	closingPhrases = []string{"anything else", "if you need", "if you have any", "if the issue persists",
		"if this persists", "if it happens again", "feel free", "have a great", "have a good", "have a nice",
		"enjoy", "you're welcome", "you are welcome", "glad", "happy to hear", "happy to help", "any further",
		"any other", "any more questions", "in the future", "if that doesn't", "if that does not", "if not,",
		"hope this helps", "hope that helps", "thanks for confirming", "thank you for confirming",
		"close this ticket", "closing this ticket", "close the ticket", "good luck", "happy it"}
	requestPhrases = []string{"?", "please", "dm ", "dm.", "direct message", "send us", "send me", "let us know",
		"let me know", "could you", "can you", "would you", "provide", "reply with", "contact us", "reach out",
		"get in touch", "message us", "fill in", "fill out", "follow the steps", "try ", "please confirm",
		"to confirm", "confirm whether", "confirm that", "confirm if", "share",
		// requests in scripts the stop-word test cannot read
		"？", "ください", "下さい", "请", "請", "주세요", "пожалуйста",
		// and in other Latin-script languages
		"bitte ", "por favor", "s'il vous pla", "veuillez", "per favore", "alstublieft"}
	pendingPhrases = []string{"look into", "looking into", "passed on", "pass this", "pass it", "escalat",
		"investigat", "get back to you", "be in touch", "will contact", "will reach out", "follow up with you",
		"our team will", "we'll check", "we will check", "checking", "forwarded", "shortly", "as soon as",
		"update you", "keep you posted", "keep you updated", "let you know when", "when there's a fix",
		"once it's fixed", "when it's fixed", "filed it", "reported it", "passed it", "passed this", "passed the",
		"handed it", "handed this", "to engineering", "to our engineers", "to the dev", "raised it with", "raised this with",
		"will let you know", "i'll let you know", "we'll let you know", "i'll update you", "will update you",
		// the same in the other languages read
		"weitergeleitet", "melden uns", "nachgefragt", "transmis", "informerons", "tiendrons inform", "avisaremos",
		"informaremos", "faremo sapere", "inoltrat", "doorgestuurd", "laten u weten", "encaminh"}
)

// decideStatus decides the resolution status from the end of the thread:
// a customer's thanks or confirmation without a new problem is resolved, any
// other last customer message awaits support; an agent's last message that
// asks for something awaits the customer, one that promises follow-up awaits
// support, and any other answer is taken as resolving the issue.
func decideStatus(turns []turn) ticketsum.Status {
	if len(turns) == 0 {
		return ticketsum.StatusAwaitingSupport
	}
	last := turns[len(turns)-1]
	if last.role == ticketsum.RoleCustomer {
		agentBefore := false
		for _, tu := range turns {
			agentBefore = agentBefore || tu.role == ticketsum.RoleAgent
		}
		if agentBefore && (isConfirmation(last.text) || isShortYes(last.text)) {
			return ticketsum.StatusResolved
		}
		return ticketsum.StatusAwaitingSupport
	}
	// A closing reply to the customer's thanks ends the thread.
	if len(turns) >= 2 && turns[len(turns)-2].role == ticketsum.RoleCustomer && isConfirmation(turns[len(turns)-2].text) {
		if !asksSomething(last.text) {
			return ticketsum.StatusResolved
		}
	}
	switch {
	case asksSomething(last.text):
		return ticketsum.StatusAwaitingCustomer
	case containsAny(strings.ToLower(last.text), pendingPhrases):
		return ticketsum.StatusAwaitingSupport
	}
	return ticketsum.StatusResolved
}

// isConfirmation reports whether a customer's message thanks or confirms a
// fix without raising a problem again.
func isConfirmation(text string) bool {
	lower := strings.ToLower(text) + " "
	return containsAny(lower, thanksPhrases) && !containsAny(lower, openPhrases)
}

// asksSomething reports whether an agent's message asks the customer for
// something, leaving out closing lines such as "Let us know if you need
// anything else".
func asksSomething(text string) bool {
	for _, s := range splitSentences(text) {
		lower := strings.ToLower(s) + " "
		if containsAny(lower, closingPhrases) {
			continue
		}
		if containsAny(lower, requestPhrases) {
			return true
		}
	}
	return false
}

func containsAny(s string, phrases []string) bool {
	for _, p := range phrases {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// isShortYes reports whether a customer's message is a bare "y", "k",
// "ok" or "yes": assent to the agent's last answer.
func isShortYes(text string) bool {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(text), ".!")) {
	case "y", "k", "ok", "okay", "yes", "yep", "kk":
		return true
	}
	return false
}
