package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/api"
	"github.com/ticketsum/ticketsum/cost"
	"github.com/ticketsum/ticketsum/review"
	"github.com/ticketsum/ticketsum/sample"
	"github.com/ticketsum/ticketsum/summarize"
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
	mount, nav, err := w.serveRoutes(ctx, b)
	if err != nil {
		return err
	}
	if err := b.queue.Start(ctx); err != nil {
		return fmt.Errorf("start queue: %w", err)
	}
	w.runDigests(ctx)
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
		Mount:        mount,
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

// serveRoutes builds what serve mounts beside the UI: the review pages, the
// governed API (/v1/summaries, /v1/chat/completions, /v1/models), the
// governance page and /metrics, with their header links.
func (w *wiring) serveRoutes(ctx context.Context, b *backend) (map[string]http.Handler, []web.Link, error) {
	// The governed API serves the governance page, linked from every page.
	nav := []web.Link{{Label: "Review", Path: "/review/"}, {Label: "Governance", Path: "/governance"}}
	gov, err := w.governance(ctx)
	if err != nil {
		return nil, nil, err
	}
	// Built now, before any request, so that handlers only read it.
	if _, err := w.models(ctx); err != nil {
		return nil, nil, err
	}
	prom, err := w.metrics()
	if err != nil {
		return nil, nil, err
	}
	if err := prom.WatchQueue(b.queue); err != nil {
		return nil, nil, err
	}
	cat, err := w.catalogue()
	if err != nil {
		return nil, nil, err
	}
	ah, err := api.New(api.Config{
		Access: gov.Access,
		Models: func(name string) (ticketsum.Model, error) {
			g, err := w.gatewayFor(ctx, name)
			if err != nil {
				return nil, err
			}
			return g.Model(name)
		},
		ModelNames: func() []string { return providerModels(cat) },
		Summarizers: func(ctx context.Context, r api.SummarizerRequest) (ticketsum.Summarizer, error) {
			s, err := w.summarizerAs(ctx, r.Model, "", r.Principal)
			if err != nil {
				return nil, err
			}
			return summarize.New(summarize.Config{Summarizer: s, Guard: gov.Guard, Principal: r.Principal, Logger: w.logger})
		},
		DefaultModel: w.cfg.Model, Store: b.store, Budgets: gov.Access, Audit: gov.Trail, Trail: gov.Trail,
		Logger: w.logger, Nav: nav,
	})
	if err != nil {
		return nil, nil, err
	}
	review, err := w.reviewHandler(ctx, b, nav)
	if err != nil {
		return nil, nil, err
	}
	mount := ah.Routes()
	mount["/review/"] = review
	mount["GET /metrics"] = prom.Handler()
	return mount, nav, nil
}

// providerModels lists the catalogue's callable model names (not the
// built-in one nor per-provider price entries such as "openai:*").
func providerModels(cat *cost.Catalogue) []string {
	var names []string
	for _, m := range cat.Models() {
		if strings.Contains(m.Name, ":") && !strings.HasSuffix(m.Name, "*") {
			names = append(names, m.Name)
		}
	}
	return names
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
