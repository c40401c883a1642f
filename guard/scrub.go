package guard

import (
	"context"
	"unicode/utf8"
)

// Scrub rewrites a final summary for reviewers: personal data, and any
// placeholder the model copied from its input, become neutral words ("the
// customer", "the agent", "someone", "an email address") instead of tags.
// It returns the scrubbed text and what it replaced. s may be nil.
func (g *Guard) Scrub(s *Session, text string) (string, []Finding) {
	if s == nil {
		s = g.NewSession(nil)
	}
	var edits []edit
	var findings []Finding
	for _, m := range rePlaceholder.FindAllStringIndex(text, -1) {
		p := text[m[0]:m[1]]
		e, ok := s.entry(p)
		typ := EntityType(rePlaceholder.FindStringSubmatch(p)[1])
		if ok {
			typ = e.typ
		}
		edits = append(edits, edit{m[0], m[1], neutralWord(typ, e.role)})
		findings = append(findings, Finding{Kind: KindPII, Type: string(typ), Start: m[0], End: m[1], Action: OutcomeAnonymized, Score: 1, Placeholder: p})
	}
	sc := newScan(text, g.lx, &g.scans)
	defer sc.release(&g.scans)
	for _, sp := range g.detect(s, sc) {
		r := roleNone
		if sp.typ == Name {
			r = s.personRole(nameParts(text[sp.start:sp.end]))
		}
		edits = append(edits, edit{sp.start, sp.end, neutralWord(sp.typ, r)})
		findings = append(findings, Finding{Kind: KindPII, Type: string(sp.typ), Start: sp.start, End: sp.end, Action: OutcomeAnonymized, Score: sp.score})
	}
	return applyEdits(text, edits), findings
}

// neutralWord is the phrase that stands for a value of type t.
func neutralWord(t EntityType, r role) string {
	if t == Name || t == Email {
		switch r {
		case roleCustomer:
			return "the customer"
		case roleAgent:
			return "the agent"
		}
		if t == Name {
			return "someone"
		}
	}
	return t.neutral()
}

func nameParts(v string) map[string]bool {
	m := map[string]bool{}
	for _, t := range tokenize(v) {
		if t.letters {
			m[t.folded] = true
		}
	}
	return m
}

// Redact replaces every value the guard detects in text with its type tag
// ("{EMAIL}", "{NAME}"), without a session and whatever the policy says. It
// fits audit.MiddlewareConfig.Redact as defence in depth: logs then hold no
// detected value even if a call skipped the input policy. Text that is not
// valid UTF-8 is returned as "{INVALID_TEXT}".
func (g *Guard) Redact(text string) string {
	return g.redact(nil, text)
}

// RedactContext is Redact with the session ctx carries (WithSession, Begin,
// or the one Middleware puts there for the calls it wraps): the ticket's
// known people and their emails are redacted too, which Redact, without a
// session, can only find when the name detector does. An invocation log
// wrapped inside the guard (it records the provider's raw answer, before
// the output check) should redact with it.
//
// A message that Middleware's input check, with the same session, found
// no personal data in and left as it was is returned without a second
// scan: the scan would be the check's, on the same text, and find nothing
// again. A message the check changed is scanned: its placeholders can make
// the detectors see what they did not in the original (an address after a
// masked phone number, say).
//
// Texts that repeat from call to call, such as the system prompt, are not
// scanned again either: the guard remembers a bounded number of texts (up
// to 32, of up to 16 KiB) in which a scan found nothing and to which the
// scan's session added nothing, and returns such a text as it is when this
// call's session cannot add anything either: none of its known people's
// name parts, nor of the names it learned, is one of the text's words, and
// it knows no e-mail address or the text holds no '@'. Otherwise the text
// is scanned with the session, which may find a ticket's person in it.
func (g *Guard) RedactContext(ctx context.Context, text string) string {
	s := SessionFrom(ctx)
	if s.isClean(g, text) || g.clean.clean(s, text) {
		return text
	}
	return g.redactMemo(s, text, true)
}

// noteClean records in s that the check res of text (a user message or an
// answer) found no personal data and changed nothing, for RedactContext.
func (g *Guard) noteClean(s *Session, text string, res *Result) {
	if res.Text != text {
		return
	}
	for _, f := range res.Findings {
		if f.Kind == KindPII {
			return
		}
	}
	s.markClean(g, text)
}

func (g *Guard) redact(s *Session, text string) string {
	return g.redactMemo(s, text, false)
}

// redactMemo is redact; with memo set, a text it finds nothing in goes to
// the guard's clean-text memo (cleanMemo.add decides whether it may).
func (g *Guard) redactMemo(s *Session, text string, memo bool) string {
	if !utf8.ValidString(text) {
		return "{INVALID_TEXT}"
	}
	var edits []edit
	sc := newScan(text, g.lx, &g.scans)
	defer sc.release(&g.scans)
	for _, sp := range g.detect(s, sc) {
		edits = append(edits, edit{sp.start, sp.end, "{" + string(sp.typ) + "}"})
	}
	if memo && len(edits) == 0 {
		g.clean.add(s, text, sc.toks)
	}
	return applyEdits(text, edits)
}
