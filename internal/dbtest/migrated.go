package dbtest

import (
	"database/sql"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/ticketsum/ticketsum/internal/sqldb"
)

// AssertMigrated fails tb unless the version table records exactly the
// versions of the files in the "migrations" directory of the test's package
// (the directory a package embeds), so that a renamed version table or a
// renumbered file, which would make existing databases migrate again, is
// caught.
func AssertMigrated(tb testing.TB, db *sql.DB, table string) {
	tb.Helper()
	migs, err := sqldb.LoadMigrations(os.DirFS("."))
	if err != nil {
		tb.Fatalf("load migrations: %v", err)
	}
	var want []int
	for _, m := range migs {
		want = append(want, m.Version)
	}
	got, err := versions(db, table)
	if err != nil {
		tb.Fatalf("read version table %s: %v", table, err)
	}
	if len(want) == 0 || !slices.Equal(got, want) {
		tb.Errorf("%s records versions %v, want those of migrations/*.sql: %v", table, got, want)
	}
}

func versions(db *sql.DB, table string) ([]int, error) {
	rows, err := db.Query(fmt.Sprintf(`SELECT version FROM %s ORDER BY version`, table))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
