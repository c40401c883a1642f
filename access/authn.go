package access

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Authenticate returns the principal that owns rawKey. It returns
// EUNAUTHORIZED, with a distinct message, for a missing, malformed, unknown,
// revoked or expired key; no message contains the secret part of the key.
func (s *Service) Authenticate(ctx context.Context, rawKey string) (*Principal, error) {
	p, _, err := s.AuthenticateKey(ctx, rawKey)
	return p, err
}

// AuthenticateKey is Authenticate returning the key too, for its scopes.
// It reads the in-memory cache (Config.CacheTTL), so it does no I/O on most
// calls. The returned values are shared: do not modify them.
func (s *Service) AuthenticateKey(ctx context.Context, rawKey string) (*Principal, *Key, error) {
	rawKey = strings.TrimSpace(rawKey)
	if rawKey == "" {
		return nil, nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "no API key: send one as \"Authorization: Bearer tks_...\"; an administrator creates one with `ticketsum keys create --principal NAME`")
	}
	prefix, ok := parseRawKey(rawKey)
	if !ok {
		return nil, nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "API key is malformed: ticketsum keys look like tks_<8 characters>_<43 characters>, as `ticketsum keys create` prints them")
	}
	snap, err := s.cache.get(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("authenticate: %w", err)
	}
	k, ok := snap.keys[prefix]
	sum := sha256.Sum256([]byte(rawKey))
	if !ok || subtle.ConstantTimeCompare(sum[:], k.sum[:]) != 1 {
		return nil, nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "API key tks_%s_... is not valid (rule: unknown key): check it was copied whole, or create one with `ticketsum keys create --principal NAME`", prefix)
	}
	switch k.Status(s.cfg.Clock.Now()) {
	case "revoked":
		return nil, nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "API key tks_%s_... of principal %s was revoked on %s (rule: revoked key): create a new one with `ticketsum keys create --principal %s`",
			k.Prefix, k.Principal, k.RevokedAt.Format(time.DateOnly), k.Principal)
	case "expired":
		return nil, nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "API key tks_%s_... of principal %s expired on %s (rule: key expiry): create a new one with `ticketsum keys create --principal %s`",
			k.Prefix, k.Principal, k.ExpiresAt.Format(time.DateOnly), k.Principal)
	}
	p, ok := snap.principals[k.Principal]
	if !ok {
		return nil, nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "API key tks_%s_... belongs to principal %s, which no longer exists: recreate it with `ticketsum principals put %s`", k.Prefix, k.Principal, k.Principal)
	}
	return p, k.Key, nil
}

// Authorize checks that principal p may call model: the model must be in
// the approved-model registry and match p's allow-list. It returns
// EFORBIDDEN "... not approved ..." or "... not in allow-list ...", naming
// the command that fixes it.
func (s *Service) Authorize(ctx context.Context, p *Principal, model string) error {
	if p == nil {
		return ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "no principal")
	}
	snap, err := s.cache.get(ctx)
	if err != nil {
		return fmt.Errorf("authorize %s: %w", p.Name, err)
	}
	return s.authorize(snap, p, model)
}

func (s *Service) authorize(snap *snapshot, p *Principal, model string) error {
	if !snap.approved[model] {
		return ticketsum.Errorf(ticketsum.EFORBIDDEN, "principal %s may not call model %s: it is not approved (rule: approved-model registry); an administrator approves it with `ticketsum models approve %s`",
			p.Name, truncate(model, 200), truncate(model, 200))
	}
	if !p.Allows(model) {
		fix := s.fix(p, "models", fmt.Sprintf("--models '%s'", strings.Join(append(slices.Clone(p.Models), model), ",")))
		return ticketsum.Errorf(ticketsum.EFORBIDDEN, "principal %s may not call model %s: it is not in allow-list [%s] (rule: principal allow-list); to add it, %s",
			p.Name, truncate(model, 200), strings.Join(p.Models, ","), fix)
	}
	return nil
}

// lookupPrincipal returns the named principal from the cache:
// EUNAUTHORIZED when there is none.
func (s *Service) lookupPrincipal(ctx context.Context, name string) (*Principal, *snapshot, error) {
	if name == "" {
		return nil, nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "model call has no principal (rule: every call acts as a principal): the calling process must act as one, such as principals.worker, principals.eval or principals.judge in the config")
	}
	snap, err := s.cache.get(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("access check: %w", err)
	}
	p, ok := snap.principals[name]
	if !ok {
		return nil, nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "unknown principal %s: create it with `ticketsum principals put %s --models MODEL --budget USD`", truncate(name, 70), truncate(name, 70))
	}
	return p, snap, nil
}
