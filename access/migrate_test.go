package access_test

import (
	"context"
	"database/sql"
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
	for _, tc := range []struct {
		name    string
		open    func(testing.TB) *sql.DB
		dialect access.Dialect
		indexes string // the table's indexes other than its primary key's
	}{
		// SQLite's automatic indexes (the primary key's) have no SQL.
		{"sqlite", dbtest.SQLite, access.SQLite, `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'access_leases' AND sql IS NOT NULL`},
		{"postgres", dbtest.Postgres, access.Postgres, `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'access_leases' AND indexname <> 'access_leases_pkey'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := tc.open(t)
			MustStore(t, db, tc.dialect)
			rows, err := db.QueryContext(ctx, tc.indexes)
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
}
