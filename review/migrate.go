package review

import (
	"context"
	"embed"
	"fmt"

	"github.com/ticketsum/ticketsum/internal/sqldb"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrate creates or upgrades the review_ tables, recording applied
// versions in review_schema_migrations. It is idempotent and safe to run
// from several processes at once.
func (s *SQLStore) Migrate(ctx context.Context) error {
	if _, err := sqldb.Migrate(ctx, s.db, s.d, migrationFS, "review_schema_migrations"); err != nil {
		return fmt.Errorf("migrate review tables: %w", err)
	}
	return nil
}
