package dbtest_test

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/internal/dbtest"
)

func TestSQLiteIsFreshAndEnforcesForeignKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, path := dbtest.SQLiteFile(t)
	if _, err := os.Stat(path); err == nil {
		t.Fatalf("%s exists before first use", path)
	}
	for _, stmt := range []string{
		`CREATE TABLE parent (id INTEGER PRIMARY KEY)`,
		`CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL REFERENCES parent (id))`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO child (id, parent) VALUES (1, 42)`); err == nil {
		t.Error("insert with a dangling foreign key succeeded; want foreign_keys on")
	}
	var mode string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	other := dbtest.SQLite(t)
	if _, err := other.ExecContext(ctx, `CREATE TABLE parent (id INTEGER PRIMARY KEY)`); err != nil {
		t.Errorf("second database is not fresh: %v", err)
	}
}

// TestSQLiteAsServeBeginsImmediate checks that a transaction on
// SQLiteAsServe takes the write lock at BEGIN, as serve's governance
// database does: another connection cannot write while it is open.
func TestSQLiteAsServeBeginsImmediate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.SQLiteAsServe(t)
	var seq int
	var name, path string
	if err := db.QueryRowContext(ctx, `PRAGMA database_list`).Scan(&seq, &name, &path); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.ExecContext(ctx, `CREATE TABLE t (x INTEGER)`); err == nil {
		t.Error("another connection wrote while a transaction was open: it did not begin IMMEDIATE")
	}
}

func TestPostgresSchemaIsFreshAndDropped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var schema string
	t.Run("use", func(t *testing.T) {
		db := dbtest.Postgres(t)
		if got := db.Stats().MaxOpenConnections; got != dbtest.MaxConns {
			t.Errorf("MaxOpenConnections = %d, want %d", got, dbtest.MaxConns)
		}
		if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(schema, "dbtest_") {
			t.Errorf("current_schema() = %q, want a fresh dbtest_ schema", schema)
		}
		if _, err := db.ExecContext(ctx, `CREATE TABLE t (id integer PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
	})
	if schema == "" {
		return // skipped: no test database
	}
	db := dbtest.Postgres(t)
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1`, schema).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("schema %s still exists after its test ended", schema)
	}
}
