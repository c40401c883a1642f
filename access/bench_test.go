package access_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	svc, _, _ := MustService(b)
	svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a", Models: []string{"*"}, MonthlyBudgetUSD: 1e6})
	raw, _, _ := svc.CreateKey(ctx, "admin", "team-a", 0)
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.Authenticate(ctx, raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMiddlewareSQLite measures the access overhead of one call:
// principal lookup, approval and allow-list check, reserve and settle.
func BenchmarkMiddlewareSQLite(b *testing.B) {
	ctx := context.Background()
	svc, _, _ := MustService(b)
	svc.ApproveModel(ctx, "admin", haiku, "")
	svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a", Models: []string{"*"}, MonthlyBudgetUSD: 1e6})
	m := access.Middleware(svc, fixedEstimate(0.01))(&fakeModel{name: haiku, cost: 0.001})
	req := &ticketsum.ModelRequest{Meta: ticketsum.CallMeta{Principal: "team-a"}}
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Generate(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBudgetFlushPostgres measures one budget flush that settles the
// leases of 1 or 16 principals (as a trail group commit with calls of that
// many principals does), in its own transaction on Postgres. Skipped
// without TICKETSUM_TEST_DATABASE_URL.
func BenchmarkBudgetFlushPostgres(b *testing.B) {
	benchBudgetFlush(b, func(tb testing.TB) *sql.DB { return dbtest.Postgres(tb) }, access.Postgres)
}

// BenchmarkBudgetFlushSQLite is BenchmarkBudgetFlushPostgres on a SQLite
// file opened as serve opens it (WAL, synchronous=NORMAL, one connection).
func BenchmarkBudgetFlushSQLite(b *testing.B) {
	benchBudgetFlush(b, dbtest.SQLiteAsServe, access.SQLite)
}

func benchBudgetFlush(b *testing.B, open func(testing.TB) *sql.DB, d access.Dialect) {
	for _, n := range []int{1, 16} {
		b.Run(fmt.Sprintf("principals=%d", n), func(b *testing.B) {
			ctx := context.Background()
			store := MustStore(b, open(b), d)
			at := newClock().Now()
			grants := &access.BudgetFlush{Holder: "h", At: at}
			for i := range n {
				grants.Leases = append(grants.Leases, &access.LeaseWrite{ID: fmt.Sprintf("h-%d", i), Principal: fmt.Sprintf("team-%d", i),
					Period: "2026-11", Want: 1 << 50, Min: 1, Limit: 1 << 52})
			}
			if err := store.CommitBudget(ctx, grants); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				f := &access.BudgetFlush{Holder: "h", At: at}
				for i := range n {
					f.Leases = append(f.Leases, &access.LeaseWrite{ID: fmt.Sprintf("h-%d", i), Principal: fmt.Sprintf("team-%d", i),
						Period: "2026-11", Spent: 1, Consumed: 1})
				}
				if err := store.CommitBudget(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
