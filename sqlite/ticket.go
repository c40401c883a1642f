package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/ticketdoc"
)

// UpsertTicket inserts t or replaces the stored ticket with the same id and
// reports whether the thread's content hash is new for this ticket. It
// returns EINVALID for a ticket that fails Validate or whose id holds a NUL
// byte, and EUNAVAILABLE when the database is busy.
func (s *Store) UpsertTicket(ctx context.Context, t *ticketsum.Ticket) (bool, error) {
	return s.UpsertTicketTx(ctx, t, nil)
}

// UpsertTicketTx is UpsertTicket that, when the thread changed, calls
// onChange inside the same transaction before it commits, so that what
// onChange writes with tx (the queue's summarise job) commits or rolls back
// with the ticket. An error from onChange rolls everything back and is
// returned. onChange must use tx, not the store or DB, for its queries.
func (s *Store) UpsertTicketTx(ctx context.Context, t *ticketsum.Ticket, onChange func(ctx context.Context, tx *sql.Tx) error) (bool, error) {
	row, err := ticketdoc.Encode(t, s.cfg.Clock.Now())
	if err != nil {
		return false, err
	}
	var changed bool
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		changed = false
		var old string
		err := tx.QueryRowContext(ctx, `SELECT content_hash FROM tickets WHERE id = ?`, t.ID).Scan(&old)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			changed = true
			_, err = tx.ExecContext(ctx, `INSERT INTO tickets (id, product_line, search, subject, content_hash, sort_at, doc, stored_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, row.ProductLine, row.Search, row.Subject, row.Hash, row.SortAt.UnixMicro(), row.JSON, s.cfg.Clock.Now().UnixMicro())
		case err == nil:
			changed = old != row.Hash
			_, err = tx.ExecContext(ctx, `UPDATE tickets SET product_line = ?, search = ?, subject = ?, content_hash = ?, sort_at = ?, doc = ?, stored_at = ?
				WHERE id = ?`, row.ProductLine, row.Search, row.Subject, row.Hash, row.SortAt.UnixMicro(), row.JSON, s.cfg.Clock.Now().UnixMicro(), t.ID)
		}
		if err != nil {
			return err
		}
		if changed && onChange != nil {
			return onChange(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return false, translate(err, fmt.Sprintf("upsert ticket %s", t.ID))
	}
	return changed, nil
}

// FindTicket returns the ticket with id, or ENOTFOUND.
func (s *Store) FindTicket(ctx context.Context, id string) (*ticketsum.Ticket, error) {
	var doc string
	err := s.db.QueryRowContext(ctx, `SELECT doc FROM tickets WHERE id = ?`, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket %q not found", id)
	}
	if err != nil {
		return nil, translate(err, fmt.Sprintf("load ticket %s", id))
	}
	t, err := ticketdoc.Decode(doc)
	if err != nil {
		return nil, fmt.Errorf("load ticket %s: %w", id, err)
	}
	return t, nil
}

// listFlavor is how SQLite spells the parts of a ticket list.
var listFlavor = ticketdoc.Flavor{
	Contains: "instr(%s, ?) > 0",
	Match:    "t.text_id IN (SELECT rowid FROM ticket_text WHERE ticket_text MATCH ?)",
	Terms: func(words []string) string {
		terms := make([]string, len(words))
		for i, w := range words {
			terms[i] = `"` + w + `"*` // every word, as a word or a prefix
		}
		return strings.Join(terms, " ")
	},
	Time: func(t time.Time) any { return t.UTC().Truncate(time.Microsecond).UnixMicro() },
}

// ListTickets returns tickets with their current summaries and failures, in
// the filter's order, and the number matching the filter. It returns
// EINVALID for a bad filter (see ticketdoc.CheckFilter).
func (s *Store) ListTickets(ctx context.Context, f ticketsum.TicketFilter) ([]ticketsum.TicketView, int, error) {
	f, err := ticketdoc.CheckFilter(f)
	if err != nil {
		return nil, 0, err
	}
	l := ticketdoc.BuildList(f, listFlavor, "t.doc, t.content_hash, "+summaryColsS+", "+failureColsF)
	var total int
	if err := s.db.QueryRowContext(ctx, l.Count, l.CountArgs...).Scan(&total); err != nil {
		return nil, 0, translate(err, "count tickets")
	}
	rows, err := s.db.QueryContext(ctx, l.Page, l.PageArgs...)
	if err != nil {
		return nil, 0, translate(err, "list tickets")
	}
	defer rows.Close()
	var views []ticketsum.TicketView
	for rows.Next() {
		var doc, hash string
		var ns nullSummary
		var nf nullFailure
		if err := rows.Scan(append(append([]any{&doc, &hash}, ns.dest()...), nf.dest()...)...); err != nil {
			return nil, 0, translate(err, "list tickets")
		}
		t, err := ticketdoc.Decode(doc)
		if err != nil {
			return nil, 0, fmt.Errorf("list tickets: %w", err)
		}
		v := ticketsum.TicketView{Ticket: t, Current: ns.summary(), Failure: nf.failure()}
		v.Stale = v.Current != nil && v.Current.ContentHash != hash
		views = append(views, v)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, translate(err, "list tickets")
	}
	return views, total, nil
}
