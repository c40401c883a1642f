package source_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/source"
)

func TestBackfillResumesAndRestarts(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	const n = 25
	e.addTicket(t, 1000, t0.Add(-48*time.Hour), 1) // before since: not copied
	for id := 1; id <= n; id++ {
		// Pairs share an updated-at, so ties fall across page boundaries.
		e.addTicket(t, id, t0.Add(time.Duration(id/2)*time.Second), 2)
	}
	s := e.open(t, source.Config{BatchSize: 10})
	since := t0.Add(-time.Hour)

	// The first run is interrupted after its first page.
	ctx, cancel := context.WithCancel(context.Background())
	var pages []source.Progress
	_, err := s.Backfill(ctx, source.BackfillOptions{Since: since, Progress: func(p source.Progress) {
		pages = append(pages, p)
		cancel()
	}})
	if err == nil || !errors.Is(err, context.Canceled) && ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE {
		t.Fatalf("interrupted backfill: err = %v", err)
	}
	if len(pages) != 1 || pages[0].Done != 10 || pages[0].Total != n {
		t.Fatalf("progress of the first run = %+v, want one page of 10 of %d", pages, n)
	}

	// The second run continues where it stopped.
	p, err := s.Backfill(context.Background(), source.BackfillOptions{Since: since})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Resumed || !p.Finished || p.Done != n || p.Seen > n-10 {
		t.Errorf("resumed backfill = %+v, want resumed, finished, %d done, at most %d seen", p, n, n-10)
	}
	count := map[string]int{}
	for _, j := range e.recorded(t) {
		count[j.TicketID]++
	}
	if len(count) != n || count["1000"] != 0 {
		t.Errorf("jobs for %d tickets (ticket 1000: %d), want %d and none for the old ticket", len(count), count["1000"], n)
	}
	for id, c := range count {
		if c != 1 {
			t.Errorf("ticket %s has %d jobs, want 1", id, c)
		}
	}

	// Another since is refused while a cursor is saved; restart starts over
	// and finds nothing changed.
	if _, err := s.Backfill(context.Background(), source.BackfillOptions{Since: since.Add(-time.Hour)}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("backfill with another since: err = %v, want invalid", err)
	}
	p, err = s.Backfill(context.Background(), source.BackfillOptions{Since: since.Add(-72 * time.Hour), Restart: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Resumed || p.Seen != n+1 || p.Queued != 1 || p.Unchanged != n {
		t.Errorf("restarted backfill = %+v, want %d seen, only the old ticket queued", p, n+1)
	}
}

func TestBackfillRefusesAConcurrentRun(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	for id := 1; id <= 3; id++ {
		e.addTicket(t, id, t0, 1)
	}
	s := e.open(t, source.Config{BatchSize: 1})
	other := e.open(t, source.Config{BatchSize: 1})
	var inner error
	_, err := s.Backfill(context.Background(), source.BackfillOptions{Since: t0.Add(-time.Hour), Progress: func(source.Progress) {
		if inner == nil {
			_, inner = other.Backfill(context.Background(), source.BackfillOptions{Since: t0.Add(-time.Hour)})
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if ticketsum.ErrorCodeOf(inner) != ticketsum.ECONFLICT {
		t.Errorf("second backfill while one runs: err = %v, want conflict", inner)
	}
}

func TestBackfillFailureInAParallelPageLosesAndRepeatsNothing(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	const n = 20
	for id := 1; id <= n; id++ {
		e.addTicket(t, id, t0.Add(time.Duration(id)*time.Second), 1)
	}
	s := e.open(t, source.Config{BatchSize: 10})
	e.jobs.setFail("5")
	p, err := s.Backfill(context.Background(), source.BackfillOptions{Since: t0, Parallel: 4})
	if err == nil {
		t.Fatal("backfill with a failing enqueue succeeded")
	}
	if p.Done != 4 {
		t.Errorf("cursor after the failure at ticket 5 = %d done, want 4", p.Done)
	}
	e.jobs.setFail("")
	p, err = s.Backfill(context.Background(), source.BackfillOptions{Since: t0, Parallel: 4})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Resumed || p.Done != n {
		t.Errorf("second run = %+v, want resumed and %d done", p, n)
	}
	count := map[string]int{}
	for _, j := range e.recorded(t) {
		count[j.TicketID]++
	}
	if len(count) != n {
		t.Errorf("jobs for %d tickets, want %d", len(count), n)
	}
	for id, c := range count {
		if c != 1 {
			t.Errorf("ticket %s has %d jobs, want exactly 1", id, c)
		}
	}
}

// TestBackfillPagesInOneTransaction runs the batched backfill: each page is
// copied, queued and its cursor moved in one transaction, so a failure
// keeps nothing of its page and the next run repeats nothing else.
func TestBackfillPagesInOneTransaction(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	const n = 25
	for id := 1; id <= n; id++ {
		e.addTicket(t, id, t0.Add(time.Duration(id/2)*time.Second), 2)
	}
	s := e.open(t, source.Config{BatchSize: 10, EnqueueBatch: e.jobs.enqueueBatch})
	e.jobs.setFail("15")
	p, err := s.Backfill(context.Background(), source.BackfillOptions{Since: t0.Add(-time.Hour)})
	if err == nil {
		t.Fatal("backfill with a failing enqueue succeeded")
	}
	if p.Done != 10 || p.Queued != 10 {
		t.Errorf("after the failure in the second page: %+v, want 10 done and queued", p)
	}
	e.jobs.setFail("")
	p, err = s.Backfill(context.Background(), source.BackfillOptions{Since: t0.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Resumed || !p.Finished || p.Done != n || p.Queued != n-10 {
		t.Errorf("second run = %+v, want resumed, finished, %d done, %d queued", p, n, n-10)
	}
	count := map[string]int{}
	for _, j := range e.recorded(t) {
		count[j.TicketID]++
	}
	if len(count) != n {
		t.Errorf("jobs for %d tickets, want %d", len(count), n)
	}
	for id, c := range count {
		if c != 1 {
			t.Errorf("ticket %s has %d jobs, want exactly 1", id, c)
		}
	}
	p, err = s.Backfill(context.Background(), source.BackfillOptions{Since: t0.Add(-time.Hour), Restart: true})
	if err != nil || p.Queued != 0 || p.Unchanged != n {
		t.Errorf("restart = %+v, %v; want all %d unchanged", p, err, n)
	}
}

// Numeric ids sharing an updated-at across page boundaries, in digit
// counts whose text order differs from their numeric order (9 < 10 < 100):
// every ticket is copied once. The changes query once ordered by the
// output column id::text while comparing numbers, and passed over a page's
// last ticket.
func TestBackfillNumericIDsSharingATime(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	ids := []int{9, 10, 11, 99, 100, 101, 2, 20, 200, 3, 30, 1000}
	for i, id := range ids {
		e.addTicket(t, id, t0.Add(time.Duration(i/6)*time.Second), 1)
	}
	s := e.open(t, source.Config{BatchSize: 2})
	p, err := s.Backfill(context.Background(), source.BackfillOptions{Since: t0.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, j := range e.recorded(t) {
		count[j.TicketID]++
	}
	for _, id := range ids {
		if c := count[fmt.Sprint(id)]; c != 1 {
			t.Errorf("ticket %d has %d jobs, want 1", id, c)
		}
	}
	if p.Seen != len(ids) || p.Unchanged != 0 {
		t.Errorf("backfill = %+v, want %d seen, none twice", p, len(ids))
	}
}
