package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/ticketdoc"
)

var _ ticketsum.BatchStore = (*Store)(nil)

// TicketContentHash returns the stored content hash of a ticket's thread
// without reading or decoding the thread, or ENOTFOUND.
func (s *Store) TicketContentHash(ctx context.Context, id string) (string, error) {
	var hash string
	err := s.pool.QueryRow(ctx, `SELECT content_hash FROM tickets WHERE id = $1`, id).Scan(&hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket %q not found", id)
	}
	if err != nil {
		return "", Translate(err, fmt.Sprintf("load content hash of ticket %s", id))
	}
	return hash, nil
}

// FindTicketViews returns the tickets with ids and their current summaries
// in one query (see ticketsum.BatchStore).
func (s *Store) FindTicketViews(ctx context.Context, ids []string) ([]ticketsum.TicketView, error) {
	what := fmt.Sprintf("load %d tickets", len(ids))
	rows, err := s.pool.Query(ctx, `SELECT t.doc, t.content_hash, `+summaryColsS+`
		FROM tickets t LEFT JOIN summaries s ON s.id = t.current_summary_id WHERE t.id = ANY($1)`, ids)
	if err != nil {
		return nil, Translate(err, what)
	}
	defer rows.Close()
	views := make([]ticketsum.TicketView, 0, len(ids))
	for rows.Next() {
		var doc, hash string
		var ns nullSummary
		if err := rows.Scan(append([]any{&doc, &hash}, ns.dest()...)...); err != nil {
			return nil, Translate(err, what)
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
		return nil, Translate(err, what)
	}
	return views, nil
}

// insertSummaries inserts the summaries of tickets that exist (locked in
// ticket order, so that concurrent batches cannot deadlock), keeping an
// existing row of the same key, and returns which were created.
const insertSummaries = `WITH input AS (
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
		$7::int[], $8::int[], $9::int[], $10::int[], $11::float8[], $12::bigint[], $13::text[], $14::text[],
		$15::text[], $16::timestamptz[], $17::int[])
	AS i(ticket_id, content_hash, model, prompt_version, text, status, input_tokens, output_tokens,
		cache_read_tokens, cache_write_tokens, cost_usd, latency_us, requested_model, principal, flags, created_at, regeneration)
), locked AS (
	SELECT t.id FROM tickets t WHERE t.id IN (SELECT ticket_id FROM input) ORDER BY t.id FOR UPDATE
)
INSERT INTO summaries (ticket_id, content_hash, model, prompt_version, text, status, input_tokens, output_tokens,
	cache_read_tokens, cache_write_tokens, cost_usd, latency_us, requested_model, principal, flags, created_at, regeneration)
SELECT i.ticket_id, i.content_hash, i.model, i.prompt_version, i.text, i.status, i.input_tokens, i.output_tokens,
	i.cache_read_tokens, i.cache_write_tokens, i.cost_usd, i.latency_us, i.requested_model, i.principal, i.flags::jsonb,
	i.created_at, i.regeneration
FROM input i JOIN locked l ON l.id = i.ticket_id ORDER BY i.ticket_id
ON CONFLICT (ticket_id, content_hash, model, prompt_version, regeneration) DO NOTHING
RETURNING ticket_id`

// currentSummaries makes each saved summary its ticket's current one,
// unless the ticket's current summary is of its latest thread and the
// saved one is not (a slow job saving last must not leave it stale), clears
// the tickets' failures of those threads or of their latest ones, and
// returns the summaries' ids. It runs after insertSummaries, whose rows the
// tickets' trigger must see.
const currentSummaries = `WITH input AS (
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[])
	AS i(ticket_id, content_hash, model, prompt_version, regeneration)
), ids AS (
	SELECT s.id, i.ticket_id, i.content_hash FROM input i JOIN summaries s
	ON (s.ticket_id, s.content_hash, s.model, s.prompt_version, s.regeneration) = (i.ticket_id, i.content_hash, i.model, i.prompt_version, i.regeneration)
), upd AS (
	UPDATE tickets t SET current_summary_id = ids.id FROM ids WHERE t.id = ids.ticket_id
	AND NOT (t.content_hash <> ids.content_hash AND t.current_summary_id IS NOT NULL AND EXISTS (
		SELECT 1 FROM summaries cur WHERE cur.id = t.current_summary_id AND cur.content_hash = t.content_hash))
), del AS (
	DELETE FROM ticket_failures f USING ids, tickets t
	WHERE f.ticket_id = ids.ticket_id AND t.id = ids.ticket_id AND (f.content_hash = ids.content_hash OR t.content_hash = ids.content_hash)
)
SELECT ticket_id, id FROM ids`

// SaveSummaries saves summaries of distinct tickets in one round trip: two
// multi-row statements pipelined in one implicit transaction (see
// ticketsum.BatchStore).
func (s *Store) SaveSummaries(ctx context.Context, sums []*ticketsum.Summary) ([]bool, error) {
	created := make([]bool, len(sums))
	if len(sums) == 0 {
		return created, nil
	}
	n := len(sums)
	var (
		tid, hash, model, prompt, text, status, req, principal, flags = make([]string, n), make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		in, out, cr, cw, regen = make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
		cost                   = make([]float64, n)
		latency                = make([]int64, n)
		at                     = make([]time.Time, n)
	)
	index := make(map[string]int, n)
	now := s.cfg.Clock.Now()
	for i, sum := range sums {
		if err := ticketdoc.CheckSummary(sum); err != nil {
			return nil, err
		}
		if _, dup := index[sum.TicketID]; dup {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "ticket %s given twice in one save", sum.TicketID)
		}
		index[sum.TicketID] = i
		f, err := json.Marshal(append([]string{}, sum.Flags...))
		if err != nil {
			return nil, fmt.Errorf("encode flags: %w", err)
		}
		c := sum.CreatedAt
		if c.IsZero() {
			c = now
		}
		tid[i], hash[i], model[i], prompt[i], text[i], status[i] = sum.TicketID, sum.ContentHash, sum.Model, sum.PromptVersion, sum.Text, string(sum.Status)
		in[i], out[i], cr[i], cw[i] = int32(sum.Usage.InputTokens), int32(sum.Usage.OutputTokens), int32(sum.Usage.CacheReadTokens), int32(sum.Usage.CacheWriteTokens)
		cost[i], latency[i], req[i], principal[i], flags[i] = sum.CostUSD, sum.Latency.Microseconds(), sum.RequestedModel, sum.Principal, string(f)
		at[i], regen[i] = c.Truncate(time.Microsecond), int32(sum.Regeneration)
	}
	what := fmt.Sprintf("save %d summaries", n)
	if n == 1 {
		what = "save summary of ticket " + sums[0].TicketID
	}
	var b pgx.Batch
	b.Queue(insertSummaries, tid, hash, model, prompt, text, status, in, out, cr, cw, cost, latency, req, principal, flags, at, regen)
	b.Queue(currentSummaries, tid, hash, model, prompt, regen)
	// A batch with no transaction statements runs in one implicit
	// transaction: both statements commit together, or neither.
	res := s.pool.SendBatch(ctx, &b)
	rows, err := res.Query()
	if err == nil {
		for rows.Next() {
			var id string
			if err = rows.Scan(&id); err != nil {
				break
			}
			created[index[id]] = true
		}
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
	}
	if err == nil {
		rows, err = res.Query()
		if err == nil {
			for rows.Next() {
				var ticket string
				var id int64
				if err = rows.Scan(&ticket, &id); err != nil {
					break
				}
				sums[index[ticket]].ID = id
			}
			rows.Close()
			if err == nil {
				err = rows.Err()
			}
		}
	}
	if cerr := res.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, Translate(err, what)
	}
	for i, sum := range sums {
		if created[i] {
			sum.CreatedAt = at[i]
		}
	}
	return created, nil
}

// UpsertTicketsTx is UpsertTicketTx for many tickets of distinct ids in one
// transaction: the stored hashes are read and locked and every ticket
// upserted with two multi-row statements in one round trip, then onChange
// is called once with the tickets whose thread is new or changed, in the
// same transaction. changed[i] says so for tickets[i]; bad[i] is the
// EINVALID error of a ticket the store refuses, which is left out. An error
// from onChange rolls everything back and is returned.
func (s *Store) UpsertTicketsTx(ctx context.Context, tickets []*ticketsum.Ticket, onChange func(ctx context.Context, tx pgx.Tx, changed []*ticketsum.Ticket) error) (changed []bool, bad []error, err error) {
	n := len(tickets)
	changed, bad = make([]bool, n), make([]error, n)
	var (
		ids, lines, search, subject, hash, doc []string
		sortAt                                 []time.Time
		pos                                    = map[string]int{}
	)
	now := s.cfg.Clock.Now()
	for i, t := range tickets {
		row, err := ticketdoc.Encode(t, now)
		if err != nil {
			bad[i] = err
			continue
		}
		if _, dup := pos[t.ID]; dup {
			return nil, nil, ticketsum.Errorf(ticketsum.EINVALID, "ticket %s given twice in one upsert", t.ID)
		}
		pos[t.ID] = i
		ids, lines, search, subject = append(ids, t.ID), append(lines, row.ProductLine), append(search, row.Search), append(subject, row.Subject)
		hash, sortAt, doc = append(hash, row.Hash), append(sortAt, row.SortAt), append(doc, row.JSON)
	}
	if len(ids) == 0 && onChange == nil {
		return changed, bad, nil
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if len(ids) == 0 {
			return onChange(ctx, tx, nil)
		}
		var b pgx.Batch
		b.Queue(`SELECT id, content_hash FROM tickets WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids)
		b.Queue(`INSERT INTO tickets (id, product_line, search, subject, content_hash, sort_at, doc, stored_at)
			SELECT i.*, $8::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[]) AS i ORDER BY 1
			ON CONFLICT (id) DO UPDATE SET product_line = EXCLUDED.product_line, search = EXCLUDED.search, subject = EXCLUDED.subject,
				content_hash = EXCLUDED.content_hash, sort_at = EXCLUDED.sort_at, doc = EXCLUDED.doc, stored_at = EXCLUDED.stored_at`,
			ids, lines, search, subject, hash, sortAt, doc, now)
		res := tx.SendBatch(ctx, &b)
		old := map[string]string{}
		rows, err := res.Query()
		if err != nil {
			res.Close()
			return err
		}
		for rows.Next() {
			var id, h string
			if err := rows.Scan(&id, &h); err != nil {
				rows.Close()
				res.Close()
				return err
			}
			old[id] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			res.Close()
			return err
		}
		if _, err := res.Exec(); err != nil {
			res.Close()
			return err
		}
		if err := res.Close(); err != nil {
			return err
		}
		var moved []*ticketsum.Ticket
		for j, id := range ids {
			if h, ok := old[id]; !ok || h != hash[j] {
				changed[pos[id]] = true
				moved = append(moved, tickets[pos[id]])
			}
		}
		if onChange != nil {
			return onChange(ctx, tx, moved)
		}
		return nil
	})
	if err != nil {
		return nil, nil, Translate(err, fmt.Sprintf("upsert %d tickets", len(ids)))
	}
	return changed, bad, nil
}
