package webauth_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/webauth"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func mustAuth(tb testing.TB, cfg webauth.Config) *webauth.Authenticator {
	tb.Helper()
	a, err := webauth.New(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// serve runs one request from remote through the test routes.
func serve(a *webauth.Authenticator, remote, path string, header http.Header) (int, string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = remote
	req.Host = "127.0.0.1:8080"
	for k, v := range header {
		req.Header[k] = v
	}
	if h, ok := header["Host"]; ok {
		req.Host = h[0]
	}
	rec := httptest.NewRecorder()
	routes(a).ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

func TestProxyHeaders(t *testing.T) {
	t.Parallel()
	a := mustAuth(t, webauth.Config{
		Mode:       webauth.ModeProxy,
		Roles:      map[string]webauth.Role{"support": webauth.RoleReviewer, "admins": webauth.RoleAdmin},
		Proxy:      webauth.ProxyConfig{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")}},
		SessionKey: testKey,
	})
	h := http.Header{"X-Forwarded-Email": {"rev@example.com"}, "X-Forwarded-Groups": {"support, other"}}
	if code, body := serve(a, "10.0.0.7:5555", "/tickets", h); code != http.StatusOK || body != "hello rev@example.com (reviewer via proxy)" {
		t.Errorf("from the proxy: %d %s", code, body)
	}
	if code, _ := serve(a, "10.0.0.7:5555", "/governance", h); code != http.StatusForbidden {
		t.Errorf("reviewer on governance: %d, want 403", code)
	}
	// The same headers from elsewhere identify nobody.
	if code, body := serve(a, "192.0.2.50:5555", "/tickets", h); code != http.StatusUnauthorized || !strings.Contains(body, "not a trusted proxy") {
		t.Errorf("headers from an untrusted address: %d %s, want 401", code, body)
	}
	admin := http.Header{"X-Forwarded-Email": {"ops@example.com"}, "X-Forwarded-Groups": {"admins"}}
	if code, _ := serve(a, "[::ffff:10.0.0.8]:5555", "/governance", admin); code != http.StatusOK {
		t.Errorf("admin through the proxy (IPv4-mapped address): %d", code)
	}
	if code, body := serve(a, "10.0.0.7:5555", "/tickets", http.Header{"X-Forwarded-Email": {"x@example.com"}}); code != http.StatusForbidden || !strings.Contains(body, "none of their groups maps to a role") {
		t.Errorf("no groups: %d %s, want 403 saying no group maps to a role", code, body)
	}
	if code, body := serve(a, "10.0.0.7:5555", "/tickets", nil); code != http.StatusUnauthorized || !strings.Contains(body, "through the proxy") {
		t.Errorf("no identity: %d %s, want 401 telling to sign in through the proxy", code, body)
	}
}

// albToken makes an x-amzn-oidc-data JWT the way an Application Load
// Balancer does: ES256, signer and exp in the header, base64url with '='
// padding.
func albToken(tb testing.TB, key *ecdsa.PrivateKey, kid, signer string, exp time.Time, claims map[string]any) string {
	tb.Helper()
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.URLEncoding.EncodeToString(b) // padded, as ALB sends it
	}
	head := enc(map[string]any{"alg": "ES256", "kid": kid, "signer": signer, "iss": "https://idp.example.com", "client": "c", "exp": exp.Unix()})
	body := enc(claims)
	sum := sha256.Sum256([]byte(strings.TrimRight(head, "=") + "." + strings.TrimRight(body, "=")))
	r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		tb.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return head + "." + body + "." + base64.URLEncoding.EncodeToString(sig)
}

func TestALBToken(t *testing.T) {
	t.Parallel()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	const lb = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/ticketsum/abc"
	now := time.Now()
	a := mustAuth(t, webauth.Config{
		Mode:  webauth.ModeProxy,
		Roles: map[string]webauth.Role{"pm": webauth.RolePM},
		Proxy: webauth.ProxyConfig{Trusted: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")},
			ALBKeys: map[string]crypto.PublicKey{"kid-1": &key.PublicKey}, ALBSigner: lb},
		SessionKey: testKey,
		Clock:      &fakeClock{now: now},
	})
	claims := map[string]any{"sub": "s-1", "email": "pat@example.com", "groups": []string{"pm"}, "exp": now.Add(time.Minute).Unix()}
	good := albToken(t, key, "kid-1", lb, now.Add(time.Minute), claims)
	if code, body := serve(a, "10.1.2.3:1", "/tickets", http.Header{"X-Amzn-Oidc-Data": {good}}); code != http.StatusOK || body != "hello pat@example.com (pm via alb)" {
		t.Fatalf("a good token: %d %s", code, body)
	}
	// The plain proxy headers are not believed once the JWT is configured.
	if code, _ := serve(a, "10.1.2.3:1", "/tickets", http.Header{"X-Forwarded-Email": {"pat@example.com"}, "X-Forwarded-Groups": {"pm"}}); code != http.StatusUnauthorized {
		t.Errorf("plain headers with ALB keys configured: %d, want 401", code)
	}
	parts := strings.Split(good, ".")
	forged, _ := json.Marshal(map[string]any{"sub": "s-1", "email": "pat@example.com", "groups": []string{"pm", "admins"}})
	bad := map[string]string{
		"other key":     albToken(t, other, "kid-1", lb, now.Add(time.Minute), claims),
		"unknown kid":   albToken(t, key, "kid-2", lb, now.Add(time.Minute), claims),
		"other signer":  albToken(t, key, "kid-1", "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/evil/x", now.Add(time.Minute), claims),
		"expired":       albToken(t, key, "kid-1", lb, now.Add(-time.Second), claims),
		"edited claims": parts[0] + "." + base64.URLEncoding.EncodeToString(forged) + "." + parts[2],
		"garbage":       "not.a.jwt",
	}
	for name, tok := range bad {
		if code, _ := serve(a, "10.1.2.3:1", "/tickets", http.Header{"X-Amzn-Oidc-Data": {tok}}); code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, code)
		}
	}
	if code, _ := serve(a, "203.0.113.9:1", "/tickets", http.Header{"X-Amzn-Oidc-Data": {good}}); code != http.StatusUnauthorized {
		t.Errorf("a good token from outside the load balancer's subnet: %d, want 401", code)
	}
}

func TestLoopbackMode(t *testing.T) {
	t.Parallel()
	a := mustAuth(t, webauth.Config{})
	if code, body := serve(a, "127.0.0.1:4000", "/governance", nil); code != http.StatusOK || !strings.Contains(body, "(admin via loopback)") {
		t.Errorf("local request: %d %s", code, body)
	}
	if code, body := serve(a, "[::1]:4000", "/governance", nil); code != http.StatusOK {
		t.Errorf("local IPv6 request: %d %s", code, body)
	}
	if code, _ := serve(a, "10.9.9.9:4000", "/tickets", nil); code != http.StatusUnauthorized {
		t.Errorf("remote request in loopback mode: %d, want 401", code)
	}
	for _, host := range []string{"localhost:8080", "LOCALHOST", "127.0.0.1", "[::1]:8080", "ticketsum.localhost:8080", "localhost.:8080"} {
		if code, body := serve(a, "127.0.0.1:4000", "/tickets", http.Header{"Host": {host}}); code != http.StatusOK {
			t.Errorf("local request for host %s: %d %s", host, code, body)
		}
	}
}

// TestLoopbackModeRefusesRebinding: a web page on a name its owner points
// at 127.0.0.1 (DNS rebinding) reaches the server from this machine and
// is same-origin with it in the browser, so that its script could read
// every ticket and post actions. The Host header gives it away; the
// refusal names the rule and what to open instead.
func TestLoopbackModeRefusesRebinding(t *testing.T) {
	t.Parallel()
	a := mustAuth(t, webauth.Config{})
	for _, host := range []string{"evil.example:8080", "evil.example", "127.0.0.1.evil.example", "localhost.evil.example:8080", "10.0.0.1:8080", ""} {
		code, body := serve(a, "127.0.0.1:4000", "/tickets", http.Header{"Host": {host}, "Accept": {"application/json"}})
		if code != http.StatusForbidden || !strings.Contains(body, "rule: loopback host") || !strings.Contains(body, "open http://127.0.0.1:") ||
			!strings.Contains(body, "auth.mode") {
			t.Errorf("request for host %q from this machine: %d %s; want 403 naming the rule and the fix", host, code, body)
		}
	}
}

func TestBearerKeys(t *testing.T) {
	t.Parallel()
	a := mustAuth(t, webauth.Config{
		Mode: webauth.ModeProxy, Roles: map[string]webauth.Role{"x": webauth.RoleAdmin}, SessionKey: testKey,
		Proxy: webauth.ProxyConfig{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
		Bearer: func(ctx context.Context, tok string) (*webauth.User, error) {
			if tok != "tsk_good" {
				return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "unknown API key")
			}
			return &webauth.User{Subject: "team-billing", Role: webauth.RoleReviewer, Via: "bearer"}, nil
		},
	})
	if code, body := serve(a, "192.0.2.1:1", "/tickets", http.Header{"Authorization": {"Bearer tsk_good"}}); code != http.StatusOK || !strings.Contains(body, "team-billing (reviewer via bearer)") {
		t.Errorf("a good key: %d %s", code, body)
	}
	if code, _ := serve(a, "192.0.2.1:1", "/tickets", http.Header{"Authorization": {"Bearer tsk_bad"}}); code != http.StatusUnauthorized {
		t.Errorf("a bad key: %d, want 401", code)
	}
	// A key's caller posts without a CSRF token: there is no cookie to forge.
	req := httptest.NewRequest(http.MethodPost, "/rate", nil)
	req.Header.Set("Authorization", "Bearer tsk_good")
	rec := httptest.NewRecorder()
	routes(a).ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), `needs \"pm\"`) {
		t.Errorf("reviewer key on a pm route: %d %s", rec.Code, rec.Body)
	}
}

func TestNewRejectsUnsafeConfig(t *testing.T) {
	t.Parallel()
	roles := map[string]webauth.Role{"a": webauth.RoleAdmin}
	tests := []struct {
		name string
		cfg  webauth.Config
		want string
	}{
		{"unknown mode", webauth.Config{Mode: "basic"}, "auth.mode"},
		{"proxy trusting nobody", webauth.Config{Mode: webauth.ModeProxy, Roles: roles, SessionKey: testKey}, "auth.proxy.trusted"},
		{"short key", webauth.Config{Mode: webauth.ModeProxy, Roles: roles, SessionKey: []byte("short"),
			Proxy: webauth.ProxyConfig{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}, "session key"},
		{"no roles", webauth.Config{Mode: webauth.ModeProxy, SessionKey: testKey,
			Proxy: webauth.ProxyConfig{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}, "auth.roles is empty"},
		{"bad role", webauth.Config{Mode: webauth.ModeProxy, Roles: map[string]webauth.Role{"a": "root"}, SessionKey: testKey,
			Proxy: webauth.ProxyConfig{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}, `unknown role "root"`},
		{"oidc without issuer", webauth.Config{Mode: webauth.ModeOIDC, Roles: roles, SessionKey: testKey}, "auth.oidc.issuer"},
		{"oidc plain http callback", webauth.Config{Mode: webauth.ModeOIDC, Roles: roles, SessionKey: testKey,
			OIDC: webauth.OIDCConfig{Issuer: "https://idp", ClientID: "c", RedirectURL: "http://ticketsum.example.com/auth/callback"}}, "https"},
		{"alb without signer", webauth.Config{Mode: webauth.ModeProxy, Roles: roles, SessionKey: testKey,
			Proxy: webauth.ProxyConfig{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, ALBKeys: map[string]crypto.PublicKey{"k": nil}}}, "alb_signer"},
	}
	for _, tt := range tests {
		_, err := webauth.New(context.Background(), tt.cfg)
		if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an invalid error about %q", tt.name, err, tt.want)
		}
	}
	// An unreachable provider is unavailable, not invalid.
	_, err := webauth.New(context.Background(), webauth.Config{Mode: webauth.ModeOIDC, Roles: roles, SessionKey: testKey,
		OIDC: webauth.OIDCConfig{Issuer: "https://127.0.0.1:1", ClientID: "c", RedirectURL: "https://t.example.com/auth/callback"}})
	if ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE {
		t.Errorf("unreachable issuer: %v, want unavailable", err)
	}
}

func TestRoleIncludes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		have, need webauth.Role
		want       bool
	}{
		{webauth.RoleAdmin, webauth.RolePM, true}, {webauth.RolePM, webauth.RoleReviewer, true},
		{webauth.RoleReviewer, webauth.RolePM, false}, {webauth.RolePM, webauth.RoleAdmin, false},
		{"", webauth.RoleReviewer, false}, {webauth.RoleAdmin, "root", false},
	} {
		if got := tt.have.Includes(tt.need); got != tt.want {
			t.Errorf("%q includes %q = %v, want %v", tt.have, tt.need, got, tt.want)
		}
	}
}
