package webauth

import (
	"context"
	"crypto"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Mode is how requests are identified.
type Mode string

// Modes.
const (
	ModeLoopback Mode = "loopback" // no sign-in; local requests act as the local operator
	ModeOIDC     Mode = "oidc"     // sign-in with an OpenID Connect provider
	ModeProxy    Mode = "proxy"    // identity from a trusted reverse proxy
)

// Config configures an Authenticator.
type Config struct {
	// Mode is how requests are identified. Default ModeLoopback.
	Mode Mode
	// Roles maps a group or role name, as the provider or proxy sends it,
	// to a role; a user gets the highest role any of their groups maps to.
	// The key "*" maps every signed-in user (for example to reviewer).
	// Default: empty, so that only an explicit mapping grants anything.
	Roles map[string]Role
	// OIDC configures ModeOIDC.
	OIDC OIDCConfig
	// Proxy configures ModeProxy.
	Proxy ProxyConfig
	// SessionKey encrypts and authenticates session cookies and CSRF
	// tokens: at least 32 random bytes, kept secret and stable across
	// restarts (the command tree keeps it in the data directory). Required
	// in every mode but ModeLoopback, where a random key is made.
	SessionKey []byte
	// SessionTTL is how long a sign-in lasts. Default 12h.
	SessionTTL time.Duration
	// Sessions records the open sessions (access.Service, in the
	// governance database): a session cookie then names its session, which
	// signing out ends, so that a copy of the cookie stops working at once
	// rather than when it expires. Default none: a cookie is good until it
	// expires, whatever happens to the browser that got it.
	Sessions Sessions
	// SessionRecheck is how long this process believes that a session is
	// open before it asks Sessions again: signing out in another process
	// reaches this one within it (in this process, at once). Default 10s.
	SessionRecheck time.Duration
	// Bearer identifies a request that carries "Authorization: Bearer
	// TOKEN" (an API key), in every mode. It returns EUNAUTHORIZED for a
	// bad token. Default none: bearer tokens identify nobody here.
	Bearer func(ctx context.Context, token string) (*User, error)
	// HTTPClient is used for the OIDC provider's discovery, keys and token
	// endpoints. Default http.DefaultClient.
	HTTPClient *http.Client
	// Clock tells the time. Default ticketsum.SystemClock.
	Clock ticketsum.Clock
	// Logger receives sign-in failures, never tokens. Default: discard.
	Logger *slog.Logger
}

// Sessions records the web UI's open sessions (see Config.Sessions).
type Sessions interface {
	// StartSession records session id of actor, open until expires.
	StartSession(ctx context.Context, id, actor string, expires time.Time) error
	// SessionOpen reports whether session id is recorded, not ended and
	// not expired.
	SessionOpen(ctx context.Context, id string) (bool, error)
	// EndSession ends session id.
	EndSession(ctx context.Context, id string) error
}

// OIDCConfig configures sign-in with an OpenID Connect provider.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL (discovery is read from
	// Issuer/.well-known/openid-configuration at start). Required.
	Issuer string
	// ClientID and ClientSecret are the client registered for ticketsum.
	// ClientID is required; the secret is read from the environment by the
	// command tree, never from a file.
	ClientID     string
	ClientSecret string
	// RedirectURL is ticketsum's callback as registered with the provider,
	// for example https://ticketsum.example.com/auth/callback. Required.
	RedirectURL string
	// Scopes are requested beside "openid". Default "email", "profile".
	Scopes []string
	// RolesClaim is the ID token claim holding the user's groups or roles
	// (a string or a list of strings). Default "groups".
	RolesClaim string
}

// ProxyConfig configures identity from a trusted reverse proxy.
type ProxyConfig struct {
	// Trusted are the addresses of the proxies whose headers are believed;
	// a request from anywhere else is anonymous whatever it says. Required.
	Trusted []netip.Prefix
	// EmailHeader, UserHeader and GroupsHeader name the headers of an
	// oauth2-proxy style proxy. Defaults X-Forwarded-Email,
	// X-Forwarded-User and X-Forwarded-Groups (comma separated).
	EmailHeader, UserHeader, GroupsHeader string
	// ALBKeys verifies the x-amzn-oidc-data JWT of an AWS Application Load
	// Balancer, by key id (the ES256 public keys ALB publishes at
	// https://public-keys.auth.elb.REGION.amazonaws.com/KID). When set, the
	// JWT is required and the plain headers are ignored. Default none.
	ALBKeys map[string]crypto.PublicKey
	// ALBSigner is the load balancer's ARN, checked against the JWT's
	// "signer" field. Required with ALBKeys.
	ALBSigner string
	// ALBGroupsClaim is the JWT claim holding the groups. Default
	// "groups".
	ALBGroupsClaim string
}

func (c *Config) fill() error {
	if c.Mode == "" {
		c.Mode = ModeLoopback
	}
	if c.SessionRecheck <= 0 {
		c.SessionRecheck = 10 * time.Second
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = 12 * time.Hour
	}
	if c.HTTPClient == nil {
		c.HTTPClient = http.DefaultClient
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.SessionTTL < 0 {
		return ticketsum.Errorf(ticketsum.EINVALID, "auth: session_ttl must be positive")
	}
	for group, r := range c.Roles {
		if _, err := ParseRole(string(r)); err != nil {
			return ticketsum.Errorf(ticketsum.EINVALID, "auth.roles[%q]: %s", group, ticketsum.ErrorMessage(err))
		}
	}
	switch c.Mode {
	case ModeLoopback:
		return nil
	case ModeOIDC:
		if err := c.OIDC.fill(); err != nil {
			return err
		}
	case ModeProxy:
		if err := c.Proxy.fill(); err != nil {
			return err
		}
	default:
		return ticketsum.Errorf(ticketsum.EINVALID, "auth.mode %q: want loopback, oidc or proxy", c.Mode)
	}
	if len(c.SessionKey) < 32 {
		return ticketsum.Errorf(ticketsum.EINVALID, "auth: the session key must be at least 32 bytes")
	}
	if len(c.Roles) == 0 {
		return ticketsum.Errorf(ticketsum.EINVALID, "auth.roles is empty: map at least one group to admin (for example auth.roles: {ticketsum-admins: admin}), or nobody could do anything")
	}
	return nil
}

func (o *OIDCConfig) fill() error {
	switch {
	case o.Issuer == "":
		return ticketsum.Errorf(ticketsum.EINVALID, "auth.oidc.issuer is required: the provider's issuer URL, such as https://accounts.google.com")
	case o.ClientID == "":
		return ticketsum.Errorf(ticketsum.EINVALID, "auth.oidc.client_id is required: the client registered for ticketsum at the provider")
	case o.RedirectURL == "":
		return ticketsum.Errorf(ticketsum.EINVALID, "auth.oidc.redirect_url is required: ticketsum's /auth/callback as registered at the provider")
	}
	u, err := url.Parse(o.RedirectURL)
	if err != nil || u.Scheme != "https" && !LoopbackHost(u.Hostname()) || u.Path != CallbackPath {
		return ticketsum.Errorf(ticketsum.EINVALID, "auth.oidc.redirect_url %q: want an https URL ending in %s", o.RedirectURL, CallbackPath)
	}
	if len(o.Scopes) == 0 {
		o.Scopes = []string{"email", "profile"}
	}
	if o.RolesClaim == "" {
		o.RolesClaim = "groups"
	}
	return nil
}

func (p *ProxyConfig) fill() error {
	if len(p.Trusted) == 0 {
		return ticketsum.Errorf(ticketsum.EINVALID, "auth.proxy.trusted is empty: list the proxy's addresses (for example 10.0.0.0/16), or any client could claim to be anyone")
	}
	if p.EmailHeader == "" {
		p.EmailHeader = "X-Forwarded-Email"
	}
	if p.UserHeader == "" {
		p.UserHeader = "X-Forwarded-User"
	}
	if p.GroupsHeader == "" {
		p.GroupsHeader = "X-Forwarded-Groups"
	}
	if p.ALBGroupsClaim == "" {
		p.ALBGroupsClaim = "groups"
	}
	if len(p.ALBKeys) > 0 && p.ALBSigner == "" {
		return ticketsum.Errorf(ticketsum.EINVALID, "auth.proxy.alb_signer is required with ALB keys: the load balancer's ARN")
	}
	return nil
}

// LoopbackName reports whether a request's host name can only reach this
// machine: a loopback address, "localhost", or a name under ".localhost",
// which browsers resolve to loopback themselves (RFC 6761). Any other
// name may have been pointed at 127.0.0.1 by a web page's owner.
func LoopbackName(host string) bool {
	host = strings.ToLower(host)
	return LoopbackHost(host) || strings.HasSuffix(host, ".localhost")
}

// LoopbackHost reports whether host names or is a loopback address.
func LoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}
