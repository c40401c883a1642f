package webauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Paths of the sign-in routes.
const (
	LoginPath    = "/auth/login"
	CallbackPath = "/auth/callback"
	LogoutPath   = "/auth/logout"
)

// Cookie names.
const (
	sessionCookie = "ticketsum_session"
	csrfCookie    = "ticketsum_csrf"
	loginCookie   = "ticketsum_login"
)

// CSRFField is the form field (and CSRFHeader the header) that carries the
// CSRF token of a state-changing request.
const (
	CSRFField  = "csrf"
	CSRFHeader = "X-CSRF-Token"
)

// Authenticator identifies requests and guards handlers. Its methods are
// safe for concurrent use.
type Authenticator struct {
	cfg  Config
	seal *sealer
	oidc *oidcLogin // ModeOIDC only
	open openSessions
}

// New returns an Authenticator, or EINVALID for a bad configuration. In
// ModeOIDC it reads the provider's discovery document, so it returns
// EUNAVAILABLE when the provider cannot be reached.
func New(ctx context.Context, cfg Config) (*Authenticator, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	if cfg.Mode == ModeLoopback && len(cfg.SessionKey) == 0 {
		cfg.SessionKey = make([]byte, 32)
		rand.Read(cfg.SessionKey)
	}
	s, err := newSealer(cfg.SessionKey)
	if err != nil {
		return nil, err
	}
	a := &Authenticator{cfg: cfg, seal: s}
	if cfg.Mode == ModeOIDC {
		if a.oidc, err = newOIDCLogin(ctx, a); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Mode returns the authenticator's mode.
func (a *Authenticator) Mode() Mode { return a.cfg.Mode }

// Routes returns the sign-in routes to mount beside the UI: in ModeOIDC
// login, callback and logout; in the other modes none.
func (a *Authenticator) Routes() map[string]http.Handler {
	if a.oidc == nil {
		return map[string]http.Handler{}
	}
	return map[string]http.Handler{
		"GET " + LoginPath:    http.HandlerFunc(a.oidc.login),
		"GET " + CallbackPath: http.HandlerFunc(a.oidc.callback),
		"POST " + LogoutPath:  http.HandlerFunc(a.logout),
	}
}

// Identify returns next with the request's user, if any, in its context
// (see UserFrom). It never refuses a request: Require does.
func (a *Authenticator) Identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := a.identify(r)
		if err != nil {
			a.cfg.Logger.InfoContext(r.Context(), "request not identified", "path", r.URL.Path,
				"code", string(ticketsum.ErrorCodeOf(err)), "reason", ticketsum.ErrorMessage(err))
		}
		switch {
		case u != nil:
			r = r.WithContext(WithUser(r.Context(), u))
		case err != nil:
			r = r.WithContext(context.WithValue(r.Context(), refusalKey{}, err))
		}
		next.ServeHTTP(w, r)
	})
}

// refusalKey carries why the credentials a request carried were refused.
type refusalKey struct{}

// identify returns the request's user, nil for an anonymous request, and
// an error that says why credentials the request carried were refused.
func (a *Authenticator) identify(r *http.Request) (*User, error) {
	if tok, ok := bearer(r); ok {
		if a.cfg.Bearer == nil {
			return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "bearer tokens are not accepted here")
		}
		return a.cfg.Bearer(r.Context(), tok)
	}
	switch a.cfg.Mode {
	case ModeLoopback:
		if !fromLoopback(r) {
			return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the loopback mode serves only this machine")
		}
		if host := requestHost(r); !LoopbackName(host) {
			// A web page whose name its owner points at 127.0.0.1 (DNS
			// rebinding) is same-origin with this server in the browser
			// that opens it: only the Host header tells it apart.
			return nil, ticketsum.Errorf(ticketsum.EFORBIDDEN,
				"the loopback mode answers only requests for this machine's own names (localhost, 127.0.0.1, [::1]), and this one was for %q, as a web page that points its name at this machine would send (rule: loopback host, against DNS rebinding): open http://127.0.0.1:%s/ instead, or set auth.mode to oidc or proxy to serve other names (docs/governance.md, \"Who may use the web UI\")",
				truncate(host, 80), localPort(r))
		}
		return &User{Subject: "local", Name: "local operator", Role: RoleAdmin, Via: "loopback"}, nil
	case ModeProxy:
		return a.fromProxy(r)
	default:
		return a.session(r)
	}
}

// bearer returns the request's bearer token.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// fromLoopback reports whether the request came from this machine.
func fromLoopback(r *http.Request) bool {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// requestHost returns the host name the request was sent to (its Host
// header without the port).
func requestHost(r *http.Request) string {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.TrimSuffix(strings.Trim(host, "[]"), ".")
}

// localPort returns the port the request reached on this machine.
func localPort(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(a.String()); err == nil {
			return port
		}
	}
	return "PORT"
}

// session is what a session cookie holds.
type session struct {
	User    User      `json:"user"`
	Secret  string    `json:"csrf"` // binds CSRF tokens to this session
	Expires time.Time `json:"exp"`
	// ID names the session in Config.Sessions, when set.
	ID string `json:"sid,omitempty"`
}

// session returns the user of a valid session cookie.
func (a *Authenticator) session(r *http.Request) (*User, error) {
	s, err := a.cookieSession(r)
	if s == nil || err != nil {
		return nil, err
	}
	if !a.cfg.Clock.Now().Before(s.Expires) {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the session has expired: sign in again")
	}
	if err := a.checkOpen(r.Context(), s.ID); err != nil {
		return nil, err
	}
	return &s.User, nil
}

// cookieSession returns the request's session cookie, opened; nil when
// there is none.
func (a *Authenticator) cookieSession(r *http.Request) (*session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, nil
	}
	var s session
	if err := a.seal.open(sessionCookie, c.Value, &s); err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the session cookie is not valid: sign in again")
	}
	return &s, nil
}

// checkOpen returns nil when Config.Sessions is not set or says session id
// is open, asking it at most once per SessionRecheck.
func (a *Authenticator) checkOpen(ctx context.Context, id string) error {
	if a.cfg.Sessions == nil {
		return nil
	}
	if id == "" {
		return ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the session started before sessions were recorded: sign in again")
	}
	now := a.cfg.Clock.Now()
	if a.open.fresh(id, now, a.cfg.SessionRecheck) {
		return nil
	}
	ok, err := a.cfg.Sessions.SessionOpen(ctx, id)
	if err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "the session cannot be checked now: try again in a moment: %w", err)
	}
	if !ok {
		return ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "this session was signed out: sign in again")
	}
	a.open.mark(id, now)
	return nil
}

// startSession sets the session cookie for u, recording the session in
// Config.Sessions when set.
func (a *Authenticator) startSession(ctx context.Context, w http.ResponseWriter, u *User) error {
	s := session{User: *u, Secret: randomText(16), Expires: a.cfg.Clock.Now().Add(a.cfg.SessionTTL)}
	if a.cfg.Sessions != nil {
		s.ID = randomText(18)
		if err := a.cfg.Sessions.StartSession(ctx, s.ID, u.Actor(), s.Expires); err != nil {
			return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "the session cannot be recorded now: sign in again in a moment: %w", err)
		}
	}
	v, err := a.seal.seal(sessionCookie, s)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: v, Path: "/", MaxAge: int(a.cfg.SessionTTL.Seconds()),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	return nil
}

// logout ends the session: its record in Config.Sessions, so that no copy
// of the cookie works after, and the browser's cookie.
func (a *Authenticator) logout(w http.ResponseWriter, r *http.Request) {
	if err := a.CheckCSRF(r); err != nil {
		writeError(w, r, err)
		return
	}
	if s, _ := a.cookieSession(r); s != nil && s.ID != "" && a.cfg.Sessions != nil {
		a.open.forget(s.ID)
		if err := a.cfg.Sessions.EndSession(r.Context(), s.ID); err != nil {
			writeError(w, r, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "the session could not be ended now: sign out again in a moment: %w", err))
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// Require returns next guarded by role: an anonymous request is sent to
// sign in (a page) or refused with 401 (the JSON API), a user without the
// role is refused with 403 naming it.
func (a *Authenticator) Require(role Role, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := UserFrom(r.Context())
		refusal, _ := r.Context().Value(refusalKey{}).(error)
		switch {
		case u == nil && a.oidc != nil && wantsPage(r) && ticketsum.ErrorCodeOf(refusal) != ticketsum.EFORBIDDEN:
			http.Redirect(w, r, LoginPath+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		case u == nil && refusal != nil && ticketsum.ErrorCodeOf(refusal) != ticketsum.EINTERNAL:
			writeError(w, r, refusal)
		case u == nil:
			writeError(w, r, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "%s", a.signInHint()))
		case !u.Can(role) && u.Via == "bearer":
			writeError(w, r, ticketsum.Errorf(ticketsum.EFORBIDDEN,
				"the API key of principal %s has the role %q on the web UI's routes; this needs %q (summarize and read keys are for /v1/): create one with `ticketsum keys create --principal %s --scope admin`",
				u.Subject, orNone(u.Role), role, u.Subject))
		case !u.Can(role):
			writeError(w, r, ticketsum.Errorf(ticketsum.EFORBIDDEN,
				"%s has the role %q; this needs %q: an administrator maps one of your groups to %s in the config's auth.roles",
				u.Actor(), orNone(u.Role), role, role))
		default:
			next.ServeHTTP(w, r)
		}
	})
}

func (a *Authenticator) signInHint() string {
	switch a.cfg.Mode {
	case ModeOIDC:
		return "sign in first (" + LoginPath + "), or send an API key as a bearer token"
	case ModeProxy:
		return "sign in through the proxy in front of ticketsum, or send an API key as a bearer token"
	}
	return "this address serves only this machine; send an API key as a bearer token"
}

func orNone(r Role) string {
	if r == "" {
		return "none"
	}
	return string(r)
}

// wantsPage reports whether the request is a browser asking for a page.
func wantsPage(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/html")
}

// Token returns the CSRF token for forms of the request's user: bound to
// their session (or, without a session cookie, to a per-browser cookie that
// Token sets) and to who they are. It returns "" for an anonymous request.
func (a *Authenticator) Token(w http.ResponseWriter, r *http.Request) string {
	u := UserFrom(r.Context())
	if u == nil || u.Via == "bearer" {
		return ""
	}
	secret, ok := a.csrfSecret(r)
	if !ok {
		secret = randomText(16)
		http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: secret, Path: "/", HttpOnly: true,
			Secure: a.cfg.Mode != ModeLoopback, SameSite: http.SameSiteStrictMode})
	}
	return a.seal.token(secret, u.Actor())
}

// csrfSecret returns the secret CSRF tokens of this request are bound to.
func (a *Authenticator) csrfSecret(r *http.Request) (string, bool) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		var s session
		if a.seal.open(sessionCookie, c.Value, &s) == nil {
			return s.Secret, true
		}
	}
	if c, err := r.Cookie(csrfCookie); err == nil && c.Value != "" {
		return c.Value, true
	}
	return "", false
}

// CheckCSRF verifies the CSRF token of a state-changing request (form field
// CSRFField or header CSRFHeader). Requests identified by a bearer token
// carry no cookie to forge and pass. It returns EFORBIDDEN otherwise.
func (a *Authenticator) CheckCSRF(r *http.Request) error {
	u := UserFrom(r.Context())
	if u != nil && u.Via == "bearer" {
		return nil
	}
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		got = r.PostFormValue(CSRFField)
	}
	secret, ok := a.csrfSecret(r)
	if u == nil || !ok || got == "" ||
		subtle.ConstantTimeCompare([]byte(got), []byte(a.seal.token(secret, u.Actor()))) != 1 {
		return ticketsum.Errorf(ticketsum.EFORBIDDEN, "the form's security token is missing or stale: reload the page and try again")
	}
	return nil
}

// writeError answers with err: a short page for a browser, the API's JSON
// error body otherwise.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := ticketsum.ErrorCodeOf(err)
	status := http.StatusForbidden
	switch code {
	case ticketsum.EUNAUTHORIZED:
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Bearer realm="ticketsum"`)
	case ticketsum.EUNAVAILABLE:
		status = http.StatusServiceUnavailable
	}
	msg := ticketsum.ClientMessage(err)
	if wantsPage(r) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintln(w, msg)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": string(code), "message": msg}})
}
