package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ticketsum/ticketsum"
)

// summaryColsS lists the summary columns of table alias s, in nullSummary.dest order.
const summaryColsS = `s.id, s.ticket_id, s.content_hash, s.model, s.prompt_version, s.text, s.status,
	s.input_tokens, s.output_tokens, s.cache_read_tokens, s.cache_write_tokens, s.cost_usd, s.latency_us,
	s.requested_model, s.principal, s.flags, s.created_at, s.regeneration`

// nullSummary scans a summary row that may be absent (a LEFT JOIN).
type nullSummary struct {
	id                                      sql.NullInt64
	ticketID, hash, model, prompt, text     sql.NullString
	status, requested, principal, flags     sql.NullString
	in, out, cacheRead, cacheWrite, latency sql.NullInt64
	createdAt, regeneration                 sql.NullInt64
	cost                                    sql.NullFloat64
}

func (n *nullSummary) dest() []any {
	return []any{&n.id, &n.ticketID, &n.hash, &n.model, &n.prompt, &n.text, &n.status,
		&n.in, &n.out, &n.cacheRead, &n.cacheWrite, &n.cost, &n.latency,
		&n.requested, &n.principal, &n.flags, &n.createdAt, &n.regeneration}
}

// summary returns the scanned summary, or nil when the row was absent.
func (n *nullSummary) summary() *ticketsum.Summary {
	if !n.id.Valid {
		return nil
	}
	s := &ticketsum.Summary{
		ID: n.id.Int64, TicketID: n.ticketID.String, ContentHash: n.hash.String, Model: n.model.String,
		PromptVersion: n.prompt.String, Text: n.text.String, Status: ticketsum.Status(n.status.String),
		Usage: ticketsum.Usage{
			InputTokens: int(n.in.Int64), OutputTokens: int(n.out.Int64),
			CacheReadTokens: int(n.cacheRead.Int64), CacheWriteTokens: int(n.cacheWrite.Int64),
		},
		CostUSD:        n.cost.Float64,
		Latency:        time.Duration(n.latency.Int64) * time.Microsecond,
		RequestedModel: n.requested.String,
		Principal:      n.principal.String,
		CreatedAt:      time.UnixMicro(n.createdAt.Int64).UTC(),
		Regeneration:   int(n.regeneration.Int64),
	}
	// Flags were written by SaveSummary as a JSON array; a damaged value
	// leaves them empty rather than failing the read.
	_ = json.Unmarshal([]byte(n.flags.String), &s.Flags)
	return s
}

// SaveSummary stores s and makes it the ticket's current summary. It is
// idempotent on (ticket, content hash, model, prompt version,
// regeneration): saving a key again stores nothing, makes the existing row
// current, sets s.ID to it and reports created=false. It clears the
// ticket's failure when s is of the failed thread or of the latest one. A zero s.CreatedAt is set to the clock's time; times
// are kept to the microsecond. It returns ENOTFOUND for an unknown ticket and
// EINVALID for an incomplete summary.
func (s *Store) SaveSummary(ctx context.Context, sum *ticketsum.Summary) (bool, error) {
	created, err := s.SaveSummaries(ctx, []*ticketsum.Summary{sum})
	if err != nil {
		return false, err
	}
	if sum.ID == 0 {
		return false, ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket %q not found", sum.TicketID)
	}
	return created[0], nil
}

// CurrentSummary returns the ticket's current summary, or ENOTFOUND when the
// ticket is unknown or has none.
func (s *Store) CurrentSummary(ctx context.Context, ticketID string) (*ticketsum.Summary, error) {
	var ns nullSummary
	var ticket string
	err := s.db.QueryRowContext(ctx, `SELECT t.id, `+summaryColsS+`
		FROM tickets t LEFT JOIN summaries s ON s.id = t.current_summary_id WHERE t.id = ?`, ticketID).
		Scan(append([]any{&ticket}, ns.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket %q not found", ticketID)
	}
	if err != nil {
		return nil, translate(err, fmt.Sprintf("load current summary of ticket %s", ticketID))
	}
	if sum := ns.summary(); sum != nil {
		return sum, nil
	}
	return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket %q has no summary yet", ticketID)
}

// SummaryHistory returns every summary of the ticket, newest first (by
// creation time, then by id), or ENOTFOUND for an unknown ticket.
func (s *Store) SummaryHistory(ctx context.Context, ticketID string) ([]*ticketsum.Summary, error) {
	what := fmt.Sprintf("load summary history of ticket %s", ticketID)
	var one int
	if err := s.db.QueryRowContext(ctx, `SELECT 1 FROM tickets WHERE id = ?`, ticketID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket %q not found", ticketID)
	} else if err != nil {
		return nil, translate(err, what)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+summaryColsS+` FROM summaries s WHERE s.ticket_id = ?
		ORDER BY s.created_at DESC, s.id DESC`, ticketID)
	if err != nil {
		return nil, translate(err, what)
	}
	defer rows.Close()
	out := []*ticketsum.Summary{}
	for rows.Next() {
		var ns nullSummary
		if err := rows.Scan(ns.dest()...); err != nil {
			return nil, translate(err, what)
		}
		out = append(out, ns.summary())
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, what)
	}
	return out, nil
}
