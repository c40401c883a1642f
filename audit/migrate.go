package audit

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"github.com/ticketsum/ticketsum/internal/sqldb"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrate creates or upgrades the audit_ tables, recording applied versions
// in audit_schema_migrations; idempotent and safe from several processes.
func migrate(ctx context.Context, db *sql.DB, d Dialect) error {
	if _, err := sqldb.Migrate(ctx, db, d, migrationFS, "audit_schema_migrations"); err != nil {
		return fmt.Errorf("migrate audit tables: %w", err)
	}
	return nil
}
