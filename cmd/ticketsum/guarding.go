package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/gateway"
	"github.com/ticketsum/ticketsum/guard"
)

// sessionKey carries a ticket's guard session from the pipeline to the
// gateway's guard, so that placeholders are numbered consistently across
// every call made for the ticket (chunks, combine, repair).
type sessionKey struct{}

// ticketGuard adapts the guard to the summarize pipeline: it opens a
// session per ticket and scrubs the finished summary into neutral words.
type ticketGuard struct{ g *guard.Guard }

// Begin opens the ticket's guard session.
func (tg ticketGuard) Begin(ctx context.Context, t *ticketsum.Ticket) context.Context {
	return context.WithValue(ctx, sessionKey{}, tg.g.NewSession(t))
}

// CheckSummary replaces personal data and copied placeholders in a summary
// with neutral words ("the customer", "an email address") and blocks it
// when it holds profanity or a blocked entity the scrub cannot neutralise.
func (tg ticketGuard) CheckSummary(ctx context.Context, t *ticketsum.Ticket, text string) (string, []string, error) {
	s, ok := ctx.Value(sessionKey{}).(*guard.Session)
	if !ok {
		s = tg.g.NewSession(t)
	}
	scrubbed, findings := tg.g.Scrub(s, text)
	res, err := tg.g.CheckOutput(ctx, s, scrubbed)
	if err != nil {
		return "", nil, err
	}
	flags := slices.Clone(res.Flags)
	for _, f := range findings {
		flags = append(flags, fmt.Sprintf("summary:%s:SCRUBBED", f.Type))
	}
	slices.Sort(flags)
	return res.Text, slices.Compact(flags), nil
}

// guardMiddleware redacts the conversation sent to a model and checks the
// answer. The system prompt is the caller's own instructions and is passed
// unchanged; user and assistant turns are checked as input.
func guardMiddleware(g *guard.Guard) gateway.Middleware {
	return func(next ticketsum.Model) ticketsum.Model { return &guardedModel{g: g, next: next} }
}

type guardedModel struct {
	g    *guard.Guard
	next ticketsum.Model
}

func (m *guardedModel) Name() string { return m.next.Name() }

func (m *guardedModel) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	s, ok := ctx.Value(sessionKey{}).(*guard.Session)
	if !ok {
		s = m.g.NewSession(nil)
	}
	redacted := *req
	redacted.Messages = make([]ticketsum.ChatMessage, len(req.Messages))
	var flags []string
	for i, msg := range req.Messages {
		res, err := m.g.CheckInput(ctx, s, msg.Content)
		if err != nil {
			return nil, err
		}
		redacted.Messages[i] = ticketsum.ChatMessage{Role: msg.Role, Content: res.Text}
		flags = append(flags, res.Flags...)
	}
	resp, err := m.next.Generate(ctx, &redacted)
	if err != nil {
		return nil, err
	}
	out, err := m.g.CheckOutput(ctx, s, resp.Text)
	if err != nil {
		return nil, err
	}
	checked := *resp
	checked.Text = out.Text
	checked.Flags = append(append(slices.Clone(resp.Flags), flags...), out.Flags...)
	return &checked, nil
}
