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

// LeaseWrite is one process's change to its lease on one principal's month
// in a budget flush, in micro-dollars. The lease is budget headroom the
// database holds for that process (counted in the month's reserved), from
// which the process reserves calls in memory.
type LeaseWrite struct {
	ID        string
	Principal string
	Period    string
	// Spent is the cost of the calls settled since the last flush: it is
	// added to the month's spent.
	Spent int64
	// Consumed is the part of Spent the lease covered (each call's cost up
	// to its reservation): it leaves the lease and the month's reserved.
	Consumed int64
	// Release is unused headroom handed back: it leaves the lease and the
	// month's reserved.
	Release int64
	// Want, when positive, asks to extend the lease: by Want if spent +
	// reserved + Want <= Limit, else by as much as fits if that is at
	// least Min, else not at all. The flush sets Granted.
	Want, Min, Limit int64
	Granted          int64
	// Close deletes the lease: it holds nothing after this write.
	Close bool
}

// BudgetFlush is what one group commit of a process's ledger writes.
type BudgetFlush struct {
	// Holder names the writing process; a lease is renewed (At) by every
	// write to it, and by RenewLeases.
	Holder string
	At     time.Time
	Leases []*LeaseWrite
}

// Lease is a lease as stored.
type Lease struct {
	ID, Principal, Period, Holder string
	Micros                        int64
	RenewedAt                     time.Time
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
	// EnableKey clears the revocation time of a key stored revoked at its
	// creation (RevokedAt equal to CreatedAt), as Service.CreateKey stores
	// every key until its creation is in the audit trail; ENOTFOUND if
	// there is no such key.
	EnableKey(ctx context.Context, prefix string) error

	// ApproveModel adds or replaces a registry entry.
	ApproveModel(ctx context.Context, m *ApprovedModel) error
	// RevokeModel removes a registry entry; ENOTFOUND if absent.
	RevokeModel(ctx context.Context, name string) error
	// FindApprovedModel returns the entry for name or ENOTFOUND.
	FindApprovedModel(ctx context.Context, name string) (*ApprovedModel, error)
	// ListApprovedModels returns the registry ordered by name.
	ListApprovedModels(ctx context.Context) ([]*ApprovedModel, error)

	// CommitBudget writes f in one transaction, settlements before
	// grants, and sets each grant's Granted. On error nothing is written
	// (and every Granted is 0).
	CommitBudget(ctx context.Context, f *BudgetFlush) error
	// RenewLeases marks every lease of holder as alive at at.
	RenewLeases(ctx context.Context, holder string, at time.Time) error
	// StaleLeases returns the leases not renewed since before.
	StaleLeases(ctx context.Context, before time.Time) ([]*Lease, error)
	// ReleaseLease deletes lease id if it was not renewed since before,
	// releasing what it holds from the month's reserved, and reports
	// whether it did.
	ReleaseLease(ctx context.Context, id string, before time.Time) (bool, error)
	// Budget returns the counters of (principal, period), zero when unused.
	Budget(ctx context.Context, principal, period string) (BudgetState, error)

	// CreateSession records web session id of actor, open until expires,
	// and deletes the sessions that expired before now.
	CreateSession(ctx context.Context, id, actor string, expires, now time.Time) error
	// SessionOpen reports whether session id is recorded, not ended, and
	// not expired at now.
	SessionOpen(ctx context.Context, id string, now time.Time) (bool, error)
	// EndSession ends session id at now; an unknown id is no error.
	EndSession(ctx context.Context, id string, now time.Time) error

	// ClaimTicket records principal as the owner of a ticket stored through
	// the API unless the ticket has an owner, and returns the owner.
	ClaimTicket(ctx context.Context, ticketID, principal string, at time.Time) (owner string, err error)
	// TicketOwner returns the principal that stored the ticket through the
	// API, or "" when none did (it was imported or synced).
	TicketOwner(ctx context.Context, ticketID string) (string, error)
}
