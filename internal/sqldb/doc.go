// Package sqldb is the SQL plumbing shared by the packages that keep their
// own tables beside the ticket store (access, audit, review) on a
// database/sql handle: the Dialect of that handle, the rebinding of '?'
// placeholders for Postgres, and one runner for embedded migrations that
// records each applied version in a per-package version table.
//
// Queries are written once in portable SQL with '?' placeholders and passed
// through Dialect.Rebind; migrations are numbered files ("001_init.sql")
// applied in order by Migrate.
package sqldb
