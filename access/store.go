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

// ReserveOp asks to hold R.Micros of (R.Principal, R.Period) if spent +
// reserved + R.Micros <= Limit; CommitBudget sets OK.
type ReserveOp struct {
	R     *Reservation
	Limit int64
	OK    bool
}

// SettleOp closes reservation R, charging Actual micro-dollars.
type SettleOp struct {
	R      *Reservation
	Actual int64
}

// BudgetBatch is what one group commit writes: settlements first (they
// free budget), then reservations in order.
type BudgetBatch struct {
	Settle  []SettleOp
	Reserve []*ReserveOp
}

// Store keeps principals, keys, approved models and budget counters.
// Implementations must make CommitBudget atomic against concurrent callers
// in any number of processes, and bump Version in the same transaction as
// every change to principals, keys and approved models.
type Store interface {
	// Version returns a number that changes whenever a principal, key or
	// approved model changes, in any process.
	Version(ctx context.Context) (int64, error)

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

	// CommitBudget writes b in one transaction: each settlement deletes its
	// open reservation (releasing its micros only if the row was still
	// there) and adds Actual to spent; each reservation is granted (OK) if
	// it fits its limit, held in reserved and recorded as open. On error
	// nothing is written.
	CommitBudget(ctx context.Context, b *BudgetBatch) error
	// StaleReservations returns the open reservations created before t.
	StaleReservations(ctx context.Context, before time.Time) ([]*Reservation, error)
	// Budget returns the counters of (principal, period), zero when unused.
	Budget(ctx context.Context, principal, period string) (BudgetState, error)

	// ClaimTicket records principal as the owner of a ticket stored through
	// the API unless the ticket has an owner, and returns the owner.
	ClaimTicket(ctx context.Context, ticketID, principal string, at time.Time) (owner string, err error)
	// TicketOwner returns the principal that stored the ticket through the
	// API, or "" when none did (it was imported or synced).
	TicketOwner(ctx context.Context, ticketID string) (string, error)
}
