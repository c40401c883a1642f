package postgres

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum/internal/sqldb"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// lockKey is the advisory lock that serialises migrations of one schema.
func lockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("ticketsum migrate " + schema))
	return int64(h.Sum64())
}

// migrate creates the schema and applies, in one transaction holding an
// advisory lock on the schema, the migrations not yet recorded in
// ticketsum_migrations. It returns how many it applied.
func (s *Store) migrate(ctx context.Context) (int, error) {
	migs, err := sqldb.LoadMigrations(migrationFS)
	if err != nil {
		return 0, err
	}
	applied := 0
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey(s.cfg.Schema)); err != nil {
			return fmt.Errorf("take migration lock: %w", err)
		}
		schema := pgx.Identifier{s.cfg.Schema}.Sanitize()
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+schema); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+schema+`.ticketsum_migrations (
			version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`); err != nil {
			return fmt.Errorf("create migrations table: %w", err)
		}
		for _, m := range migs {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+schema+`.ticketsum_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("apply migration %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO `+schema+`.ticketsum_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, s.cfg.Clock.Now()); err != nil {
				return err
			}
			applied++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return applied, nil
}
