package webauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"

	"github.com/ticketsum/ticketsum/webauth"
)

// fakeProvider is an OpenID Connect provider for tests: discovery and keys
// from go-oidc's oidctest, plus an authorization endpoint that signs in
// whoever the test says and a token endpoint that checks the code and the
// PKCE verifier.
type fakeProvider struct {
	*httptest.Server
	key  *rsa.PrivateKey
	disc *oidctest.Server

	mu       sync.Mutex
	next     map[string]any         // claims of the next sign-in
	codes    map[string]pendingCode // issued codes
	badNonce bool                   // sign the ID token with another nonce
	exchange int                    // token requests served
}

type pendingCode struct {
	claims    map[string]any
	nonce     string
	challenge string
	redirect  string
}

func mustProvider(tb testing.TB) *fakeProvider {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	p := &fakeProvider{key: key, codes: map[string]pendingCode{},
		disc: &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: oidc.RS256}}}}
	p.Server = httptest.NewTLSServer(p)
	tb.Cleanup(p.Close)
	p.disc.SetIssuer(p.URL)
	return p
}

// signIn sets who the next sign-in is.
func (p *fakeProvider) signIn(claims map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next = claims
}

func (p *fakeProvider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/auth":
		p.authorize(w, r)
	case "/token":
		p.token(w, r)
	default:
		p.disc.ServeHTTP(w, r)
	}
}

func (p *fakeProvider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "want the code flow with PKCE S256", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	code := rand.Text()
	p.codes[code] = pendingCode{claims: p.next, nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
	p.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *fakeProvider) token(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.exchange++
	pc, ok := p.codes[r.PostFormValue("code")]
	delete(p.codes, r.PostFormValue("code"))
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != pc.challenge || r.PostFormValue("redirect_uri") != pc.redirect {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":"invalid_grant"}`)
		return
	}
	claims := map[string]any{"iss": p.URL, "aud": "ticketsum", "exp": time.Now().Add(time.Hour).Unix(),
		"iat": time.Now().Unix(), "nonce": pc.nonce}
	if p.badNonce {
		claims["nonce"] = "someone-else"
	}
	for k, v := range pc.claims {
		claims[k] = v
	}
	idToken := oidctest.SignIDToken(p.key, "k1", oidc.RS256, mustJSON(claims))
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token":"at","token_type":"Bearer","expires_in":3600,"id_token":%q}`, idToken)
}

// site is ticketsum's side in a test: an authenticator in front of a few
// routes guarded by role, served over TLS.
type site struct {
	*httptest.Server
	auth   *webauth.Authenticator
	client *http.Client
}

// mustOIDCSite starts a site signing in with provider p.
func mustOIDCSite(tb testing.TB, p *fakeProvider, clock *fakeClock) *site {
	tb.Helper()
	s := &site{Server: httptest.NewUnstartedServer(nil)}
	s.StartTLS()
	tb.Cleanup(s.Close)
	cfg := webauth.Config{
		Mode:       webauth.ModeOIDC,
		Roles:      map[string]webauth.Role{"support": webauth.RoleReviewer, "product": webauth.RolePM, "ticketsum-admins": webauth.RoleAdmin},
		OIDC:       webauth.OIDCConfig{Issuer: p.URL, ClientID: "ticketsum", ClientSecret: "s3cret", RedirectURL: s.URL + webauth.CallbackPath},
		SessionKey: []byte("0123456789abcdef0123456789abcdef"),
		HTTPClient: p.Client(),
		Sessions:   &memSessions{open: map[string]bool{}},
	}
	if clock != nil {
		cfg.Clock = clock
	}
	a, err := webauth.New(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	s.auth = a
	s.Config.Handler = routes(a)
	jar, _ := cookiejar.New(nil)
	s.client = &http.Client{Jar: jar, Transport: p.Client().Transport} // both servers use httptest's certificate
	return s
}

// routes are the guarded handlers of a test site.
func routes(a *webauth.Authenticator) http.Handler {
	mux := http.NewServeMux()
	for pattern, h := range a.Routes() {
		mux.Handle(pattern, h)
	}
	hello := func(w http.ResponseWriter, r *http.Request) {
		u := webauth.UserFrom(r.Context())
		fmt.Fprintf(w, "hello %s (%s via %s)", u.Actor(), u.Role, u.Via)
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "home") })
	mux.Handle("GET /tickets", a.Require(webauth.RoleReviewer, http.HandlerFunc(hello)))
	mux.Handle("GET /governance", a.Require(webauth.RoleAdmin, http.HandlerFunc(hello)))
	mux.Handle("GET /form", a.Require(webauth.RoleReviewer, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, a.Token(w, r))
	})))
	mux.Handle("POST /rate", a.Require(webauth.RolePM, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.CheckCSRF(r); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		fmt.Fprint(w, "rated")
	})))
	return a.Identify(mux)
}

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func mustJSON(v map[string]any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// memSessions is Config.Sessions in memory.
type memSessions struct {
	mu   sync.Mutex
	open map[string]bool
}

func (m *memSessions) StartSession(_ context.Context, id, _ string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.open[id] = true
	return nil
}

func (m *memSessions) SessionOpen(_ context.Context, id string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.open[id], nil
}

func (m *memSessions) EndSession(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.open, id)
	return nil
}
