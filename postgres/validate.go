package postgres

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum"
)

// defaultLimit is the page size of ListTickets when the filter gives none.
const defaultLimit = 100

// ticketRow is a ticket encoded for the tickets table.
type ticketRow struct {
	doc, search, productLine, hash string
	sortAt                         time.Time
}

// encodeTicket validates t and encodes it; now stamps a ticket that carries
// no time of its own.
func encodeTicket(t *ticketsum.Ticket, now time.Time) (ticketRow, error) {
	if t == nil {
		return ticketRow{}, ticketsum.Errorf(ticketsum.EINVALID, "no ticket given")
	}
	if err := t.Validate(); err != nil {
		return ticketRow{}, err
	}
	if strings.ContainsRune(t.ID, 0) {
		return ticketRow{}, ticketsum.Errorf(ticketsum.EINVALID, "ticket id contains a NUL byte")
	}
	doc, err := json.Marshal(t)
	if err != nil {
		return ticketRow{}, ticketsum.Errorf(ticketsum.EINVALID, "ticket %s cannot be encoded: %w", t.ID, err)
	}
	sortAt := t.UpdatedAt
	if sortAt.IsZero() {
		sortAt = t.CreatedAt
	}
	if sortAt.IsZero() {
		sortAt = now
	}
	noNUL := func(s string) string { return strings.ReplaceAll(s, "\x00", "") }
	return ticketRow{
		doc:         string(doc),
		search:      noNUL(strings.ToLower(t.ID) + "\n" + strings.ToLower(t.Subject)),
		productLine: noNUL(t.ProductLine),
		hash:        t.ContentHash(),
		sortAt:      sortAt.UTC().Truncate(time.Microsecond),
	}, nil
}

// decodeTicket decodes a stored ticket document.
func decodeTicket(doc string) (*ticketsum.Ticket, error) {
	var t ticketsum.Ticket
	if err := json.Unmarshal([]byte(doc), &t); err != nil {
		return nil, fmt.Errorf("decode stored ticket: %w", err)
	}
	return &t, nil
}

// validateSummary returns EINVALID for a summary that cannot be saved.
func validateSummary(s *ticketsum.Summary) error {
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
	}
	fields := append([]string{s.TicketID, s.Text, string(s.Status), s.Model, s.PromptVersion, s.ContentHash, s.RequestedModel, s.Principal}, s.Flags...)
	for _, f := range fields {
		if !utf8.ValidString(f) || strings.ContainsRune(f, 0) {
			return ticketsum.Errorf(ticketsum.EINVALID, "summary of ticket %s has a field that is not valid UTF-8 or holds a NUL byte", s.TicketID)
		}
	}
	return nil
}

// checkFilter returns f with the default limit, or EINVALID.
func checkFilter(f ticketsum.TicketFilter) (ticketsum.TicketFilter, error) {
	switch {
	case f.Limit < 0:
		return f, ticketsum.Errorf(ticketsum.EINVALID, "list limit %d is negative", f.Limit)
	case f.Offset < 0:
		return f, ticketsum.Errorf(ticketsum.EINVALID, "list offset %d is negative", f.Offset)
	case f.Status != "" && !f.Status.Valid():
		return f, ticketsum.Errorf(ticketsum.EINVALID, "unknown status %q (want resolved, awaiting_customer or awaiting_support)", f.Status)
	}
	if f.Limit == 0 {
		f.Limit = defaultLimit
	}
	f.Query = strings.ToLower(strings.ReplaceAll(f.Query, "\x00", ""))
	f.ProductLine = strings.ReplaceAll(f.ProductLine, "\x00", "")
	return f, nil
}
