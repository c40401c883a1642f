package cli

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/chart"
	"github.com/ticketsum/ticketsum/webauth"
)

// AuthConfig says who may use the web UI and its JSON API (the /v1/ API
// always takes API keys). See docs/governance.md.
type AuthConfig struct {
	// Mode is loopback (default: no sign-in, served to this machine only),
	// oidc (sign-in with the team's OpenID Connect provider) or proxy
	// (identity from a trusted reverse proxy or an AWS load balancer).
	// serve refuses an address outside loopback in loopback mode.
	Mode string `yaml:"mode"`
	// Roles maps a group (or role claim) to reviewer, pm or admin; "*"
	// maps everyone signed in.
	Roles map[string]string `yaml:"roles"`
	// SessionTTL is how long a sign-in lasts (default 12h).
	SessionTTL time.Duration `yaml:"session_ttl"`
	// SessionKeyFile keys the session cookies and CSRF tokens (default
	// keys/session.key in the data directory, created 0600 on first use;
	// give every server behind one load balancer the same file).
	SessionKeyFile string `yaml:"session_key_file"`
	// OIDC configures mode oidc.
	OIDC AuthOIDCConfig `yaml:"oidc"`
	// Proxy configures mode proxy.
	Proxy AuthProxyConfig `yaml:"proxy"`
}

// AuthOIDCConfig configures sign-in with an OpenID Connect provider.
type AuthOIDCConfig struct {
	// Issuer is the provider's issuer URL.
	Issuer string `yaml:"issuer"`
	// ClientID is the client registered for ticketsum.
	ClientID string `yaml:"client_id"`
	// ClientSecretEnv names the environment variable holding the client
	// secret (default TICKETSUM_OIDC_CLIENT_SECRET); the secret never goes
	// in the file.
	ClientSecretEnv string `yaml:"client_secret_env"`
	// RedirectURL is https://YOUR-HOST/auth/callback, as registered.
	RedirectURL string `yaml:"redirect_url"`
	// Scopes beside openid (default email, profile).
	Scopes []string `yaml:"scopes"`
	// RolesClaim is the ID token claim with the groups (default groups).
	RolesClaim string `yaml:"roles_claim"`
}

// AuthProxyConfig configures identity from a trusted reverse proxy.
type AuthProxyConfig struct {
	// Trusted lists the proxies' addresses or CIDR prefixes; headers from
	// anywhere else are ignored. Required.
	Trusted []string `yaml:"trusted"`
	// EmailHeader, UserHeader and GroupsHeader name oauth2-proxy's headers
	// (defaults X-Forwarded-Email, X-Forwarded-User, X-Forwarded-Groups).
	EmailHeader  string `yaml:"email_header"`
	UserHeader   string `yaml:"user_header"`
	GroupsHeader string `yaml:"groups_header"`
	// ALBKeys maps the key ids of an AWS Application Load Balancer's
	// x-amzn-oidc-data JWT to PEM files of their public keys; when set the
	// JWT is required.
	ALBKeys map[string]string `yaml:"alb_keys"`
	// ALBSigner is the load balancer's ARN (required with alb_keys).
	ALBSigner string `yaml:"alb_signer"`
	// ALBGroupsClaim is the JWT claim with the groups (default groups).
	ALBGroupsClaim string `yaml:"alb_groups_claim"`
}

// defaultOIDCSecretEnv holds the OIDC client secret unless
// auth.oidc.client_secret_env names another variable.
const defaultOIDCSecretEnv = "TICKETSUM_OIDC_CLIENT_SECRET"

// checkAuth checks the auth settings that need no file or network.
func (c *Config) checkAuth() error {
	a := c.Auth
	switch webauth.Mode(a.Mode) {
	case "", webauth.ModeLoopback, webauth.ModeOIDC, webauth.ModeProxy:
	default:
		return badKey("auth.mode", "want loopback, oidc or proxy, got %q", a.Mode)
	}
	for group, role := range a.Roles {
		if _, err := webauth.ParseRole(role); err != nil {
			return badKey("auth.roles."+group, "%s", ticketsum.ErrorMessage(err))
		}
	}
	if a.SessionTTL < 0 {
		return badKey("auth.session_ttl", "must be positive, got %s", a.SessionTTL)
	}
	for _, t := range a.Proxy.Trusted {
		if _, err := parsePrefix(t); err != nil {
			return badKey("auth.proxy.trusted", "%q is not an address or CIDR prefix (such as 10.0.0.0/16)", t)
		}
	}
	if c.Server.MetricsAddr != "" {
		if err := checkAddr(c.Server.MetricsAddr); err != nil {
			return badKey("server.metrics_addr", "%s", err)
		}
	}
	return nil
}

// parsePrefix reads an address ("10.0.0.5") or a prefix ("10.0.0.0/16").
func parsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// checkExposure refuses to serve tickets without sign-in to other
// machines: loopback mode (the default) on an address outside loopback.
func checkExposure(cfg Config) error {
	if (cfg.Auth.Mode == "" || webauth.Mode(cfg.Auth.Mode) == webauth.ModeLoopback) && !loopbackAddr(cfg.Server.Addr) {
		return ticketsum.Errorf(ticketsum.EINVALID,
			"server.addr %s is reachable from other machines, and auth.mode is loopback (no sign-in): ticket data would be open to anyone who can reach it; set auth.mode to oidc or proxy (docs/governance.md, \"Who may use the web UI\"), or listen on 127.0.0.1",
			cfg.Server.Addr)
	}
	return nil
}

// loopbackAddr reports whether a listen address serves this machine only.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && webauth.LoopbackHost(host)
}

// authenticator builds the web UI's authenticator from the config. API
// keys with the admin scope act as admins on the UI's JSON API.
func (w *wiring) authenticator(ctx context.Context, acc *access.Service) (*webauth.Authenticator, error) {
	a := w.cfg.Auth
	mode := webauth.Mode(a.Mode)
	if mode == "" {
		mode = webauth.ModeLoopback
	}
	cfg := webauth.Config{Mode: mode, SessionTTL: a.SessionTTL, Logger: w.logger, Roles: map[string]webauth.Role{},
		Bearer: keyUser(acc)}
	for g, r := range a.Roles {
		cfg.Roles[g] = webauth.Role(r)
	}
	if mode == webauth.ModeLoopback {
		return webauth.New(ctx, cfg)
	}
	key, err := loadSessionKey(w.cfg.dataPath(a.SessionKeyFile, filepath.Join("keys", "session.key")))
	if err != nil {
		return nil, err
	}
	cfg.SessionKey = key
	switch mode {
	case webauth.ModeOIDC:
		env := a.OIDC.ClientSecretEnv
		if env == "" {
			env = defaultOIDCSecretEnv
		}
		cfg.OIDC = webauth.OIDCConfig{Issuer: a.OIDC.Issuer, ClientID: a.OIDC.ClientID, ClientSecret: w.env.getenv(env),
			RedirectURL: a.OIDC.RedirectURL, Scopes: a.OIDC.Scopes, RolesClaim: a.OIDC.RolesClaim}
		if acc != nil { // signing out ends every copy of the session cookie
			cfg.Sessions = acc
		}
	case webauth.ModeProxy:
		p := a.Proxy
		cfg.Proxy = webauth.ProxyConfig{EmailHeader: p.EmailHeader, UserHeader: p.UserHeader, GroupsHeader: p.GroupsHeader,
			ALBSigner: p.ALBSigner, ALBGroupsClaim: p.ALBGroupsClaim}
		for _, t := range p.Trusted {
			prefix, _ := parsePrefix(t) // checked by checkAuth
			cfg.Proxy.Trusted = append(cfg.Proxy.Trusted, prefix)
		}
		if len(p.ALBKeys) > 0 {
			cfg.Proxy.ALBKeys = map[string]crypto.PublicKey{}
			for kid, file := range p.ALBKeys {
				k, err := readPublicKey(file)
				if err != nil {
					return nil, ticketsum.Errorf(ticketsum.EINVALID, "auth.proxy.alb_keys[%s]: %v", kid, err)
				}
				cfg.Proxy.ALBKeys[kid] = k
			}
		}
	}
	return webauth.New(ctx, cfg)
}

// keyUser identifies UI API callers by their API key: a key with the admin
// scope acts as an admin; other keys identify their principal with no UI
// role, so that the refusal names the scope to ask for.
func keyUser(acc *access.Service) func(ctx context.Context, token string) (*webauth.User, error) {
	return func(ctx context.Context, token string) (*webauth.User, error) {
		p, k, err := acc.AuthenticateKey(ctx, token)
		if err != nil {
			return nil, err
		}
		u := &webauth.User{Subject: p.Name, Via: "bearer"}
		if k.HasScope(access.ScopeAdmin) {
			u.Role = webauth.RoleAdmin
		}
		return u, nil
	}
}

// loadSessionKey reads the session key, creating 32 random bytes (0600)
// on first use.
func loadSessionKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, 32)
		rand.Read(key)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create session key directory: %w", err)
		}
		return key, writeNewFile("session key", path, key)
	}
	if err != nil {
		return nil, fmt.Errorf("read session key: %w", err)
	}
	if len(key) < 32 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "the session key %s is shorter than 32 bytes: delete it to have a new one made (everyone signs in again)", path)
	}
	return key, nil
}

// readPublicKey reads a PEM public key (PKIX), as AWS publishes ALB keys.
func readPublicKey(path string) (crypto.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, fmt.Errorf("%s holds no PEM block", path)
	}
	return x509.ParsePKIXPublicKey(b.Bytes)
}

// servePolicy is the role each route of serve needs. /v1/ checks its own
// API keys; reading tickets and working the review queue needs reviewer;
// starting or rating a blind comparison, regenerating and retrying need
// pm; governance, metrics and any route not listed need admin.
func servePolicy() webauth.Policy {
	post := []string{http.MethodPost}
	read := []string{http.MethodGet, http.MethodHead}
	return webauth.Policy{
		{Path: "/v1/", Role: webauth.Open},
		{Path: "/auth/", Role: webauth.Open},
		{Methods: read, Path: "/healthz", Role: webauth.Open},
		{Methods: read, Path: "/static/", Role: webauth.Open},
		{Methods: read, Path: "/review/static/", Role: webauth.Open},
		{Methods: read, Path: "/governance/style.css", Role: webauth.Open},
		{Methods: read, Path: chart.Path, Role: webauth.Open},
		{Methods: read, Path: "/governance", Role: webauth.RoleAdmin},
		{Methods: read, Path: "/api/governance", Role: webauth.RoleAdmin},
		{Methods: read, Path: "/metrics", Role: webauth.RoleAdmin},
		{Methods: post, Path: "/tickets/*/retry", Role: webauth.RolePM},
		{Methods: post, Path: "/tickets/*/regenerate", Role: webauth.RolePM},
		{Methods: post, Path: "/api/tickets/*/retry", Role: webauth.RolePM},
		{Methods: post, Path: "/api/tickets/*/regenerate", Role: webauth.RolePM},
		{Methods: post, Path: "/review/queue/", Role: webauth.RoleReviewer},
		{Methods: post, Path: "/review/api/queue/", Role: webauth.RoleReviewer},
		{Methods: post, Path: "/review/tickets/*/queue", Role: webauth.RoleReviewer},
		{Methods: post, Path: "/review/", Role: webauth.RolePM},
		{Methods: read, Path: "/review/tasks", Role: webauth.RolePM},
		{Methods: read, Path: "/review/tasks/", Role: webauth.RolePM},
		{Methods: read, Path: "/review/api/tasks", Role: webauth.RolePM},
		{Methods: read, Path: "/review/api/tasks/", Role: webauth.RolePM},
		{Methods: read, Path: "/", Role: webauth.RoleReviewer},
		{Path: "/", Role: webauth.RoleAdmin},
	}
}
