package review

import "github.com/ticketsum/ticketsum/internal/sqldb"

// Dialect is the SQL flavour of a database/sql handle given to NewSQLStore.
// Queries are written once with '?' placeholders and rebound per dialect.
// It is the one Dialect type of the packages that keep their own tables,
// so a review.Dialect converts to and from access.Dialect and audit.Dialect.
type Dialect = sqldb.Dialect

// The supported dialects.
const (
	// SQLite is modernc.org/sqlite, driver name "sqlite".
	SQLite = sqldb.SQLite
	// Postgres is github.com/jackc/pgx/v5/stdlib, driver name "pgx".
	Postgres = sqldb.Postgres
)
