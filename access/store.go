package access

import (
	"context"
	"time"
)

// ApprovedModel is an entry of the approved-model registry.
type ApprovedModel struct {
	// Name is the full model name, such as
	// "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0".
	Name       string    `json:"name"`
	ApprovedBy string    `json:"approved_by"`
	ApprovedAt time.Time `json:"approved_at"`
	// Note records why, such as the evaluation run that chose the model.
	Note string `json:"note,omitempty"`
}

// BudgetState is a principal's spend in one month, in micro-dollars.
type BudgetState struct {
	Principal      string
	Period         string // "2026-11"
	SpentMicros    int64
	ReservedMicros int64
}

// Store keeps principals, keys, approved models and budget counters.
// Implementations must make Reserve and Settle atomic against concurrent
// callers in any number of processes.
type Store interface {
	// CreatePrincipal stores p; ECONFLICT if the name exists.
	CreatePrincipal(ctx context.Context, p *Principal) error
	// UpdatePrincipal replaces the stored principal; ENOTFOUND if absent.
	UpdatePrincipal(ctx context.Context, p *Principal) error
	// FindPrincipal returns the principal named name or ENOTFOUND.
	FindPrincipal(ctx context.Context, name string) (*Principal, error)
	// ListPrincipals returns every principal ordered by name.
	ListPrincipals(ctx context.Context) ([]*Principal, error)

	// CreateKey stores k; ECONFLICT if the prefix exists.
	CreateKey(ctx context.Context, k *Key) error
	// FindKey returns the key with prefix or ENOTFOUND.
	FindKey(ctx context.Context, prefix string) (*Key, error)
	// ListKeys returns the keys of principal (all keys when principal is
	// ""), newest first.
	ListKeys(ctx context.Context, principal string) ([]*Key, error)
	// RevokeKey sets the key's revocation time if it is not yet revoked;
	// ENOTFOUND if there is no such key.
	RevokeKey(ctx context.Context, prefix string, at time.Time) error

	// ApproveModel adds or replaces a registry entry.
	ApproveModel(ctx context.Context, m *ApprovedModel) error
	// RevokeModel removes a registry entry; ENOTFOUND if absent.
	RevokeModel(ctx context.Context, name string) error
	// FindApprovedModel returns the entry for name or ENOTFOUND.
	FindApprovedModel(ctx context.Context, name string) (*ApprovedModel, error)
	// ListApprovedModels returns the registry ordered by name.
	ListApprovedModels(ctx context.Context) ([]*ApprovedModel, error)

	// Reserve atomically adds r.Micros to the reserved total of
	// (r.Principal, r.Period) if spent + reserved + r.Micros <= limit, records
	// the open reservation r, and reports whether it did.
	Reserve(ctx context.Context, r *Reservation, limit int64) (bool, error)
	// Settle closes reservation r: it releases r.Micros (unless r was
	// already released as stale) and adds actual to spent.
	Settle(ctx context.Context, r *Reservation, actual int64) error
	// ReleaseStale releases every open reservation created before t and
	// returns how many it released.
	ReleaseStale(ctx context.Context, before time.Time) (int, error)
	// Budget returns the counters of (principal, period), zero when unused.
	Budget(ctx context.Context, principal, period string) (BudgetState, error)
}
