package source

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ticketsum/ticketsum"
)

// Counts says what a run of the watcher or a backfill did.
type Counts struct {
	// Seen is how many tickets were read from the team's tables.
	Seen int
	// Queued is how many had a new or changed thread and got a job.
	Queued int
	// Unchanged is how many were already in ticketsum's store as they are.
	Unchanged int
	// Skipped is how many could not be tickets (no messages, an unmapped
	// role); they are logged by id and passed over.
	Skipped int
}

func (c *Counts) add(d Counts) {
	c.Seen += d.Seen
	c.Queued += d.Queued
	c.Unchanged += d.Unchanged
	c.Skipped += d.Skipped
}

// execer runs a statement: a pool or a transaction.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// cursor is a stored watermark row.
type cursor struct {
	name     string
	since    *time.Time
	pos      position
	done     int64
	finished bool
}

// loadCursor returns the named cursor and whether it exists.
func (s *Source) loadCursor(ctx context.Context, name string) (cursor, bool, error) {
	c := cursor{name: name}
	err := s.pool.QueryRow(ctx, `SELECT since, at, id, done, finished FROM `+s.schema+`.source_cursors WHERE name = $1`, name).
		Scan(&c.since, &c.pos.At, &c.pos.ID, &c.done, &c.finished)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, translate(err, "load source cursor "+name)
	}
	return c, true, nil
}

// saveCursor writes the cursor with q (the pool or a transaction).
func (s *Source) saveCursor(ctx context.Context, q execer, c cursor) error {
	_, err := q.Exec(ctx, `INSERT INTO `+s.schema+`.source_cursors (name, since, at, id, done, finished, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (name) DO UPDATE SET since = $2, at = $3, id = $4, done = $5, finished = $6, updated_at = $7`,
		c.name, c.since, c.pos.At, c.pos.ID, c.done, c.finished, s.cfg.Clock.Now())
	if err != nil {
		return translate(err, "save source cursor "+c.name)
	}
	return nil
}

// apply copies a page of changes into ticketsum's store, in order. Each
// changed thread is upserted, its job enqueued and the cursor advanced to
// it in one transaction; the cursor moves past unchanged and skipped
// tickets at the end of the page (re-reading them after a crash is
// harmless: their content hash is already stored). debounce schedules jobs
// by the per-ticket interval; otherwise they run at once. On error the
// cursor stays at the last committed ticket and *c says so.
func (s *Source) apply(ctx context.Context, c *cursor, page []change, debounce bool) (Counts, error) {
	var n Counts
	pending := false // the cursor has moved past tickets not yet saved
	for _, ch := range page {
		n.Seen++
		if ch.bad != nil {
			s.cfg.Logger.WarnContext(ctx, "source ticket skipped", "ticket_id", *ch.pos.ID, "reason", ticketsum.ErrorMessage(ch.bad))
			n.Skipped++
			c.pos, c.done, pending = ch.pos, c.done+1, true
			continue
		}
		next := *c
		next.pos, next.done = ch.pos, c.done+1
		t := ch.ticket
		changed, err := s.store.UpsertTicketTx(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
			runAt := s.cfg.Clock.Now()
			if debounce && s.cfg.Debounce > 0 {
				var err error
				if runAt, err = s.debounce(ctx, tx, t.ID, runAt); err != nil {
					return err
				}
			}
			if err := s.cfg.Enqueue(ctx, tx, t.ID, t.ContentHash(), runAt); err != nil {
				return fmt.Errorf("enqueue: %w", err)
			}
			return s.saveCursor(ctx, tx, next)
		})
		if ticketsum.ErrorCodeOf(err) == ticketsum.EINVALID {
			s.cfg.Logger.WarnContext(ctx, "source ticket skipped", "ticket_id", t.ID, "reason", ticketsum.ErrorMessage(err))
			n.Skipped++
			c.pos, c.done, pending = ch.pos, c.done+1, true
			continue
		}
		if err != nil {
			if pending {
				// Best effort: the tickets before this one are stored.
				_ = s.saveCursor(ctx, s.pool, *c)
			}
			return n, translate(err, fmt.Sprintf("copy ticket %s", t.ID))
		}
		*c = next
		if changed {
			n.Queued++
			pending = false
		} else {
			n.Unchanged++
			pending = true
		}
	}
	if pending {
		if err := s.saveCursor(ctx, s.pool, *c); err != nil {
			return n, err
		}
	}
	return n, nil
}

// debounce returns when the ticket's new job should run, and records it:
// at once for the first change, or at the end of the interval after the
// previous job; a change while a job is still scheduled in the future joins
// that job's time (the earlier job then finds a newer thread and skips).
func (s *Source) debounce(ctx context.Context, tx pgx.Tx, ticketID string, now time.Time) (time.Time, error) {
	var last time.Time
	err := tx.QueryRow(ctx, `SELECT run_at FROM `+s.schema+`.source_debounce WHERE ticket_id = $1 FOR UPDATE`, ticketID).Scan(&last)
	runAt := now
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return now, err
	case last.After(now):
		runAt = last
	default:
		if next := last.Add(s.cfg.Debounce); next.After(now) {
			runAt = next
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO `+s.schema+`.source_debounce (ticket_id, run_at) VALUES ($1, $2)
		ON CONFLICT (ticket_id) DO UPDATE SET run_at = $2`, ticketID, runAt)
	return runAt, err
}

// pruneDebounce forgets tickets whose last job ran more than an interval ago.
func (s *Source) pruneDebounce(ctx context.Context) error {
	if s.cfg.Debounce <= 0 {
		return nil
	}
	_, err := s.pool.Exec(ctx, `DELETE FROM `+s.schema+`.source_debounce WHERE run_at < $1`, s.cfg.Clock.Now().Add(-s.cfg.Debounce))
	return translate(err, "prune debounce times")
}

// applyParallel is apply for backfill: the page's tickets are copied by
// workers goroutines at once, each upsert with its job in one transaction,
// and the cursor moves once, after the page, to the end of the run of
// tickets copied without error. A crash or an error makes the next run read
// the rest of the page again, which is harmless: the threads already copied
// are recognised by their content hash and enqueue nothing.
func (s *Source) applyParallel(ctx context.Context, c *cursor, page []change, workers int) (Counts, error) {
	type outcome struct {
		changed, skipped bool
		err              error
	}
	out := make([]outcome, len(page))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(page)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				ch := page[i]
				if ch.bad != nil {
					s.cfg.Logger.WarnContext(ctx, "source ticket skipped", "ticket_id", *ch.pos.ID, "reason", ticketsum.ErrorMessage(ch.bad))
					out[i].skipped = true
					continue
				}
				t := ch.ticket
				changed, err := s.store.UpsertTicketTx(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
					if err := s.cfg.Enqueue(ctx, tx, t.ID, t.ContentHash(), s.cfg.Clock.Now()); err != nil {
						return fmt.Errorf("enqueue: %w", err)
					}
					return nil
				})
				if ticketsum.ErrorCodeOf(err) == ticketsum.EINVALID {
					s.cfg.Logger.WarnContext(ctx, "source ticket skipped", "ticket_id", t.ID, "reason", ticketsum.ErrorMessage(err))
					out[i].skipped = true
					continue
				}
				out[i].changed, out[i].err = changed, err
			}
		}()
	}
	for i := range page {
		next <- i
	}
	close(next)
	wg.Wait()
	var n Counts
	var firstErr error
	for i, o := range out {
		if o.err != nil {
			firstErr = translate(o.err, fmt.Sprintf("copy ticket %s", *page[i].pos.ID))
			break
		}
		n.Seen++
		switch {
		case o.skipped:
			n.Skipped++
		case o.changed:
			n.Queued++
		default:
			n.Unchanged++
		}
		c.pos, c.done = page[i].pos, c.done+1
	}
	if n.Seen > 0 {
		if err := s.saveCursor(ctx, s.pool, *c); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return n, firstErr
}
