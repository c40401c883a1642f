package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Migrate applies the migrations of fsys (see LoadMigrations) that are not
// yet recorded in the version table named table, in version order, and
// returns how many it applied. The version table is created when missing as
// (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL), applied_at in
// unix microseconds: the layout the access_, audit_ and review_ tables have
// always used, so existing databases carry on where they stopped.
//
// Each migration runs in its own transaction that first claims its version
// row, so that several processes migrating the same database at once apply
// each migration exactly once: on Postgres the transaction also takes an
// advisory lock on (current schema, table), and on SQLite the claim takes
// the write lock (open the database with a busy timeout so that the others
// wait). A failed migration leaves no trace and is retried next time.
func Migrate(ctx context.Context, db *sql.DB, d Dialect, fsys fs.FS, table string) (int, error) {
	if db == nil {
		return 0, ticketsum.Errorf(ticketsum.EINVALID, "migrate: no database handle")
	}
	if err := d.Validate(); err != nil {
		return 0, err
	}
	if !isIdentifier(table) {
		return 0, ticketsum.Errorf(ticketsum.EINVALID, "migrate: version table %q is not a plain SQL name", truncate(table, 64))
	}
	migs, err := LoadMigrations(fsys)
	if err != nil {
		return 0, err
	}
	err = inTx(ctx, db, d, table, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+table+` (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("create version table %s: %w", table, err)
	}
	applied := 0
	for _, m := range migs {
		done, err := isApplied(ctx, db, d, table, m.Version)
		if err != nil {
			return applied, fmt.Errorf("read version table %s: %w", table, err)
		}
		if done {
			continue
		}
		var ran bool
		err = inTx(ctx, db, d, table, func(tx *sql.Tx) error {
			var err error
			ran, err = apply(ctx, tx, d, table, m)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("apply migration %s: %w", m.Name, err)
		}
		if ran {
			applied++
		}
	}
	return applied, nil
}

// apply claims m's version row and, when the claim is new, runs m. It
// reports whether it ran m.
func apply(ctx context.Context, tx *sql.Tx, d Dialect, table string, m Migration) (bool, error) {
	res, err := tx.ExecContext(ctx, d.Rebind(`INSERT INTO `+table+` (version, applied_at) VALUES (?, ?) ON CONFLICT (version) DO NOTHING`),
		m.Version, time.Now().UnixMicro())
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err // applied meanwhile by another process
	}
	for _, stmt := range SplitStatements(m.SQL) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, err
		}
	}
	return true, nil
}

func isApplied(ctx context.Context, db *sql.DB, d Dialect, table string, version int) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, d.Rebind(`SELECT COUNT(*) FROM `+table+` WHERE version = ?`), version).Scan(&n)
	return n > 0, err
}

// inTx runs fn in a transaction, on Postgres under a transaction-scoped
// advisory lock on the current schema's version table.
func inTx(ctx context.Context, db *sql.DB, d Dialect, table string, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if d == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('ticketsum migrate ' || coalesce(current_schema(), '') || '.' || $1))`, table); err != nil {
			return fmt.Errorf("take migration lock: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// isIdentifier reports whether s is a lower-case SQL name that needs no
// quoting: a letter or '_' then letters, digits or '_', at most 63 bytes.
func isIdentifier(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
