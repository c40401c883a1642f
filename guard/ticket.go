package guard

import (
	"context"
	"fmt"

	"github.com/ticketsum/ticketsum"
)

// CheckTicket checks a ticket as model input, field by field (subject and
// every message body), and returns a redacted copy: bodies and subject as
// the input policy leaves them, authors replaced by their name placeholder
// (when names are anonymised), and the customer's name and email cleared.
// Use it to redact the ticket before rendering the prompt, so that the
// prompt template itself (instructions, examples, delimiters) is not
// mistaken for ticket content. The Result gathers every field's findings
// (Finding.Field says where) and flags; its Text is empty. When a field is
// blocked it returns the Result and an EBLOCKED error naming the rules and
// their config keys, and no ticket.
func (g *Guard) CheckTicket(ctx context.Context, s *Session, t *ticketsum.Ticket) (*ticketsum.Ticket, *Result, error) {
	if t == nil {
		return nil, nil, ticketsum.Errorf(ticketsum.EINVALID, "guard: no ticket to check")
	}
	if s == nil {
		s = g.NewSession(t)
	}
	out := *t
	out.Customer = ticketsum.Customer{}
	out.Messages = make([]ticketsum.Message, len(t.Messages))
	all := &Result{Source: SourceInput, Action: OutcomeNone}
	var blocked []blockRule
	field := func(name, text string) (string, error) {
		r, err := g.CheckInput(ctx, s, text)
		if r == nil {
			return "", fmt.Errorf("check %s of ticket %s: %w", name, t.ID, err)
		}
		for _, f := range r.Findings {
			f.Field = name
			all.Findings = append(all.Findings, f)
		}
		switch {
		case r.Action == OutcomeBlocked:
			blocked = append(blocked, r.rules...)
		case r.Action == OutcomeAnonymized && all.Action == OutcomeNone:
			all.Action = OutcomeAnonymized
		}
		return r.Text, nil
	}
	var err error
	if out.Subject, err = field("subject", t.Subject); err != nil {
		return nil, nil, err
	}
	for i, m := range t.Messages {
		out.Messages[i] = m
		if out.Messages[i].Body, err = field(fmt.Sprintf("message %d", i+1), m.Body); err != nil {
			return nil, nil, err
		}
		if m.Author != "" && g.cfg.Input[Name] == ActionAnonymize {
			out.Messages[i].Author = s.placeholder(Name, m.Author)
		}
	}
	all.Flags = flagsOf(SourceInput, all.Findings)
	if len(blocked) > 0 {
		all.Action = OutcomeBlocked
		return nil, all, fmt.Errorf("check ticket %s: %w", t.ID, blockError(SourceInput, blocked))
	}
	return &out, all, nil
}
