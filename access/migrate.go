package access

import (
	"context"
	"embed"
	"fmt"

	"github.com/ticketsum/ticketsum/internal/sqldb"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrate creates or upgrades the access_ tables, recording applied
// versions in access_schema_migrations. It is idempotent and safe to run
// from several processes at once.
func (s *SQLStore) Migrate(ctx context.Context) error {
	if _, err := sqldb.Migrate(ctx, s.db, s.d, migrationFS, "access_schema_migrations"); err != nil {
		return fmt.Errorf("migrate access tables: %w", err)
	}
	return nil
}
