package access

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/sqldb"
)

// SQLStore is the Store on a database/sql handle: SQLite (modernc.org/sqlite,
// driver "sqlite") or Postgres (pgx stdlib, driver "pgx"). It owns the
// access_ tables and creates them with Migrate. Every statement is prepared
// once per handle and reused, so the database does not parse SQL per call.
type SQLStore struct {
	db *sql.DB
	d  Dialect

	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool // queries run in a transaction before they were prepared
}

var _ Store = (*SQLStore)(nil)

// NewSQLStore returns a store on db, which the caller opened and closes.
// Call Migrate before first use. For SQLite, open the database with
// "_pragma=busy_timeout(5000)&_txlock=immediate" so that concurrent
// writers wait instead of failing.
func NewSQLStore(db *sql.DB, d Dialect) (*SQLStore, error) {
	if err := sqldb.Check("access store", db, d); err != nil {
		return nil, err
	}
	return &SQLStore{db: db, d: d, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}}, nil
}

// stmt returns the prepared form of q (written with '?' placeholders). The
// lock is not held while preparing: two callers may prepare the same query
// once each, and the loser's statement is closed.
func (s *SQLStore) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	s.mu.Lock()
	st, ok := s.stmts[q]
	s.mu.Unlock()
	if ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, s.d.Rebind(q))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if prev, ok := s.stmts[q]; ok {
		s.mu.Unlock()
		st.Close()
		return prev, nil
	}
	s.stmts[q] = st
	s.mu.Unlock()
	return st, nil
}

// Close closes the prepared statements (not the database).
func (s *SQLStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	for q, st := range s.stmts {
		err = errors.Join(err, st.Close())
		delete(s.stmts, q)
	}
	return err
}

// txExec runs q in tx through its prepared statement. A statement is never
// prepared inside a transaction (on a pool of one connection that would
// wait for itself): one not prepared yet runs as text and is prepared by
// preparePending after the transaction.
func (s *SQLStore) txExec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	s.mu.Lock()
	st, ok := s.stmts[q]
	if !ok {
		s.pending[q] = true
	}
	s.mu.Unlock()
	if !ok {
		return tx.ExecContext(ctx, s.d.Rebind(q), args...)
	}
	return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

// preparePending prepares the statements txExec ran as text. Call it with
// no transaction open.
func (s *SQLStore) preparePending(ctx context.Context) {
	s.mu.Lock()
	var qs []string
	for q := range s.pending {
		qs = append(qs, q)
	}
	clear(s.pending)
	s.mu.Unlock()
	for _, q := range qs {
		s.stmt(ctx, q) // a failure leaves it as text, tried again next time
	}
}

func (s *SQLStore) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, q)
	if err != nil {
		// QueryRowContext on a closed handle carries the error to Scan.
		return s.db.QueryRowContext(ctx, s.d.Rebind(q), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// mutate runs fn and bumps the version in one transaction, so that every
// process's cache notices the change.
func (s *SQLStore) mutate(ctx context.Context, fn func(tx *sql.Tx) error) error {
	defer s.preparePending(ctx)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if _, err := s.txExec(ctx, tx, `UPDATE access_version SET version = version + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("bump access version: %w", err)
	}
	return tx.Commit()
}

// Version implements Store. It is read again, up to once per connection
// the pool holds, when a read fails: after a Postgres restart, a failover
// or pg_terminate_backend, every pooled connection fails the first
// statement sent on it (pgx pings only connections idle for a second) and
// is then dropped, so a later read goes on a live or a new connection.
// Every key check rereads the version (Config.CacheTTL), so this keeps a
// cut from failing API requests. A read that still fails is EUNAVAILABLE.
func (s *SQLStore) Version(ctx context.Context) (int64, error) {
	var v int64
	err := s.queryRow(ctx, `SELECT version FROM access_version WHERE id = 1`).Scan(&v)
	for range s.db.Stats().OpenConnections + 1 {
		if err == nil || ctx.Err() != nil {
			break
		}
		err = s.queryRow(ctx, `SELECT version FROM access_version WHERE id = 1`).Scan(&v)
	}
	if err != nil {
		if ctx.Err() != nil {
			return 0, fmt.Errorf("read access version: %w", err)
		}
		return 0, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "read access version: the database did not answer (retry shortly; check that it is up and reachable): %w", err)
	}
	return v, nil
}

// errNoRows is returned from a mutate callback that changed nothing.
var errNoRows = errors.New("no rows")

// CreatePrincipal implements Store.
func (s *SQLStore) CreatePrincipal(ctx context.Context, p *Principal) error {
	uc, _ := json.Marshal(nonNil(p.UseCases))
	ms, _ := json.Marshal(nonNil(p.Models))
	err := s.mutate(ctx, func(tx *sql.Tx) error {
		res, err := s.txExec(ctx, tx, `INSERT INTO access_principals (name, use_cases, models, requests_per_minute, monthly_budget_micros, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
			p.Name, string(uc), string(ms), p.RequestsPerMinute, usdToMicros(p.MonthlyBudgetUSD), sqldb.Micros(p.CreatedAt))
		return affected(res, err)
	})
	if errors.Is(err, errNoRows) {
		return ticketsum.Errorf(ticketsum.ECONFLICT, "principal %s already exists", p.Name)
	}
	if err != nil {
		return fmt.Errorf("create principal %s: %w", p.Name, err)
	}
	return nil
}

// affected turns an Exec result that changed no row into errNoRows.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(errNoRows, err)
	}
	return nil
}

// UpdatePrincipal implements Store.
func (s *SQLStore) UpdatePrincipal(ctx context.Context, p *Principal) error {
	uc, _ := json.Marshal(nonNil(p.UseCases))
	ms, _ := json.Marshal(nonNil(p.Models))
	err := s.mutate(ctx, func(tx *sql.Tx) error {
		res, err := s.txExec(ctx, tx, `UPDATE access_principals SET use_cases = ?, models = ?, requests_per_minute = ?, monthly_budget_micros = ? WHERE name = ?`,
			string(uc), string(ms), p.RequestsPerMinute, usdToMicros(p.MonthlyBudgetUSD), p.Name)
		return affected(res, err)
	})
	if errors.Is(err, errNoRows) {
		return ticketsum.Errorf(ticketsum.ENOTFOUND, "principal %s not found", p.Name)
	}
	if err != nil {
		return fmt.Errorf("update principal %s: %w", p.Name, err)
	}
	return nil
}

const principalCols = `name, use_cases, models, requests_per_minute, monthly_budget_micros, created_at`

func scanPrincipal(sc interface{ Scan(...any) error }) (*Principal, error) {
	var p Principal
	var uc, ms string
	var budget, created int64
	if err := sc.Scan(&p.Name, &uc, &ms, &p.RequestsPerMinute, &budget, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(uc), &p.UseCases); err != nil {
		return nil, fmt.Errorf("principal %s use cases: %w", p.Name, err)
	}
	if err := json.Unmarshal([]byte(ms), &p.Models); err != nil {
		return nil, fmt.Errorf("principal %s models: %w", p.Name, err)
	}
	p.MonthlyBudgetUSD = microsToUSD(budget)
	p.CreatedAt = sqldb.FromMicros(created)
	return &p, nil
}

// FindPrincipal implements Store.
func (s *SQLStore) FindPrincipal(ctx context.Context, name string) (*Principal, error) {
	p, err := scanPrincipal(s.queryRow(ctx, `SELECT `+principalCols+` FROM access_principals WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "principal %s not found", truncate(name, 70))
	}
	if err != nil {
		return nil, fmt.Errorf("find principal: %w", err)
	}
	return p, nil
}

// ListPrincipals implements Store.
func (s *SQLStore) ListPrincipals(ctx context.Context) ([]*Principal, error) {
	return list(ctx, s, `SELECT `+principalCols+` FROM access_principals ORDER BY name`, "list principals", scanPrincipal)
}

// list runs a query and scans each row.
func list[T any](ctx context.Context, s *SQLStore, q, what string, scan func(interface{ Scan(...any) error }) (*T, error), args ...any) ([]*T, error) {
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// CreateKey implements Store.
func (s *SQLStore) CreateKey(ctx context.Context, k *Key) error {
	err := s.mutate(ctx, func(tx *sql.Tx) error {
		res, err := s.txExec(ctx, tx, `INSERT INTO access_keys (prefix, principal, hash, created_at, expires_at, revoked_at, scopes)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (prefix) DO NOTHING`,
			k.Prefix, k.Principal, k.Hash, sqldb.Micros(k.CreatedAt), sqldb.Micros(k.ExpiresAt), sqldb.Micros(k.RevokedAt), joinScopes(k.Scopes))
		return affected(res, err)
	})
	if errors.Is(err, errNoRows) {
		return ticketsum.Errorf(ticketsum.ECONFLICT, "key prefix %s already exists", k.Prefix)
	}
	if err != nil {
		return fmt.Errorf("create key %s: %w", k.Prefix, err)
	}
	return nil
}

const keyCols = `prefix, principal, hash, created_at, expires_at, revoked_at, scopes`

func scanKey(sc interface{ Scan(...any) error }) (*Key, error) {
	var k Key
	var c, e, r int64
	var scopes string
	if err := sc.Scan(&k.Prefix, &k.Principal, &k.Hash, &c, &e, &r, &scopes); err != nil {
		return nil, err
	}
	k.CreatedAt, k.ExpiresAt, k.RevokedAt = sqldb.FromMicros(c), sqldb.FromMicros(e), sqldb.FromMicros(r)
	k.Scopes = splitScopes(scopes)
	return &k, nil
}

// FindKey implements Store.
func (s *SQLStore) FindKey(ctx context.Context, prefix string) (*Key, error) {
	k, err := scanKey(s.queryRow(ctx, `SELECT `+keyCols+` FROM access_keys WHERE prefix = ?`, prefix))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "key %s not found", truncate(prefix, 16))
	}
	if err != nil {
		return nil, fmt.Errorf("find key: %w", err)
	}
	return k, nil
}

// ListKeys implements Store.
func (s *SQLStore) ListKeys(ctx context.Context, principal string) ([]*Key, error) {
	if principal != "" {
		return list(ctx, s, `SELECT `+keyCols+` FROM access_keys WHERE principal = ? ORDER BY created_at DESC, prefix`, "list keys", scanKey, principal)
	}
	return list(ctx, s, `SELECT `+keyCols+` FROM access_keys ORDER BY created_at DESC, prefix`, "list keys", scanKey)
}

// RevokeKey implements Store.
func (s *SQLStore) RevokeKey(ctx context.Context, prefix string, at time.Time) error {
	if _, err := s.FindKey(ctx, prefix); err != nil {
		return err
	}
	err := s.mutate(ctx, func(tx *sql.Tx) error {
		_, err := s.txExec(ctx, tx, `UPDATE access_keys SET revoked_at = ? WHERE prefix = ? AND revoked_at = 0`, sqldb.Micros(at), prefix)
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke key %s: %w", prefix, err)
	}
	return nil
}

// EnableKey implements Store.
func (s *SQLStore) EnableKey(ctx context.Context, prefix string) error {
	err := s.mutate(ctx, func(tx *sql.Tx) error {
		return affected(s.txExec(ctx, tx, `UPDATE access_keys SET revoked_at = 0 WHERE prefix = ? AND revoked_at = created_at`, prefix))
	})
	if errors.Is(err, errNoRows) {
		return ticketsum.Errorf(ticketsum.ENOTFOUND, "no key %s waits to be enabled", prefix)
	}
	if err != nil {
		return fmt.Errorf("enable key %s: %w", prefix, err)
	}
	return nil
}

// ApproveModel implements Store.
func (s *SQLStore) ApproveModel(ctx context.Context, m *ApprovedModel) error {
	err := s.mutate(ctx, func(tx *sql.Tx) error {
		_, err := s.txExec(ctx, tx, `INSERT INTO access_models (name, approved_by, approved_at, note) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET approved_by = excluded.approved_by, approved_at = excluded.approved_at, note = excluded.note`,
			m.Name, m.ApprovedBy, sqldb.Micros(m.ApprovedAt), m.Note)
		return err
	})
	if err != nil {
		return fmt.Errorf("approve model %s: %w", m.Name, err)
	}
	return nil
}

// RevokeModel implements Store.
func (s *SQLStore) RevokeModel(ctx context.Context, name string) error {
	err := s.mutate(ctx, func(tx *sql.Tx) error {
		res, err := s.txExec(ctx, tx, `DELETE FROM access_models WHERE name = ?`, name)
		return affected(res, err)
	})
	if errors.Is(err, errNoRows) {
		return ticketsum.Errorf(ticketsum.ENOTFOUND, "model %s is not approved", truncate(name, 200))
	}
	if err != nil {
		return fmt.Errorf("revoke model %s: %w", name, err)
	}
	return nil
}

func scanModel(sc interface{ Scan(...any) error }) (*ApprovedModel, error) {
	var m ApprovedModel
	var at int64
	if err := sc.Scan(&m.Name, &m.ApprovedBy, &at, &m.Note); err != nil {
		return nil, err
	}
	m.ApprovedAt = sqldb.FromMicros(at)
	return &m, nil
}

// FindApprovedModel implements Store.
func (s *SQLStore) FindApprovedModel(ctx context.Context, name string) (*ApprovedModel, error) {
	m, err := scanModel(s.queryRow(ctx, `SELECT name, approved_by, approved_at, note FROM access_models WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "model %s is not approved", truncate(name, 200))
	}
	if err != nil {
		return nil, fmt.Errorf("find approved model: %w", err)
	}
	return m, nil
}

// ListApprovedModels implements Store.
func (s *SQLStore) ListApprovedModels(ctx context.Context) ([]*ApprovedModel, error) {
	return list(ctx, s, `SELECT name, approved_by, approved_at, note FROM access_models ORDER BY name`, "list approved models", scanModel)
}

// Budget implements Store.
func (s *SQLStore) Budget(ctx context.Context, principal, period string) (BudgetState, error) {
	b := BudgetState{Principal: principal, Period: period}
	err := s.queryRow(ctx, `SELECT spent_micros, reserved_micros FROM access_budgets WHERE principal = ? AND period = ?`,
		principal, period).Scan(&b.SpentMicros, &b.ReservedMicros)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("read budget of %s: %w", principal, err)
	}
	return b, nil
}

// ClaimTicket implements Store.
func (s *SQLStore) ClaimTicket(ctx context.Context, ticketID, principal string, at time.Time) (string, error) {
	if _, err := s.db.ExecContext(ctx, s.d.Rebind(`INSERT INTO access_ticket_owners (ticket_id, principal, created_at) VALUES (?, ?, ?)
		ON CONFLICT (ticket_id) DO NOTHING`), ticketID, principal, sqldb.Micros(at)); err != nil {
		return "", fmt.Errorf("claim ticket %s: %w", ticketID, err)
	}
	owner, err := s.TicketOwner(ctx, ticketID)
	if err == nil && owner == "" {
		err = fmt.Errorf("claim ticket %s: owner row missing after insert", ticketID)
	}
	return owner, err
}

// TicketOwner implements Store.
func (s *SQLStore) TicketOwner(ctx context.Context, ticketID string) (string, error) {
	var owner string
	err := s.queryRow(ctx, `SELECT principal FROM access_ticket_owners WHERE ticket_id = ?`, ticketID).Scan(&owner)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("owner of ticket %s: %w", ticketID, err)
	}
	return owner, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func joinScopes(s []string) string {
	if len(s) == 0 {
		return ScopeSummarize
	}
	return strings.Join(s, ",")
}

func splitScopes(s string) []string {
	if s == "" {
		return []string{ScopeSummarize}
	}
	return strings.Split(s, ",")
}
