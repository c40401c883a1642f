package ticketsum

import (
	"context"
	"time"
)

// TicketFilter selects tickets to list. Zero fields select everything.
type TicketFilter struct {
	ProductLine string
	Status      Status // the current summary's status
	Query       string // matched against id and subject
	Limit       int    // default 100
	Offset      int
}

// TicketView is a ticket with its current summary, for lists and pages.
type TicketView struct {
	Ticket  *Ticket
	Current *Summary // nil when the ticket has no summary yet
	// Stale is true when the current summary was made for an older thread.
	Stale bool
}

// TicketStore keeps tickets.
type TicketStore interface {
	// UpsertTicket inserts t or replaces the stored ticket with the same id.
	// It reports whether the thread's content hash is new for this ticket.
	// It returns EINVALID for a ticket that fails Validate.
	UpsertTicket(ctx context.Context, t *Ticket) (changed bool, err error)
	// FindTicket returns the ticket with id, or ENOTFOUND.
	FindTicket(ctx context.Context, id string) (*Ticket, error)
	// ListTickets returns tickets with their current summaries, most recently
	// updated first, and the total number matching the filter.
	ListTickets(ctx context.Context, f TicketFilter) ([]TicketView, int, error)
}

// SummaryStore keeps summaries: every summary generated, one current per
// ticket.
type SummaryStore interface {
	// SaveSummary stores s and makes it the ticket's current summary. It is
	// idempotent on (ticket, content hash, model, prompt version): saving the
	// same key again stores nothing new, sets s.ID to the existing row and
	// reports created=false. It returns ENOTFOUND when the ticket does not
	// exist.
	SaveSummary(ctx context.Context, s *Summary) (created bool, err error)
	// CurrentSummary returns the ticket's current summary, or ENOTFOUND.
	CurrentSummary(ctx context.Context, ticketID string) (*Summary, error)
	// SummaryHistory returns every summary of the ticket, newest first.
	SummaryHistory(ctx context.Context, ticketID string) ([]*Summary, error)
}

// Store is everything ticketsum keeps about tickets and summaries.
type Store interface {
	TicketStore
	SummaryStore
}

// Clock tells the time; tests inject a fixed one.
type Clock interface {
	Now() time.Time
}

// SystemClock is the Clock of the real world.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }
