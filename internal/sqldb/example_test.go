package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite"

	"github.com/ticketsum/ticketsum/internal/sqldb"
)

// A package keeps its own tables beside the store: it embeds its numbered
// migrations, applies them with Migrate under its own version table, and
// writes its queries once with '?' placeholders.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "sqldb-example")
	defer os.RemoveAll(dir)
	db, _ := sql.Open("sqlite", "file:"+filepath.Join(dir, "example.db")+"?_pragma=busy_timeout(10000)")
	defer db.Close()

	// In a package: //go:embed migrations/*.sql
	migrations := os.DirFS("testdata")
	d := sqldb.SQLite
	n, err := sqldb.Migrate(ctx, db, d, migrations, "example_schema_migrations")
	fmt.Println("applied:", n, err)
	n, err = sqldb.Migrate(ctx, db, d, migrations, "example_schema_migrations")
	fmt.Println("applied again:", n, err)

	q := `INSERT INTO example_notes (id, body) VALUES (?, ?)`
	if _, err := db.ExecContext(ctx, d.Rebind(q), 1, "first note"); err != nil {
		fmt.Println(err)
	}
	fmt.Println("on Postgres:", sqldb.Postgres.Rebind(q))
	// Output:
	// applied: 1 <nil>
	// applied again: 0 <nil>
	// on Postgres: INSERT INTO example_notes (id, body) VALUES ($1, $2)
}
