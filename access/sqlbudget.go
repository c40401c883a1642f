package access

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum/internal/sqldb"
)

// budgetKey is one principal's month.
type budgetKey struct{ principal, period string }

// CommitBudget implements Store in one transaction of prepared statements:
// the settlements of the batch, grouped into one counter update per
// principal and month, then the reservations, granted together with one
// conditional UPDATE when they all fit and one by one otherwise.
func (s *SQLStore) CommitBudget(ctx context.Context, b *BudgetBatch) error {
	if len(b.Settle) == 0 && len(b.Reserve) == 0 {
		return nil
	}
	defer s.preparePending(ctx)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("commit budget: %w", err)
	}
	defer tx.Rollback()
	if s.d == Postgres {
		// The commit must survive this process, not a crash of the
		// database server's OS: no wait for the WAL flush.
		if _, err := s.txExec(ctx, tx, `SET LOCAL synchronous_commit TO OFF`); err != nil {
			return fmt.Errorf("commit budget: %w", err)
		}
	}
	for _, op := range b.Reserve {
		op.OK = false
	}
	if err := s.settleAll(ctx, tx, b.Settle); err != nil {
		return fmt.Errorf("settle budgets: %w", err)
	}
	if err := s.reserveAll(ctx, tx, b.Reserve); err != nil {
		return fmt.Errorf("reserve budgets: %w", err)
	}
	if err := tx.Commit(); err != nil {
		for _, op := range b.Reserve {
			op.OK = false
		}
		return fmt.Errorf("commit budget: %w", err)
	}
	return nil
}

func (s *SQLStore) settleAll(ctx context.Context, tx *sql.Tx, ops []SettleOp) error {
	type delta struct{ released, spent int64 }
	sums := map[budgetKey]*delta{}
	var order []budgetKey
	var deleted map[string]bool // Postgres: the ids one DELETE removed
	if s.d == Postgres && len(ops) > 1 {
		var err error
		if deleted, err = s.deleteReservations(ctx, tx, ops); err != nil {
			return err
		}
	}
	for _, op := range ops {
		var released bool
		if deleted != nil {
			released = deleted[op.R.ID]
			delete(deleted, op.R.ID)
		} else {
			res, err := s.txExec(ctx, tx, `DELETE FROM access_reservations WHERE id = ?`, op.R.ID)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			released = n == 1
		}
		k := budgetKey{op.R.Principal, op.R.Period}
		d, ok := sums[k]
		if !ok {
			d = &delta{}
			sums[k] = d
			order = append(order, k)
		}
		if released { // else released by a sweep already
			d.released += op.R.Micros
		}
		d.spent += op.Actual
	}
	for _, k := range order {
		d := sums[k]
		if _, err := s.txExec(ctx, tx, `UPDATE access_budgets SET
		reserved_micros = CASE WHEN reserved_micros >= ? THEN reserved_micros - ? ELSE 0 END,
		spent_micros = spent_micros + ?
		WHERE principal = ? AND period = ?`, d.released, d.released, d.spent, k.principal, k.period); err != nil {
			return err
		}
	}
	return nil
}

// deleteReservations deletes the reservations of ops in one statement
// (Postgres: each statement is a round trip) and returns the ids it
// deleted; the others were released by a sweep already.
func (s *SQLStore) deleteReservations(ctx context.Context, tx *sql.Tx, ops []SettleOp) (map[string]bool, error) {
	ids := make([]string, len(ops))
	for i, op := range ops {
		ids[i] = op.R.ID
	}
	rows, err := tx.QueryContext(ctx, `DELETE FROM access_reservations WHERE id = ANY($1) RETURNING id`, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	deleted := make(map[string]bool, len(ops))
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		deleted[id] = true
	}
	return deleted, rows.Err()
}

// maxInsertRows caps the rows of one multi-row INSERT (6 parameters a
// row, under Postgres's 65,535).
const maxInsertRows = 1000

// insertReservations inserts the granted reservations of ops in multi-row
// INSERTs of at most maxInsertRows (Postgres placeholders).
func insertReservations(ctx context.Context, tx *sql.Tx, ops []*ReserveOp) error {
	for len(ops) > maxInsertRows {
		if err := insertReservations(ctx, tx, ops[:maxInsertRows]); err != nil {
			return err
		}
		ops = ops[maxInsertRows:]
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO access_reservations (id, principal, period, micros, created_at, request_id) VALUES `)
	args := make([]any, 0, 6*len(ops))
	for _, op := range ops {
		if len(args) > 0 {
			q.WriteByte(',')
		}
		n := len(args)
		fmt.Fprintf(&q, "($%d,$%d,$%d,$%d,$%d,$%d)", n+1, n+2, n+3, n+4, n+5, n+6)
		args = append(args, op.R.ID, op.R.Principal, op.R.Period, op.R.Micros, sqldb.Micros(op.R.CreatedAt), op.R.RequestID)
	}
	_, err := tx.ExecContext(ctx, q.String(), args...)
	return err
}

func (s *SQLStore) reserveAll(ctx context.Context, tx *sql.Tx, ops []*ReserveOp) error {
	groups := map[budgetKey][]*ReserveOp{}
	var order []budgetKey
	for _, op := range ops {
		k := budgetKey{op.R.Principal, op.R.Period}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], op)
	}
	for _, k := range order {
		g := groups[k]
		if err := s.reserveGroup(ctx, tx, k, g); err != nil {
			return err
		}
		if s.d == Postgres && len(g) > 1 {
			granted := make([]*ReserveOp, 0, len(g))
			for _, op := range g {
				if op.OK {
					granted = append(granted, op)
				}
			}
			if len(granted) == 0 {
				continue
			}
			if err := insertReservations(ctx, tx, granted); err != nil {
				return err
			}
			continue
		}
		for _, op := range g {
			if !op.OK {
				continue
			}
			if _, err := s.txExec(ctx, tx, `INSERT INTO access_reservations (id, principal, period, micros, created_at, request_id) VALUES (?, ?, ?, ?, ?, ?)`,
				op.R.ID, op.R.Principal, op.R.Period, op.R.Micros, sqldb.Micros(op.R.CreatedAt), op.R.RequestID); err != nil {
				return err
			}
		}
	}
	return nil
}

// reserveGroup grants the reservations of one principal's month.
func (s *SQLStore) reserveGroup(ctx context.Context, tx *sql.Tx, k budgetKey, g []*ReserveOp) error {
	const cond = `UPDATE access_budgets SET reserved_micros = reserved_micros + ?
		WHERE principal = ? AND period = ? AND spent_micros + reserved_micros + ? <= ?`
	try := func(micros, limit int64) (bool, error) {
		res, err := s.txExec(ctx, tx, cond, micros, k.principal, k.period, micros, limit)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n == 1, err
	}
	var total int64
	limit := g[0].Limit
	same := true
	for _, op := range g {
		total += op.R.Micros
		same = same && op.Limit == limit
	}
	ok, err := try(total, limit)
	if err != nil {
		return err
	}
	if !ok { // no row yet, or not everything fits
		if _, err := s.txExec(ctx, tx, `INSERT INTO access_budgets (principal, period, spent_micros, reserved_micros) VALUES (?, ?, 0, 0)
		ON CONFLICT (principal, period) DO NOTHING`, k.principal, k.period); err != nil {
			return err
		}
		if ok, err = try(total, limit); err != nil {
			return err
		}
	}
	if ok && same {
		for _, op := range g {
			op.OK = true
		}
		return nil
	}
	if ok { // limits differ (a principal changed mid-batch): undo, go one by one
		if _, err := s.txExec(ctx, tx, `UPDATE access_budgets SET reserved_micros = reserved_micros - ? WHERE principal = ? AND period = ?`,
			total, k.principal, k.period); err != nil {
			return err
		}
	}
	for _, op := range g {
		if op.OK, err = try(op.R.Micros, op.Limit); err != nil {
			return err
		}
	}
	return nil
}

// StaleReservations implements Store.
func (s *SQLStore) StaleReservations(ctx context.Context, before time.Time) ([]*Reservation, error) {
	return list(ctx, s, `SELECT id, principal, period, micros, created_at, request_id FROM access_reservations WHERE created_at < ? ORDER BY created_at`,
		"list stale reservations", func(sc interface{ Scan(...any) error }) (*Reservation, error) {
			var r Reservation
			var at int64
			if err := sc.Scan(&r.ID, &r.Principal, &r.Period, &r.Micros, &at, &r.RequestID); err != nil {
				return nil, err
			}
			r.CreatedAt = sqldb.FromMicros(at)
			return &r, nil
		}, sqldb.Micros(before))
}
