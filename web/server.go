package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Server serves the ticket pages and the JSON API.
type Server struct {
	cfg     Config
	pages   map[string]*template.Template
	handler http.Handler
	cop     *http.CrossOriginProtection

	mu       sync.Mutex
	srv      *http.Server
	listener net.Listener
	done     chan error
}

// New returns a Server for cfg, with defaults filled in. It returns an
// EINVALID error for a bad Config, naming the field.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, cop: http.NewCrossOriginProtection()}
	pages, err := s.parseTemplates()
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "web: parse templates: %w", err)
	}
	s.pages = pages
	mux, err := s.routes()
	if err != nil {
		return nil, err
	}
	var h http.Handler = mux
	if cfg.Wrap != nil {
		h = cfg.Wrap(h)
	}
	s.handler = s.middleware(h)
	if cfg.Instrument != nil {
		s.handler = cfg.Instrument(s.handler)
	}
	return s, nil
}

// Handler returns the server's HTTP handler, for tests and for serving it
// under another server.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on Config.Addr and serves in the background. It returns once
// the listener is open, so that Addr reports the bound address. It returns
// EUNAVAILABLE when the address cannot be bound and ECONFLICT when the server
// is already started.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return ticketsum.Errorf(ticketsum.ECONFLICT, "web: server already started")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "web: listen on %s: %w", s.cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
	}
	done := make(chan error, 1)
	go func() {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		done <- err
	}()
	s.srv, s.listener, s.done = srv, ln, done
	s.cfg.Logger.InfoContext(ctx, "web server listening", "addr", ln.Addr().String())
	return nil
}

// Addr returns the address the server listens on, or "" before Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener == nil {
		return ""
	}
	return s.listener.Addr().String()
}

// Stop shuts the server down gracefully: it stops accepting connections and
// waits for requests in flight until ctx is done. Stopping a server that was
// never started does nothing.
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	if err := srv.Shutdown(ctx); err != nil {
		srv.Close()
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "web: shutdown: %w", err)
	}
	if err := <-done; err != nil {
		return fmt.Errorf("web: serve: %w", err)
	}
	return nil
}

// Run starts the server, serves until ctx is cancelled, then shuts down
// gracefully within Config.ShutdownTimeout.
func (s *Server) Run(ctx context.Context) error {
	if err := s.Start(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("web: serve: %w", err)
		}
		return nil
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	return s.Stop(sctx)
}

// middleware adds security headers, panic recovery and request logging.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		debug := s.cfg.Logger.Enabled(r.Context(), slog.LevelDebug)
		var start time.Time
		if debug {
			start = s.cfg.Clock.Now()
		}
		h := w.Header()
		for k, v := range securityHeaders {
			h[k] = v
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err := fmt.Errorf("panic serving %s %s: %v", r.Method, r.URL.Path, v)
				if !rec.wrote {
					s.writeError(rec, r, err)
				} else {
					s.cfg.Logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
				}
			}
			if debug {
				s.cfg.Logger.DebugContext(r.Context(), "http request", "method", r.Method, "path", r.URL.Path,
					"status", rec.status, "duration", s.cfg.Clock.Now().Sub(start).Round(time.Microsecond))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// securityHeaders are set on every answer. The value slices are shared by
// all answers: net/http only reads them, and a handler that sets one of
// these headers (static files set Cache-Control) replaces the slice.
var securityHeaders = http.Header{
	"X-Content-Type-Options":  {"nosniff"},
	"Referrer-Policy":         {"no-referrer"},
	"X-Frame-Options":         {"DENY"},
	"Cache-Control":           {"no-store"}, // pages hold personal data; handlers for static files override it
	"Content-Security-Policy": {"default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"},
}

// statusRecorder remembers the status written, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
