package webauth

import (
	"crypto/ecdsa"
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/ticketsum/ticketsum"
)

// fromProxy returns the user a trusted proxy says the request is from:
// nobody for a request that did not come through a trusted proxy.
func (a *Authenticator) fromProxy(r *http.Request) (*User, error) {
	p := a.cfg.Proxy
	if !a.trusted(r) {
		if r.Header.Get(p.EmailHeader) != "" || r.Header.Get("X-Amzn-Oidc-Data") != "" {
			return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "identity headers from %s, which is not a trusted proxy, were ignored", remoteAddr(r))
		}
		return nil, nil
	}
	if len(p.ALBKeys) > 0 {
		return a.fromALB(r)
	}
	email := strings.TrimSpace(r.Header.Get(p.EmailHeader))
	user := strings.TrimSpace(r.Header.Get(p.UserHeader))
	if email == "" && user == "" {
		return nil, nil
	}
	u := &User{Subject: firstNonEmpty(user, email), Email: email, Via: "proxy"}
	u.Role = a.roleOf(splitList(r.Header.Get(p.GroupsHeader)))
	if u.Role == "" {
		return nil, ticketsum.Errorf(ticketsum.EFORBIDDEN, "%s signed in, but none of their groups maps to a role: an administrator adds one to the config's auth.roles", u.Actor())
	}
	return u, nil
}

// trusted reports whether the request comes from a configured proxy.
func (a *Authenticator) trusted(r *http.Request) bool {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	addr := ap.Addr().Unmap()
	for _, p := range a.cfg.Proxy.Trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

func remoteAddr(r *http.Request) string {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().String()
	}
	return "an unknown address"
}

// albHeader is the ES256-signed JWT an Application Load Balancer sends
// with the user's claims.
const albHeader = "X-Amzn-Oidc-Data"

// fromALB verifies the load balancer's JWT with the configured keys: its
// key id, its signer (the load balancer's ARN) and its expiry.
func (a *Authenticator) fromALB(r *http.Request) (*User, error) {
	raw := r.Header.Get(albHeader)
	if raw == "" {
		return nil, nil
	}
	// ALB pads the JWT's base64url parts with '=', which JWS forbids.
	raw = strings.ReplaceAll(raw, "=", "")
	sig, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil || len(sig.Signatures) != 1 {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the load balancer's identity token does not parse")
	}
	h := sig.Signatures[0].Header
	key, ok := a.cfg.Proxy.ALBKeys[h.KeyID]
	if !ok {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the load balancer's identity token is signed with key %q, which is not configured", truncate(h.KeyID, 80))
	}
	if _, isEC := key.(*ecdsa.PublicKey); !isEC {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "auth.proxy ALB key %q is not an ECDSA public key", h.KeyID)
	}
	if signer, _ := h.ExtraHeaders["signer"].(string); signer != a.cfg.Proxy.ALBSigner {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the identity token was signed by another load balancer")
	}
	payload, err := sig.Verify(key)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the load balancer's identity token does not verify")
	}
	if exp, _ := h.ExtraHeaders["exp"].(float64); exp != 0 && float64(a.cfg.Clock.Now().Unix()) >= exp {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the load balancer's identity token has expired")
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the load balancer's identity token holds no claims")
	}
	if exp, _ := claims["exp"].(float64); exp != 0 && float64(a.cfg.Clock.Now().Unix()) >= exp {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the load balancer's identity token has expired")
	}
	u := &User{Subject: str(claims["sub"]), Email: str(claims["email"]), Name: str(claims["name"]), Via: "alb"}
	if u.Subject == "" {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "the load balancer's identity token names no subject")
	}
	u.Role = a.roleOf(claimList(claims[a.cfg.Proxy.ALBGroupsClaim]))
	if u.Role == "" {
		return nil, ticketsum.Errorf(ticketsum.EFORBIDDEN, "%s signed in, but none of their groups maps to a role: an administrator adds one to the config's auth.roles", u.Actor())
	}
	return u, nil
}

// splitList splits a comma-separated list, dropping empty entries.
func splitList(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
