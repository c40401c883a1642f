package sqldb_test

import (
	"context"
	"testing"

	"github.com/ticketsum/ticketsum/internal/sqldb"
)

func BenchmarkRebind(b *testing.B) {
	q := `INSERT INTO audit_records (seq, at, kind, actor, action, target, request_id, ticket_id,
		product_line, use_case, outcome, error_code, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
		cost_micros, flags, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	b.ReportAllocs()
	for b.Loop() {
		if sqldb.Postgres.Rebind(q) == q {
			b.Fatal("not rebound")
		}
	}
}

// BenchmarkMigrateUpToDate is the cost every process start pays once the
// schema is current: one check per migration.
func BenchmarkMigrateUpToDate(b *testing.B) {
	for _, dt := range dialects {
		b.Run(dt.name, func(b *testing.B) {
			ctx := context.Background()
			db := dt.open(b)
			if _, err := sqldb.Migrate(ctx, db, dt.d, twoMigrations(), "bench_schema_migrations"); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if n, err := sqldb.Migrate(ctx, db, dt.d, twoMigrations(), "bench_schema_migrations"); err != nil || n != 0 {
					b.Fatalf("applied %d, %v", n, err)
				}
			}
		})
	}
}
