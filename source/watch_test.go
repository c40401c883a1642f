package source_test

import (
	"context"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/source"
)

func TestPollCopiesThreadsAndHandlesTies(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	clock := &fixedClock{t: t0.Add(-time.Hour)}
	// Batch size 2 with three tickets at the same updated-at: the page
	// boundary falls between tied tickets.
	s := e.open(t, source.Config{BatchSize: 2, Clock: clock, Debounce: -1})
	if res := mustPoll(t, s); res.Seen != 0 {
		t.Fatalf("first poll on empty tables saw %d", res.Seen)
	}
	for id := 1; id <= 3; id++ {
		e.addTicket(t, id, t0, 3)
	}
	res := mustPoll(t, s)
	if res.Seen != 3 || res.Queued != 3 {
		t.Fatalf("poll = %+v, want 3 seen and queued", res)
	}
	got, err := e.store.FindTicket(context.Background(), "2")
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "Refund 2" || got.ProductLine != "billing" || got.Customer.Email != "jane@example.com" || !got.UpdatedAt.Equal(t0) {
		t.Errorf("ticket fields = %+v", got)
	}
	roles := []ticketsum.Role{}
	for _, m := range got.Messages {
		roles = append(roles, m.Role)
	}
	if len(roles) != 3 || roles[0] != ticketsum.RoleCustomer || roles[1] != ticketsum.RoleAgent || roles[2] != ticketsum.RoleInternal {
		t.Errorf("roles = %v, want customer, agent, internal (mapped from end_user, staff, note)", roles)
	}
	if res := mustPoll(t, s); res.Seen != 0 {
		t.Errorf("second poll saw %d tickets again", res.Seen)
	}
	// A fourth ticket tied at the same time, with a higher id, is still found.
	e.addTicket(t, 4, t0, 1)
	if res := mustPoll(t, s); res.Seen != 1 || res.Queued != 1 {
		t.Errorf("tied later ticket: poll = %+v, want 1 queued", res)
	}
	// A new message with updated_at bumped: one job. A bump with no new
	// content: seen, unchanged, no job.
	e.addMessage(t, 1, t0, 3)
	e.touch(t, 1, t0.Add(time.Minute))
	e.touch(t, 2, t0.Add(2*time.Minute))
	res = mustPoll(t, s)
	if res.Seen != 2 || res.Queued != 1 || res.Unchanged != 1 {
		t.Errorf("after edit: poll = %+v, want 2 seen, 1 queued, 1 unchanged", res)
	}
	jobs := e.recorded(t)
	if len(jobs) != 5 {
		t.Fatalf("jobs = %d, want 5 (4 new tickets, 1 edit)", len(jobs))
	}
	cur, _ := e.store.FindTicket(context.Background(), "1")
	if last := jobs[4]; last.TicketID != "1" || last.Hash != cur.ContentHash() {
		t.Errorf("last job = %+v, want ticket 1 with its new content hash", last)
	}
}

func TestPollStartsAtTheClock(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	e.addTicket(t, 1, t0.Add(-time.Minute), 1) // before the watcher's start: backfill's
	s := e.open(t, source.Config{Clock: &fixedClock{t: t0}})
	if res := mustPoll(t, s); res.Seen != 0 {
		t.Errorf("first poll copied %d old tickets; want none", res.Seen)
	}
	e.addTicket(t, 2, t0.Add(time.Second), 1)
	if res := mustPoll(t, s); res.Seen != 1 {
		t.Errorf("poll after a new ticket saw %d, want 1", res.Seen)
	}
}

func TestEnqueueFailureRollsBackTicketAndWatermark(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	s := e.open(t, source.Config{Clock: &fixedClock{t: t0.Add(-time.Hour)}, Debounce: -1})
	mustPoll(t, s)
	for id := 1; id <= 3; id++ {
		e.addTicket(t, id, t0.Add(time.Duration(id)*time.Second), 2)
	}
	e.jobs.setFail("2")
	res, err := s.Poll(context.Background())
	if err == nil {
		t.Fatal("poll with a failing enqueue succeeded")
	}
	if res.Queued != 1 {
		t.Errorf("queued before the failure = %d, want 1", res.Queued)
	}
	if _, err := e.store.FindTicket(context.Background(), "2"); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("ticket 2 after its enqueue failed: err = %v, want not found (rolled back)", err)
	}
	e.jobs.setFail("")
	res = mustPoll(t, s)
	if res.Seen != 2 || res.Queued != 2 {
		t.Errorf("retry poll = %+v, want tickets 2 and 3 queued", res)
	}
	count := map[string]int{}
	for _, j := range e.recorded(t) {
		count[j.TicketID]++
	}
	for _, id := range []string{"1", "2", "3"} {
		if count[id] != 1 {
			t.Errorf("ticket %s has %d jobs, want exactly 1", id, count[id])
		}
	}
}

func TestPollSkipsBadTickets(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	s := e.open(t, source.Config{Clock: &fixedClock{t: t0.Add(-time.Hour)}, Debounce: -1})
	mustPoll(t, s)
	e.addTicket(t, 1, t0, 0) // no messages
	e.addTicket(t, 2, t0.Add(time.Second), 1)
	if _, err := e.admin.Exec(context.Background(), `UPDATE messages SET kind = 'robot' WHERE ticket_id = 2`); err != nil {
		t.Fatal(err)
	}
	e.addTicket(t, 3, t0.Add(2*time.Second), 2)
	res := mustPoll(t, s)
	if res.Seen != 3 || res.Skipped != 2 || res.Queued != 1 {
		t.Errorf("poll = %+v, want 3 seen, 2 skipped (no messages, unmapped role), 1 queued", res)
	}
	if res := mustPoll(t, s); res.Seen != 0 {
		t.Errorf("skipped tickets were read again: %+v", res)
	}
}

func TestDebounceSchedulesBurstsOncePerInterval(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	clock := &fixedClock{t: t0.Add(-time.Hour)}
	s := e.open(t, source.Config{Clock: clock, Debounce: 5 * time.Minute})
	mustPoll(t, s)
	edit := func(i int, at time.Time) {
		e.addMessage(t, 1, t0, i)
		e.touch(t, 1, at)
		clock.set(at)
		mustPoll(t, s)
	}
	e.addTicket(t, 1, t0, 1)
	clock.set(t0)
	mustPoll(t, s)
	edit(1, t0.Add(time.Minute))   // within the interval: at t0+5m
	edit(2, t0.Add(2*time.Minute)) // joins the job at t0+5m
	edit(3, t0.Add(7*time.Minute)) // after it: at t0+10m
	edit(4, t0.Add(20*time.Minute))
	want := []time.Time{t0, t0.Add(5 * time.Minute), t0.Add(5 * time.Minute), t0.Add(10 * time.Minute), t0.Add(20 * time.Minute)}
	jobs := e.recorded(t)
	if len(jobs) != len(want) {
		t.Fatalf("jobs = %d, want %d", len(jobs), len(want))
	}
	for i, j := range jobs {
		if !j.RunAt.Equal(want[i]) {
			t.Errorf("job %d runs at %v, want %v", i, j.RunAt.UTC(), want[i])
		}
	}
}

func TestTriggerWakesWatch(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	s := e.open(t, source.Config{PollInterval: time.Hour, Debounce: -1})
	if err := s.InstallTrigger(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.InstallTrigger(context.Background()); err != nil {
		t.Fatalf("second install: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Watch(ctx) }()
	// The first poll starts the watermark at now; tickets are stamped after.
	waitFor(t, func() bool {
		var n int
		e.admin.QueryRow(context.Background(), `SELECT count(*) FROM `+e.jobs.schema+`.source_cursors`).Scan(&n)
		return n == 1
	})
	e.addTicket(t, 1, time.Now().Add(time.Second), 2)
	// With an hour between polls, only the notification can wake it.
	waitFor(t, func() bool { return len(e.recorded(t)) == 1 })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("watch returned %v", err)
	}
	if err := s.UninstallTrigger(context.Background()); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := e.admin.QueryRow(context.Background(), `SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'ticketsum_notify_%' AND tgrelid IN ('tickets'::regclass, 'messages'::regclass)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d triggers left after uninstall", n)
	}
}

// waitFor polls cond until it holds, failing the test after 20 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 20s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
