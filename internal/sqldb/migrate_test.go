package sqldb_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/dbtest"
	"github.com/ticketsum/ticketsum/internal/sqldb"
)

// dialects are the databases every migration test runs on.
var dialects = []struct {
	name string
	d    sqldb.Dialect
	open func(testing.TB) *sql.DB
}{
	{"sqlite", sqldb.SQLite, dbtest.SQLite},
	{"postgres", sqldb.Postgres, dbtest.Postgres},
}

// twoMigrations are deliberately not idempotent (no IF NOT EXISTS): running
// one twice fails.
func twoMigrations() fstest.MapFS {
	return fstest.MapFS{
		"migrations/001_things.sql": {Data: []byte("-- things\nCREATE TABLE things (\n    id INTEGER PRIMARY KEY,\n    name TEXT NOT NULL\n);\nINSERT INTO things (id, name) VALUES (1, 'one');\n")},
		"migrations/002_more.sql":   {Data: []byte("CREATE TABLE more_things (id INTEGER PRIMARY KEY);\nINSERT INTO things (id, name) VALUES (2, 'two');\n")},
	}
}

// eachDialect runs test, in parallel, on a fresh database of each dialect.
func eachDialect(t *testing.T, test func(t *testing.T, db *sql.DB, d sqldb.Dialect)) {
	for _, dt := range dialects {
		t.Run(dt.name, func(t *testing.T) {
			t.Parallel()
			test(t, dt.open(t), dt.d)
		})
	}
}

func versions(tb testing.TB, db *sql.DB, table string) []int {
	tb.Helper()
	rows, err := db.Query(`SELECT version FROM ` + table + ` ORDER BY version`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			tb.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func count(tb testing.TB, db *sql.DB, table string) int {
	tb.Helper()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestMigrateAppliesOnceInOrder(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, db *sql.DB, d sqldb.Dialect) {
		ctx := context.Background()
		n, err := sqldb.Migrate(ctx, db, d, twoMigrations(), "demo_schema_migrations")
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("first run applied %d migrations, want 2", n)
		}
		if got := versions(t, db, "demo_schema_migrations"); !slices.Equal(got, []int{1, 2}) {
			t.Errorf("recorded versions %v, want [1 2]", got)
		}
		if got := count(t, db, "things"); got != 2 {
			t.Errorf("things has %d rows, want 2 (one per migration)", got)
		}
		n, err = sqldb.Migrate(ctx, db, d, twoMigrations(), "demo_schema_migrations")
		if err != nil {
			t.Fatalf("second run: %v", err)
		}
		if n != 0 {
			t.Errorf("second run applied %d migrations, want 0", n)
		}
		var at int64
		if err := db.QueryRow(`SELECT applied_at FROM demo_schema_migrations WHERE version = 1`).Scan(&at); err != nil || at <= 0 {
			t.Errorf("applied_at = %d, %v; want unix microseconds", at, err)
		}
	})
}

// TestMigrateContinuesAnExistingDatabase checks that a database migrated by
// the runners the packages had before, with the same version table layout,
// gets only the versions it lacks.
func TestMigrateContinuesAnExistingDatabase(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, db *sql.DB, d sqldb.Dialect) {
		ctx := context.Background()
		for _, stmt := range []string{
			`CREATE TABLE IF NOT EXISTS old_schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
			`CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`,
			`INSERT INTO things (id, name) VALUES (1, 'one')`,
			`INSERT INTO old_schema_migrations (version, applied_at) VALUES (1, 1764061200000000)`,
		} {
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				t.Fatal(err)
			}
		}
		n, err := sqldb.Migrate(ctx, db, d, twoMigrations(), "old_schema_migrations")
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("applied %d migrations, want 1 (version 2 only)", n)
		}
		if got := versions(t, db, "old_schema_migrations"); !slices.Equal(got, []int{1, 2}) {
			t.Errorf("recorded versions %v, want [1 2]", got)
		}
		if got := count(t, db, "more_things"); got != 0 {
			t.Errorf("more_things has %d rows, want 0", got)
		}
	})
}

func TestMigrateFailureLeavesNoTrace(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, db *sql.DB, d sqldb.Dialect) {
		ctx := context.Background()
		bad := twoMigrations()
		bad["migrations/002_more.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE more_things (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\n")}
		n, err := sqldb.Migrate(ctx, db, d, bad, "demo_schema_migrations")
		if err == nil || !strings.Contains(err.Error(), "002_more.sql") {
			t.Fatalf("Migrate with a broken migration: %v, want an error naming 002_more.sql", err)
		}
		if n != 1 {
			t.Errorf("applied %d before the failure, want 1", n)
		}
		if got := versions(t, db, "demo_schema_migrations"); !slices.Equal(got, []int{1}) {
			t.Errorf("recorded versions %v, want [1]", got)
		}
		if _, err := db.ExecContext(ctx, `CREATE TABLE more_things (id INTEGER PRIMARY KEY)`); err != nil {
			t.Errorf("the failed migration's first statement was kept: %v", err)
		}
		if _, err := db.ExecContext(ctx, `DROP TABLE more_things`); err != nil {
			t.Fatal(err)
		}
		n, err = sqldb.Migrate(ctx, db, d, twoMigrations(), "demo_schema_migrations")
		if err != nil || n != 1 {
			t.Errorf("rerun after the fix: applied %d, %v; want 1, nil", n, err)
		}
	})
}

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, db *sql.DB, d sqldb.Dialect) {
		ctx := context.Background()
		// The runners race to migrate, not to create the file: the first
		// connection to a new SQLite file turns it to WAL under a lock
		// SQLite's busy timeout does not cover (sqlite.Connect waits for
		// it in the product), which failed this test in CI one run in a
		// few hundred.
		if err := db.PingContext(ctx); err != nil {
			t.Fatal(err)
		}
		const runners = 4
		var wg sync.WaitGroup
		applied := make([]int, runners)
		errs := make([]error, runners)
		for i := range runners {
			wg.Go(func() {
				applied[i], errs[i] = sqldb.Migrate(ctx, db, d, twoMigrations(), "demo_schema_migrations")
			})
		}
		wg.Wait()
		total := 0
		for i := range runners {
			if errs[i] != nil {
				t.Errorf("runner %d: %v", i, errs[i])
			}
			total += applied[i]
		}
		if total != 2 {
			t.Errorf("runners applied %d migrations in all, want 2 (each once)", total)
		}
		if got := count(t, db, "things"); got != 2 {
			t.Errorf("things has %d rows, want 2", got)
		}
	})
}

func TestMigrateRejectsBadArguments(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	tests := []struct {
		name  string
		db    *sql.DB
		d     sqldb.Dialect
		table string
	}{
		{"no db", nil, sqldb.SQLite, "demo_schema_migrations"},
		{"bad dialect", db, "mysql", "demo_schema_migrations"},
		{"empty table", db, sqldb.SQLite, ""},
		{"injection", db, sqldb.SQLite, "t; DROP TABLE things"},
		{"upper case", db, sqldb.SQLite, "Demo"},
		{"leading digit", db, sqldb.SQLite, "1demo"},
		{"too long", db, sqldb.SQLite, strings.Repeat("a", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { // not parallel: the check below runs after
			if _, err := sqldb.Migrate(context.Background(), tt.db, tt.d, twoMigrations(), tt.table); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
				t.Errorf("Migrate: %v, want an invalid error", err)
			}
		})
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("rejected calls created %d tables (%v), want none", n, err)
	}
}
