// Package ticketdoc encodes tickets and checks summaries and list filters
// the same way for every store, so that SQLite and Postgres accept and
// refuse exactly the same input.
package ticketdoc

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum"
)

// DefaultLimit is the page size of ListTickets when the filter gives none.
const DefaultLimit = 100

// Doc is a ticket encoded for a store's tickets table.
type Doc struct {
	// JSON is the whole ticket, so that it round-trips exactly.
	JSON string
	// Search is the lower-cased id and subject, matched by TicketFilter.Query
	// as a substring.
	Search string
	// Subject is the subject, at most MaxSubjectBytes of it, for the
	// full-text search of TicketFilter.Query.
	Subject string
	// ProductLine is the ticket's product line without NUL bytes.
	ProductLine string
	// Hash is the thread's content hash.
	Hash string
	// SortAt orders lists: the update time, else the creation time, else now.
	SortAt time.Time
}

// Encode validates t and encodes it; now stamps a ticket that carries no
// time of its own. It returns EINVALID for a ticket a store must refuse.
func Encode(t *ticketsum.Ticket, now time.Time) (Doc, error) {
	if t == nil {
		return Doc{}, ticketsum.Errorf(ticketsum.EINVALID, "no ticket given")
	}
	if err := t.Validate(); err != nil {
		return Doc{}, err
	}
	if strings.ContainsRune(t.ID, 0) {
		return Doc{}, ticketsum.Errorf(ticketsum.EINVALID, "ticket id contains a NUL byte")
	}
	doc, err := json.Marshal(t)
	if err != nil {
		return Doc{}, ticketsum.Errorf(ticketsum.EINVALID, "ticket %s cannot be encoded: %w", t.ID, err)
	}
	sortAt := t.UpdatedAt
	if sortAt.IsZero() {
		sortAt = t.CreatedAt
	}
	if sortAt.IsZero() {
		sortAt = now
	}
	return Doc{
		JSON:        string(doc),
		Search:      noNUL(strings.ToLower(t.ID) + "\n" + strings.ToLower(t.Subject)),
		Subject:     cut(noNUL(t.Subject), MaxSubjectBytes),
		ProductLine: noNUL(t.ProductLine),
		Hash:        t.ContentHash(),
		SortAt:      sortAt.UTC().Truncate(time.Microsecond),
	}, nil
}

// Decode decodes a stored ticket document.
func Decode(doc string) (*ticketsum.Ticket, error) {
	var t ticketsum.Ticket
	if err := json.Unmarshal([]byte(doc), &t); err != nil {
		return nil, fmt.Errorf("decode stored ticket: %w", err)
	}
	return &t, nil
}

// CheckSummary returns EINVALID for a summary that cannot be saved.
func CheckSummary(s *ticketsum.Summary) error {
	if s == nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "no summary given")
	}
	switch {
	case s.TicketID == "":
		return ticketsum.Errorf(ticketsum.EINVALID, "summary has no ticket id")
	case s.Model == "":
		return ticketsum.Errorf(ticketsum.EINVALID, "summary of ticket %s has no model", s.TicketID)
	case s.PromptVersion == "":
		return ticketsum.Errorf(ticketsum.EINVALID, "summary of ticket %s has no prompt version", s.TicketID)
	case s.ContentHash == "":
		return ticketsum.Errorf(ticketsum.EINVALID, "summary of ticket %s has no content hash", s.TicketID)
	case !s.Status.Valid():
		return ticketsum.Errorf(ticketsum.EINVALID, "summary of ticket %s has unknown status %q", s.TicketID, s.Status)
	case s.Usage.InputTokens < 0 || s.Usage.OutputTokens < 0 || s.Usage.CacheReadTokens < 0 || s.Usage.CacheWriteTokens < 0:
		return ticketsum.Errorf(ticketsum.EINVALID, "summary of ticket %s has negative token counts", s.TicketID)
	case s.CostUSD < 0 || s.Latency < 0:
		return ticketsum.Errorf(ticketsum.EINVALID, "summary of ticket %s has a negative cost or latency", s.TicketID)
	case s.Regeneration < 0:
		return ticketsum.Errorf(ticketsum.EINVALID, "summary of ticket %s has a negative regeneration", s.TicketID)
	}
	fields := append([]string{s.TicketID, s.Text, string(s.Status), s.Model, s.PromptVersion, s.ContentHash, s.RequestedModel, s.Principal}, s.Flags...)
	for _, f := range fields {
		if !utf8.ValidString(f) || strings.ContainsRune(f, 0) {
			return ticketsum.Errorf(ticketsum.EINVALID, "summary of ticket %s has a field that is not valid UTF-8 or holds a NUL byte", s.TicketID)
		}
	}
	return nil
}

// CheckFilter returns f with the defaults (limit, order) filled in and its
// text fields normalised the way Doc.Search is, or EINVALID.
func CheckFilter(f ticketsum.TicketFilter) (ticketsum.TicketFilter, error) {
	switch {
	case f.Limit < 0:
		return f, ticketsum.Errorf(ticketsum.EINVALID, "list limit %d is negative", f.Limit)
	case f.Offset < 0:
		return f, ticketsum.Errorf(ticketsum.EINVALID, "list offset %d is negative", f.Offset)
	case f.Status != "" && !f.Status.Valid():
		return f, ticketsum.Errorf(ticketsum.EINVALID, "unknown status %q (want resolved, awaiting_customer or awaiting_support)", f.Status)
	case f.State != "" && !f.State.Valid():
		return f, ticketsum.Errorf(ticketsum.EINVALID, "unknown state %q (want no_summary, outdated, summarized or failed)", f.State)
	case f.Sort != "" && !f.Sort.Valid():
		return f, ticketsum.Errorf(ticketsum.EINVALID, "unknown order %q (want updated, status or product_line)", f.Sort)
	case !f.UpdatedFrom.IsZero() && !f.UpdatedTo.IsZero() && !f.UpdatedFrom.Before(f.UpdatedTo):
		return f, ticketsum.Errorf(ticketsum.EINVALID, "date range is empty: %s is not before %s",
			f.UpdatedFrom.UTC().Format(time.RFC3339), f.UpdatedTo.UTC().Format(time.RFC3339))
	}
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	if f.Sort == "" {
		f.Sort = ticketsum.SortUpdated
	}
	f.Query = strings.ToLower(noNUL(f.Query))
	f.ProductLine = noNUL(f.ProductLine)
	return f, nil
}

// CheckFailure returns EINVALID for a failure that cannot be recorded.
func CheckFailure(f *ticketsum.Failure) error {
	switch {
	case f == nil:
		return ticketsum.Errorf(ticketsum.EINVALID, "no failure given")
	case f.TicketID == "":
		return ticketsum.Errorf(ticketsum.EINVALID, "failure has no ticket id")
	case f.ContentHash == "":
		return ticketsum.Errorf(ticketsum.EINVALID, "failure of ticket %s has no content hash", f.TicketID)
	case f.Code == "":
		return ticketsum.Errorf(ticketsum.EINVALID, "failure of ticket %s has no error code", f.TicketID)
	case !f.Class.Valid():
		return ticketsum.Errorf(ticketsum.EINVALID, "failure of ticket %s has unknown class %q", f.TicketID, f.Class)
	case f.Reason == "":
		return ticketsum.Errorf(ticketsum.EINVALID, "failure of ticket %s has no reason", f.TicketID)
	case f.Attempts < 1:
		return ticketsum.Errorf(ticketsum.EINVALID, "failure of ticket %s has %d attempts, want at least 1", f.TicketID, f.Attempts)
	case f.LastAttemptAt.IsZero():
		return ticketsum.Errorf(ticketsum.EINVALID, "failure of ticket %s has no attempt time", f.TicketID)
	case f.Regeneration < 0:
		return ticketsum.Errorf(ticketsum.EINVALID, "failure of ticket %s has a negative regeneration", f.TicketID)
	}
	for _, s := range []string{f.TicketID, f.ContentHash, string(f.Code), f.Reason} {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			return ticketsum.Errorf(ticketsum.EINVALID, "failure of ticket %s has a field that is not valid UTF-8 or holds a NUL byte", f.TicketID)
		}
	}
	return nil
}

// MaxSubjectBytes is how much of a subject full-text search indexes.
const MaxSubjectBytes = 10_000

// cut returns s cut to at most n bytes on a character boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// MaxReasonBytes is the longest failure reason kept; longer ones are cut at
// a character boundary and end with "...".
const MaxReasonBytes = 1000

// Reason returns s cut to MaxReasonBytes.
func Reason(s string) string {
	if len(s) <= MaxReasonBytes {
		return s
	}
	return cut(s, MaxReasonBytes-3) + "..."
}

// CheckFailureFilter returns f with the default limit, or EINVALID.
func CheckFailureFilter(f ticketsum.FailureFilter) (ticketsum.FailureFilter, error) {
	switch {
	case f.Limit < 0:
		return f, ticketsum.Errorf(ticketsum.EINVALID, "list limit %d is negative", f.Limit)
	case f.Offset < 0:
		return f, ticketsum.Errorf(ticketsum.EINVALID, "list offset %d is negative", f.Offset)
	case f.Class != "" && !f.Class.Valid():
		return f, ticketsum.Errorf(ticketsum.EINVALID, "unknown failure class %q (want retryable, config, bad_ticket or policy)", f.Class)
	}
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	return f, nil
}

func noNUL(s string) string { return strings.ReplaceAll(s, "\x00", "") }
