package audit

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrate creates or upgrades the audit_ tables; idempotent.
func migrate(ctx context.Context, db *sql.DB, d Dialect) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS audit_schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("create audit migrations table: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("audit migration %s: name must start with a number", base)
		}
		var n int
		if err := db.QueryRowContext(ctx, d.rebind(`SELECT COUNT(*) FROM audit_schema_migrations WHERE version = ?`), version).Scan(&n); err != nil {
			return fmt.Errorf("apply audit migration %s: %w", base, err)
		}
		if n > 0 {
			continue
		}
		body, _ := migrationFS.ReadFile(name)
		if err := applyMigration(ctx, db, d, version, string(body)); err != nil {
			return fmt.Errorf("apply audit migration %s: %w", base, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, d Dialect, version int, body string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, stmt := range splitSQL(body) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, d.rebind(`INSERT INTO audit_schema_migrations (version, applied_at) VALUES (?, ?) ON CONFLICT (version) DO NOTHING`), version, time.Now().UnixMicro()); err != nil {
		return err
	}
	return tx.Commit()
}

// splitSQL splits a migration into statements on ';' at the end of a line,
// dropping '--' comment lines.
func splitSQL(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line + "\n")
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}
