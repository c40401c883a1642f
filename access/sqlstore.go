package access

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/sqldb"
)

// SQLStore is the Store on a database/sql handle: SQLite (modernc.org/sqlite,
// driver "sqlite") or Postgres (pgx stdlib, driver "pgx"). It owns the
// access_ tables and creates them with Migrate.
type SQLStore struct {
	db *sql.DB
	d  Dialect
}

var _ Store = (*SQLStore)(nil)

// NewSQLStore returns a store on db, which the caller opened and closes.
// Call Migrate before first use. For SQLite, open the database with
// "_pragma=busy_timeout(5000)" so that concurrent writers wait instead of
// failing.
func NewSQLStore(db *sql.DB, d Dialect) (*SQLStore, error) {
	if err := sqldb.Check("access store", db, d); err != nil {
		return nil, err
	}
	return &SQLStore{db: db, d: d}, nil
}

func (s *SQLStore) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, s.d.Rebind(q), args...)
}

// CreatePrincipal implements Store.
func (s *SQLStore) CreatePrincipal(ctx context.Context, p *Principal) error {
	uc, _ := json.Marshal(nonNil(p.UseCases))
	ms, _ := json.Marshal(nonNil(p.Models))
	res, err := s.exec(ctx, `INSERT INTO access_principals (name, use_cases, models, requests_per_minute, monthly_budget_micros, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		p.Name, string(uc), string(ms), p.RequestsPerMinute, usdToMicros(p.MonthlyBudgetUSD), sqldb.Micros(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("create principal %s: %w", p.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ticketsum.Errorf(ticketsum.ECONFLICT, "principal %s already exists", p.Name)
	}
	return nil
}

// UpdatePrincipal implements Store.
func (s *SQLStore) UpdatePrincipal(ctx context.Context, p *Principal) error {
	uc, _ := json.Marshal(nonNil(p.UseCases))
	ms, _ := json.Marshal(nonNil(p.Models))
	res, err := s.exec(ctx, `UPDATE access_principals SET use_cases = ?, models = ?, requests_per_minute = ?, monthly_budget_micros = ? WHERE name = ?`,
		string(uc), string(ms), p.RequestsPerMinute, usdToMicros(p.MonthlyBudgetUSD), p.Name)
	if err != nil {
		return fmt.Errorf("update principal %s: %w", p.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ticketsum.Errorf(ticketsum.ENOTFOUND, "principal %s not found", p.Name)
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
	row := s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT `+principalCols+` FROM access_principals WHERE name = ?`), name)
	p, err := scanPrincipal(row)
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
	rows, err := s.db.QueryContext(ctx, `SELECT `+principalCols+` FROM access_principals ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list principals: %w", err)
	}
	defer rows.Close()
	var out []*Principal
	for rows.Next() {
		p, err := scanPrincipal(rows)
		if err != nil {
			return nil, fmt.Errorf("list principals: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CreateKey implements Store.
func (s *SQLStore) CreateKey(ctx context.Context, k *Key) error {
	res, err := s.exec(ctx, `INSERT INTO access_keys (prefix, principal, hash, created_at, expires_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (prefix) DO NOTHING`,
		k.Prefix, k.Principal, k.Hash, sqldb.Micros(k.CreatedAt), sqldb.Micros(k.ExpiresAt), sqldb.Micros(k.RevokedAt))
	if err != nil {
		return fmt.Errorf("create key %s: %w", k.Prefix, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ticketsum.Errorf(ticketsum.ECONFLICT, "key prefix %s already exists", k.Prefix)
	}
	return nil
}

const keyCols = `prefix, principal, hash, created_at, expires_at, revoked_at`

func scanKey(sc interface{ Scan(...any) error }) (*Key, error) {
	var k Key
	var c, e, r int64
	if err := sc.Scan(&k.Prefix, &k.Principal, &k.Hash, &c, &e, &r); err != nil {
		return nil, err
	}
	k.CreatedAt, k.ExpiresAt, k.RevokedAt = sqldb.FromMicros(c), sqldb.FromMicros(e), sqldb.FromMicros(r)
	return &k, nil
}

// FindKey implements Store.
func (s *SQLStore) FindKey(ctx context.Context, prefix string) (*Key, error) {
	k, err := scanKey(s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT `+keyCols+` FROM access_keys WHERE prefix = ?`), prefix))
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
	q, args := `SELECT `+keyCols+` FROM access_keys ORDER BY created_at DESC, prefix`, []any{}
	if principal != "" {
		q, args = `SELECT `+keyCols+` FROM access_keys WHERE principal = ? ORDER BY created_at DESC, prefix`, []any{principal}
	}
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	defer rows.Close()
	var out []*Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("list keys: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeKey implements Store.
func (s *SQLStore) RevokeKey(ctx context.Context, prefix string, at time.Time) error {
	if _, err := s.FindKey(ctx, prefix); err != nil {
		return err
	}
	if _, err := s.exec(ctx, `UPDATE access_keys SET revoked_at = ? WHERE prefix = ? AND revoked_at = 0`, sqldb.Micros(at), prefix); err != nil {
		return fmt.Errorf("revoke key %s: %w", prefix, err)
	}
	return nil
}

// ApproveModel implements Store.
func (s *SQLStore) ApproveModel(ctx context.Context, m *ApprovedModel) error {
	_, err := s.exec(ctx, `INSERT INTO access_models (name, approved_by, approved_at, note) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET approved_by = excluded.approved_by, approved_at = excluded.approved_at, note = excluded.note`,
		m.Name, m.ApprovedBy, sqldb.Micros(m.ApprovedAt), m.Note)
	if err != nil {
		return fmt.Errorf("approve model %s: %w", m.Name, err)
	}
	return nil
}

// RevokeModel implements Store.
func (s *SQLStore) RevokeModel(ctx context.Context, name string) error {
	res, err := s.exec(ctx, `DELETE FROM access_models WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("revoke model %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ticketsum.Errorf(ticketsum.ENOTFOUND, "model %s is not approved", truncate(name, 200))
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
	m, err := scanModel(s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT name, approved_by, approved_at, note FROM access_models WHERE name = ?`), name))
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
	rows, err := s.db.QueryContext(ctx, `SELECT name, approved_by, approved_at, note FROM access_models ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list approved models: %w", err)
	}
	defer rows.Close()
	var out []*ApprovedModel
	for rows.Next() {
		m, err := scanModel(rows)
		if err != nil {
			return nil, fmt.Errorf("list approved models: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Reserve implements Store with one conditional UPDATE, atomic in both
// SQLite and Postgres, then records the open reservation.
func (s *SQLStore) Reserve(ctx context.Context, r *Reservation, limit int64) (bool, error) {
	if _, err := s.exec(ctx, `INSERT INTO access_budgets (principal, period, spent_micros, reserved_micros) VALUES (?, ?, 0, 0)
		ON CONFLICT (principal, period) DO NOTHING`, r.Principal, r.Period); err != nil {
		return false, fmt.Errorf("reserve budget of %s: %w", r.Principal, err)
	}
	res, err := s.exec(ctx, `UPDATE access_budgets SET reserved_micros = reserved_micros + ?
		WHERE principal = ? AND period = ? AND spent_micros + reserved_micros + ? <= ?`, r.Micros, r.Principal, r.Period, r.Micros, limit)
	if err != nil {
		return false, fmt.Errorf("reserve budget of %s: %w", r.Principal, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, err
	}
	if _, err := s.exec(ctx, `INSERT INTO access_reservations (id, principal, period, micros, created_at) VALUES (?, ?, ?, ?, ?)`,
		r.ID, r.Principal, r.Period, r.Micros, sqldb.Micros(r.CreatedAt)); err != nil {
		s.release(ctx, r.Principal, r.Period, r.Micros, 0)
		return false, fmt.Errorf("record reservation of %s: %w", r.Principal, err)
	}
	return true, nil
}

// release moves amounts in one atomic UPDATE.
func (s *SQLStore) release(ctx context.Context, principal, period string, reserved, actual int64) error {
	_, err := s.exec(ctx, `UPDATE access_budgets SET
		reserved_micros = CASE WHEN reserved_micros >= ? THEN reserved_micros - ? ELSE 0 END,
		spent_micros = spent_micros + ?
		WHERE principal = ? AND period = ?`, reserved, reserved, actual, principal, period)
	return err
}

// Settle implements Store. Deleting the reservation row decides, once,
// whether this call or a stale sweep releases the reserved amount.
func (s *SQLStore) Settle(ctx context.Context, r *Reservation, actual int64) error {
	res, err := s.exec(ctx, `DELETE FROM access_reservations WHERE id = ?`, r.ID)
	if err != nil {
		return fmt.Errorf("settle budget of %s: %w", r.Principal, err)
	}
	reserved := r.Micros
	if n, _ := res.RowsAffected(); n == 0 {
		reserved = 0 // already released by ReleaseStale
	}
	if err := s.release(ctx, r.Principal, r.Period, reserved, actual); err != nil {
		return fmt.Errorf("settle budget of %s: %w", r.Principal, err)
	}
	return nil
}

// ReleaseStale implements Store.
func (s *SQLStore) ReleaseStale(ctx context.Context, before time.Time) (int, error) {
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(`SELECT id, principal, period, micros FROM access_reservations WHERE created_at < ?`), sqldb.Micros(before))
	if err != nil {
		return 0, fmt.Errorf("list stale reservations: %w", err)
	}
	var stale []Reservation
	for rows.Next() {
		var r Reservation
		if err := rows.Scan(&r.ID, &r.Principal, &r.Period, &r.Micros); err != nil {
			rows.Close()
			return 0, fmt.Errorf("list stale reservations: %w", err)
		}
		stale = append(stale, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("list stale reservations: %w", err)
	}
	n := 0
	for _, r := range stale {
		res, err := s.exec(ctx, `DELETE FROM access_reservations WHERE id = ?`, r.ID)
		if err != nil {
			return n, fmt.Errorf("release reservation: %w", err)
		}
		if k, _ := res.RowsAffected(); k == 1 { // not settled meanwhile
			if err := s.release(ctx, r.Principal, r.Period, r.Micros, 0); err != nil {
				return n, fmt.Errorf("release reservation: %w", err)
			}
			n++
		}
	}
	return n, nil
}

// Budget implements Store.
func (s *SQLStore) Budget(ctx context.Context, principal, period string) (BudgetState, error) {
	b := BudgetState{Principal: principal, Period: period}
	err := s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT spent_micros, reserved_micros FROM access_budgets WHERE principal = ? AND period = ?`),
		principal, period).Scan(&b.SpentMicros, &b.ReservedMicros)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("read budget of %s: %w", principal, err)
	}
	return b, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
