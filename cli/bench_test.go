package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/sample"
)

// BenchmarkImportToSummary measures the whole offline path on SQLite: the
// bundled sample tickets (renumbered to make b.N*50 distinct tickets) are
// imported, then the worker summarises them with the built-in model until
// the queue is empty. It reports tickets per second end to end.
func BenchmarkImportToSummary(b *testing.B) {
	tickets, err := sample.Tickets()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
	cfg := defaultConfig()
	cfg.DataDir = b.TempDir()
	cfg.DB = filepath.Join(cfg.DataDir, "bench.db")
	cfg.LogLevel = "error"
	cfg.Worker.Concurrency = benchWorkers
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	bk, err := w.openWorker(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	n := 0
	for i := range b.N {
		for _, t := range tickets {
			c := *t
			c.ID = fmt.Sprintf("%s-%d", t.ID, i)
			if _, err := bk.queue.Import(ctx, &c); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	imported := time.Since(start)
	if err := bk.queue.Start(ctx); err != nil {
		b.Fatal(err)
	}
	if err := bk.queue.WaitIdle(ctx); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if err := w.stopWorker(bk); err != nil {
		b.Fatal(err)
	}
	views, total, err := bk.store.ListTickets(ctx, ticketsum.TicketFilter{Limit: 1})
	if err != nil || total != n || views[0].Current == nil {
		b.Fatalf("after the run: %d tickets (want %d), err %v", total, n, err)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "tickets/s")
	b.ReportMetric(float64(n)/imported.Seconds(), "imports/s")
	b.ReportMetric(float64(n)/(elapsed-imported).Seconds(), "summaries/s")
}

// benchWorkers is the worker count of BenchmarkImportToSummary.
var benchWorkers = 16
