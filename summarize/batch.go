package summarize

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"sync"

	"github.com/ticketsum/ticketsum"
)

// Version is a ticket's thread as a job was queued for it.
type Version struct {
	TicketID    string
	ContentHash string
}

// ProcessBatch is ProcessVersion for many threads at once: with a store
// that implements ticketsum.BatchStore, the tickets and their current
// summaries are loaded with one query, summarised parallel at a time
// (default GOMAXPROCS), and the new summaries saved together in one round
// trip; otherwise each thread goes through ProcessVersion, parallel at a
// time. It returns one error per thread (nil for a thread summarised,
// already current, superseded by a newer thread or, with a batch store,
// whose ticket is gone; one at a time a gone ticket is ENOTFOUND),
// or a batch error when the tickets could not be loaded or the summaries
// not saved: the caller runs the batch again, and what was saved is then
// found current.
func (p *Pipeline) ProcessBatch(ctx context.Context, vs []Version, parallel int) ([]error, error) {
	if p.cfg.Store == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "summarize: no store configured")
	}
	if parallel < 1 {
		parallel = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, len(vs))
	bs, ok := p.cfg.Store.(ticketsum.BatchStore)
	if !ok {
		each(len(vs), parallel, func(i int) { errs[i] = p.ProcessVersion(ctx, vs[i].TicketID, vs[i].ContentHash) })
		return errs, nil
	}
	ids := make([]string, len(vs))
	for i, v := range vs {
		ids[i] = v.TicketID
	}
	views, err := bs.FindTicketViews(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*ticketsum.TicketView, len(views))
	for i := range views {
		byID[views[i].Ticket.ID] = &views[i]
	}
	var todo []int // indexes of vs to summarise
	var tickets []*ticketsum.Ticket
	for i, v := range vs {
		view := byID[v.TicketID]
		switch {
		case view == nil:
			p.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "ticket gone before its batch ran; skipped", slog.String("ticket_id", v.TicketID))
		case view.Ticket.ContentHash() != v.ContentHash:
			p.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "thread changed since the job was queued; left to the newer job", slog.String("ticket_id", v.TicketID))
		case p.current(view):
		default:
			todo = append(todo, i)
			tickets = append(tickets, view.Ticket)
		}
	}
	sums := make([]*ticketsum.Summary, len(todo))
	each(len(todo), parallel, func(j int) {
		s, err := p.summarizeRecorded(ctx, tickets[j])
		if err != nil {
			p.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "summary failed", slog.String("ticket_id", tickets[j].ID),
				slog.String("code", string(ticketsum.ErrorCodeOf(err))), slog.String("class", string(ticketsum.ClassOf(err))),
				slog.String("reason", ticketsum.ErrorMessage(err)))
			errs[todo[j]] = err
			return
		}
		sums[j] = s
	})
	var save []*ticketsum.Summary
	for _, s := range sums {
		if s != nil {
			save = append(save, s)
		}
	}
	created, err := bs.SaveSummaries(ctx, save)
	if err != nil {
		return nil, fmt.Errorf("save %d summaries: %w", len(save), err)
	}
	for i, s := range save {
		if created[i] && p.cfg.OnSaved != nil {
			p.cfg.OnSaved(ctx, s)
		}
	}
	p.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "summary batch saved", slog.Int("tickets", len(vs)), slog.Int("summarised", len(save)))
	return errs, nil
}

// current reports whether the view's current summary is of its thread and
// by (or in place of) the configured model, as upToDate does.
func (p *Pipeline) current(v *ticketsum.TicketView) bool {
	cur := v.Current
	return p.cfg.Model != "" && cur != nil && !v.Stale && cur.ContentHash == v.Ticket.ContentHash() &&
		(cur.Model == p.cfg.Model || cur.RequestedModel == p.cfg.Model)
}

// each calls fn(0..n-1), parallel at a time.
func each(n, parallel int, fn func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(parallel, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
