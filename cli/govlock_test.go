package cli

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/review"
)

// TestGovernanceTxWaitsForAnotherProcess opens the governance database
// of one SQLite file twice, as two processes do (serve, where a reviewer
// rates a summary, and a worker committing its audit records and
// budget), and has the second hold the write lock while the first saves
// a rating: a transaction that reads (the rated task exists) before it
// writes. With SQLite's deferred transactions the rating failed at once
// with "database is locked" instead of waiting for the busy timeout; the
// governance database begins its transactions IMMEDIATE, as the ticket
// store does, so the rating waits for the other commit and is saved.
func TestGovernanceTxWaitsForAnotherProcess(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ticketsum.db")
	open := func() *sql.DB {
		w := &wiring{cfg: Config{DB: path}}
		db, d, err := w.governanceDB()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if d != "sqlite" {
			t.Fatalf("dialect %q, want sqlite", d)
		}
		return db
	}
	serve, worker := open(), open()
	st, err := review.NewSQLStore(serve, review.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	if err := st.CreateTask(ctx, &review.Task{ID: "t1", Source: "history", TicketID: "T-1", Method: review.Thumbs, CreatedAt: at,
		Candidates: []review.Candidate{{Label: "A", Text: "The customer could not log in; the agent reset the password. Resolved."}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := worker.ExecContext(ctx, `CREATE TABLE other_process (n INTEGER)`); err != nil {
		t.Fatal(err)
	}

	// The other process is inside a write transaction.
	tx, err := worker.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO other_process (n) VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	saved := make(chan error, 1)
	go func() {
		saved <- st.SaveRatings(ctx, []*review.Rating{{TaskID: "t1", Label: "A", Rater: "pm", Method: review.Thumbs, Score: 1, CreatedAt: at}})
	}()
	// It commits once the rating has failed, or after a moment in which
	// the rating has begun waiting for it.
	var early error
	select {
	case early = <-saved:
		saved <- early
	case <-time.After(300 * time.Millisecond):
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-saved; err != nil {
		t.Fatalf("a rating saved while another process commits: %v; want it to wait for the commit and be saved", err)
	}
	rs, err := st.ListRatings(ctx, "history")
	if err != nil || len(rs) != 1 {
		t.Fatalf("ratings = %d, %v; want the one saved", len(rs), err)
	}
}
