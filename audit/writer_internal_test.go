package audit

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// sqliteTrail is an unsigned trail on a fresh SQLite database.
func sqliteTrail(t *testing.T) *Trail {
	t.Helper()
	tr, err := NewTrail(TrailConfig{DB: dbtest.SQLite(t), Dialect: SQLite, NoSigning: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tr
}

// checkChain fails t unless the trail holds n records, seq 1 to n, each
// linked to the one before and hashing to its stored hash.
func checkChain(t *testing.T, tr *Trail, n int) {
	t.Helper()
	evs, err := tr.Events(context.Background(), 0, n+1)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != n {
		t.Fatalf("%d records, want %d", len(evs), n)
	}
	prev := GenesisHash
	for i, e := range evs {
		if e.Seq != int64(i+1) || e.PrevHash != prev || e.Hash != e.ComputeHash() {
			t.Fatalf("record %d: seq %d, chain broken", i+1, e.Seq)
		}
		prev = e.Hash
	}
}

// TestWriterLingersForTheNextGroup: once the queue is empty the writer's
// goroutine waits for the next event (a new one would grow its stack
// again), and wait still returns at once; the next submit wakes it.
func TestWriterLingersForTheNextGroup(t *testing.T) {
	tr := sqliteTrail(t)
	w := &tr.writer
	if err := <-w.submit(admin("model.approve", "op")); err != nil {
		t.Fatal(err)
	}
	w.wait()
	w.mu.Lock()
	lingering := w.lingering != nil
	w.mu.Unlock()
	if !lingering {
		t.Fatal("the writer's goroutine exited with the queue empty")
	}
	if err := <-w.submit(admin("model.approve", "op")); err != nil {
		t.Fatal(err)
	}
	checkChain(t, tr, 2)
}

// TestWriterLingerRacesSubmit: with a wait of 100µs, appends spaced
// around it hit both ends of the race between the lingering goroutine
// giving up and submit waking it; every append commits, in one chain.
func TestWriterLingerRacesSubmit(t *testing.T) {
	tr := sqliteTrail(t)
	tr.writer.linger = 100 * time.Microsecond
	const workers, each = 4, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for range workers {
		wg.Go(func() {
			for range each {
				time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
				errs <- tr.RecordAdmin(context.Background(), "op", "model.approve", "m", nil)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkChain(t, tr, workers*each)
}
