package access_test

import (
	"context"
	"testing"

	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// TestLeaseRowsHaveOnlyTheirKeyIndex: every settlement rewrites its lease
// row's renewed_at, so an index on it is one more page per group commit;
// after Migrate the lease table keeps only its primary key, on SQLite and
// Postgres.
func TestLeaseRowsHaveOnlyTheirKeyIndex(t *testing.T) {
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		db := dbtest.SQLite(t)
		MustStore(t, db, access.SQLite)
		// Automatic indexes (the primary key's) have no SQL.
		rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'access_leases' AND sql IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			t.Errorf("access_leases has index %s", name)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		db := dbtest.Postgres(t)
		MustStore(t, db, access.Postgres)
		rows, err := db.QueryContext(ctx, `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'access_leases' AND indexname <> 'access_leases_pkey'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			t.Errorf("access_leases has index %s", name)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	})
}
