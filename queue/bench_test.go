package queue_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/queue"
	"github.com/ticketsum/ticketsum/storetest"
)

// benchImport measures Import: upsert of a 1,500-word ticket plus its job in
// one transaction.
func benchImport[TTx any](b *testing.B, h harness[TTx]) {
	q := h.newQueue(b, queue.Config{})
	base := storetest.MustLongTicket(b, "x", 1500)
	i := 0
	for b.Loop() {
		t := *base
		t.ID = fmt.Sprintf("T-%d", i)
		i++
		if _, err := q.Import(context.Background(), &t); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "imports/s")
}

// benchDrain measures how fast 4 workers drain 200 jobs whose handler
// loads the ticket and saves a summary (no model call): the queue's and
// store's own overhead per ticket.
func benchDrain[TTx any](b *testing.B, h harness[TTx]) {
	const jobs = 200
	ctx := context.Background()
	handler := func(ctx context.Context, id string) error {
		t, err := h.store.FindTicket(ctx, id)
		if err != nil {
			return err
		}
		_, err = h.store.SaveSummary(ctx, storetest.MustSummary(b, t, "builtin"))
		return err
	}
	done := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		q := h.newQueue(b, queue.Config{Handler: handler, PollInterval: 5 * time.Millisecond})
		for j := range jobs {
			t := storetest.MustTicket(b, fmt.Sprintf("R%d-T%d", i, j))
			if _, err := q.Import(ctx, t); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if err := q.Start(ctx); err != nil {
			b.Fatal(err)
		}
		if err := q.WaitIdle(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := q.Stop(ctx); err != nil {
			b.Fatal(err)
		}
		done += jobs
		b.StartTimer()
	}
	b.ReportMetric(float64(done)/b.Elapsed().Seconds(), "jobs/s")
}

func BenchmarkSQLite(b *testing.B) {
	b.Run("Import", func(b *testing.B) { benchImport(b, mustSQLite(b)) })
	b.Run("Drain200", func(b *testing.B) { benchDrain(b, mustSQLite(b)) })
}

func BenchmarkPostgres(b *testing.B) {
	b.Run("Import", func(b *testing.B) { benchImport(b, mustPostgres(b)) })
	b.Run("Drain200", func(b *testing.B) { benchDrain(b, mustPostgres(b)) })
}
