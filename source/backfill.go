package source

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum"
)

// BackfillOptions says what to backfill.
type BackfillOptions struct {
	// Since is the earliest updated-at to copy. Required.
	Since time.Time
	// Restart forgets a saved cursor and starts again from Since.
	Restart bool
	// Progress, when set, is called after each page.
	Progress func(Progress)
	// Parallel is how many tickets of a page are copied at once. Default 4.
	Parallel int
}

// Progress is how far a backfill has gone.
type Progress struct {
	Counts
	// Done is how many tickets the backfill has passed, including those of
	// earlier, interrupted runs.
	Done int64
	// Total is how many tickets have updated_at >= Since, counted at the
	// start; -1 when the mapping has no count query.
	Total int64
	// Resumed is true when the run continued a saved cursor.
	Resumed bool
	// Finished is true when the whole range has been passed.
	Finished bool
}

// Backfill copies every ticket updated since opts.Since into ticketsum's
// store in (updated_at, id) order, one page at a time (memory is bounded by
// BatchSize), Parallel tickets at once, enqueueing the new and changed
// threads to run at once. Its cursor is saved in ticketsum's schema after
// each page, so a run that is
// interrupted continues where it stopped when started again with the same
// Since; Restart starts over. It returns ECONFLICT when another backfill of
// the source runs, EINVALID when a saved cursor has another Since (use
// Restart), and EUNAVAILABLE when the database fails (run it again).
func (s *Source) Backfill(ctx context.Context, opts BackfillOptions) (Progress, error) {
	var p Progress
	if s.cfg.Enqueue == nil {
		return p, ticketsum.Errorf(ticketsum.EINVALID, "source: no Enqueue configured")
	}
	if opts.Since.IsZero() {
		return p, ticketsum.Errorf(ticketsum.EINVALID, "backfill needs a since date")
	}
	since := opts.Since.UTC().Truncate(time.Microsecond)
	parallel := opts.Parallel
	if parallel == 0 {
		parallel = 4
	}
	if parallel < 1 || parallel > 64 {
		return p, ticketsum.Errorf(ticketsum.EINVALID, "backfill parallel %d must be between 1 and 64", parallel)
	}
	unlock, ok, err := s.tryLock(ctx, "backfill")
	if err != nil {
		return p, err
	}
	if !ok {
		return p, ticketsum.Errorf(ticketsum.ECONFLICT, "another backfill of source %s is running", s.cfg.Name)
	}
	defer unlock()
	name := s.cfg.Name + "/backfill"
	c, found, err := s.loadCursor(ctx, name)
	if err != nil {
		return p, err
	}
	switch {
	case found && !opts.Restart && c.since != nil && !c.since.Equal(since):
		return p, ticketsum.Errorf(ticketsum.EINVALID, "a backfill since %s is saved (%d tickets done); run again with that since date to continue, or restart",
			c.since.UTC().Format(time.RFC3339), c.done)
	case found && !opts.Restart:
		p.Resumed = true
	default:
		c = cursor{name: name, since: &since, pos: position{At: since.Add(-time.Microsecond)}}
		if err := s.saveCursor(ctx, s.pool, c); err != nil {
			return p, err
		}
	}
	if p.Total, err = s.count(ctx, since); err != nil {
		return p, err
	}
	p.Done = c.done
	for {
		page, err := s.page(ctx, c.pos, s.cfg.BatchSize)
		if err != nil {
			return p, err
		}
		var n Counts
		if bs, ok := s.store.(BatchStore); ok && s.cfg.EnqueueBatch != nil {
			n, err = s.applyPage(ctx, bs, &c, page)
		} else {
			n, err = s.applyParallel(ctx, &c, page, parallel)
		}
		p.add(n)
		p.Done = c.done
		if err != nil {
			return p, err
		}
		if len(page) < s.cfg.BatchSize {
			break
		}
		if opts.Progress != nil {
			opts.Progress(p)
		}
	}
	c.finished = true
	if err := s.saveCursor(ctx, s.pool, c); err != nil {
		return p, err
	}
	p.Finished = true
	if opts.Progress != nil {
		opts.Progress(p)
	}
	return p, nil
}

// applyPage copies a page in one transaction: every ticket upserted with
// multi-row statements, the new and changed threads queued with one
// EnqueueBatch (River's bulk insert), and the cursor moved to the page's
// end, all committed together. Tickets that cannot be tickets are logged
// by id and passed over. On error nothing of the page is kept and *c is
// unchanged.
func (s *Source) applyPage(ctx context.Context, bs BatchStore, c *cursor, page []change) (Counts, error) {
	var n Counts
	if len(page) == 0 {
		return n, nil
	}
	next := *c
	next.pos, next.done = page[len(page)-1].pos, c.done+int64(len(page))
	var tickets []*ticketsum.Ticket
	for _, ch := range page {
		n.Seen++
		if ch.bad != nil {
			s.cfg.Logger.WarnContext(ctx, "source ticket skipped", "ticket_id", *ch.pos.ID, "reason", ticketsum.ErrorMessage(ch.bad))
			n.Skipped++
			continue
		}
		tickets = append(tickets, ch.ticket)
	}
	changed, bad, err := bs.UpsertTicketsTx(ctx, tickets, func(ctx context.Context, tx pgx.Tx, moved []*ticketsum.Ticket) error {
		if len(moved) > 0 {
			if err := s.cfg.EnqueueBatch(ctx, tx, moved); err != nil {
				return fmt.Errorf("enqueue: %w", err)
			}
		}
		return s.saveCursor(ctx, tx, next)
	})
	if err != nil {
		return Counts{}, translate(err, fmt.Sprintf("copy a page of %d tickets", len(page)))
	}
	for i, t := range tickets {
		switch {
		case bad[i] != nil:
			s.cfg.Logger.WarnContext(ctx, "source ticket skipped", "ticket_id", t.ID, "reason", ticketsum.ErrorMessage(bad[i]))
			n.Skipped++
		case changed[i]:
			n.Queued++
		default:
			n.Unchanged++
		}
	}
	*c = next
	return n, nil
}
