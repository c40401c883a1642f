// Package dbtest opens real, fresh databases for tests: SQLite in a
// temporary directory, always, and a Postgres schema of its own in the
// database at TICKETSUM_TEST_DATABASE_URL, dropped when the test ends, the
// test skipped only when the variable is unset.
//
// Pools are capped at MaxConns connections because the test server is
// shared by every package's parallel tests. The package registers the
// "sqlite" (modernc.org/sqlite) and "pgx" (jackc/pgx/v5/stdlib) drivers.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/internal/sqldb"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver
	_ "modernc.org/sqlite"             // "sqlite" driver
)

// EnvURL names the environment variable with the Postgres test database
// URL, for example postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const EnvURL = "TICKETSUM_TEST_DATABASE_URL"

// MaxConns caps the connections of each pool this package opens.
const MaxConns = 4

// SQLitePragmas are the connection options of SQLite databases opened here:
// writers wait for each other, WAL journal, foreign keys enforced as on
// Postgres.
const SQLitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"

// SQLite opens a fresh SQLite database in a temporary directory, closed when
// tb ends.
func SQLite(tb testing.TB) *sql.DB {
	tb.Helper()
	db, _ := SQLiteFile(tb)
	return db
}

// SQLiteFile is SQLite that also returns the database file's path.
func SQLiteFile(tb testing.TB) (*sql.DB, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "test.db")
	db, err := sql.Open("sqlite", "file:"+path+"?"+SQLitePragmas)
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, path
}

// SQLiteAsServe opens a fresh SQLite database the way serve opens its
// governance database: sqldb.SQLiteServeOptions (WAL, synchronous=NORMAL,
// transactions that begin IMMEDIATE), one connection; for benchmarks of
// serve's writes.
func SQLiteAsServe(tb testing.TB) *sql.DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "serve.db")
	db, err := sql.Open("sqlite", "file:"+path+"?"+sqldb.SQLiteServeOptions)
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	db.SetMaxOpenConns(1)
	tb.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL returns the URL in TICKETSUM_TEST_DATABASE_URL, or skips tb
// when it is unset.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		tb.Skip(EnvURL + " is not set")
	}
	return u
}

// PostgresSchema creates a freshly named schema in the database at
// TICKETSUM_TEST_DATABASE_URL, dropped with everything in it when tb ends,
// and returns a URL whose search_path is that schema, and the schema's name.
// It skips tb when the variable is unset. Close what you open on the URL
// before tb ends (a tb.Cleanup registered after this call runs first).
func PostgresSchema(tb testing.TB) (dsn, schema string) {
	tb.Helper()
	base := PostgresURL(tb)
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s is not a URL", EnvURL) // the error would repeat the URL and its password
	}
	schema = "dbtest_" + strings.ToLower(rand.Text())[:16]
	if err := admin(base, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		if err := admin(base, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), schema
}

// Postgres opens a database/sql handle (driver "pgx") on a fresh schema, as
// PostgresSchema, capped at MaxConns connections and closed when tb ends.
func Postgres(tb testing.TB) *sql.DB {
	tb.Helper()
	dsn, _ := PostgresSchema(tb)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	db.SetMaxOpenConns(MaxConns)
	tb.Cleanup(func() { db.Close() })
	return db
}

// admin runs one statement on a single short-lived connection.
func admin(dsn, stmt string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	_, err = db.ExecContext(context.Background(), stmt)
	return err
}
