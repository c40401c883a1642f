package audit_test

import (
	"context"
	"database/sql"
	"syscall"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// BenchmarkTrailAppend measures appends to the audit trail on SQLite (as
// the tests open it, and as serve opens it: synchronous=NORMAL, one
// connection) and Postgres, from one goroutine (serial) and from 64 at once (parallel), and
// reports appends/s and the CPU time of this process per append (user +
// system; on Postgres the server's own CPU is not included). The
// appends are admin events, except in postgres-calls and
// postgres-calls-async: model calls' records, committed flushed and with
// governance.trail_commit async (admin events always wait for the flush).
//
//	go test -run '^$' -bench TrailAppend -benchtime 2000x ./audit/
func BenchmarkTrailAppend(b *testing.B) {
	dbs := []struct {
		name   string
		open   func(testing.TB) *sql.DB
		d      audit.Dialect
		calls  bool
		commit audit.TrailCommit
	}{
		{"sqlite", dbtest.SQLite, audit.SQLite, false, ""},
		{"sqlite-serve", dbtest.SQLiteAsServe, audit.SQLite, false, ""},
		{"postgres", dbtest.Postgres, audit.Postgres, false, ""},
		{"postgres-calls", dbtest.Postgres, audit.Postgres, true, audit.CommitFlushed},
		{"postgres-calls-async", dbtest.Postgres, audit.Postgres, true, audit.CommitAsync},
	}
	for _, db := range dbs {
		for _, par := range []int{1, 64} {
			name := db.name + "/serial"
			if par > 1 {
				name = db.name + "/parallel64"
			}
			b.Run(name, func(b *testing.B) {
				var tr *audit.Trail
				if db.commit == "" {
					tr = MustTrail(b, db.open(b), db.d, newClock(), 1000)
				} else {
					var err error
					tr, err = audit.NewTrail(audit.TrailConfig{DB: db.open(b), Dialect: db.d, NoSigning: true, Commit: db.commit, Clock: newClock()})
					if err == nil {
						err = tr.Migrate(context.Background())
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				benchAppends(b, par, appendOne(tr, db.calls))
			})
		}
	}
}

// appendOne returns the append a trail benchmark times: an admin record,
// or with calls a model call's record.
func appendOne(tr *audit.Trail, calls bool) func() error {
	ctx := context.Background()
	if calls {
		return func() error {
			return tr.Append(ctx, &audit.Event{Kind: audit.KindInvocation, Actor: "team-a", Action: "model.call", Target: "openai:m",
				RequestID: "req-1", Outcome: "success", InputTokens: 1200, OutputTokens: 60, CostMicros: 1200})
		}
	}
	return func() error { return tr.RecordAdmin(ctx, "op", "model.approve", "m", nil) }
}

// benchAppends times appendOne from par appenders (1: b.Loop, more:
// RunParallel) and reports appends/s and CPU µs per append.
func benchAppends(b *testing.B, par int, appendOne func() error) {
	cpu0 := cpuTime()
	start := time.Now()
	b.ResetTimer()
	if par == 1 {
		for b.Loop() {
			if err := appendOne(); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		b.SetParallelism((par + 1) / 2) // GOMAXPROCS is 2 on the reference machine
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := appendOne(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.StopTimer()
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "appends/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/append")
}

// cpuTime returns the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
