package audit_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// BenchmarkFileSinkWrite measures sealing and appending one record of a
// realistic size (about 8 KB of input text), from one goroutine (serial)
// and from 64 at once (parallel64, which contend for the sink's lock), and
// reports the CPU time of this process per record (user + system).
//
//	go test -run '^$' -bench FileSinkWrite -benchtime 20000x ./audit/
func BenchmarkFileSinkWrite(b *testing.B) {
	for _, par := range []int{1, 64} {
		name := "serial"
		if par > 1 {
			name = "parallel64"
		}
		b.Run(name, func(b *testing.B) {
			sink, err := audit.NewFileSink(audit.FileSinkConfig{Dir: b.TempDir(), Wrapper: MustLocalWrapper(b)})
			if err != nil {
				b.Fatal(err)
			}
			defer sink.Close(context.Background())
			rec := &audit.InvocationRecord{RequestID: "r", ModelID: "m", Outcome: "success",
				Input: audit.InvocationInput{InputBodyJSON: &audit.InputBody{System: strings.Repeat("The customer wrote about a billing issue. ", 25)}}}
			for range 7 {
				rec.Input.InputBodyJSON.System += rec.Input.InputBodyJSON.System[:1000]
			}
			ctx := context.Background()
			b.SetBytes(8000)
			cpu0 := cpuTime()
			b.ResetTimer()
			if par == 1 {
				for b.Loop() {
					if err := sink.Write(ctx, rec); err != nil {
						b.Fatal(err)
					}
				}
			} else {
				b.SetParallelism((par + 1) / 2) // GOMAXPROCS is 2 on the reference machine
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := sink.Write(ctx, rec); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/record")
		})
	}
}

// BenchmarkVerify10k measures verifying a trail of 10,000 records.
func BenchmarkVerify10k(b *testing.B) {
	tr := MustTrail(b, dbtest.SQLite(b), audit.SQLite, newClock(), 1000)
	ctx := context.Background()
	for range 10000 {
		tr.RecordAdmin(ctx, "op", "model.approve", "m", nil)
	}
	b.ResetTimer()
	for b.Loop() {
		rep, err := tr.Verify(ctx)
		if err != nil || !rep.OK() {
			b.Fatal(rep, err)
		}
	}
}
