package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/ticketdoc"
)

var _ ticketsum.FailureStore = (*Store)(nil)

// failureColsF lists the failure columns of table alias f, in
// nullFailure.dest order.
const failureColsF = `f.ticket_id, f.content_hash, f.code, f.class, f.reason, f.attempts, f.last_attempt_at, f.regeneration`

// nullFailure scans a failure row that may be absent (a LEFT JOIN).
type nullFailure struct {
	ticketID, hash, code, class, reason *string
	attempts, regeneration              *int32
	at                                  *time.Time
}

func (n *nullFailure) dest() []any {
	return []any{&n.ticketID, &n.hash, &n.code, &n.class, &n.reason, &n.attempts, &n.at, &n.regeneration}
}

// failure returns the scanned failure, or nil when the row was absent.
func (n *nullFailure) failure() *ticketsum.Failure {
	if n.ticketID == nil {
		return nil
	}
	return &ticketsum.Failure{
		TicketID: *n.ticketID, ContentHash: *n.hash,
		Code: ticketsum.ErrorCode(*n.code), Class: ticketsum.FailureClass(*n.class),
		Reason: *n.reason, Attempts: int(*n.attempts),
		LastAttemptAt: n.at.UTC(), Regeneration: int(*n.regeneration),
	}
}

// RecordFailure marks the ticket failed with f, replacing its earlier
// failure; a reason over ticketdoc.MaxReasonBytes is cut. It returns
// EINVALID for an incomplete failure and ENOTFOUND for an unknown ticket.
func (s *Store) RecordFailure(ctx context.Context, f *ticketsum.Failure) error {
	if err := ticketdoc.CheckFailure(f); err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO ticket_failures (ticket_id, content_hash, code, class, reason, attempts, last_attempt_at, regeneration)
		SELECT id, $2, $3, $4, $5, $6, $7, $8 FROM tickets WHERE id = $1
		ON CONFLICT (ticket_id) DO UPDATE SET content_hash = excluded.content_hash,
		code = excluded.code, class = excluded.class, reason = excluded.reason, attempts = excluded.attempts,
		last_attempt_at = excluded.last_attempt_at, regeneration = excluded.regeneration`,
		f.TicketID, f.ContentHash, string(f.Code), string(f.Class), ticketdoc.Reason(f.Reason), f.Attempts,
		f.LastAttemptAt.UTC().Truncate(time.Microsecond), f.Regeneration)
	if err != nil {
		return Translate(err, fmt.Sprintf("record failure of ticket %s", f.TicketID))
	}
	if tag.RowsAffected() == 0 {
		return ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket %q not found", f.TicketID)
	}
	return nil
}

// ClearFailure removes the ticket's failure when it was recorded for the
// thread with contentHash, and reports whether it did.
func (s *Store) ClearFailure(ctx context.Context, ticketID, contentHash string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM ticket_failures WHERE ticket_id = $1 AND content_hash = $2`, ticketID, contentHash)
	if err != nil {
		return false, Translate(err, fmt.Sprintf("clear failure of ticket %s", ticketID))
	}
	return tag.RowsAffected() > 0, nil
}

// FindFailure returns the ticket's failure, or ENOTFOUND when the ticket is
// unknown or not failed.
func (s *Store) FindFailure(ctx context.Context, ticketID string) (*ticketsum.Failure, error) {
	var nf nullFailure
	err := s.pool.QueryRow(ctx, `SELECT `+failureColsF+` FROM ticket_failures f WHERE f.ticket_id = $1`, ticketID).Scan(nf.dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket %q is not failed", ticketID)
	}
	if err != nil {
		return nil, Translate(err, fmt.Sprintf("load failure of ticket %s", ticketID))
	}
	return nf.failure(), nil
}

// ListFailures returns failures, most recent attempt first (ties by ticket
// id, bytewise), and the number matching the filter. It returns EINVALID
// for a bad filter.
func (s *Store) ListFailures(ctx context.Context, f ticketsum.FailureFilter) ([]*ticketsum.Failure, int, error) {
	f, err := ticketdoc.CheckFailureFilter(f)
	if err != nil {
		return nil, 0, err
	}
	const where = ` FROM ticket_failures f WHERE ($1 = '' OR f.class = $1)`
	var total int
	if err := s.pool.QueryRow(ctx, `SELECT count(*)`+where, string(f.Class)).Scan(&total); err != nil {
		return nil, 0, Translate(err, "count failures")
	}
	rows, err := s.pool.Query(ctx, `SELECT `+failureColsF+where+` ORDER BY f.last_attempt_at DESC, f.ticket_id COLLATE "C" LIMIT $2 OFFSET $3`,
		string(f.Class), f.Limit, f.Offset)
	if err != nil {
		return nil, 0, Translate(err, "list failures")
	}
	defer rows.Close()
	out := []*ticketsum.Failure{}
	for rows.Next() {
		var nf nullFailure
		if err := rows.Scan(nf.dest()...); err != nil {
			return nil, 0, Translate(err, "list failures")
		}
		out = append(out, nf.failure())
	}
	if err := rows.Err(); err != nil {
		return nil, 0, Translate(err, "list failures")
	}
	return out, total, nil
}
