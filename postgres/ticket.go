package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/sqldb"
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
		tag, err := tx.Exec(ctx, `INSERT INTO tickets (id, product_line, search, subject, content_hash, sort_at, doc, stored_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
			t.ID, row.ProductLine, row.Search, row.Subject, row.Hash, row.SortAt, row.JSON, now)
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
			if _, err := tx.Exec(ctx, `UPDATE tickets SET product_line = $2, search = $3, subject = $4, content_hash = $5, sort_at = $6, doc = $7, stored_at = $8
				WHERE id = $1`, t.ID, row.ProductLine, row.Search, row.Subject, row.Hash, row.SortAt, row.JSON, now); err != nil {
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

// listFlavor is how Postgres spells the parts of a ticket list.
var listFlavor = ticketdoc.Flavor{
	Contains: "strpos(%s, ?) > 0",
	Match:    "t.text_search @@ to_tsquery('simple', ?)",
	Terms: func(words []string) string {
		terms := make([]string, len(words))
		for i, w := range words {
			terms[i] = w + ":*" // every word, as a word or a prefix
		}
		return strings.Join(terms, " & ")
	},
	Time:     func(t time.Time) any { return t.UTC().Truncate(time.Microsecond) },
	Bytewise: ` COLLATE "C"`,
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
	if err := s.pool.QueryRow(ctx, sqldb.Postgres.Rebind(l.Count), l.CountArgs...).Scan(&total); err != nil {
		return nil, 0, Translate(err, "count tickets")
	}
	rows, err := s.pool.Query(ctx, sqldb.Postgres.Rebind(l.Page), l.PageArgs...)
	if err != nil {
		return nil, 0, Translate(err, "list tickets")
	}
	defer rows.Close()
	var views []ticketsum.TicketView
	for rows.Next() {
		var doc, hash string
		var ns nullSummary
		var nf nullFailure
		if err := rows.Scan(append(append([]any{&doc, &hash}, ns.dest()...), nf.dest()...)...); err != nil {
			return nil, 0, Translate(err, "list tickets")
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
		return nil, 0, Translate(err, "list tickets")
	}
	return views, total, nil
}
