package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/ticketsum/ticketsum/internal/sqldb"
)

func TestMigrateOnceAndReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	s, err := Open(ctx, Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	migs, err := sqldb.LoadMigrations(migrationFS)
	if err != nil || len(migs) == 0 {
		t.Fatalf("embedded migrations: %d, %v", len(migs), err)
	}
	var n, maxV int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*), max(version) FROM ticketsum_migrations`).Scan(&n, &maxV); err != nil {
		t.Fatal(err)
	}
	if n != len(migs) || maxV != migs[len(migs)-1].Version {
		t.Errorf("recorded %d migrations up to %d, want %d up to %d", n, maxV, len(migs), migs[len(migs)-1].Version)
	}
	s.Close()
	s, err = Open(ctx, Config{Path: path})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if applied, err := s.migrate(ctx); err != nil || applied != 0 {
		t.Errorf("migrate on an up-to-date database applied %d (%v), want 0", applied, err)
	}
	var mode string
	if err := s.db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
	var fk int
	if err := s.db.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d (%v), want 1", fk, err)
	}
}

func TestLoadMigrationsRejectsBadNames(t *testing.T) {
	t.Parallel()
	cases := map[string]fstest.MapFS{
		"no number": {"migrations/init.sql": {Data: []byte("SELECT 1")}},
		"duplicate": {"migrations/1_a.sql": {Data: []byte("SELECT 1")}, "migrations/01_b.sql": {Data: []byte("SELECT 1")}},
		"zero":      {"migrations/0_a.sql": {Data: []byte("SELECT 1")}},
	}
	for name, fsys := range cases {
		if _, err := sqldb.LoadMigrations(fsys); err == nil {
			t.Errorf("%s: LoadMigrations accepted it", name)
		}
	}
}

func TestConfigRejectsBadValues(t *testing.T) {
	t.Parallel()
	for _, c := range []Config{{Path: "a?b"}, {BusyTimeout: -1}} {
		if _, err := Open(context.Background(), c); err == nil {
			t.Errorf("Open(%+v) accepted a bad config", c)
		}
	}
}
