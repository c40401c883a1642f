package audit

import "github.com/ticketsum/ticketsum/internal/sqldb"

// Dialect is the SQL flavour of TrailConfig.DB. Queries are written once
// with '?' placeholders and rebound per dialect.
// It is the one Dialect type of the packages that keep their own tables,
// so an audit.Dialect converts to and from access.Dialect and review.Dialect.
type Dialect = sqldb.Dialect

// The supported dialects.
const (
	// SQLite is modernc.org/sqlite, driver name "sqlite".
	SQLite = sqldb.SQLite
	// Postgres is github.com/jackc/pgx/v5/stdlib, driver name "pgx".
	Postgres = sqldb.Postgres
)
