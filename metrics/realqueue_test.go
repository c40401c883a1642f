package metrics_test

import (
	"path/filepath"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/metrics"
	"github.com/ticketsum/ticketsum/queue"
	"github.com/ticketsum/ticketsum/sqlite"
)

// A real River queue on SQLite is a QueueSource and an OutcomeSource: an
// imported ticket shows as one available job.
func TestRealQueue(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "ticketsum.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	q, err := queue.NewSQLite(ctx, store, queue.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"T-1", "T-2"} {
		if _, err := q.Import(ctx, &ticketsum.Ticket{ID: id, Messages: []ticketsum.Message{
			{Role: ticketsum.RoleCustomer, Body: "The export button does nothing."},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	m := MustNew(t, metrics.Config{Queue: q})
	got, body := MustScrape(t, m.Handler())
	if got[`ticketsum_queue_jobs{state="available"}`] != 2 || got[`ticketsum_queue_stats_up`] != 1 {
		t.Errorf("want 2 available jobs and stats up:\n%s", body)
	}
	if _, ok := got[`ticketsum_queue_job_runs_total{outcome="completed"}`]; !ok {
		t.Errorf("outcome counters missing:\n%s", body)
	}
	if got[`ticketsum_queue_oldest_job_age_seconds`] < 0 {
		t.Errorf("negative job age")
	}
}
