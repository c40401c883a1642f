package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"github.com/ticketsum/ticketsum/internal/sqldb"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrate applies the migrations not yet recorded in ticketsum_migrations,
// each in its own transaction, and returns how many it applied.
func (s *Store) migrate(ctx context.Context) (int, error) {
	migs, err := sqldb.LoadMigrations(migrationFS)
	if err != nil {
		return 0, err
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS ticketsum_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return 0, fmt.Errorf("create migrations table: %w", err)
	}
	applied := 0
	for _, m := range migs {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM ticketsum_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			applied++
			_, err := tx.ExecContext(ctx, `INSERT INTO ticketsum_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, s.cfg.Clock.Now().UnixMicro())
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("apply migration %s: %w", m.Name, err)
		}
	}
	return applied, nil
}
