package cli

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/api"
	"github.com/ticketsum/ticketsum/chart"
	"github.com/ticketsum/ticketsum/cost"
	"github.com/ticketsum/ticketsum/evalpage"
	"github.com/ticketsum/ticketsum/review"
	"github.com/ticketsum/ticketsum/sample"
	"github.com/ticketsum/ticketsum/summarize"
	"github.com/ticketsum/ticketsum/web"
	"github.com/ticketsum/ticketsum/webauth"
)

// newServeCmd is `ticketsum serve`.
func newServeCmd(e *env) *cobra.Command {
	var o struct {
		model, addr string
		metricsAddr string
		workers     int
		noSample    bool
	}
	cmd := &cobra.Command{
		Use:     "serve",
		GroupID: groupSummaries,
		Short:   "Run the worker, the web UI and the governed API",
		Long: `Run the summarisation worker and the web server in one process until SIGINT or
SIGTERM: the ticket list with summaries, the review queue and blind rating, the
governance page, the governed API (POST /v1/summaries, POST
/v1/chat/completions, GET /v1/models; see docs/api.md) and /metrics.

An empty store is filled with the 50 bundled sample tickets (not with
--no-sample), so the first run shows summaries within seconds, made offline by
the built-in model.`,
		Example: `  # The two-command demo: open http://127.0.0.1:8080
  ticketsum serve

  # Your own store, no sample, reachable from other machines: needs
  # auth.mode oidc or proxy in the config (docs/governance.md)
  ticketsum serve --db postgres://ticketsum@db/tickets --addr 0.0.0.0:8080 --no-sample

  # Metrics for a scraper on a private network
  ticketsum serve --metrics-addr 10.0.1.5:9090`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := e.load(cmd, modelBind(&o.model), workersBind(&o.workers),
				bind{"addr", "server.addr", func(c *Config) { c.Server.Addr = o.addr }},
				bind{"metrics-addr", "server.metrics_addr", func(c *Config) { c.Server.MetricsAddr = o.metricsAddr }},
				bind{"no-sample", "server.load_sample", func(c *Config) { c.Server.LoadSample = new(!o.noSample) }})
			if err != nil {
				return err
			}
			serveGCDefaults(os.Getenv)
			return e.serve(cmd.Context(), cfg)
		},
	}
	usesGlobals(cmd, allGlobals...)
	f := cmd.Flags()
	modelFlag(f, &o.model)
	workersFlag(f, &o.workers)
	f.StringVar(&o.addr, "addr", "", "listen `ADDR` as host:port (default server.addr in the config, or $TICKETSUM_ADDR, 127.0.0.1:8080)")
	f.StringVar(&o.metricsAddr, "metrics-addr", "", "serve /metrics on its own listener `ADDR` (host:port) instead of behind the UI's sign-in (default server.metrics_addr in the config)")
	f.BoolVar(&o.noSample, "no-sample", false, "do not load the bundled sample tickets into an empty store")
	return cmd
}

// serve runs the worker and the web server until ctx ends.
func (e *env) serve(ctx context.Context, cfg Config) error {
	if err := checkExposure(cfg); err != nil {
		return err
	}
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	gov, err := w.governance(ctx)
	if err != nil {
		return err
	}
	// Before the store opens: a server that would expose tickets without
	// sign-in stops here.
	auth, err := w.authenticator(ctx, gov.Access)
	if err != nil {
		return err
	}
	// The review service, opened with the worker, takes serve's sign-in.
	w.reviewWeb = func(c *review.Config) {
		c.CSRF, c.Rater = sessionCSRF(auth), signedInRater(auth)
	}
	b, err := w.openWorker(ctx)
	if err != nil {
		return err
	}
	mount, nav, err := w.serveRoutes(ctx, b, auth)
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
		TicketLinks:  []web.Link{{Label: "Rate this summary", Path: "/review/tickets/{id}"}},
		// Retry and Regenerate go through the queue: this process's
		// workers (or any other worker) make the summary.
		Retry: func(ctx context.Context, id string) (bool, error) {
			r, err := b.queue.Retry(ctx, id)
			return r.Queued, err
		},
		Regenerate: b.queue.Regenerate,
		Backlog:    b.queue.Backlog,
		Instrument: func(h http.Handler) http.Handler { return w.tel.Handler(h, "ticketsum serve") },
		Wrap:       func(h http.Handler) http.Handler { return auth.Guard(servePolicy(), h) },
		CSRF:       sessionCSRF(auth),
	})
	if err != nil {
		_ = w.stopWorker(b)
		return err
	}
	if err := srv.Start(ctx); err != nil {
		_ = w.stopWorker(b)
		if ticketsum.ErrorCodeOf(err) == ticketsum.EUNAVAILABLE {
			return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: listen on another address with --addr HOST:PORT, TICKETSUM_ADDR or server.addr, or stop what listens there (another ticketsum serve?)",
				ticketsum.ErrorMessage(err))
		}
		return err
	}
	fmt.Fprintf(e.stderr, "ticketsum: serving on http://%s (Ctrl-C to stop; sign-in: %s)\n", srv.Addr(), auth.Mode())
	var metricsSrv *http.Server
	if cfg.Server.MetricsAddr != "" {
		prom, _ := w.metrics() // built by serveRoutes
		var addr net.Addr
		if metricsSrv, addr, err = listenMetrics(cfg.Server.MetricsAddr, prom.Handler()); err != nil {
			_ = srv.Stop(context.Background())
			_ = w.stopWorker(b)
			return err
		}
		fmt.Fprintf(e.stderr, "ticketsum: metrics on http://%s/metrics\n", addr)
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	webErr := srv.Stop(sctx)
	if metricsSrv != nil {
		_ = metricsSrv.Close()
	}
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
func (w *wiring) serveRoutes(ctx context.Context, b *backend, auth *webauth.Authenticator) (map[string]http.Handler, []web.Link, error) {
	// The governed API serves the governance page, linked from every page.
	nav := serveNav()
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
		MaxConcurrentPerKey: w.cfg.Server.MaxConcurrentPerKey, Logger: w.logger, Nav: nav,
		MaxBodyBytes: w.cfg.MaxTicketBytes, BodyLimitHint: "the server's operator raises it with max_ticket_bytes in serve's configuration or TICKETSUM_MAX_TICKET_BYTES",
		MaxChatBodyBytes:  w.cfg.Server.MaxChatBodyBytes,
		ChatBodyLimitHint: "the server's operator raises it with server.max_chat_body_bytes in serve's configuration or TICKETSUM_MAX_CHAT_BODY_BYTES",
	})
	if err != nil {
		return nil, nil, err
	}
	review, evals, err := w.reviewHandler(ctx, b, nav, auth)
	if err != nil {
		return nil, nil, err
	}
	mount := ah.Routes()
	mount["/review/"] = review
	maps.Copy(mount, evals.Routes())
	if w.cfg.Server.MetricsAddr == "" {
		mount["GET /metrics"] = prom.Handler()
	}
	for p, h := range auth.Routes() {
		mount[p] = h
	}
	// The charts' scripts, for every page that draws one.
	mount["GET "+chart.Path] = chart.Assets()
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

// reviewHandler returns the review pages on the review service (which
// openWorker has hooked to new summaries, with serve's sign-in) and the
// eval runs' pages, which read the same store and start blind ratings
// through the review forms.
func (w *wiring) reviewHandler(ctx context.Context, b *backend, nav []web.Link, auth *webauth.Authenticator) (http.Handler, *evalpage.Handler, error) {
	svc, err := w.reviewService(ctx, b)
	if err != nil {
		return nil, nil, err
	}
	rh, err := svc.Handler()
	if err != nil {
		return nil, nil, err
	}
	evals, err := evalpage.New(evalpage.Config{Store: w.revStore, Nav: nav, FormToken: svc.FormToken, Logger: w.logger})
	if err != nil {
		return nil, nil, err
	}
	return rh, evals, nil
}

// sessionCSRF returns the authenticator as the forms' CSRF source when
// people sign in; nil in loopback mode, where forms keep the cross-origin
// check and the per-server token.
func sessionCSRF(auth *webauth.Authenticator) web.CSRF {
	if auth.Mode() == webauth.ModeLoopback {
		return nil
	}
	return auth
}

// signedInRater names the signed-in person behind a review form, so that
// decisions and ratings are theirs; nil in loopback mode, where raters
// type their name.
func signedInRater(auth *webauth.Authenticator) func(r *http.Request) string {
	if auth.Mode() == webauth.ModeLoopback {
		return nil
	}
	return func(r *http.Request) string {
		if u := webauth.UserFrom(r.Context()); u != nil {
			return u.Actor()
		}
		return ""
	}
}

// listenMetrics serves h at /metrics on its own listener, for a scraper on
// a private network (server.metrics_addr).
func listenMetrics(addr string, h http.Handler) (*http.Server, net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "listen for metrics on %s: %v", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute, MaxHeaderBytes: 16 << 10}
	go srv.Serve(ln)
	return srv, ln.Addr(), nil
}
