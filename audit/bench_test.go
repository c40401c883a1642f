package audit_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// BenchmarkFileSinkWrite measures sealing and appending one record of a
// realistic size (about 8 KB of input text).
func BenchmarkFileSinkWrite(b *testing.B) {
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
	b.SetBytes(8000)
	b.ResetTimer()
	for b.Loop() {
		if err := sink.Write(context.Background(), rec); err != nil {
			b.Fatal(err)
		}
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
