package audit

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/ticketsum/ticketsum/internal/sqldb"
)

// migrationFS holds the portable migrations (migrations/*.sql) and those
// that run on SQLite only, after them (sqlite/migrations/*.sql).
//
//go:embed migrations/*.sql sqlite/migrations/*.sql
var migrationFS embed.FS

// migrate creates or upgrades the audit_ tables, recording applied versions
// in audit_schema_migrations, and on SQLite then the SQLite-only ones in
// audit_sqlite_schema_migrations; idempotent and safe from several
// processes.
func migrate(ctx context.Context, db *sql.DB, d Dialect) error {
	if _, err := sqldb.Migrate(ctx, db, d, migrationFS, "audit_schema_migrations"); err != nil {
		return fmt.Errorf("migrate audit tables: %w", err)
	}
	if d != SQLite {
		return nil
	}
	sqliteFS, err := fs.Sub(migrationFS, "sqlite")
	if err != nil {
		return fmt.Errorf("migrate audit tables: %w", err)
	}
	if _, err := sqldb.Migrate(ctx, db, d, sqliteFS, "audit_sqlite_schema_migrations"); err != nil {
		return fmt.Errorf("migrate audit tables (SQLite): %w", err)
	}
	return nil
}
