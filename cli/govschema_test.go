package cli

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// TestGovernanceCreatesSchemaPostgres checks that a governance command run
// before the store was ever opened (models approve on a fresh database, as
// scripts/bench-gateway.sh does) creates the search path's schema instead
// of failing with "no schema has been selected".
func TestGovernanceCreatesSchemaPostgres(t *testing.T) {
	t.Parallel()
	base := dbtest.PostgresURL(t)
	_, fresh := dbtest.PostgresSchema(t)
	schema := fresh + "_gov" // does not exist yet
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "ticketsum.yaml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, "data_dir: %s\ndb: %s\n", dir, u), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, context.Background(), "", "models", "approve", "openai:bench-model", "--as", "alice", "--config", cfg); r.code != exitOK {
		t.Fatalf("models approve on a fresh database: %+v", r)
	}
	var n int
	if err := admin.QueryRow(`SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename = 'audit_records'`, schema).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("audit_records in schema %s: %d tables, want 1", schema, n)
	}
}
