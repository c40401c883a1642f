package web

import (
	"cmp"
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Config configures a Server. Only Store is required.
type Config struct {
	// Addr is the TCP address to listen on. Default "127.0.0.1:8080"; a port
	// of 0 picks a free one (see Server.Addr).
	Addr string
	// Store is where tickets and summaries are read from. Required.
	Store ticketsum.Store
	// Failures tells why a failed ticket failed, for its page. Default:
	// Store, when it keeps failures (both the sqlite and postgres stores
	// do); otherwise ticket pages show the failed state of lists only.
	Failures ticketsum.FailureStore
	// Retry queues another attempt at a failed ticket and reports whether
	// a job was added (false when one already waited). Default nil: no
	// Retry button, and POST /api/tickets/{id}/retry answers 503.
	Retry func(ctx context.Context, ticketID string) (queued bool, err error)
	// Regenerate queues a new summary of a ticket's latest thread, even
	// when its summary is current, and returns its regeneration number (0
	// for a thread not summarised yet) and whether a job was added
	// (queue.Queue.Regenerate). Default nil: no Regenerate button, and
	// POST /api/tickets/{id}/regenerate answers 503.
	Regenerate func(ctx context.Context, ticketID string) (regeneration int, queued bool, err error)
	// Backlog returns how many tickets wait for the worker, shown above
	// the ticket list and in GET /api/tickets (queue.Queue.Backlog).
	// Default nil: not shown.
	Backlog func(ctx context.Context) (int, error)
	// Logger receives request and error logs. Default slog.Default().
	Logger *slog.Logger
	// Clock tells the time for ages such as "3 minutes ago". Default
	// ticketsum.SystemClock.
	Clock ticketsum.Clock
	// Title is the product name in the page header. Default "ticketsum".
	Title string
	// PageSize is the number of tickets per list page, and the API's default
	// limit. Default 25.
	PageSize int
	// MaxPageSize is the largest limit the API accepts. Default 100.
	MaxPageSize int
	// ProductLines are offered in the list page's product-line filter.
	// Default none, in which case the filter is a free-text field.
	ProductLines []string
	// Mount maps extra ServeMux patterns (such as "/metrics", "/v1/" or
	// "GET /governance") to handlers served beside the built-in routes.
	// A pattern that conflicts with a built-in route is rejected by New.
	// Default none.
	Mount map[string]http.Handler
	// Nav lists extra links for the page header, such as a governance page
	// served through Mount. Default none.
	Nav []Link
	// TicketLinks are actions shown on every ticket page, such as the review
	// page served through Mount; "{id}" in a Path becomes the ticket's id
	// (path-escaped). Default none.
	TicketLinks []Link
	// Wrap, when set, wraps the whole handler (built-in routes and Mount):
	// serve uses it to identify every request and refuse what the
	// requester's role does not allow (webauth). Default none.
	Wrap func(http.Handler) http.Handler
	// CSRF binds the security tokens of the forms and actions to the
	// signed-in person's session (webauth.Authenticator). Default nil: state
	// changes are protected by the cross-origin check alone, as on a
	// loopback-only server.
	CSRF CSRF
	// ReadHeaderTimeout bounds reading a request's headers. Default 10s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included, so that a
	// client trickling a body (slowloris) cannot hold a connection; a
	// handler may move the deadline (the /v1 API sets its own). Default 1m.
	ReadTimeout time.Duration
	// IdleTimeout bounds how long a kept-alive connection may wait for its
	// next request. Default 2m.
	IdleTimeout time.Duration
	// ShutdownTimeout bounds the graceful shutdown in Run. Default 10s.
	ShutdownTimeout time.Duration
	// Instrument, when set, wraps the whole handler, mounted ones included,
	// outermost: telemetry.Handler for OpenTelemetry server spans. Default
	// nil: none.
	Instrument func(http.Handler) http.Handler
}

// CSRF issues and checks the security tokens of state-changing requests.
// A request identified by an API key passes CheckCSRF: it carries no
// cookie a forged page could ride on.
type CSRF interface {
	// Token returns the token to put in the request's forms (form field
	// "csrf", or header X-CSRF-Token for scripts); "" for an anonymous
	// request. It may set a cookie on w.
	Token(w http.ResponseWriter, r *http.Request) string
	// CheckCSRF returns an error when a state-changing request lacks the
	// token of its session.
	CheckCSRF(r *http.Request) error
}

// Link is a link in the page header.
type Link struct {
	Label string
	Path  string
}

// withDefaults returns cfg with every zero field set to its default, or an
// EINVALID error naming the first bad field.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Store == nil {
		return cfg, ticketsum.Errorf(ticketsum.EINVALID, "web: Config.Store is required")
	}
	if fs, ok := cfg.Store.(ticketsum.FailureStore); ok && cfg.Failures == nil {
		cfg.Failures = fs
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return cfg, ticketsum.Errorf(ticketsum.EINVALID, "web: Config.Addr %q is not host:port: %w", cfg.Addr, err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = ticketsum.SystemClock{}
	}
	if cfg.Title == "" {
		cfg.Title = "ticketsum"
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = 25
	}
	if cfg.MaxPageSize == 0 {
		cfg.MaxPageSize = 100
	}
	switch {
	case cfg.PageSize < 0:
		return cfg, ticketsum.Errorf(ticketsum.EINVALID, "web: Config.PageSize %d is negative", cfg.PageSize)
	case cfg.MaxPageSize < 0:
		return cfg, ticketsum.Errorf(ticketsum.EINVALID, "web: Config.MaxPageSize %d is negative", cfg.MaxPageSize)
	case cfg.PageSize > cfg.MaxPageSize:
		return cfg, ticketsum.Errorf(ticketsum.EINVALID, "web: Config.PageSize %d is above MaxPageSize %d", cfg.PageSize, cfg.MaxPageSize)
	}
	if cfg.ReadHeaderTimeout == 0 {
		cfg.ReadHeaderTimeout = 10 * time.Second
	}
	if cfg.ReadHeaderTimeout < 0 {
		return cfg, ticketsum.Errorf(ticketsum.EINVALID, "web: Config.ReadHeaderTimeout %s is negative", cfg.ReadHeaderTimeout)
	}
	cfg.ReadTimeout = cmp.Or(cfg.ReadTimeout, time.Minute)
	cfg.IdleTimeout = cmp.Or(cfg.IdleTimeout, 2*time.Minute)
	if cfg.ReadTimeout < 0 || cfg.IdleTimeout < 0 {
		return cfg, ticketsum.Errorf(ticketsum.EINVALID, "web: Config.ReadTimeout %s and IdleTimeout %s must not be negative", cfg.ReadTimeout, cfg.IdleTimeout)
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	if cfg.ShutdownTimeout < 0 {
		return cfg, ticketsum.Errorf(ticketsum.EINVALID, "web: Config.ShutdownTimeout %s is negative", cfg.ShutdownTimeout)
	}
	for pattern, h := range cfg.Mount {
		if h == nil {
			return cfg, ticketsum.Errorf(ticketsum.EINVALID, "web: Config.Mount[%q] is nil", pattern)
		}
		if !strings.Contains(pattern, "/") {
			return cfg, ticketsum.Errorf(ticketsum.EINVALID, "web: Config.Mount pattern %q has no path", pattern)
		}
	}
	for i, l := range cfg.Nav {
		if l.Label == "" || !strings.HasPrefix(l.Path, "/") {
			return cfg, ticketsum.Errorf(ticketsum.EINVALID, "web: Config.Nav[%d] needs a label and a path starting with /", i)
		}
	}
	return cfg, nil
}
