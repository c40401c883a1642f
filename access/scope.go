package access

import (
	"slices"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// The scopes an API key may carry. A key created without scopes has
// ScopeSummarize only.
const (
	// ScopeSummarize calls models: POST /v1/summaries (without storing),
	// POST /v1/chat/completions and GET /v1/models.
	ScopeSummarize = "summarize"
	// ScopeTicketsWrite stores tickets and their summaries
	// (POST /v1/summaries?store=true). It never replaces a ticket that was
	// imported, synced from the source or stored by another principal.
	ScopeTicketsWrite = "tickets:write"
	// ScopeRead reads the principal's own tickets and usage.
	ScopeRead = "read"
	// ScopeAdmin grants every scope, and lets a store replace any ticket.
	ScopeAdmin = "admin"
)

// Scopes lists every scope, in the order they are documented.
var Scopes = []string{ScopeSummarize, ScopeTicketsWrite, ScopeRead, ScopeAdmin}

// ParseScopes reads a comma-separated list of scopes ("" gives
// [summarize]) and returns them sorted without duplicates, or EINVALID
// naming an unknown scope.
func ParseScopes(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return []string{ScopeSummarize}, nil
	}
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if !slices.Contains(Scopes, f) {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "unknown scope %q: want one or more of %s", truncate(f, 40), strings.Join(Scopes, ", "))
		}
		out = append(out, f)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// HasScope reports whether the key grants scope; admin grants every scope.
func (k *Key) HasScope(scope string) bool {
	for _, s := range k.Scopes {
		if s == scope || s == ScopeAdmin {
			return true
		}
	}
	return false
}

// RequireScope returns nil when k grants scope, and otherwise EFORBIDDEN
// naming the key, its principal, the rule and the command that fixes it.
func (k *Key) RequireScope(scope string) error {
	if k.HasScope(scope) {
		return nil
	}
	want := slices.Clone(k.Scopes)
	want = append(want, scope)
	slices.Sort(want)
	return ticketsum.Errorf(ticketsum.EFORBIDDEN,
		"API key tks_%s_... of principal %s lacks the scope %s (rule: key scopes, it has %s): create a key with `ticketsum keys create --principal %s --scope %s`",
		k.Prefix, k.Principal, scope, strings.Join(k.Scopes, ","), k.Principal, strings.Join(slices.Compact(want), ","))
}
