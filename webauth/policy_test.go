package webauth_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/webauth"
)

var testPolicy = webauth.Policy{
	{Path: "/v1/", Role: webauth.Open},
	{Path: "/healthz", Role: webauth.Open},
	{Path: "/governance", Role: webauth.RoleAdmin},
	{Methods: []string{http.MethodPost}, Path: "/api/tickets/*/retry", Role: webauth.RolePM},
	{Methods: []string{http.MethodGet}, Path: "/", Role: webauth.RoleReviewer},
}

func TestPolicyNeed(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		method, path string
		want         webauth.Role
		ok           bool
	}{
		{"POST", "/v1/summaries", webauth.Open, true},
		{"GET", "/v1", webauth.RoleReviewer, true}, // "/v1/" is a prefix: "/v1" is not under it
		{"GET", "/healthz", webauth.Open, true},
		{"GET", "/healthzz", webauth.RoleReviewer, true},
		{"GET", "/governance", webauth.RoleAdmin, true},
		{"GET", "/governance/x", webauth.RoleReviewer, true}, // exact path only
		{"POST", "/api/tickets/T-1/retry", webauth.RolePM, true},
		{"POST", "/api/tickets/T-1/retry/x", "", false},
		{"POST", "/api/tickets/T-1", "", false}, // no rule for other POSTs: denied
		{"GET", "/", webauth.RoleReviewer, true},
		{"GET", "/tickets/T-1", webauth.RoleReviewer, true},
	} {
		r := httptest.NewRequest(c.method, c.path, nil)
		got, ok := testPolicy.Need(r)
		if got != c.want || ok != c.ok {
			t.Errorf("%s %s: %q %v, want %q %v", c.method, c.path, got, ok, c.want, c.ok)
		}
	}
}

func TestGuard(t *testing.T) {
	t.Parallel()
	keys := map[string]*webauth.User{
		"admin-key": {Subject: "ops", Role: webauth.RoleAdmin, Via: "bearer"},
		"sum-key":   {Subject: "team-a", Via: "bearer"},
	}
	var bearerCalls int
	a := mustAuth(t, webauth.Config{
		Mode:       webauth.ModeProxy,
		Roles:      map[string]webauth.Role{"support": webauth.RoleReviewer, "leads": webauth.RolePM},
		Proxy:      webauth.ProxyConfig{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")}},
		SessionKey: testKey,
		Bearer: func(_ context.Context, tok string) (*webauth.User, error) {
			bearerCalls++
			if u, ok := keys[tok]; ok {
				return u, nil
			}
			return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "unknown API key")
		},
	})
	h := a.Guard(testPolicy, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who := "anonymous"
		if u := webauth.UserFrom(r.Context()); u != nil {
			who = u.Actor()
		}
		io.WriteString(w, "ok "+who)
	}))
	do := func(method, path string, hdr http.Header) (int, string) {
		req := httptest.NewRequest(method, path, nil)
		req.RemoteAddr = "10.0.0.9:4000"
		req.Header = hdr
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	reviewer := http.Header{"X-Forwarded-Email": {"rev@example.com"}, "X-Forwarded-Groups": {"support"}}
	pm := http.Header{"X-Forwarded-Email": {"pm@example.com"}, "X-Forwarded-Groups": {"leads"}}
	for _, c := range []struct {
		name, method, path string
		hdr                http.Header
		code               int
		body               string
	}{
		{"open route skips identification", "POST", "/v1/summaries", http.Header{"Authorization": {"Bearer whatever"}}, 200, "ok anonymous"},
		{"anonymous refused", "GET", "/tickets/T-1", http.Header{}, 401, "sign in through the proxy"},
		{"reviewer reads", "GET", "/tickets/T-1", reviewer, 200, "ok rev@example.com"},
		{"reviewer may not retry", "POST", "/api/tickets/T-1/retry", reviewer, 403, `needs \"pm\"`},
		{"pm retries", "POST", "/api/tickets/T-1/retry", pm, 200, "ok pm@example.com"},
		{"pm not admin", "GET", "/governance", pm, 403, "auth.roles"},
		{"admin key", "GET", "/governance", http.Header{"Authorization": {"Bearer admin-key"}}, 200, "ok ops"},
		{"summarize key names the fix", "GET", "/governance", http.Header{"Authorization": {"Bearer sum-key"}}, 403, "keys create --principal team-a --scope admin"},
		{"bad key", "GET", "/", http.Header{"Authorization": {"Bearer nope"}}, 401, "unknown API key"},
		{"no rule", "DELETE", "/tickets/T-1", reviewer, 403, "no access rule covers DELETE /tickets/T-1"},
	} {
		code, body := do(c.method, c.path, c.hdr)
		if code != c.code || !strings.Contains(body, c.body) {
			t.Errorf("%s: %d %q, want %d containing %q", c.name, code, body, c.code, c.body)
		}
	}
	if bearerCalls != 3 {
		t.Errorf("bearer checked %d times, want 3 (never on the open /v1/ route)", bearerCalls)
	}
}
