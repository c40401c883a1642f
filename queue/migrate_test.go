package queue_test

import (
	"context"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum/postgres"
	"github.com/ticketsum/ticketsum/queue"
)

// Several workers starting at once on a new schema all migrate River
// without failing, and all can enqueue.
func TestPostgresConcurrentStart(t *testing.T) {
	t.Parallel()
	h := mustPostgres(t)
	s := h.store.(*postgres.Store)
	const n = 4
	var wg sync.WaitGroup
	queues := make([]*queue.Queue[pgx.Tx], n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			queues[i], errs[i] = queue.NewPostgres(context.Background(), s, queue.Config{})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("queue %d: %v", i, err)
		}
		if _, err := queues[i].Enqueue(context.Background(), "T-1", "h"); err != nil {
			t.Fatalf("enqueue on queue %d: %v", i, err)
		}
	}
	st, err := queues[0].Stats(context.Background())
	if err != nil || st.Available != 1 {
		t.Errorf("stats = %+v (%v), want the one unique job", st, err)
	}
}
