package audit

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
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

// groupCounter is a Companion with nothing to write that counts the
// groups it is staged in: one per group commit.
type groupCounter struct{ groups int }

func (c *groupCounter) Stage() (func(context.Context, *sql.Tx) error, func(error)) {
	c.groups++ // only the running loop stages
	return nil, nil
}

// TestWriterGathersReadyAppends: while many model calls are under way,
// an append that a goroutine makes while the writer yields before taking
// its group joins that group, instead of waiting for a commit of its own,
// and a yield that brings nothing new ends the gathering; with fewer calls
// under way the writer takes its group without yielding.
func TestWriterGathersReadyAppends(t *testing.T) {
	tr := sqliteTrail(t)
	var c groupCounter
	tr.Attach(&c)
	w := &tr.writer
	var second <-chan error
	yields := 0
	w.yield = func() {
		yields++
		if second == nil {
			second = w.submit(admin("model.approve", "op2"))
		}
	}
	var returned []func()
	for range gatherCalls {
		returned = append(returned, tr.CallStarted())
	}
	if err := <-w.submit(admin("model.approve", "op1")); err != nil {
		t.Fatal(err)
	}
	if second == nil {
		t.Fatal("the writer took its group without yielding first")
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if c.groups != 1 {
		t.Fatalf("%d group commits for an append made while the writer yielded, want 1", c.groups)
	}
	if yields != 2 {
		t.Fatalf("%d yields, want 2: one that brought an append, one that did not", yields)
	}
	returned[0]()
	if err := <-w.submit(admin("model.approve", "op3")); err != nil {
		t.Fatal(err)
	}
	if yields != 2 {
		t.Fatalf("the writer yielded with %d calls under way (%d yields, want 2)", gatherCalls-1, yields)
	}
	checkChain(t, tr, 3)
}

// countingModel reports, from within each call, how many calls the trail
// counts as under way.
type countingModel struct {
	tr   *Trail
	seen []int64
}

func (m *countingModel) Name() string { return "counting" }
func (m *countingModel) Generate(_ context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	m.seen = append(m.seen, m.tr.calls.Load())
	return &ticketsum.ModelResponse{Text: "ok", Model: "counting"}, nil
}

// TestMiddlewareCountsCallsUnderWay: the audit middleware counts a model
// call among the trail's calls under way while the model runs, once (a
// nested audited model does not count it again), and no longer once it
// has returned and its record is appended.
func TestMiddlewareCountsCallsUnderWay(t *testing.T) {
	tr := sqliteTrail(t)
	mw, err := Middleware(MiddlewareConfig{Trail: tr})
	if err != nil {
		t.Fatal(err)
	}
	m := &countingModel{tr: tr}
	model := mw(mw(m))
	req := &ticketsum.ModelRequest{Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "hello"}},
		Meta: ticketsum.CallMeta{RequestID: "req-1", Principal: "worker"}}
	if _, err := model.Generate(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if len(m.seen) != 1 || m.seen[0] != 1 {
		t.Fatalf("calls under way seen by the model: %v, want [1]", m.seen)
	}
	if n := tr.calls.Load(); n != 0 {
		t.Fatalf("%d calls under way after the call returned, want 0", n)
	}
}
