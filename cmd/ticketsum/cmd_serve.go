package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/review"
	"github.com/ticketsum/ticketsum/sample"
	"github.com/ticketsum/ticketsum/web"
)

// runServe handles `ticketsum serve`: the worker and the web server in one
// process, loading the bundled sample into an empty store.
func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "serve", "")
	var cf commonFlags
	cf.register(fs)
	addr := fs.String("addr", "", "listen address (default 127.0.0.1:8080)")
	noSample := fs.Bool("no-sample", false, "do not load the bundled sample tickets into an empty store")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("takes no arguments")
	}
	cfg, err := cf.load(e)
	if err != nil {
		return err
	}
	if *addr != "" {
		cfg.Server.Addr = *addr
	}
	if *noSample {
		no := false
		cfg.Server.LoadSample = &no
	}
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	b, err := w.openWorker(ctx)
	if err != nil {
		return err
	}
	nav := []web.Link{{Label: "Review", Path: "/review/"}}
	reviewHandler, err := w.reviewHandler(ctx, b, nav)
	if err != nil {
		return err
	}
	if err := b.queue.Start(ctx); err != nil {
		return fmt.Errorf("start queue: %w", err)
	}
	if *cfg.Server.LoadSample {
		if err := loadSample(ctx, w, b); err != nil {
			_ = w.stopWorker(b)
			return err
		}
	}
	srv, err := web.New(web.Config{
		Addr:         cfg.Server.Addr,
		Store:        b.store,
		Logger:       w.logger,
		ProductLines: sample.ProductLines(),
		Nav:          nav,
		Mount:        map[string]http.Handler{"/review/": reviewHandler},
		TicketLinks:  []web.Link{{Label: "Rate or regenerate", Path: "/review/tickets/{id}"}},
	})
	if err != nil {
		_ = w.stopWorker(b)
		return err
	}
	if err := srv.Start(ctx); err != nil {
		_ = w.stopWorker(b)
		return err
	}
	fmt.Fprintf(e.stderr, "ticketsum: serving on http://%s (Ctrl-C to stop)\n", srv.Addr())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	webErr := srv.Stop(sctx)
	if err := w.stopWorker(b); err != nil {
		return err
	}
	return webErr
}

// loadSample imports the bundled sample tickets when the store is empty.
func loadSample(ctx context.Context, w *wiring, b *backend) error {
	_, total, err := b.store.ListTickets(ctx, ticketsum.TicketFilter{Limit: 1})
	if err != nil {
		return fmt.Errorf("count tickets: %w", err)
	}
	if total > 0 {
		return nil
	}
	tickets, err := sample.Tickets()
	if err != nil {
		return fmt.Errorf("load sample: %w", err)
	}
	for _, t := range tickets {
		if _, err := b.queue.Import(ctx, t); err != nil {
			return fmt.Errorf("import sample ticket %s: %w", t.ID, err)
		}
	}
	w.logger.Info("loaded sample tickets into the empty store", "count", len(tickets))
	return nil
}

// reviewHandler opens the review service (blind ratings, the review queue,
// regenerate) on the store's database and hooks it to new summaries.
func (w *wiring) reviewHandler(ctx context.Context, b *backend, nav []web.Link) (http.Handler, error) {
	st, err := review.NewSQLStore(b.db, b.dialect)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate review tables: %w", err)
	}
	svc, err := review.New(review.Config{
		Store: st, Tickets: b.store, Regenerate: w.proc.Regenerate, SampleShare: w.cfg.Server.ReviewShare,
		NoSampling: w.cfg.Server.ReviewShare < 0, Logger: w.logger, Nav: nav,
	})
	if err != nil {
		return nil, err
	}
	w.onSaved = func(ctx context.Context, s *ticketsum.Summary) {
		if _, err := svc.OnSummarySaved(ctx, s); err != nil {
			w.logger.WarnContext(ctx, "sample summary for review", "ticket_id", s.TicketID, "code", string(ticketsum.ErrorCodeOf(err)))
		}
	}
	return svc.Handler()
}
