package ticketsum

import (
	"context"
	"time"
)

// TicketState is where a ticket stands on its way to a summary.
type TicketState string

// The states a ticket can be in. A ticket is failed while a failure is
// recorded for it (see Failure), whatever summary it has; otherwise its
// state follows its current summary.
const (
	StateNoSummary  TicketState = "no_summary" // no summary yet: waiting for the worker
	StateOutdated   TicketState = "outdated"   // the current summary describes an older thread
	StateSummarized TicketState = "summarized" // the current summary is of the latest thread
	StateFailed     TicketState = "failed"     // the last attempt failed; Failure says why
)

// Valid reports whether s is one of the known states.
func (s TicketState) Valid() bool {
	return s == StateNoSummary || s == StateOutdated || s == StateSummarized || s == StateFailed
}

// TicketSort is the column a ticket list is ordered by.
type TicketSort string

// The orders of a ticket list. Ties are broken by update time, newest
// first, then by id.
const (
	SortUpdated     TicketSort = "updated"      // most recently updated first
	SortStatus      TicketSort = "status"       // current summary's status A to Z, tickets without one last
	SortProductLine TicketSort = "product_line" // product line A to Z (bytewise)
)

// Valid reports whether s is one of the known orders.
func (s TicketSort) Valid() bool {
	return s == SortUpdated || s == SortStatus || s == SortProductLine
}

// TicketFilter selects tickets to list. Zero fields select everything.
type TicketFilter struct {
	ProductLine string
	Status      Status      // the current summary's status
	State       TicketState // the ticket's state
	// Query matches tickets whose id or subject contains it (case-folded),
	// or whose subject and current summary contain every word of it as a
	// word or the start of one (full-text search).
	Query string
	// UpdatedFrom and UpdatedTo bound the ticket's update time (its
	// creation time when it has none): From inclusive, To exclusive.
	UpdatedFrom, UpdatedTo time.Time
	Sort                   TicketSort // default SortUpdated
	// Reverse turns the order around: oldest first, status or product line
	// Z to A.
	Reverse bool
	Limit   int // default 100
	Offset  int
}

// TicketView is a ticket with its current summary, for lists and pages.
type TicketView struct {
	Ticket  *Ticket
	Current *Summary // nil when the ticket has no summary yet
	// Stale is true when the current summary was made for an older thread.
	Stale bool
	// Failure is why the last attempt to summarise the ticket failed; nil
	// when the ticket is not failed.
	Failure *Failure
}

// State returns the view's ticket state.
func (v TicketView) State() TicketState {
	switch {
	case v.Failure != nil:
		return StateFailed
	case v.Current == nil:
		return StateNoSummary
	case v.Stale:
		return StateOutdated
	}
	return StateSummarized
}

// TicketStore keeps tickets.
type TicketStore interface {
	// UpsertTicket inserts t or replaces the stored ticket with the same id.
	// It reports whether the thread's content hash is new for this ticket.
	// It returns EINVALID for a ticket that fails Validate.
	UpsertTicket(ctx context.Context, t *Ticket) (changed bool, err error)
	// FindTicket returns the ticket with id, or ENOTFOUND.
	FindTicket(ctx context.Context, id string) (*Ticket, error)
	// ListTickets returns tickets with their current summaries and
	// failures, in the filter's order (most recently updated first by
	// default), and the total number matching the filter. It returns
	// EINVALID for a negative limit or offset or an unknown status, state
	// or order.
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

// BatchStore loads and saves many tickets' summaries at once: the batch
// jobs of a backfill. A store may implement it beside Store; without it,
// batches are worked one ticket at a time.
type BatchStore interface {
	// FindTicketViews returns the tickets with ids, each with its current
	// summary (nil when none) and Stale set as ListTickets does, in one
	// query; Failure is left nil. Unknown ids are left out.
	FindTicketViews(ctx context.Context, ids []string) ([]TicketView, error)
	// SaveSummaries is SaveSummary for summaries of distinct tickets, in
	// one transaction. created[i] reports whether summaries[i] was new; the
	// summary of a ticket that no longer exists is not saved and keeps ID 0.
	// It returns EINVALID for an incomplete summary or a ticket given twice.
	SaveSummaries(ctx context.Context, summaries []*Summary) (created []bool, err error)
}

// Failure is why a ticket's summary could not be produced. The ticket stays
// failed, visibly, until a later attempt succeeds: nothing is dropped.
type Failure struct {
	TicketID string `json:"ticket_id"`
	// ContentHash is the hash of the thread the failed attempt summarised.
	ContentHash string       `json:"content_hash"`
	Code        ErrorCode    `json:"code"`
	Class       FailureClass `json:"class"`
	// Reason is the error's user-facing message (ErrorMessage): what went
	// wrong and what fixes it. It never holds personal data.
	Reason string `json:"reason"`
	// Attempts counts the attempts made on this thread so far.
	Attempts int `json:"attempts"`
	// LastAttemptAt is when the last attempt ended.
	LastAttemptAt time.Time `json:"last_attempt_at"`
	// Regeneration is the number of the regeneration that failed (see
	// Summary.Regeneration); 0 when an ordinary summary failed.
	Regeneration int `json:"regeneration,omitempty"`
}

// FailureFilter selects failures to list. Zero fields select everything.
type FailureFilter struct {
	Class  FailureClass
	Limit  int // default 100
	Offset int
}

// FailureStore keeps the failed state of tickets: one failure per ticket at
// most. SaveSummary clears a ticket's failure when it saves a summary of the
// failed thread or of the ticket's latest thread.
type FailureStore interface {
	// RecordFailure marks the ticket failed with f, replacing its earlier
	// failure. It returns EINVALID for an incomplete failure and ENOTFOUND
	// for an unknown ticket.
	RecordFailure(ctx context.Context, f *Failure) error
	// ClearFailure removes the ticket's failure when it was recorded for
	// the thread with contentHash, and reports whether it did.
	ClearFailure(ctx context.Context, ticketID, contentHash string) (bool, error)
	// FindFailure returns the ticket's failure, or ENOTFOUND when the
	// ticket is unknown or not failed.
	FindFailure(ctx context.Context, ticketID string) (*Failure, error)
	// ListFailures returns failures, most recent attempt first (ties by
	// ticket id), and the number matching the filter. It returns EINVALID
	// for a negative limit or offset or an unknown class.
	ListFailures(ctx context.Context, f FailureFilter) ([]*Failure, int, error)
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
