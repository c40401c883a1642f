package eval

import (
	"regexp"
	"sort"
	"strings"
	"unicode"

	goaway "github.com/TwiN/go-away"
)

// The failure classes Artefacts detects in a summary: the ways an
// extractive or template summariser reads as if no person wrote it.
const (
	// ArtefactFallback is a sentence that says nothing about this ticket:
	// "The customer contacted support.", "... wrote in German about an
	// issue.", "The agent replied in Spanish.".
	ArtefactFallback = "fallback"
	// ArtefactPlaceholder is a value the summariser replaced by a generic
	// noun that now stands in the sentence: "a link", "an email address".
	ArtefactPlaceholder = "placeholder"
	// ArtefactRedaction is a gap or stand-in left by removing a value:
	// "from an email address to an email address", "send email from and".
	ArtefactRedaction = "redaction"
	// ArtefactUngrammatical is a template filled with a clause that does
	// not fit it: "stated that copy the secret", "asked the customer to
	// don't click it", "stated that that said".
	ArtefactUngrammatical = "ungrammatical"
	// ArtefactCut is a sentence that ends mid-way ("... the order to.") or
	// a summary that does not end with a full stop.
	ArtefactCut = "cut"
	// ArtefactDangling is a reference to text the reader does not have:
	// "those details", "the steps above", "agreed to that.".
	ArtefactDangling = "dangling_reference"
	// ArtefactSignOff is a courtesy line, sign-off or legal footer stated
	// as what the agent did: "The agent stated that closing the ticket
	// now.", "... have a pleasant stay".
	ArtefactSignOff = "signoff_as_action"
	// ArtefactShouting is shouting carried into the summary: a long word in
	// capitals or an exclamation mark.
	ArtefactShouting = "shouting"
	// ArtefactProfanity is a swear word in the summary.
	ArtefactProfanity = "profanity"
	// ArtefactOverLimit is a summary over the word limit or of more than
	// one paragraph.
	ArtefactOverLimit = "over_limit"
)

// ArtefactClasses lists every class Artefacts reports, in report order.
var ArtefactClasses = []string{ArtefactFallback, ArtefactPlaceholder, ArtefactRedaction, ArtefactUngrammatical,
	ArtefactCut, ArtefactDangling, ArtefactSignOff, ArtefactShouting, ArtefactProfanity, ArtefactOverLimit}

var (
	fallbackRE = regexp.MustCompile(`(?i)\bthe customer contacted support\.|\bthe agent contacted the customer\.|` +
		`\babout (an|a) (issue|problem)\.|\bthe agent replied in [a-z]+( and asked the customer for more information)?\.|` +
		`\breports a problem:|\bthe customer wrote in [a-z]+\.`)
	placeholderRE = regexp.MustCompile(`(?i)\b(a link|an email address|a phone number)\b|\[(redacted|name|email|phone)[^\]]*\]|\{[a-z _]+\}|<[a-z_]+>|\*{3,}|x{4,}`)
	// redactionRE finds a stand-in in a role only the removed value could
	// fill, and function words left touching where a value was removed.
	redactionRE = regexp.MustCompile(`(?i)\b(from|to|at|via|on|with) (an email address|a link|a phone number)\b|` +
		`\b(from|to|for|with|at|by|of) (and|or|but)\b|\b(the|a|an|their) (and|or|but|to|from|for|of|with|at|by|the|a|an)\b|` +
		`\b(from|to|for|at|by|of|the|their)[.,;:]|\b(says|said|shows)\.|\s[,.;:]|\.\.\.|…|\(\s*\)|\s{2,}`)
	ungrammaticalRE = regexp.MustCompile(`(?i)\bstated that (that|so|then|said)\b[ ,.]|` +
		`\b(stated|explained|informed the customer) that (please|copy|click|go|try|send|check|make|use|open|closing|thanks|thank|sorry|let|just|feel)\b|` +
		`\basked the customer to (don't|do not|not|please|can|could|will|would|is|are|was|has|have|had|should|they|the|thanks)\b|` +
		`\bsuggested that the customer (please|don't|to)\b|\b(is|are) asking (that|to|a|an|they|it)\b|` +
		`\bthe (the|a|an)\b|\bthey (is|was|has|does|doesn't|isn't|wasn't|hasn't)\b|\bthe customer (are|were|have|do|don't|aren't|weren't|haven't)\b|` +
		`\bwhether (is|are|can|do|does)\b|\b(to|will|can|could|should) (refunded|sent|fixed|updated|replaced|escalated)\b`)
	danglingRE = regexp.MustCompile(`(?i)\b(those|these) (details|steps|instructions|settings|changes|ones)\b|\b(that|this) (information|one|link|email)\b|` +
		`\b(above|below|as mentioned|mentioned earlier|the attached|attachment|screenshot)\b|\b(to|with|about|of|on|by) (that|this|those|these)\.`)
	signOffRE = regexp.MustCompile(`(?i)\b(clos(e|ing) (the|this) ticket( now)?|have an? (great|nice|pleasant|good|lovely) |let (us|me) know if|feel free|` +
		`(do not|don't) hesitate|reach out if|anything else|kind regards|best regards|confidential|intended recipient|unsubscribe|` +
		`automated (message|response)|do not reply|thanks for (reaching out|contacting|your patience)|hope this helps|happy to help|glad to help)`)
	sentenceRE = regexp.MustCompile(`[^.!?]+[.!?]*`)
)

// shoutingAllowed are words of five or more capitals that are names or
// acronyms, not shouting.
var shoutingAllowed = map[string]bool{"DATEV": true, "OAUTH": true, "HTTPS": true, "GRAPHQL": true, "ESC/POS": true,
	"IPADOS": true, "ANDROID": true, "TILLWISE": true, "NULL": true, "UTF-8": true}

// cutEnds are words that cannot end a sentence.
var cutEnds = map[string]bool{"to": true, "of": true, "for": true, "with": true, "at": true, "by": true, "from": true,
	"the": true, "a": true, "an": true, "and": true, "or": true, "but": true, "that": true, "which": true,
	"their": true, "its": true, "is": true, "are": true, "was": true, "were": true, "because": true, "if": true,
	"when": true, "than": true, "as": true, "into": true, "about": true, "this": true, "these": true, "my": true,
	"your": true, "our": true, "his": true, "her": true, "not": true, "very": true, "so": true, "whether": true}

// Detector finds failure classes in summaries. It is safe for concurrent
// use.
type Detector struct {
	profanity *goaway.ProfanityDetector
	maxWords  int
}

// NewDetector returns a Detector that flags summaries over maxWords words.
func NewDetector(maxWords int) *Detector {
	return &Detector{profanity: goaway.NewProfanityDetector(), maxWords: maxWords}
}

// Artefacts returns the failure classes found in a summary, sorted, or nil
// for a clean one. It reads the text alone, so it runs on any dataset,
// labelled or not.
func (d *Detector) Artefacts(summary string) []string {
	found := map[string]bool{}
	text := strings.TrimSpace(summary)
	if text == "" {
		return []string{ArtefactCut}
	}
	if len(strings.Fields(text)) > d.maxWords || strings.ContainsAny(text, "\n\r") {
		found[ArtefactOverLimit] = true
	}
	checks := []struct {
		class string
		re    *regexp.Regexp
	}{
		{ArtefactFallback, fallbackRE}, {ArtefactPlaceholder, placeholderRE}, {ArtefactRedaction, redactionRE},
		{ArtefactUngrammatical, ungrammaticalRE}, {ArtefactDangling, danglingRE},
	}
	for _, c := range checks {
		if c.re.MatchString(text) {
			found[c.class] = true
		}
	}
	if !strings.HasSuffix(text, ".") {
		found[ArtefactCut] = true
	}
	for _, s := range sentenceRE.FindAllString(text, -1) {
		s = strings.TrimSpace(s)
		words := strings.Fields(s)
		if len(words) == 0 {
			continue
		}
		last := strings.ToLower(strings.TrimRight(words[len(words)-1], ".!?,;:"))
		if cutEnds[last] && len(words) > 1 {
			found[ArtefactCut] = true
		}
		if strings.HasPrefix(s, "The agent") && signOffRE.MatchString(s) {
			found[ArtefactSignOff] = true
		}
	}
	if strings.Contains(text, "!") || shouts(text) {
		found[ArtefactShouting] = true
	}
	for _, w := range strings.Fields(text) {
		// Word by word: the detector joins words across spaces ("app
		// issue" holds "piss").
		if core := strings.Trim(w, ".,;:!?\"'()"); len(core) > 2 && d.profanity.IsProfane(core) {
			found[ArtefactProfanity] = true
			break
		}
	}
	if len(found) == 0 {
		return nil
	}
	out := make([]string, 0, len(found))
	for c := range found {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// shouts reports whether text holds a word of five or more letters in
// capitals that is not a known acronym or name.
func shouts(text string) bool {
	for _, w := range strings.Fields(text) {
		core := strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		letters, upper := 0, 0
		if strings.ContainsAny(core, "0123456789") {
			continue // a code such as HMAC-SHA256
		}
		for _, r := range core {
			if unicode.IsLetter(r) {
				letters++
				if unicode.IsUpper(r) {
					upper++
				}
			}
		}
		if letters >= 5 && upper == letters && !shoutingAllowed[core] {
			return true
		}
	}
	return false
}
