package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/ticketdoc"
)

// UpsertTicket inserts t or replaces the stored ticket with the same id and
// reports whether the thread's content hash is new for this ticket. It
// returns EINVALID for a ticket that fails Validate or whose id holds a NUL
// byte, and EUNAVAILABLE when the database cannot be reached.
func (s *Store) UpsertTicket(ctx context.Context, t *ticketsum.Ticket) (bool, error) {
	return s.UpsertTicketTx(ctx, t, nil)
}

// UpsertTicketTx is UpsertTicket that, when the thread changed, calls
// onChange inside the same transaction before it commits, so that what
// onChange writes with tx (the queue's summarise job) commits or rolls back
// with the ticket. An error from onChange rolls everything back and is
// returned. Concurrent upserts of one ticket are serialised on its row, so
// exactly one of them reports a given change.
func (s *Store) UpsertTicketTx(ctx context.Context, t *ticketsum.Ticket, onChange func(ctx context.Context, tx pgx.Tx) error) (bool, error) {
	row, err := ticketdoc.Encode(t, s.cfg.Clock.Now())
	if err != nil {
		return false, err
	}
	var changed bool
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		now := s.cfg.Clock.Now()
		tag, err := tx.Exec(ctx, `INSERT INTO tickets (id, product_line, search, content_hash, sort_at, doc, stored_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
			t.ID, row.ProductLine, row.Search, row.Hash, row.SortAt, row.JSON, now)
		if err != nil {
			return err
		}
		changed = tag.RowsAffected() == 1
		if !changed {
			var old string
			if err := tx.QueryRow(ctx, `SELECT content_hash FROM tickets WHERE id = $1 FOR UPDATE`, t.ID).Scan(&old); err != nil {
				return err
			}
			changed = old != row.Hash
			if _, err := tx.Exec(ctx, `UPDATE tickets SET product_line = $2, search = $3, content_hash = $4, sort_at = $5, doc = $6, stored_at = $7
				WHERE id = $1`, t.ID, row.ProductLine, row.Search, row.Hash, row.SortAt, row.JSON, now); err != nil {
				return err
			}
		}
		if changed && onChange != nil {
			return onChange(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return false, Translate(err, fmt.Sprintf("upsert ticket %s", t.ID))
	}
	return changed, nil
}

// FindTicket returns the ticket with id, or ENOTFOUND.
func (s *Store) FindTicket(ctx context.Context, id string) (*ticketsum.Ticket, error) {
	var doc string
	err := s.pool.QueryRow(ctx, `SELECT doc FROM tickets WHERE id = $1`, id).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket %q not found", id)
	}
	if err != nil {
		return nil, Translate(err, fmt.Sprintf("load ticket %s", id))
	}
	t, err := ticketdoc.Decode(doc)
	if err != nil {
		return nil, fmt.Errorf("load ticket %s: %w", id, err)
	}
	return t, nil
}

const listWhere = ` WHERE ($1 = '' OR t.product_line = $1)
	AND ($2 = '' OR s.status = $2)
	AND ($3 = '' OR strpos(t.search, $3) > 0)`

// ListTickets returns tickets with their current summaries, most recently
// updated first (ties by id, bytewise), and the number matching the filter.
// It returns EINVALID for a negative limit or offset or an unknown status.
func (s *Store) ListTickets(ctx context.Context, f ticketsum.TicketFilter) ([]ticketsum.TicketView, int, error) {
	f, err := ticketdoc.CheckFilter(f)
	if err != nil {
		return nil, 0, err
	}
	args := []any{f.ProductLine, string(f.Status), f.Query}
	var total int
	err = s.pool.QueryRow(ctx, `SELECT count(*) FROM tickets t LEFT JOIN summaries s ON s.id = t.current_summary_id`+listWhere, args...).Scan(&total)
	if err != nil {
		return nil, 0, Translate(err, "count tickets")
	}
	rows, err := s.pool.Query(ctx, `SELECT t.doc, t.content_hash, `+summaryColsS+`
		FROM tickets t LEFT JOIN summaries s ON s.id = t.current_summary_id`+listWhere+`
		ORDER BY t.sort_at DESC, t.id COLLATE "C" LIMIT $4 OFFSET $5`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, Translate(err, "list tickets")
	}
	defer rows.Close()
	var views []ticketsum.TicketView
	for rows.Next() {
		var doc, hash string
		var ns nullSummary
		if err := rows.Scan(append([]any{&doc, &hash}, ns.dest()...)...); err != nil {
			return nil, 0, Translate(err, "list tickets")
		}
		t, err := ticketdoc.Decode(doc)
		if err != nil {
			return nil, 0, fmt.Errorf("list tickets: %w", err)
		}
		v := ticketsum.TicketView{Ticket: t, Current: ns.summary()}
		v.Stale = v.Current != nil && v.Current.ContentHash != hash
		views = append(views, v)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, Translate(err, "list tickets")
	}
	return views, total, nil
}
