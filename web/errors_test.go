package web_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/web"
)

func TestHTTPStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code ticketsum.ErrorCode
		want int
	}{
		{ticketsum.EINVALID, 400},
		{ticketsum.EUNAUTHORIZED, 401},
		{ticketsum.EFORBIDDEN, 403},
		{ticketsum.ENOTFOUND, 404},
		{ticketsum.ECONFLICT, 409},
		{ticketsum.ETHROTTLED, 429},
		{ticketsum.EQUOTA, 429},
		{ticketsum.EUNAVAILABLE, 503},
		{ticketsum.EINTERNAL, 500},
		{"something_new", 500},
		{"", 500},
	}
	for _, tt := range tests {
		if got := web.HTTPStatus(tt.code); got != tt.want {
			t.Errorf("HTTPStatus(%q) = %d, want %d", tt.code, got, tt.want)
		}
	}
}

// TestStoreErrorsOnEveryRoute checks that a store failure reaches the user
// with the right status and body on API and HTML routes, and that uncoded
// errors are hidden and logged.
func TestStoreErrorsOnEveryRoute(t *testing.T) {
	t.Parallel()
	secret := "dial tcp 10.0.0.7:5432: password=hunter2"
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
		wantMsg    string
		wantLogged bool
	}{
		{"invalid", ticketsum.Errorf(ticketsum.EINVALID, "bad filter"), 400, "invalid", "bad filter", false},
		{"unauthorized", ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "no key"), 401, "unauthorized", "no key", false},
		{"forbidden", ticketsum.Errorf(ticketsum.EFORBIDDEN, "not yours"), 403, "forbidden", "not yours", false},
		{"not found", ticketsum.Errorf(ticketsum.ENOTFOUND, "no such ticket"), 404, "not_found", "no such ticket", false},
		{"conflict", ticketsum.Errorf(ticketsum.ECONFLICT, "changed meanwhile"), 409, "conflict", "changed meanwhile", false},
		{"throttled", ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down"), 429, "throttled", "slow down", false},
		{"quota", ticketsum.Errorf(ticketsum.EQUOTA, "budget spent"), 429, "quota_exceeded", "budget spent", false},
		{"unavailable", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "database down: %w", errors.New(secret)), 503, "unavailable", "database down", true},
		{"coded internal", ticketsum.Errorf(ticketsum.EINTERNAL, "bug: %w", errors.New(secret)), 500, "internal", "internal error", true},
		{"uncoded", fmt.Errorf("query: %w", errors.New(secret)), 500, "internal", "internal error", true},
		{"coded cause of a coded error", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "list tickets: %w", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "database down: %w", errors.New(secret))), 503, "unavailable", "list tickets: database down", true},
		{"error formatted with %v", ticketsum.Errorf(ticketsum.EINVALID, "bad filter: %v", errors.New(secret)), 400, "invalid", "bad filter", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, logs := MustServer(t, errStore{tt.err}, nil)
			for _, path := range []string{"/api/tickets", "/api/tickets/T-1"} {
				rec := get(t, s.Handler(), path)
				if rec.Code != tt.wantStatus {
					t.Errorf("%s: status %d, want %d", path, rec.Code, tt.wantStatus)
				}
				body := decodeJSON(t, rec)
				e, _ := body["error"].(map[string]any)
				if e["code"] != tt.wantCode || !strings.HasPrefix(e["message"].(string), tt.wantMsg) {
					t.Errorf("%s: error = %v, want code %s message %q", path, e, tt.wantCode, tt.wantMsg)
				}
				ref, _ := e["reference"].(string)
				if len(body) != 1 || len(e) != 2 && (len(e) != 3 || ref == "") {
					t.Errorf("%s: body %s has extra fields", path, rec.Body)
				}
				if ref != "" && !strings.Contains(logs.String(), ref) {
					t.Errorf("%s: reference %s is not in the log:\n%s", path, ref, logs)
				}
				if (ref != "") != tt.wantLogged {
					t.Errorf("%s: reference %q, want one = %v", path, ref, tt.wantLogged)
				}
				if strings.Contains(rec.Body.String(), "hunter2") {
					t.Errorf("%s: body leaks the cause: %s", path, rec.Body)
				}
			}
			for _, path := range []string{"/", "/tickets/T-1"} {
				rec := get(t, s.Handler(), path)
				if rec.Code != tt.wantStatus {
					t.Errorf("%s: status %d, want %d", path, rec.Code, tt.wantStatus)
				}
				if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Errorf("%s: Content-Type %q, want HTML", path, ct)
				}
				if !strings.Contains(rec.Body.String(), tt.wantMsg) || strings.Contains(rec.Body.String(), "hunter2") {
					t.Errorf("%s: page does not show %q or leaks the cause:\n%s", path, tt.wantMsg, rec.Body)
				}
			}
			if logged := strings.Contains(logs.String(), "hunter2"); logged != tt.wantLogged {
				t.Errorf("cause logged = %v, want %v; logs:\n%s", logged, tt.wantLogged, logs)
			}
		})
	}
}

func TestNotFoundRoutes(t *testing.T) {
	t.Parallel()
	s, _ := MustServer(t, newMemStore(), nil)
	tests := []struct {
		path     string
		wantJSON bool
	}{
		{"/nope", false},
		{"/tickets/missing", false},
		{"/api/nope", true},
		{"/api/tickets/missing", true},
	}
	for _, tt := range tests {
		rec := get(t, s.Handler(), tt.path)
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", tt.path, rec.Code)
		}
		isJSON := strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json")
		if isJSON != tt.wantJSON {
			t.Errorf("%s: JSON = %v, want %v", tt.path, isJSON, tt.wantJSON)
		}
		if !strings.Contains(rec.Body.String(), "not_found") {
			t.Errorf("%s: body lacks the error code: %s", tt.path, rec.Body)
		}
	}
}
