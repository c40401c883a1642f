package access

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/ticketsum/ticketsum"
)

// AdminRecorder receives every administrative change, for the audit trail.
// audit.Trail implements it.
type AdminRecorder interface {
	RecordAdmin(ctx context.Context, actor, action, target string, details map[string]string) error
}

// Config configures a Service.
type Config struct {
	// Store keeps the state. Required.
	Store Store
	// Clock tells the time. Default ticketsum.SystemClock.
	Clock ticketsum.Clock
	// Logger receives operational messages (never keys). Default: discard.
	Logger *slog.Logger
	// Recorder, if set, receives every admin action (principal, key and
	// model changes). A recorder error fails the action after it was made,
	// so that no change goes unrecorded silently. Default: none.
	Recorder AdminRecorder
	// DefaultKeyTTL is the lifetime of a key created with ttl 0.
	// Default 90 days.
	DefaultKeyTTL time.Duration
	// CacheTTL bounds how long principals, keys and approvals are served
	// from memory without confirming the store's version: a change made by
	// any process (a revoked key) takes effect everywhere within it.
	// Default 500ms; negative confirms the version on every read.
	CacheTTL time.Duration
	// LeaseFraction is the share of a principal's monthly budget that a
	// process leases at a time (at least one call's estimate): the
	// durable write a call waits for happens once per lease, not per
	// call. It bounds the budget a process may hold unused while another
	// process is refused (docs/governance.md). Default 0.01.
	LeaseFraction float64
	// LeaseIdle is how long a lease may go unused before Run hands its
	// headroom back, and how often Run writes settlements that no audit
	// trail commit took. Default 1 second.
	LeaseIdle time.Duration
	// TrailCommits says that an audit trail stages the budget settlements
	// into its group commits (audit.Trail.Attach with this Service): a
	// settlement then waits for the next trail commit (the call's record)
	// instead of waking the ledger's writer, and a call's charge commits
	// with its record. Default false.
	TrailCommits bool
	// StaleAfter is the age past which Run treats a lease that was not
	// renewed as left by a dead process (a live one renews its leases
	// every StaleAfter/4, and reserves from a lease only while it was
	// renewed within StaleAfter/2). Default 15 minutes.
	StaleAfter time.Duration
	// SweepEvery is how often Run looks for stale leases. Default 1
	// minute.
	SweepEvery time.Duration
	// Limiter applies principals' requests-per-minute limits. Default a
	// LocalLimiter: each process counts alone, so N processes allow N times
	// the limit; give a shared one (package redislimit) to count the fleet.
	Limiter RateLimiter
}

func (c *Config) setDefaults() error {
	if c.Store == nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "access: Config.Store is required")
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.DefaultKeyTTL == 0 {
		c.DefaultKeyTTL = 90 * 24 * time.Hour
	}
	if c.CacheTTL == 0 {
		c.CacheTTL = 500 * time.Millisecond
	}
	if c.StaleAfter == 0 {
		c.StaleAfter = 15 * time.Minute
	}
	if c.Limiter == nil {
		c.Limiter = &LocalLimiter{Clock: c.Clock}
	}
	if c.SweepEvery == 0 {
		c.SweepEvery = time.Minute
	}
	if c.LeaseFraction == 0 {
		c.LeaseFraction = 0.01
	}
	if c.LeaseIdle == 0 {
		c.LeaseIdle = time.Second
	}
	if c.DefaultKeyTTL < 0 || c.StaleAfter < 0 || c.SweepEvery < 0 || c.LeaseIdle < 0 {
		return ticketsum.Errorf(ticketsum.EINVALID, "access: Config.DefaultKeyTTL, StaleAfter, SweepEvery and LeaseIdle must not be negative")
	}
	if c.LeaseFraction < 0 || c.LeaseFraction > 1 {
		return ticketsum.Errorf(ticketsum.EINVALID, "access: Config.LeaseFraction must be between 0 and 1")
	}
	return nil
}

// Service authenticates API keys, authorises model calls, reserves budgets
// and administers principals, keys and the approved-model registry. Reads
// on the call path come from an in-memory cache (Config.CacheTTL); budget
// reservations and settlements are kept in memory against a lease of
// budget headroom per principal and month, written in group commits.
type Service struct {
	cfg    Config
	cache  *cache
	ledger *ledger

	mu       sync.Mutex
	declared map[string]Declaration // service principals declared in the config, by name
}

// NewService returns a Service, or EINVALID for a bad Config.
func NewService(cfg Config) (*Service, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	l := newLedger(cfg.Store, cfg.Clock, cfg.Logger, cfg.LeaseFraction, cfg.StaleAfter)
	l.attached = cfg.TrailCommits
	return &Service{cfg: cfg, cache: &cache{store: cfg.Store, ttl: cfg.CacheTTL}, ledger: l}, nil
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.cfg.Store }

// record drops the cache (the change was made) and records the action.
func (s *Service) record(ctx context.Context, actor, action, target string, details map[string]string) error {
	s.cache.invalidate()
	if s.cfg.Recorder == nil {
		return nil
	}
	if err := s.cfg.Recorder.RecordAdmin(ctx, actor, action, target, details); err != nil {
		return fmt.Errorf("record %s of %s in the audit trail: %w", action, target, err)
	}
	return nil
}

// CreatePrincipal validates and stores p. It returns EINVALID for a bad
// principal and ECONFLICT when the name is taken.
func (s *Service) CreatePrincipal(ctx context.Context, actor string, p *Principal) error {
	if err := p.Validate(); err != nil {
		return err
	}
	p.CreatedAt = s.cfg.Clock.Now().UTC().Truncate(time.Microsecond)
	if err := s.cfg.Store.CreatePrincipal(ctx, p); err != nil {
		return err
	}
	return s.record(ctx, actor, "principal.create", p.Name, principalDetails(p))
}

// UpdatePrincipal replaces a principal's allow-list, tags, limit and budget.
// It returns EINVALID or ENOTFOUND.
func (s *Service) UpdatePrincipal(ctx context.Context, actor string, p *Principal) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := s.cfg.Store.UpdatePrincipal(ctx, p); err != nil {
		return err
	}
	return s.record(ctx, actor, "principal.update", p.Name, principalDetails(p))
}

func principalDetails(p *Principal) map[string]string {
	return map[string]string{
		"models":              strings.Join(p.Models, ","),
		"use_cases":           strings.Join(p.UseCases, ","),
		"requests_per_minute": fmt.Sprint(p.RequestsPerMinute),
		"monthly_budget_usd":  formatUSD(p.MonthlyBudgetUSD),
	}
}

// CreateKey makes a new API key for principal and returns the raw key,
// which is shown once and never stored, with its stored form. ttl 0 uses
// Config.DefaultKeyTTL; a negative ttl makes a key that never expires.
// Without scopes the key has ScopeSummarize. It returns ENOTFOUND for an
// unknown principal and EINVALID for an unknown scope.
//
// The key is stored revoked, its creation recorded in the audit trail, and
// only then enabled: a key whose record could not be written (a full
// disk) stays revoked, and no raw key is returned, so that no usable key
// is ever missing from the trail.
func (s *Service) CreateKey(ctx context.Context, actor, principal string, ttl time.Duration, scopes ...string) (string, *Key, error) {
	if _, err := s.cfg.Store.FindPrincipal(ctx, principal); err != nil {
		return "", nil, err
	}
	scopes, err := ParseScopes(strings.Join(scopes, ","))
	if err != nil {
		return "", nil, err
	}
	if ttl == 0 {
		ttl = s.cfg.DefaultKeyTTL
	}
	now := s.cfg.Clock.Now().UTC().Truncate(time.Microsecond)
	for range 3 { // a prefix collision is ~1 in 2^40; retry it
		raw, prefix, err := newRawKey()
		if err != nil {
			return "", nil, fmt.Errorf("generate key: %w", err)
		}
		k := &Key{Prefix: prefix, Principal: principal, Hash: hashKey(raw), CreatedAt: now, RevokedAt: now, Scopes: scopes}
		if ttl > 0 {
			k.ExpiresAt = now.Add(ttl)
		}
		err = s.cfg.Store.CreateKey(ctx, k)
		if ticketsum.ErrorCodeOf(err) == ticketsum.ECONFLICT {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		details := map[string]string{"principal": principal, "scopes": strings.Join(scopes, ",")}
		if !k.ExpiresAt.IsZero() {
			details["expires_at"] = k.ExpiresAt.Format(time.RFC3339)
		}
		if err := s.record(ctx, actor, "key.create", k.Prefix, details); err != nil {
			return "", nil, fmt.Errorf("key %s stays revoked (unusable): %w", k.Prefix, err)
		}
		if err := s.cfg.Store.EnableKey(ctx, k.Prefix); err != nil {
			return "", nil, fmt.Errorf("key %s was recorded but stays revoked (unusable): %w", k.Prefix, err)
		}
		s.cache.invalidate()
		k.RevokedAt = time.Time{}
		return raw, k, nil
	}
	return "", nil, ticketsum.Errorf(ticketsum.EINTERNAL, "could not find a free key prefix")
}

// ListKeys returns the stored keys of principal, or all keys for "".
func (s *Service) ListKeys(ctx context.Context, principal string) ([]*Key, error) {
	return s.cfg.Store.ListKeys(ctx, principal)
}

// RevokeKey revokes the key with prefix (the 8 characters after "tks_", or
// a whole key). It returns ENOTFOUND for an unknown key.
func (s *Service) RevokeKey(ctx context.Context, actor, prefix string) error {
	if p, ok := parseRawKey(prefix); ok {
		prefix = p
	}
	k, err := s.cfg.Store.FindKey(ctx, prefix)
	if err != nil {
		return err
	}
	if err := s.cfg.Store.RevokeKey(ctx, prefix, s.cfg.Clock.Now().UTC().Truncate(time.Microsecond)); err != nil {
		return err
	}
	return s.record(ctx, actor, "key.revoke", prefix, map[string]string{"principal": k.Principal})
}

// ApproveModel adds model to the approved-model registry.
func (s *Service) ApproveModel(ctx context.Context, actor, model, note string) error {
	if strings.TrimSpace(model) == "" || len(model) > 512 {
		return ticketsum.Errorf(ticketsum.EINVALID, "model name must be 1-512 characters")
	}
	m := &ApprovedModel{Name: model, ApprovedBy: actor, ApprovedAt: s.cfg.Clock.Now().UTC().Truncate(time.Microsecond), Note: note}
	if err := s.cfg.Store.ApproveModel(ctx, m); err != nil {
		return err
	}
	return s.record(ctx, actor, "model.approve", model, map[string]string{"note": note})
}

// RevokeModel removes model from the registry; nobody can call it after.
// It returns ENOTFOUND when the model was not approved.
func (s *Service) RevokeModel(ctx context.Context, actor, model string) error {
	if err := s.cfg.Store.RevokeModel(ctx, model); err != nil {
		return err
	}
	return s.record(ctx, actor, "model.revoke", model, nil)
}

// ClaimTicket makes principal the owner of a ticket stored through the API
// unless the ticket has an owner, and returns the owner.
func (s *Service) ClaimTicket(ctx context.Context, ticketID, principal string) (string, error) {
	return s.cfg.Store.ClaimTicket(ctx, ticketID, principal, s.cfg.Clock.Now())
}

// TicketOwner returns the principal that stored the ticket through the API,
// or "" when none did.
func (s *Service) TicketOwner(ctx context.Context, ticketID string) (string, error) {
	return s.cfg.Store.TicketOwner(ctx, ticketID)
}
