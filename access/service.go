package access

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum"
)

// WorkerPrincipal is the conventional name of the principal the
// summarisation worker runs as.
const WorkerPrincipal = "ticketsum-worker"

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
}

func (c *Config) setDefaults() error {
	if c.Store == nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "access: Config.Store is required")
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.DefaultKeyTTL == 0 {
		c.DefaultKeyTTL = 90 * 24 * time.Hour
	}
	if c.DefaultKeyTTL < 0 {
		return ticketsum.Errorf(ticketsum.EINVALID, "access: Config.DefaultKeyTTL must not be negative")
	}
	return nil
}

// Service authenticates API keys, authorises model calls, reserves budgets
// and administers principals, keys and the approved-model registry.
type Service struct {
	cfg Config
}

// NewService returns a Service, or EINVALID for a bad Config.
func NewService(cfg Config) (*Service, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	return &Service{cfg: cfg}, nil
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.cfg.Store }

func (s *Service) record(ctx context.Context, actor, action, target string, details map[string]string) error {
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

// EnsurePrincipal creates p unless a principal of that name exists, and
// returns the stored one. The worker calls it on start for its own
// principal, which is how "created on first start" happens.
func (s *Service) EnsurePrincipal(ctx context.Context, actor string, p *Principal) (*Principal, error) {
	got, err := s.cfg.Store.FindPrincipal(ctx, p.Name)
	if err == nil {
		return got, nil
	}
	if ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		return nil, err
	}
	if err := s.CreatePrincipal(ctx, actor, p); err != nil && ticketsum.ErrorCodeOf(err) != ticketsum.ECONFLICT {
		return nil, err
	}
	return s.cfg.Store.FindPrincipal(ctx, p.Name)
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
// Config.DefaultKeyTTL; a negative ttl makes a key that never expires. It
// returns ENOTFOUND for an unknown principal.
func (s *Service) CreateKey(ctx context.Context, actor, principal string, ttl time.Duration) (string, *Key, error) {
	if _, err := s.cfg.Store.FindPrincipal(ctx, principal); err != nil {
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
		k := &Key{Prefix: prefix, Principal: principal, Hash: hashKey(raw), CreatedAt: now}
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
		details := map[string]string{"principal": principal}
		if !k.ExpiresAt.IsZero() {
			details["expires_at"] = k.ExpiresAt.Format(time.RFC3339)
		}
		return raw, k, s.record(ctx, actor, "key.create", k.Prefix, details)
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

// Authenticate returns the principal that owns rawKey. It returns
// EUNAUTHORIZED, with a distinct message, for a missing, malformed, unknown,
// revoked or expired key; no message contains the secret part of the key.
func (s *Service) Authenticate(ctx context.Context, rawKey string) (*Principal, error) {
	rawKey = strings.TrimSpace(rawKey)
	if rawKey == "" {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "no API key: send one as \"Authorization: Bearer tks_...\"")
	}
	prefix, ok := parseRawKey(rawKey)
	if !ok {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "API key is malformed: ticketsum keys look like tks_<8 characters>_<43 characters>")
	}
	k, err := s.cfg.Store.FindKey(ctx, prefix)
	if ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "API key is not valid")
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if !hashEqual(k.Hash, hashKey(rawKey)) {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "API key is not valid")
	}
	now := s.cfg.Clock.Now()
	switch k.Status(now) {
	case "revoked":
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "API key tks_%s_... was revoked on %s", k.Prefix, k.RevokedAt.Format(time.DateOnly))
	case "expired":
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "API key tks_%s_... expired on %s: ask for a new key", k.Prefix, k.ExpiresAt.Format(time.DateOnly))
	}
	p, err := s.cfg.Store.FindPrincipal(ctx, k.Principal)
	if ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND {
		return nil, ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "API key tks_%s_... belongs to a principal that no longer exists", k.Prefix)
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	return p, nil
}

// Authorize checks that principal p may call model: the model must be in
// the approved-model registry and match p's allow-list. It returns
// EFORBIDDEN "model ... not approved" or "model ... not in allow-list".
func (s *Service) Authorize(ctx context.Context, p *Principal, model string) error {
	if p == nil {
		return ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "no principal")
	}
	_, err := s.cfg.Store.FindApprovedModel(ctx, model)
	if ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND {
		return ticketsum.Errorf(ticketsum.EFORBIDDEN, "model %s not approved: nobody may call it until an administrator approves it", truncate(model, 200))
	}
	if err != nil {
		return fmt.Errorf("authorize %s: %w", p.Name, err)
	}
	if !p.Allows(model) {
		return ticketsum.Errorf(ticketsum.EFORBIDDEN, "model %s not in allow-list of principal %s", truncate(model, 200), p.Name)
	}
	return nil
}

// Reservation is budget held for one call until it is settled.
type Reservation struct {
	ID        string
	Principal string
	Period    string
	Micros    int64
	CreatedAt time.Time
}

// Period returns the budget period (calendar month, UTC) of t: "2026-11".
func Period(t time.Time) string { return t.UTC().Format("2006-01") }

// Reserve holds maxCostUSD of p's monthly budget. It returns EQUOTA
// "monthly budget of $X for <principal> is spent" when the reservation does
// not fit, and EINVALID for a negative or non-finite cost.
func (s *Service) Reserve(ctx context.Context, p *Principal, maxCostUSD float64) (*Reservation, error) {
	if maxCostUSD < 0 || maxCostUSD != maxCostUSD || maxCostUSD > 1e9 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "cost estimate %v is not a valid amount", maxCostUSD)
	}
	var id [12]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	now := s.cfg.Clock.Now()
	r := &Reservation{ID: hex.EncodeToString(id[:]), Principal: p.Name, Period: Period(now), Micros: usdToMicros(maxCostUSD), CreatedAt: now.UTC()}
	ok, err := s.cfg.Store.Reserve(ctx, r, usdToMicros(p.MonthlyBudgetUSD))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ticketsum.Errorf(ticketsum.EQUOTA, "monthly budget of $%s for %s is spent", formatUSD(p.MonthlyBudgetUSD), p.Name)
	}
	return r, nil
}

// Settle releases r and charges the call's real cost.
func (s *Service) Settle(ctx context.Context, r *Reservation, actualUSD float64) error {
	if r == nil {
		return errors.New("settle: nil reservation")
	}
	return s.cfg.Store.Settle(ctx, r, usdToMicros(actualUSD))
}

// ReleaseStaleReservations releases the budget held by reservations older
// than olderThan, which only happens when a process died between reserve
// and settle. Run it at start and then every few minutes, with olderThan
// well above the longest call (for example 1 hour). A call settled after
// its reservation was released is still charged its real cost.
func (s *Service) ReleaseStaleReservations(ctx context.Context, olderThan time.Duration) (int, error) {
	if olderThan <= 0 {
		return 0, ticketsum.Errorf(ticketsum.EINVALID, "olderThan must be positive")
	}
	n, err := s.cfg.Store.ReleaseStale(ctx, s.cfg.Clock.Now().Add(-olderThan))
	if n > 0 {
		s.cfg.Logger.Warn("released stale budget reservations", "count", n)
	}
	return n, err
}

// Spend returns principal's spent and reserved USD in the current month.
func (s *Service) Spend(ctx context.Context, principal string) (spent, reserved float64, err error) {
	b, err := s.cfg.Store.Budget(ctx, principal, Period(s.cfg.Clock.Now()))
	return microsToUSD(b.SpentMicros), microsToUSD(b.ReservedMicros), err
}

// BudgetStatus is a principal's budget and spend this month, for the
// governance page and "ticketsum principals list".
type BudgetStatus struct {
	Principal        string  `json:"principal"`
	MonthlyBudgetUSD float64 `json:"monthly_budget_usd"`
	SpentUSD         float64 `json:"spent_usd"`
	ReservedUSD      float64 `json:"reserved_usd"`
	Period           string  `json:"period"`
}

// Budgets returns every principal's budget status for the current month,
// ordered by principal.
func (s *Service) Budgets(ctx context.Context) ([]BudgetStatus, error) {
	ps, err := s.cfg.Store.ListPrincipals(ctx)
	if err != nil {
		return nil, err
	}
	period := Period(s.cfg.Clock.Now())
	out := make([]BudgetStatus, 0, len(ps))
	for _, p := range ps {
		b, err := s.cfg.Store.Budget(ctx, p.Name, period)
		if err != nil {
			return nil, err
		}
		out = append(out, BudgetStatus{Principal: p.Name, MonthlyBudgetUSD: p.MonthlyBudgetUSD,
			SpentUSD: microsToUSD(b.SpentMicros), ReservedUSD: microsToUSD(b.ReservedMicros), Period: period})
	}
	return out, nil
}
