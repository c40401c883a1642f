package audit_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// BenchmarkTrailAppendBudget measures the group commit as serve runs it on
// SQLite (synchronous=NORMAL, one connection): each append is a call's
// record whose budget settlement commits in the same transaction
// (access.Service attached to the trail). Serially each group is one
// record and one settlement, so wal-frames/append is the pages one group
// commit writes.
func BenchmarkTrailAppendBudget(b *testing.B) {
	for _, par := range []int{1, 64} {
		name := "sqlite-serve/serial"
		if par > 1 {
			name = "sqlite-serve/parallel64"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			db := dbtest.SQLiteAsServe(b)
			tr := MustTrail(b, db, audit.SQLite, newClock(), 1000)
			store, err := access.NewSQLStore(db, access.SQLite)
			if err != nil {
				b.Fatal(err)
			}
			if err := store.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			svc, err := access.NewService(access.Config{Store: store, TrailCommits: true, LeaseIdle: time.Hour})
			if err != nil {
				b.Fatal(err)
			}
			tr.Attach(svc)
			p := &access.Principal{Name: "team-a", MonthlyBudgetUSD: 1e6}
			call := func() error {
				r, err := svc.Reserve(ctx, p, 0.01)
				if err != nil {
					return err
				}
				if err := svc.Settle(ctx, r, 0.001); err != nil {
					return err
				}
				return tr.RecordAdmin(ctx, "op", "call", "m", nil)
			}
			if err := call(); err != nil { // the lease's grant
				b.Fatal(err)
			}
			walReset(b, db)
			benchAppends(b, par, call)
			b.ReportMetric(float64(walFrames(b, db))/float64(b.N), "wal-frames/append")
		})
	}
}

// walReset checkpoints db's WAL and truncates it, and turns
// autocheckpoint off (the pool has one connection), so that walFrames
// then counts every frame written since.
func walReset(tb testing.TB, db *sql.DB) {
	tb.Helper()
	if _, err := db.Exec(`PRAGMA wal_autocheckpoint = 0`); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		tb.Fatal(err)
	}
}

// walFrames returns the frames in db's WAL.
func walFrames(tb testing.TB, db *sql.DB) int64 {
	tb.Helper()
	var busy, log, done int64
	if err := db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done); err != nil {
		tb.Fatal(err)
	}
	return log
}
