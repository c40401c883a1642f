package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
)

// caller is the authenticated principal of a request, its key and its
// request id. It is also the context the request is served in (the
// request's own, which it embeds, with itself as the value of callerKey),
// so that one allocation carries both; and it holds the value slices of
// the headers withKey and serveChat set, which net/http only reads.
type caller struct {
	context.Context
	Principal *access.Principal
	Key       *access.Key
	RequestID string

	idHeader   [1]string // X-Request-Id
	costHeader [1]string // X-Ticketsum-Cost-Usd
}

// Value returns the caller for callerKey and otherwise the request
// context's value.
func (c *caller) Value(key any) any {
	if key == (callerKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// meta returns the CallMeta of a model call made for the caller.
func (c *caller) meta(useCase string) ticketsum.CallMeta {
	return ticketsum.CallMeta{RequestID: c.RequestID, Principal: c.Principal.Name, UseCase: useCase}
}

type callerKey struct{}

// PrincipalFrom returns the principal the API authenticated for the request
// whose context is ctx, or nil outside an authenticated route.
func PrincipalFrom(ctx context.Context) *access.Principal {
	if c, ok := ctx.Value(callerKey{}).(*caller); ok {
		return c.Principal
	}
	return nil
}

// RequestIDFrom returns the request id of an authenticated request, or "".
func RequestIDFrom(ctx context.Context) string {
	if c, ok := ctx.Value(callerKey{}).(*caller); ok {
		return c.RequestID
	}
	return ""
}

// bodyLimit is a route's limit on its request body: bytes (0 for a route
// that reads none) and, when set, what raises it (Config.BodyLimitHint).
type bodyLimit struct {
	bytes int64
	hint  string
}

// suffix is the hint as the end of an error's sentence, or "".
func (l bodyLimit) suffix() string {
	if l.hint == "" {
		return ""
	}
	return ": " + l.hint
}

// withKey authenticates the request's API key, checks that the key has
// scope, caps the key's requests in flight, bounds the time the body may
// take to arrive (Config.BodyReadTimeout) and the answer to be written
// (Config.WriteTimeout), limits the body to limit.bytes and passes the
// caller on, or answers in the route's error shape.
func (h *Handler) withKey(shape errorShape, scope string, limit bodyLimit, next func(http.ResponseWriter, *http.Request, *caller)) http.Handler {
	maxBody := limit.bytes
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &caller{Context: r.Context(), RequestID: requestID(r)}
		c.idHeader[0] = c.RequestID
		w.Header()["X-Request-Id"] = c.idHeader[:]
		raw, err := apiKey(r)
		if err == nil {
			c.Principal, c.Key, err = h.cfg.Access.AuthenticateKey(r.Context(), raw)
		}
		if err == nil {
			err = c.Key.RequireScope(scope)
		}
		if err != nil {
			h.fail(w, r, shape, c, err)
			return
		}
		if err := h.inflight.acquire(c, h.cfg.MaxConcurrentPerKey); err != nil {
			h.fail(w, r, shape, c, err)
			return
		}
		defer h.inflight.release(c, h.cfg.MaxConcurrentPerKey)
		if r.ContentLength > maxBody {
			h.fail(w, r, shape, c, ticketsum.Errorf(ticketsum.EINVALID, "request body is %d bytes, above the limit of %d bytes for %s%s", r.ContentLength, maxBody, r.URL.Path, limit.suffix()))
			return
		}
		now := time.Now()
		setDeadlines(w, now.Add(h.cfg.BodyReadTimeout), now.Add(h.cfg.WriteTimeout))
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next(w, r.WithContext(c), c)
	})
}

// deadliner is the connection deadlines of net/http's ResponseWriter.
type deadliner interface {
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// setDeadlines sets the read and write deadlines of w's connection, as
// http.ResponseController does (unwrapping wrappers) without allocating
// the controller; a writer with no connection (a test recorder) is left
// alone.
func setDeadlines(w http.ResponseWriter, read, write time.Time) {
	for {
		switch t := w.(type) {
		case deadliner:
			t.SetReadDeadline(read)
			t.SetWriteDeadline(write)
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = t.Unwrap()
		default:
			return
		}
	}
}

// apiKey returns the key of "Authorization: Bearer <key>" or, without that
// header, of "x-api-key: <key>". A missing key is returned as "", which
// Authenticate reports.
func apiKey(r *http.Request) (string, error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, key, ok := strings.Cut(strings.TrimSpace(auth), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return "", ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "Authorization header must be \"Bearer tks_...\"")
		}
		return strings.TrimSpace(key), nil
	}
	return strings.TrimSpace(r.Header.Get("X-Api-Key")), nil
}

// requestID returns the caller's X-Request-Id when it is 1-128 characters
// of letters, digits and "-_.:", and a fresh "req-<16 hex>" otherwise.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 128 && strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") == "" {
		return id
	}
	var b [8]byte
	rand.Read(b[:])
	id := [4 + 2*len(b)]byte{'r', 'e', 'q', '-'}
	hex.Encode(id[4:], b[:])
	return string(id[:]) // one allocation, not two
}

// logDenial logs a refused or failed request: who, what and why, never the
// key or any request text.
func (h *Handler) logDenial(r *http.Request, c *caller, err error) {
	attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.String("code", string(ticketsum.ErrorCodeOf(err)))}
	if c != nil {
		attrs = append(attrs, slog.String("request_id", c.RequestID))
		if c.Principal != nil {
			attrs = append(attrs, slog.String("principal", c.Principal.Name))
		}
	}
	h.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "api request refused", attrs...)
}
