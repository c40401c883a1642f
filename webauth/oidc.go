package webauth

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/ticketsum/ticketsum"
)

// oidcLogin is the authorization code flow with PKCE.
type oidcLogin struct {
	a        *Authenticator
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func newOIDCLogin(ctx context.Context, a *Authenticator) (*oidcLogin, error) {
	c := a.cfg.OIDC
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, a.cfg.HTTPClient), c.Issuer)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "auth.oidc.issuer %s: cannot read the provider's discovery document: %w", c.Issuer, err)
	}
	return &oidcLogin{
		a: a,
		oauth: oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, RedirectURL: c.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: append([]string{oidc.ScopeOpenID}, c.Scopes...)},
		verifier: p.VerifierContext(oidc.ClientContext(context.WithoutCancel(ctx), a.cfg.HTTPClient),
			&oidc.Config{ClientID: c.ClientID, Now: a.cfg.Clock.Now}),
	}, nil
}

// pending is what the login cookie holds between login and callback.
type pending struct {
	State    string    `json:"state"`
	Nonce    string    `json:"nonce"`
	Verifier string    `json:"verifier"`
	Next     string    `json:"next"`
	Expires  time.Time `json:"exp"`
}

// login sends the browser to the provider.
func (o *oidcLogin) login(w http.ResponseWriter, r *http.Request) {
	p := pending{State: randomText(16), Nonce: randomText(16), Verifier: oauth2.GenerateVerifier(),
		Next: safeNext(r.URL.Query().Get("next")), Expires: o.a.cfg.Clock.Now().Add(10 * time.Minute)}
	v, err := o.a.seal.seal(loginCookie, p)
	if err != nil {
		writeError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: v, Path: "/auth/", MaxAge: 600,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, o.oauth.AuthCodeURL(p.State, oidc.Nonce(p.Nonce), oauth2.S256ChallengeOption(p.Verifier)), http.StatusFound)
}

// callback finishes the sign-in: the state and nonce must be this
// browser's, the code is exchanged with the PKCE verifier, and the ID
// token verified before the session starts.
func (o *oidcLogin) callback(w http.ResponseWriter, r *http.Request) {
	u, next, err := o.finish(r)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/auth/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	if err != nil {
		o.a.cfg.Logger.WarnContext(r.Context(), "sign-in refused", "code", string(ticketsum.ErrorCodeOf(err)), "reason", ticketsum.ErrorMessage(err))
		writeError(w, r, err)
		return
	}
	if err := o.a.startSession(r.Context(), w, u); err != nil {
		writeError(w, r, err)
		return
	}
	o.a.cfg.Logger.InfoContext(r.Context(), "signed in", "actor", u.Actor(), "role", string(u.Role))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (o *oidcLogin) finish(r *http.Request) (*User, string, error) {
	ctx := oidc.ClientContext(r.Context(), o.a.cfg.HTTPClient)
	c, err := r.Cookie(loginCookie)
	var p pending
	if err != nil || o.a.seal.open(loginCookie, c.Value, &p) != nil || !o.a.cfg.Clock.Now().Before(p.Expires) {
		return nil, "", ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the sign-in took too long or started in another browser: sign in again")
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return nil, "", ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the identity provider refused the sign-in (%s)", truncate(e, 100))
	}
	if q.Get("state") != p.State {
		return nil, "", ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the sign-in's state does not match this browser's: sign in again")
	}
	tok, err := o.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(p.Verifier))
	if err != nil {
		return nil, "", ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the identity provider did not accept the sign-in code: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, "", ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the identity provider sent no ID token")
	}
	id, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, "", ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the ID token does not verify: %w", err)
	}
	if id.Nonce != p.Nonce {
		return nil, "", ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the ID token was issued for another sign-in")
	}
	var claims map[string]any
	if err := id.Claims(&claims); err != nil {
		return nil, "", ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the ID token's claims do not parse: %w", err)
	}
	u := &User{Subject: id.Subject, Email: str(claims["email"]), Name: str(claims["name"]), Via: "oidc"}
	u.Role = o.a.roleOf(claimList(claims[o.a.cfg.OIDC.RolesClaim]))
	if u.Role == "" {
		return nil, "", ticketsum.Errorf(ticketsum.EFORBIDDEN, "%s signed in, but none of their groups maps to a role: an administrator adds one to the config's auth.roles", u.Actor())
	}
	return u, p.Next, nil
}

// roleOf returns the highest role groups map to.
func (a *Authenticator) roleOf(groups []string) Role {
	roles := []Role{a.cfg.Roles["*"]}
	for _, g := range groups {
		roles = append(roles, a.cfg.Roles[g])
	}
	return highest(roles)
}

// safeNext returns next when it is a path on this site, "/" otherwise (no
// open redirect to another host). A control character anywhere refuses
// it: browsers drop tabs and line breaks before reading a URL, so
// "/<TAB>/evil.example" is "//evil.example" to them.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "/"
	}
	return next
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// claimList returns a claim that is a string or a list of strings as a
// list; a comma-separated string is split.
func claimList(v any) []string {
	switch x := v.(type) {
	case string:
		return splitList(x)
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
