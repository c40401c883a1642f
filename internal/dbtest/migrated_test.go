package dbtest_test

import (
	"context"
	"testing"

	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// fakeTB records failures instead of stopping the test.
type fakeTB struct {
	testing.TB
	failed bool
}

func (f *fakeTB) Helper()               {}
func (f *fakeTB) Errorf(string, ...any) { f.failed = true }
func (f *fakeTB) Fatalf(string, ...any) { f.failed = true }

func TestAssertMigrated(t *testing.T) {
	t.Chdir("testdata") // not parallel: AssertMigrated reads ./migrations
	ctx := context.Background()
	db := dbtest.SQLite(t)
	if _, err := db.ExecContext(ctx, `CREATE TABLE demo_schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	// testdata/migrations holds 001_a.sql and 003_c.sql.
	tests := []struct {
		name     string
		versions []int
		fail     bool
	}{
		{"none recorded", nil, true},
		{"one missing", []int{1}, true},
		{"all", []int{3}, false},
		{"one too many", []int{4}, true},
	}
	for _, tt := range tests { // not parallel: each step adds to the table
		for _, v := range tt.versions {
			if _, err := db.ExecContext(ctx, `INSERT INTO demo_schema_migrations (version, applied_at) VALUES (?, 1)`, v); err != nil {
				t.Fatal(err)
			}
		}
		f := &fakeTB{TB: t}
		dbtest.AssertMigrated(f, db, "demo_schema_migrations")
		if f.failed != tt.fail {
			t.Errorf("%s: AssertMigrated failed = %v, want %v", tt.name, f.failed, tt.fail)
		}
	}
	f := &fakeTB{TB: t}
	dbtest.AssertMigrated(f, db, "no_such_table")
	if !f.failed {
		t.Error("AssertMigrated passed on a missing table")
	}
}
