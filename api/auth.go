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
// request id.
type caller struct {
	Principal *access.Principal
	Key       *access.Key
	RequestID string
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

// withKey authenticates the request's API key, checks that the key has
// scope, caps the key's requests in flight, bounds the time the body may
// take to arrive (Config.BodyReadTimeout) and the answer to be written
// (Config.WriteTimeout), limits the body to maxBody bytes and passes the
// caller on, or answers in the route's error shape.
func (h *Handler) withKey(shape errorShape, scope string, maxBody int64, next func(http.ResponseWriter, *http.Request, *caller)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &caller{RequestID: requestID(r)}
		w.Header().Set("X-Request-Id", c.RequestID)
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
			h.fail(w, r, shape, c, ticketsum.Errorf(ticketsum.EINVALID, "request body is %d bytes, above the limit of %d bytes for %s", r.ContentLength, maxBody, r.URL.Path))
			return
		}
		now := time.Now()
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(now.Add(h.cfg.BodyReadTimeout)) // not supported by test recorders: ignored
		rc.SetWriteDeadline(now.Add(h.cfg.WriteTimeout))
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)), c)
	})
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
