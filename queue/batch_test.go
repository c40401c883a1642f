package queue_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/postgres"
	"github.com/ticketsum/ticketsum/queue"
	"github.com/ticketsum/ticketsum/storetest"
)

// mustBatchItems upserts tickets with ids and returns their batch items.
func mustBatchItems(t *testing.T, s ticketsum.TicketStore, ids ...string) []queue.Item {
	t.Helper()
	items := make([]queue.Item, len(ids))
	for i, id := range ids {
		tk := storetest.MustTicket(t, id)
		storetest.MustUpsert(t, s, tk)
		items[i] = queue.Item{TicketID: id, ContentHash: tk.ContentHash()}
	}
	return items
}

// mustEnqueueBatch inserts batch jobs for items in one transaction.
func mustEnqueueBatch(t *testing.T, s *postgres.Store, q *queue.Queue[pgx.Tx], items []queue.Item) {
	t.Helper()
	if err := pgx.BeginFunc(context.Background(), s.Pool(), func(tx pgx.Tx) error {
		return q.EnqueueBatchTx(context.Background(), tx, items)
	}); err != nil {
		t.Fatal(err)
	}
}

// TestBatchJobSettlesEachTicket runs a batch whose tickets succeed, fail
// for good and fail for now: the failed one is recorded at once, the one
// that may succeed later is handed to its own job, which succeeds, and
// the backfill counts down to zero.
func TestBatchJobSettlesEachTicket(t *testing.T) {
	t.Parallel()
	h := mustPostgres(t)
	s := h.store.(*postgres.Store)
	items := mustBatchItems(t, s, "ok1", "ok2", "later", "bad")
	var mu sync.Mutex
	var batches [][]queue.Item
	single := newRecorder(nil)
	q := h.newQueue(t, queue.Config{
		Handler:   single.handle,
		BatchSize: 3,
		Batch: func(ctx context.Context, its []queue.Item) ([]error, error) {
			mu.Lock()
			batches = append(batches, its)
			mu.Unlock()
			errs := make([]error, len(its))
			for i, it := range its {
				switch it.TicketID {
				case "later":
					errs[i] = ticketsum.Errorf(ticketsum.EUNAVAILABLE, "model busy")
				case "bad":
					errs[i] = ticketsum.Errorf(ticketsum.EINVALID, "ticket has no customer message")
				}
			}
			return errs, nil
		},
	})
	mustEnqueueBatch(t, s, q, items)
	if n, err := q.BackfillPending(context.Background()); err != nil || n != 2 {
		t.Fatalf("backfill jobs pending = %d, %v; want 2 (batches of at most 3)", n, err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20e9)
	defer cancel()
	if err := q.WaitBackfill(ctx, nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := 0
	for _, b := range batches {
		got += len(b)
	}
	mu.Unlock()
	if got != len(items) {
		t.Errorf("batch handler saw %d tickets, want %d", got, len(items))
	}
	calls, successes := single.counts()
	if calls["later"] != 1 || successes["later"] != 1 || len(calls) != 1 {
		t.Errorf("single jobs = %v, want one for the ticket that failed for now", calls)
	}
	f, err := s.FindFailure(context.Background(), "bad")
	if err != nil || f.Class != ticketsum.ClassOf(ticketsum.Errorf(ticketsum.EINVALID, "x")) {
		t.Errorf("failure of the bad ticket = %+v, %v; want recorded", f, err)
	}
	if _, err := s.FindFailure(context.Background(), "later"); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("failure of the handed-over ticket: %v, want none", err)
	}
}

// TestLiveJobsRunBesideBackfill checks that a live ticket is summarised
// while every worker slot is taken by a batch that waits for it: batch jobs
// have a queue and slots of their own. With one queue the live job would
// wait for the batch's slot, and the batch would give up at its timeout.
func TestLiveJobsRunBesideBackfill(t *testing.T) {
	t.Parallel()
	h := mustPostgres(t)
	s := h.store.(*postgres.Store)
	items := mustBatchItems(t, s, "b1")
	live := storetest.MustTicket(t, "live")
	running, liveDone := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var batchSaw error
	q := h.newQueue(t, queue.Config{
		Workers:    1,
		BatchSize:  1,
		JobTimeout: time.Minute,
		Handler:    func(ctx context.Context, id string) error { close(liveDone); return nil },
		Batch: func(ctx context.Context, its []queue.Item) ([]error, error) {
			close(running)
			select {
			case <-liveDone:
			case <-ctx.Done():
				mu.Lock()
				batchSaw = ctx.Err()
				mu.Unlock()
			}
			return make([]error, len(its)), nil
		},
	})
	mustEnqueueBatch(t, s, q, items)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-running
	if _, err := q.Import(context.Background(), live); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, q)
	mu.Lock()
	defer mu.Unlock()
	if batchSaw != nil {
		t.Errorf("the batch ended with %v before the live ticket ran, want the live ticket to run beside it", batchSaw)
	}
}
