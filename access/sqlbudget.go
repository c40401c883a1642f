package access

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum/internal/sqldb"
)

// budgetKey is one principal's month.
type budgetKey struct{ principal, period string }

// CommitBudget implements Store in one transaction of prepared statements.
func (s *SQLStore) CommitBudget(ctx context.Context, f *BudgetFlush) error {
	if len(f.Leases) == 0 {
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
	err = s.WriteBudget(ctx, tx, f)
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		for _, w := range f.Leases {
			w.Granted = 0
		}
		return fmt.Errorf("commit budget: %w", err)
	}
	return nil
}

// WriteBudget writes f within tx, which the caller commits (the audit
// trail's group commit, so that a call's charge and its record commit
// together). Statements it runs before they are prepared are prepared by
// PreparePending, which the caller runs once tx has ended. Per lease it
// runs at most three statements: the month's counters, the grant's
// conditional UPDATE, and the lease row; the settlements of every lease
// that is neither extended nor closed (the common flush) are, when there
// are several, one statement on Postgres and on SQLite one UPDATE of the
// counters and one upsert of the lease rows per power of two in their
// number (16 principals: two statements instead of 32); one such lease
// (one principal calling) is written by its own two plain statements,
// which cost Postgres less than the statement of many (settleStatement). Rows are locked in
// the order of (principal, period), whatever the process, so that two
// flushes cannot deadlock.
func (s *SQLStore) WriteBudget(ctx context.Context, tx *sql.Tx, f *BudgetFlush) error {
	for _, w := range f.Leases {
		w.Granted = 0
	}
	if stmts, ok := s.flushStatements(f); ok {
		for _, st := range stmts {
			if _, err := s.txExec(ctx, tx, st.q, st.args...); err != nil {
				return fmt.Errorf("%s: %w", st.what, err)
			}
		}
		return nil
	}
	var settled []budgetStmt // the settlements of every lease that only settles, when in one go
	switch {
	case countSettlesOnly(f) <= 1:
	case s.d == Postgres:
		if st, ok := settleStatement(f); ok {
			settled = []budgetStmt{st}
		}
	default:
		settled = settleStatementsSQLite(f)
	}
	for _, st := range settled {
		if _, err := s.txExec(ctx, tx, st.q, st.args...); err != nil {
			return fmt.Errorf("%s: %w", st.what, err)
		}
	}
	for _, w := range sortedLeases(f) {
		if settled != nil && settlesOnly(w) {
			continue // written by the settle statements
		}
		if st, ok := settleOne(w); ok {
			if _, err := s.txExec(ctx, tx, st.q, st.args...); err != nil {
				return fmt.Errorf("%s: %w", st.what, err)
			}
		}
		if w.Want > 0 {
			g, err := s.grant(ctx, tx, w)
			if err != nil {
				return fmt.Errorf("lease budget of %s: %w", w.Principal, err)
			}
			w.Granted = g
		}
		st := leaseRow(f, w)
		if _, err := s.txExec(ctx, tx, st.q, st.args...); err != nil {
			return fmt.Errorf("%s: %w", st.what, err)
		}
	}
	return nil
}

// budgetStmt is one statement of a budget flush, in '?' placeholders;
// what names it in an error.
type budgetStmt struct {
	q    string
	args []any
	what string
}

// flushStatements returns f's writes as statements whose results are not
// needed, for a caller that queues them in a pipeline: on Postgres, when
// no lease is extended (an extension's statements depend on each other's
// results). It reports false otherwise.
func (s *SQLStore) flushStatements(f *BudgetFlush) ([]budgetStmt, bool) {
	if s.d != Postgres {
		return nil, false
	}
	for _, w := range f.Leases {
		if w.Want > 0 {
			return nil, false
		}
	}
	var stmts []budgetStmt
	many := countSettlesOnly(f) > 1
	if many {
		st, _ := settleStatement(f)
		stmts = append(stmts, st)
	}
	for _, w := range sortedLeases(f) {
		if many && settlesOnly(w) {
			continue
		}
		if st, ok := settleOne(w); ok {
			stmts = append(stmts, st)
		}
		stmts = append(stmts, leaseRow(f, w))
	}
	return stmts, true
}

// sortedLeases returns f's leases in the order of their rows' key,
// (principal, period), the order in which every flush locks them.
func sortedLeases(f *BudgetFlush) []*LeaseWrite {
	ls := slices.Clone(f.Leases)
	slices.SortFunc(ls, func(a, b *LeaseWrite) int {
		return cmp.Or(strings.Compare(a.Principal, b.Principal), strings.Compare(a.Period, b.Period), strings.Compare(a.ID, b.ID))
	})
	return ls
}

// settleOne is the statement that settles w's month's counters, false
// when w settles nothing.
func settleOne(w *LeaseWrite) (budgetStmt, bool) {
	freed := w.Consumed + w.Release
	if w.Spent == 0 && freed == 0 {
		return budgetStmt{}, false
	}
	return budgetStmt{q: `UPDATE access_budgets SET
			reserved_micros = CASE WHEN reserved_micros >= ? THEN reserved_micros - ? ELSE 0 END,
			spent_micros = spent_micros + ?
			WHERE principal = ? AND period = ?`, args: []any{freed, freed, w.Spent, w.Principal, w.Period},
		what: "settle budget of " + w.Principal}, true
}

// leaseRow is the statement that writes w's lease row: deleted when the
// lease is closed and granted nothing, else its holdings changed by what
// was granted, consumed and released.
func leaseRow(f *BudgetFlush, w *LeaseWrite) budgetStmt {
	if w.Close && w.Granted == 0 {
		return budgetStmt{q: `DELETE FROM access_leases WHERE id = ?`, args: []any{w.ID}, what: "close budget lease"}
	}
	return budgetStmt{q: `INSERT INTO access_leases (id, principal, period, micros, holder, renewed_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET micros = access_leases.micros + excluded.micros, renewed_at = excluded.renewed_at`,
		args: []any{w.ID, w.Principal, w.Period, w.Granted - w.Consumed - w.Release, f.Holder, sqldb.Micros(f.At)},
		what: "write budget lease"}
}

// settlesOnly reports whether w only settles: no extension, no close.
func settlesOnly(w *LeaseWrite) bool { return w.Want == 0 && !w.Close }

// settleStatement is, on Postgres, the one statement that writes the
// settlements of f's leases that only settle (each statement is a round
// trip, inside the trail's transaction, which holds the append lock
// meanwhile): every month's counters and every lease row. It first locks
// the month rows of every lease of f in (principal, period) order (the
// locking subquery sorts before it locks, and the UPDATE writes only rows
// it returned), so that the rows the flush's other statements write,
// which run in the same order, are locked in one order across processes.
// A flush holds one lease per principal's month, so no row is updated
// twice. It reports false when no lease only settles. WriteBudget and
// flushStatements use it for two such leases or more: for one, its
// unnest, join and locking subquery cost the database more than the
// lease's two plain statements (settleOne, leaseRow), about 0.2 ms of a
// 0.6-0.85 ms group commit at load 23 (docs/performance.md).
func settleStatement(f *BudgetFlush) (budgetStmt, bool) {
	n := len(f.Leases)
	ids, principals, periods := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	freed, spent := make([]int64, 0, n), make([]int64, 0, n)
	settle := make([]bool, 0, n)
	some := false
	for _, w := range sortedLeases(f) {
		ids, principals, periods = append(ids, w.ID), append(principals, w.Principal), append(periods, w.Period)
		freed, spent = append(freed, w.Consumed+w.Release), append(spent, w.Spent)
		settle = append(settle, settlesOnly(w))
		some = some || settlesOnly(w)
	}
	if !some {
		return budgetStmt{}, false
	}
	return budgetStmt{q: `WITH s AS (
		SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bool[]) AS s(id, principal, period, freed, spent, settle)),
	settled AS (UPDATE access_budgets b SET
		reserved_micros = CASE WHEN b.reserved_micros >= s.freed THEN b.reserved_micros - s.freed ELSE 0 END,
		spent_micros = b.spent_micros + s.spent
		FROM s, (SELECT r.principal, r.period FROM access_budgets r JOIN s ON r.principal = s.principal AND r.period = s.period
			ORDER BY r.principal, r.period FOR UPDATE OF r) k
		WHERE s.settle AND b.principal = s.principal AND b.period = s.period AND k.principal = s.principal AND k.period = s.period)
	INSERT INTO access_leases (id, principal, period, micros, holder, renewed_at)
	SELECT id, principal, period, -freed, ?, ? FROM s WHERE settle
	ON CONFLICT (id) DO UPDATE SET micros = access_leases.micros + excluded.micros, renewed_at = excluded.renewed_at`,
		args: []any{ids, principals, periods, freed, spent, settle, f.Holder, sqldb.Micros(f.At)},
		what: fmt.Sprintf("settle budgets of %d principals", n)}, true
}

// countSettlesOnly is how many of f's leases only settle.
func countSettlesOnly(f *BudgetFlush) int {
	n := 0
	for _, w := range f.Leases {
		if settlesOnly(w) {
			n++
		}
	}
	return n
}

// settleStatementsSQLite are, on SQLite, the statements that write the
// settlements of f's leases that only settle: the months' counters that
// change in UPDATEs and the lease rows in upserts, each statement taking
// the rows of a VALUES list whose length is a power of two (a flush of 13
// leases is three of each, of 8, 4 and 1 rows), so that a few texts, each
// prepared once, serve every number of leases. A transaction on SQLite
// holds the database's write lock from its first write, so the order of
// rows does not matter. A flush holds one lease per principal's month, so
// no row is updated twice.
func settleStatementsSQLite(f *BudgetFlush) []budgetStmt {
	var counters, rows [][]any
	for _, w := range f.Leases {
		if !settlesOnly(w) {
			continue
		}
		freed := w.Consumed + w.Release
		if w.Spent != 0 || freed != 0 {
			counters = append(counters, []any{w.Principal, w.Period, freed, w.Spent})
		}
		rows = append(rows, []any{w.ID, w.Principal, w.Period, -freed})
	}
	var stmts []budgetStmt
	for _, c := range powerOfTwoChunks(counters) {
		stmts = append(stmts, budgetStmt{q: `UPDATE access_budgets SET
			reserved_micros = CASE WHEN reserved_micros >= s.column3 THEN reserved_micros - s.column3 ELSE 0 END,
			spent_micros = spent_micros + s.column4
			FROM (` + valuesList(len(c), 4) + `) AS s
			WHERE access_budgets.principal = s.column1 AND access_budgets.period = s.column2`,
			args: flatten(c), what: fmt.Sprintf("settle budgets of %d principals", len(c))})
	}
	at := sqldb.Micros(f.At)
	for _, c := range powerOfTwoChunks(rows) {
		stmts = append(stmts, budgetStmt{q: `INSERT INTO access_leases (id, principal, period, micros, holder, renewed_at)
			SELECT column1, column2, column3, column4, ?, ? FROM (` + valuesList(len(c), 4) + `) WHERE true
			ON CONFLICT (id) DO UPDATE SET micros = access_leases.micros + excluded.micros, renewed_at = excluded.renewed_at`,
			args: append([]any{f.Holder, at}, flatten(c)...), what: fmt.Sprintf("write %d budget leases", len(c))})
	}
	return stmts
}

// powerOfTwoChunks splits rows into runs whose lengths are powers of two,
// largest first.
func powerOfTwoChunks(rows [][]any) [][][]any {
	var chunks [][][]any
	for len(rows) > 0 {
		n := 1 << (bits.Len(uint(len(rows))) - 1)
		chunks = append(chunks, rows[:n])
		rows = rows[n:]
	}
	return chunks
}

// valuesList is VALUES of n rows of cols '?' placeholders.
func valuesList(n, cols int) string {
	row := "(?" + strings.Repeat(", ?", cols-1) + ")"
	return "VALUES " + row + strings.Repeat(", "+row, n-1)
}

// flatten is rows' values in order.
func flatten(rows [][]any) []any {
	var args []any
	for _, r := range rows {
		args = append(args, r...)
	}
	return args
}

// PreparePending prepares the statements WriteBudget ran as text. Call it
// with no transaction open.
func (s *SQLStore) PreparePending(ctx context.Context) { s.preparePending(ctx) }

// grant extends lease w within its month's limit and returns by how much:
// Want when it fits, else what is left if that is at least Min, else 0.
func (s *SQLStore) grant(ctx context.Context, tx *sql.Tx, w *LeaseWrite) (int64, error) {
	try := func(micros int64) (bool, error) {
		res, err := s.txExec(ctx, tx, `UPDATE access_budgets SET reserved_micros = reserved_micros + ?
		WHERE principal = ? AND period = ? AND spent_micros + reserved_micros + ? <= ?`, micros, w.Principal, w.Period, micros, w.Limit)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n == 1, err
	}
	ok, err := try(w.Want)
	if err != nil || ok {
		return w.Want, err
	}
	// No row yet, or not everything fits.
	if _, err := s.txExec(ctx, tx, `INSERT INTO access_budgets (principal, period, spent_micros, reserved_micros) VALUES (?, ?, 0, 0)
		ON CONFLICT (principal, period) DO NOTHING`, w.Principal, w.Period); err != nil {
		return 0, err
	}
	if ok, err = try(w.Want); err != nil || ok {
		return w.Want, err
	}
	if w.Min <= 0 || w.Min >= w.Want {
		return 0, nil
	}
	var free int64
	// Rare (the month is nearly spent): not prepared.
	if err := tx.QueryRowContext(ctx, s.d.Rebind(`SELECT spent_micros + reserved_micros FROM access_budgets WHERE principal = ? AND period = ?`),
		w.Principal, w.Period).Scan(&free); err != nil {
		return 0, err
	}
	free = w.Limit - free
	for _, m := range []int64{min(free, w.Want), w.Min} {
		if m < w.Min {
			continue
		}
		if ok, err := try(m); err != nil || ok {
			return m, err
		}
	}
	return 0, nil
}

// RenewLeases implements Store.
func (s *SQLStore) RenewLeases(ctx context.Context, holder string, at time.Time) error {
	st, err := s.stmt(ctx, `UPDATE access_leases SET renewed_at = ? WHERE holder = ?`)
	if err == nil {
		_, err = st.ExecContext(ctx, sqldb.Micros(at), holder)
	}
	if err != nil {
		return fmt.Errorf("renew budget leases: %w", err)
	}
	return nil
}

// StaleLeases implements Store.
func (s *SQLStore) StaleLeases(ctx context.Context, before time.Time) ([]*Lease, error) {
	return list(ctx, s, `SELECT id, principal, period, holder, micros, renewed_at FROM access_leases WHERE renewed_at < ? ORDER BY renewed_at`,
		"list stale budget leases", func(sc interface{ Scan(...any) error }) (*Lease, error) {
			var l Lease
			var at int64
			if err := sc.Scan(&l.ID, &l.Principal, &l.Period, &l.Holder, &l.Micros, &at); err != nil {
				return nil, err
			}
			l.RenewedAt = sqldb.FromMicros(at)
			return &l, nil
		}, sqldb.Micros(before))
}

// ReleaseLease implements Store.
func (s *SQLStore) ReleaseLease(ctx context.Context, id string, before time.Time) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("release budget lease: %w", err)
	}
	defer tx.Rollback()
	var principal, period string
	var micros int64
	err = tx.QueryRowContext(ctx, s.d.Rebind(`DELETE FROM access_leases WHERE id = ? AND renewed_at < ? RETURNING principal, period, micros`),
		id, sqldb.Micros(before)).Scan(&principal, &period, &micros)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // renewed, or released by another sweep
	}
	if err != nil {
		return false, fmt.Errorf("release budget lease: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.d.Rebind(`UPDATE access_budgets SET
		reserved_micros = CASE WHEN reserved_micros >= ? THEN reserved_micros - ? ELSE 0 END
		WHERE principal = ? AND period = ?`), micros, micros, principal, period); err != nil {
		return false, fmt.Errorf("release budget lease: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("release budget lease: %w", err)
	}
	return true, nil
}
