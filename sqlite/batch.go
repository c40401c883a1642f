package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/ticketdoc"
)

var _ ticketsum.BatchStore = (*Store)(nil)

// TicketContentHash returns the stored content hash of a ticket's thread
// without reading or decoding the thread, or ENOTFOUND.
func (s *Store) TicketContentHash(ctx context.Context, id string) (string, error) {
	var hash string
	err := s.db.QueryRowContext(ctx, `SELECT content_hash FROM tickets WHERE id = ?`, id).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket %q not found", id)
	}
	if err != nil {
		return "", translate(err, fmt.Sprintf("load content hash of ticket %s", id))
	}
	return hash, nil
}

// idList encodes ids as the JSON array that json_each reads: one parameter
// however many ids there are.
func idList(ids []string) (string, error) {
	b, err := json.Marshal(ids)
	return string(b), err
}

// FindTicketViews returns the tickets with ids and their current summaries
// in one query (see ticketsum.BatchStore).
func (s *Store) FindTicketViews(ctx context.Context, ids []string) ([]ticketsum.TicketView, error) {
	what := fmt.Sprintf("load %d tickets", len(ids))
	list, err := idList(ids)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT t.doc, t.content_hash, `+summaryColsS+`
		FROM tickets t LEFT JOIN summaries s ON s.id = t.current_summary_id
		WHERE t.id IN (SELECT value FROM json_each(?))`, list)
	if err != nil {
		return nil, translate(err, what)
	}
	defer rows.Close()
	views := make([]ticketsum.TicketView, 0, len(ids))
	for rows.Next() {
		var doc, hash string
		var ns nullSummary
		if err := rows.Scan(append([]any{&doc, &hash}, ns.dest()...)...); err != nil {
			return nil, translate(err, what)
		}
		t, err := ticketdoc.Decode(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		v := ticketsum.TicketView{Ticket: t, Current: ns.summary()}
		v.Stale = v.Current != nil && v.Current.ContentHash != hash
		views = append(views, v)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, what)
	}
	return views, nil
}

// The statements of a summary save, prepared once per SaveSummaries.
const (
	insertSummary = `INSERT INTO summaries (ticket_id, content_hash, model, prompt_version, text, status,
		input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, latency_us,
		requested_model, principal, flags, created_at, regeneration)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM tickets WHERE id = ?1)
		ON CONFLICT (ticket_id, content_hash, model, prompt_version, regeneration) DO NOTHING RETURNING id`
	findSummary = `SELECT id FROM summaries WHERE ticket_id = ? AND content_hash = ? AND model = ? AND prompt_version = ? AND regeneration = ?`
	// A summary of an older thread never displaces one of the ticket's
	// latest thread (a slow job saving last must not leave it stale).
	makeCurrent = `UPDATE tickets SET current_summary_id = ? WHERE id = ?
		AND NOT (content_hash <> ? AND current_summary_id IS NOT NULL AND EXISTS (
			SELECT 1 FROM summaries cur WHERE cur.id = tickets.current_summary_id AND cur.content_hash = tickets.content_hash))`
	clearFailure = `DELETE FROM ticket_failures WHERE ticket_id = ?1
		AND (content_hash = ?2 OR ?2 = (SELECT content_hash FROM tickets WHERE id = ?1))`
)

// SaveSummaries saves summaries of distinct tickets in one transaction,
// each as SaveSummary does, with the statements prepared once (see
// ticketsum.BatchStore).
func (s *Store) SaveSummaries(ctx context.Context, sums []*ticketsum.Summary) ([]bool, error) {
	created := make([]bool, len(sums))
	if len(sums) == 0 {
		return created, nil
	}
	flags := make([]string, len(sums))
	at := make([]time.Time, len(sums))
	seen := make(map[string]bool, len(sums))
	now := s.cfg.Clock.Now()
	for i, sum := range sums {
		if err := ticketdoc.CheckSummary(sum); err != nil {
			return nil, err
		}
		if seen[sum.TicketID] {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "ticket %s given twice in one save", sum.TicketID)
		}
		seen[sum.TicketID] = true
		f, err := json.Marshal(append([]string{}, sum.Flags...))
		if err != nil {
			return nil, fmt.Errorf("encode flags: %w", err)
		}
		flags[i] = string(f)
		at[i] = sum.CreatedAt
		if at[i].IsZero() {
			at[i] = now
		}
		at[i] = at[i].Truncate(time.Microsecond)
	}
	ids := make([]int64, len(sums))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var stmts [4]*sql.Stmt
		for i, q := range []string{insertSummary, findSummary, makeCurrent, clearFailure} {
			st, err := tx.PrepareContext(ctx, q)
			if err != nil {
				return err
			}
			defer st.Close()
			stmts[i] = st
		}
		for i, sum := range sums {
			ids[i], created[i] = 0, false
			err := stmts[0].QueryRowContext(ctx, sum.TicketID, sum.ContentHash, sum.Model, sum.PromptVersion, sum.Text, string(sum.Status),
				sum.Usage.InputTokens, sum.Usage.OutputTokens, sum.Usage.CacheReadTokens, sum.Usage.CacheWriteTokens,
				sum.CostUSD, sum.Latency.Microseconds(), sum.RequestedModel, sum.Principal, flags[i], at[i].UnixMicro(),
				sum.Regeneration).Scan(&ids[i])
			created[i] = err == nil
			if errors.Is(err, sql.ErrNoRows) {
				// The key exists already, or the ticket is gone.
				err = stmts[1].QueryRowContext(ctx, sum.TicketID, sum.ContentHash, sum.Model, sum.PromptVersion, sum.Regeneration).Scan(&ids[i])
				if errors.Is(err, sql.ErrNoRows) {
					continue
				}
			}
			if err != nil {
				return err
			}
			if _, err := stmts[2].ExecContext(ctx, ids[i], sum.TicketID, sum.ContentHash); err != nil {
				return err
			}
			if _, err := stmts[3].ExecContext(ctx, sum.TicketID, sum.ContentHash); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		what := fmt.Sprintf("save %d summaries", len(sums))
		if len(sums) == 1 {
			what = "save summary of ticket " + sums[0].TicketID
		}
		return nil, translate(err, what)
	}
	for i, sum := range sums {
		sum.ID = ids[i]
		if created[i] {
			sum.CreatedAt = at[i]
		}
	}
	return created, nil
}

// UpsertTicketsTx is UpsertTicketTx for many tickets of distinct ids in one
// transaction, with its statements prepared once; onChange is called once
// with the tickets whose thread is new or changed, in the same transaction.
// changed[i] says so for tickets[i]; bad[i] is the EINVALID error of a
// ticket the store refuses, which is left out. An error from onChange rolls
// everything back and is returned.
func (s *Store) UpsertTicketsTx(ctx context.Context, tickets []*ticketsum.Ticket, onChange func(ctx context.Context, tx *sql.Tx, changed []*ticketsum.Ticket) error) (changed []bool, bad []error, err error) {
	n := len(tickets)
	changed, bad = make([]bool, n), make([]error, n)
	now := s.cfg.Clock.Now()
	rows := make([]ticketdoc.Doc, n)
	seen := make(map[string]bool, n)
	for i, t := range tickets {
		row, err := ticketdoc.Encode(t, now)
		if err != nil {
			bad[i] = err
			continue
		}
		if seen[t.ID] {
			return nil, nil, ticketsum.Errorf(ticketsum.EINVALID, "ticket %s given twice in one upsert", t.ID)
		}
		seen[t.ID] = true
		rows[i] = row
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		find, err := tx.PrepareContext(ctx, `SELECT content_hash FROM tickets WHERE id = ?`)
		if err != nil {
			return err
		}
		defer find.Close()
		// An unchanged thread is rewritten too: its other fields (subject,
		// customer, updated time) may have changed.
		upsert, err := tx.PrepareContext(ctx, `INSERT INTO tickets (id, product_line, search, subject, content_hash, sort_at, doc, stored_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET product_line = excluded.product_line, search = excluded.search, subject = excluded.subject,
				content_hash = excluded.content_hash, sort_at = excluded.sort_at, doc = excluded.doc, stored_at = excluded.stored_at`)
		if err != nil {
			return err
		}
		defer upsert.Close()
		var moved []*ticketsum.Ticket
		for i, t := range tickets {
			changed[i] = false
			if bad[i] != nil {
				continue
			}
			row := rows[i]
			var old string
			switch err := find.QueryRowContext(ctx, t.ID).Scan(&old); {
			case errors.Is(err, sql.ErrNoRows):
				changed[i] = true
			case err != nil:
				return err
			default:
				changed[i] = old != row.Hash
			}
			if _, err := upsert.ExecContext(ctx, t.ID, row.ProductLine, row.Search, row.Subject, row.Hash, row.SortAt.UnixMicro(), row.JSON, now.UnixMicro()); err != nil {
				return err
			}
			if changed[i] {
				moved = append(moved, t)
			}
		}
		if onChange != nil {
			return onChange(ctx, tx, moved)
		}
		return nil
	})
	if err != nil {
		return nil, nil, translate(err, fmt.Sprintf("upsert %d tickets", n))
	}
	return changed, bad, nil
}
