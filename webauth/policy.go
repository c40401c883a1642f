package webauth

import (
	"net/http"
	"slices"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// Open is the Role of a Rule whose requests need no sign-in: sign-in
// routes, static assets, health checks, and routes that authenticate
// callers themselves (the /v1/ API checks its own keys).
const Open Role = "open"

// Rule says which role a set of requests needs.
type Rule struct {
	// Methods the rule applies to; none means every method.
	Methods []string
	// Path is an exact path, or a prefix when it ends with "/". A "*"
	// segment matches any one segment ("/api/tickets/*/retry").
	Path string
	// Role is the role the requests need, or Open.
	Role Role
}

// Policy maps requests to the role they need: the first matching rule
// wins. A request no rule matches is refused (deny by default).
type Policy []Rule

// Need returns the role the request needs, false when no rule matches.
func (p Policy) Need(r *http.Request) (Role, bool) {
	for _, rule := range p {
		if len(rule.Methods) > 0 && !slices.Contains(rule.Methods, r.Method) {
			continue
		}
		if pathMatches(rule.Path, r.URL.Path) {
			return rule.Role, true
		}
	}
	return "", false
}

// pathMatches reports whether path is pattern, or under it when pattern
// ends with "/"; a "*" segment of pattern matches any one segment.
func pathMatches(pattern, path string) bool {
	prefix := strings.HasSuffix(pattern, "/")
	ps := strings.Split(strings.TrimSuffix(pattern, "/"), "/")
	xs := strings.Split(path, "/")
	if len(xs) < len(ps) || (!prefix && len(xs) != len(ps)) {
		return false
	}
	for i, p := range ps {
		if p != "*" && p != xs[i] {
			return false
		}
	}
	// "/review/" matches "/review/" and below, not "/reviewers".
	return !prefix || len(xs) > len(ps)
}

// Guard returns next guarded by p: open routes pass untouched (no
// identification cost), every other request is identified and must have
// the role its rule names; a request no rule matches is refused.
func (a *Authenticator) Guard(p Policy, next http.Handler) http.Handler {
	guarded := map[Role]http.Handler{}
	for _, r := range roleOrder {
		guarded[r] = a.Identify(a.Require(r, next))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		role, ok := p.Need(r)
		switch {
		case !ok:
			writeError(w, r, ticketsum.Errorf(ticketsum.EFORBIDDEN,
				"no access rule covers %s %s, so it is refused (ticketsum denies by default)", r.Method, r.URL.Path))
		case role == Open:
			next.ServeHTTP(w, r)
		default:
			guarded[role].ServeHTTP(w, r)
		}
	})
}
