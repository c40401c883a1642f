package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Epoch is the base time of the fixtures: ticket and summary times are
// offsets from it, so tests never depend on the wall clock.
var Epoch = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// MustTicket returns a valid two-message ticket with the given id, changed by
// opts in order. It fails the test if the result does not validate.
func MustTicket(tb testing.TB, id string, opts ...func(*ticketsum.Ticket)) *ticketsum.Ticket {
	tb.Helper()
	t := &ticketsum.Ticket{
		ID:          id,
		Subject:     "Cannot export invoices to PDF",
		ProductLine: "billing",
		Customer:    ticketsum.Customer{Name: "Dana Reyes", Email: "dana.reyes@example.com"},
		CreatedAt:   Epoch,
		UpdatedAt:   Epoch.Add(time.Hour),
		Messages: []ticketsum.Message{
			{Role: ticketsum.RoleCustomer, Author: "Dana Reyes", At: Epoch, Body: "The export button on the invoices page does nothing since yesterday."},
			{Role: ticketsum.RoleAgent, Author: "Sam Ito", At: Epoch.Add(time.Hour), Body: "We fixed a bug in the PDF renderer; please try again and tell us if it works."},
		},
	}
	for _, o := range opts {
		o(t)
	}
	if err := t.Validate(); err != nil {
		tb.Fatalf("MustTicket(%q): %v", id, err)
	}
	return t
}

// WithProductLine sets the ticket's product line.
func WithProductLine(p string) func(*ticketsum.Ticket) {
	return func(t *ticketsum.Ticket) { t.ProductLine = p }
}

// WithSubject sets the ticket's subject.
func WithSubject(s string) func(*ticketsum.Ticket) {
	return func(t *ticketsum.Ticket) { t.Subject = s }
}

// WithUpdatedAt sets the ticket's update time.
func WithUpdatedAt(at time.Time) func(*ticketsum.Ticket) {
	return func(t *ticketsum.Ticket) { t.UpdatedAt = at }
}

// WithReply appends an agent reply, which changes the thread's content hash.
func WithReply(body string) func(*ticketsum.Ticket) {
	return func(t *ticketsum.Ticket) {
		at := Epoch.Add(time.Duration(len(t.Messages)) * time.Hour)
		t.Messages = append(t.Messages, ticketsum.Message{Role: ticketsum.RoleAgent, Author: "Sam Ito", At: at, Body: body})
		t.UpdatedAt = at
	}
}

// MustSummary returns a valid, unsaved summary of t by model, changed by opts
// in order.
func MustSummary(tb testing.TB, t *ticketsum.Ticket, model string, opts ...func(*ticketsum.Summary)) *ticketsum.Summary {
	tb.Helper()
	s := &ticketsum.Summary{
		TicketID:      t.ID,
		Text:          fmt.Sprintf("The customer could not export invoices; the agent fixed the renderer (%s).", model),
		Status:        ticketsum.StatusResolved,
		Model:         model,
		PromptVersion: "v1",
		ContentHash:   t.ContentHash(),
		Usage:         ticketsum.Usage{InputTokens: 812, OutputTokens: 57, CacheReadTokens: 300, CacheWriteTokens: 12},
		CostUSD:       0.000731,
		Latency:       1234567 * time.Microsecond,
		CreatedAt:     Epoch.Add(2 * time.Hour),
		Principal:     "worker",
		Flags:         []string{"input:NAME:ANONYMIZED"},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// WithStatus sets the summary's status.
func WithStatus(st ticketsum.Status) func(*ticketsum.Summary) {
	return func(s *ticketsum.Summary) { s.Status = st }
}

// WithCreatedAt sets the summary's creation time.
func WithCreatedAt(at time.Time) func(*ticketsum.Summary) {
	return func(s *ticketsum.Summary) { s.CreatedAt = at }
}

// MustFailure returns a valid failure of t's current thread, changed by opts
// in order.
func MustFailure(tb testing.TB, t *ticketsum.Ticket, opts ...func(*ticketsum.Failure)) *ticketsum.Failure {
	tb.Helper()
	f := &ticketsum.Failure{
		TicketID:      t.ID,
		ContentHash:   t.ContentHash(),
		Code:          ticketsum.EFORBIDDEN,
		Class:         ticketsum.ClassConfig,
		Reason:        "model bedrock:x is not approved; run: ticketsum models approve bedrock:x",
		Attempts:      1,
		LastAttemptAt: Epoch.Add(3 * time.Hour),
	}
	for _, o := range opts {
		o(f)
	}
	return f
}

// MustRecord records f in s and fails the test on error.
func MustRecord(tb testing.TB, s ticketsum.FailureStore, f *ticketsum.Failure) {
	tb.Helper()
	if err := s.RecordFailure(context.Background(), f); err != nil {
		tb.Fatalf("record failure of %s: %v", f.TicketID, err)
	}
}
