package queue_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/rivertype"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/queue"
	"github.com/ticketsum/ticketsum/storetest"
)

// suite lists the queue tests, run on both drivers.
func suite[TTx any]() map[string]func(t *testing.T, h harness[TTx]) {
	return map[string]func(t *testing.T, h harness[TTx]){
		"ImportHandledOnce":       testImportHandledOnce[TTx],
		"UniqueDedupe":            testUniqueDedupe[TTx],
		"Intent":                  testIntent[TTx],
		"StopInFlightAndRestart":  testStopInFlightAndRestart[TTx],
		"HardStopReturnsJobs":     testHardStopReturnsJobs[TTx],
		"StatsAndInsertOnly":      testStatsAndInsertOnly[TTx],
		"ImportInvalidEnqueuesNo": testImportInvalid[TTx],
		"DelaySkipsSuperseded":    testDelaySkipsSuperseded[TTx],
		"FailureRetryAndClear":    testFailureRetryAndClear[TTx],
		"FailedRetriedOnEdit":     testFailedRetriedOnThreadChange[TTx],
		"Regenerate":              testRegenerate[TTx],
		"FailureOfGoneTicket":     testFailureOfGoneTicket[TTx],
		"WaitDrained":             testWaitDrained[TTx],
		"ListWaiting":             testListWaiting[TTx],
	}
}

func TestSQLite(t *testing.T) {
	t.Parallel()
	for name, fn := range suite[*sql.Tx]() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, mustSQLite(t))
		})
	}
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	for name, fn := range suite[pgx.Tx]() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, mustPostgres(t))
		})
	}
}

func importAll[TTx any](t *testing.T, h harness[TTx], q *queue.Queue[TTx], tickets ...*ticketsum.Ticket) {
	t.Helper()
	for _, tk := range tickets {
		if _, err := q.Import(context.Background(), tk); err != nil {
			t.Fatalf("import %s: %v", tk.ID, err)
		}
	}
}

func tickets(t *testing.T, n int) []*ticketsum.Ticket {
	var out []*ticketsum.Ticket
	for i := range n {
		out = append(out, storetest.MustTicket(t, fmt.Sprintf("T-%02d", i)))
	}
	return out
}

func testImportHandledOnce[TTx any](t *testing.T, h harness[TTx]) {
	// The handler uses the store, as the real pipeline does, on the same
	// database (a single connection on SQLite) while River works.
	rec := newRecorder(func(ctx context.Context, id string, _ int) error {
		tk, err := h.store.FindTicket(ctx, id)
		if err != nil {
			return err
		}
		_, err = h.store.SaveSummary(ctx, storetest.MustSummary(t, tk, "builtin"))
		return err
	})
	q := h.newQueue(t, queue.Config{Handler: rec.handle, Workers: 3})
	tks := tickets(t, 8)
	importAll(t, h, q, tks...)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, q)
	// Importing the same threads again changes nothing and enqueues nothing.
	for _, tk := range tks {
		changed, err := q.Import(context.Background(), tk)
		if err != nil || changed {
			t.Fatalf("re-import %s: changed %v, err %v", tk.ID, changed, err)
		}
	}
	// An edited thread is summarised again.
	edited := storetest.MustTicket(t, "T-00", storetest.WithReply("Is it fixed?"))
	if changed, err := q.Import(context.Background(), edited); err != nil || !changed {
		t.Fatalf("import edited thread: changed %v, err %v", changed, err)
	}
	waitIdle(t, q)
	calls, _ := rec.counts()
	for i, tk := range tks {
		want := 1
		if i == 0 {
			want = 2
		}
		if calls[tk.ID] != want {
			t.Errorf("ticket %s: handler called %d times, want %d", tk.ID, calls[tk.ID], want)
		}
	}
	for _, tk := range tks[1:] {
		views, _, err := h.store.ListTickets(context.Background(), ticketsum.TicketFilter{Query: tk.ID})
		if err != nil || len(views) != 1 || views[0].Current == nil || views[0].Stale {
			t.Errorf("ticket %s after the queue drained: %+v, %v; want a fresh current summary", tk.ID, views, err)
		}
	}
	if cur, err := h.store.CurrentSummary(context.Background(), "T-00"); err != nil || cur.ContentHash != edited.ContentHash() {
		t.Errorf("edited ticket's current summary = %+v, %v; want one of the edited thread", cur, err)
	}
	st, err := q.Stats(context.Background())
	if err != nil || st.Completed != len(tks)+1 || st.Pending() != 0 {
		t.Errorf("stats after draining = %+v (%v), want %d completed and nothing pending", st, err, len(tks)+1)
	}
}

func testUniqueDedupe[TTx any](t *testing.T, h harness[TTx]) {
	q := h.newQueue(t, queue.Config{}) // insert-only: jobs stay available
	ctx := context.Background()
	steps := []struct {
		id, hash string
		want     bool
	}{
		{"T-1", "h1", true},
		{"T-1", "h1", false},
		{"T-1", "h2", true},
		{"T-2", "h1", true},
		{"T-2", "h1", false},
	}
	for _, s := range steps {
		inserted, err := q.Enqueue(ctx, s.id, s.hash)
		if err != nil || inserted != s.want {
			t.Errorf("enqueue %s/%s: inserted %v (%v), want %v", s.id, s.hash, inserted, err, s.want)
		}
	}
	// Importing one new thread twice, the second time concurrently with the
	// first's job still waiting, makes one job.
	tk := storetest.MustTicket(t, "T-3")
	importAll(t, h, q, tk, tk)
	if _, err := q.Enqueue(ctx, tk.ID, tk.ContentHash()); err != nil {
		t.Fatal(err)
	}
	st, err := q.Stats(ctx)
	if err != nil || st.Available != 4 {
		t.Errorf("stats = %+v (%v), want 4 available jobs", st, err)
	}
	if _, err := q.Enqueue(ctx, "", "h"); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("enqueue without a ticket id: %v, want EINVALID", err)
	}
}

func testIntent[TTx any](t *testing.T, h harness[TTx]) {
	answers := map[string]func(call int) error{
		"ok":        func(int) error { return nil },
		"invalid":   func(int) error { return ticketsum.Errorf(ticketsum.EINVALID, "ticket is empty after redaction") },
		"forbidden": func(int) error { return ticketsum.Errorf(ticketsum.EFORBIDDEN, "principal may not use this model") },
		"notfound":  func(int) error { return ticketsum.Errorf(ticketsum.ENOTFOUND, "ticket gone") },
		"throttled": func(int) error { return ticketsum.Errorf(ticketsum.ETHROTTLED, "rate limited") },
		"flaky": func(call int) error {
			if call == 1 {
				return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "model timed out")
			}
			return nil
		},
		"broken": func(int) error { return errors.New("bug") },
	}
	rec := newRecorder(func(_ context.Context, id string, call int) error { return answers[id](call) })
	q := h.newQueue(t, queue.Config{Handler: rec.handle, Workers: 4, SnoozeFor: time.Hour, MaxAttempts: 2})
	for id := range answers {
		importAll(t, h, q, storetest.MustTicket(t, id))
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := map[string]rivertype.JobState{
		"ok": rivertype.JobStateCompleted, "invalid": rivertype.JobStateCancelled,
		"forbidden": rivertype.JobStateCancelled, "notfound": rivertype.JobStateCancelled,
		"throttled": rivertype.JobStateScheduled, "flaky": rivertype.JobStateCompleted,
		"broken": rivertype.JobStateCancelled, // retries exhausted: the ticket is failed
	}
	var jobs map[string][]*rivertype.JobRow
	waitFor(t, "every job to reach its final state", func() bool {
		jobs = jobsByTicket(t, q)
		for id, state := range want {
			if len(jobs[id]) != 1 || jobs[id][0].State != state {
				return false
			}
		}
		return true
	})
	calls, _ := rec.counts()
	wantCalls := map[string]int{"ok": 1, "invalid": 1, "forbidden": 1, "notfound": 1, "throttled": 1, "flaky": 2, "broken": 2}
	for id, n := range wantCalls {
		if calls[id] != n {
			t.Errorf("%s: handler called %d times, want %d", id, calls[id], n)
		}
	}
	for _, id := range []string{"invalid", "forbidden", "notfound"} {
		j := jobs[id][0]
		if len(j.Errors) == 0 || !strings.Contains(j.Errors[len(j.Errors)-1].Error, ticketsum.ErrorMessage(answers[id](1))) {
			t.Errorf("%s: cancelled job does not record the reason: %+v", id, j.Errors)
		}
	}
	// Every ticket not summarised is failed with its class, code and reason,
	// or waits (throttled); none is in neither state.
	wantFailed := map[string]ticketsum.Failure{
		"invalid":   {Class: ticketsum.ClassBadTicket, Code: ticketsum.EINVALID, Reason: "ticket is empty after redaction", Attempts: 1},
		"forbidden": {Class: ticketsum.ClassConfig, Code: ticketsum.EFORBIDDEN, Reason: "principal may not use this model", Attempts: 1},
		"notfound":  {Class: ticketsum.ClassConfig, Code: ticketsum.ENOTFOUND, Reason: "ticket gone", Attempts: 1},
		"broken":    {Class: ticketsum.ClassRetryable, Code: ticketsum.EINTERNAL, Reason: "internal error", Attempts: 2},
	}
	for id := range answers {
		f, err := h.store.FindFailure(context.Background(), id)
		w, failed := wantFailed[id]
		if !failed {
			if ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
				t.Errorf("%s: failure %+v (%v), want none", id, f, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: no failed state: %v", id, err)
			continue
		}
		tk := storetest.MustTicket(t, id)
		if f.Class != w.Class || f.Code != w.Code || f.Reason != w.Reason || f.Attempts != w.Attempts ||
			f.ContentHash != tk.ContentHash() || f.LastAttemptAt.IsZero() || f.Regeneration != 0 {
			t.Errorf("%s: failure %+v, want %+v of its thread", id, f, w)
		}
	}
	got := q.Outcomes()
	wantBy := map[queue.FailureKind]int64{
		{Class: ticketsum.ClassBadTicket, Code: ticketsum.EINVALID}:  1,
		{Class: ticketsum.ClassConfig, Code: ticketsum.EFORBIDDEN}:   1,
		{Class: ticketsum.ClassConfig, Code: ticketsum.ENOTFOUND}:    1,
		{Class: ticketsum.ClassRetryable, Code: ticketsum.EINTERNAL}: 1,
	}
	if !maps.Equal(got.FailedBy, wantBy) {
		t.Errorf("failures by kind = %v, want %v", got.FailedBy, wantBy)
	}
	// The two retried jobs run in either order; the reason is the later one's.
	if r := got.LastRetryReason; r != "internal error" && r != "model timed out" {
		t.Errorf("last retry reason = %q, want one of the retried jobs'", r)
	}
	got.FailedBy, got.LastRetryReason = nil, ""
	if want := (queue.Outcomes{Completed: 2, Failed: 4, Retried: 2, Snoozed: 1}); !reflect.DeepEqual(got, want) {
		t.Errorf("outcomes = %+v, want %+v", got, want)
	}
	snoozed := jobs["throttled"][0]
	if d := time.Until(snoozed.ScheduledAt); d < 50*time.Minute {
		t.Errorf("throttled job runs again in %v, want about the 1h snooze", d)
	}
}

func testStopInFlightAndRestart[TTx any](t *testing.T, h harness[TTx]) {
	const n = 10
	release := make(chan struct{})
	started := make(chan string, 100)
	block := func(ctx context.Context, id string, call int) error {
		started <- id
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	rec := newRecorder(block)
	q1 := h.newQueue(t, queue.Config{Handler: rec.handle, Workers: 2})
	tks := tickets(t, n)
	importAll(t, h, q1, tks...)
	startCtx, interrupt := context.WithCancel(context.Background())
	if err := q1.Start(startCtx); err != nil {
		t.Fatal(err)
	}
	<-started
	<-started   // two jobs in flight
	interrupt() // a signal: the caller now stops the queue gracefully
	stopped := make(chan error, 1)
	go func() { stopped <- q1.Stop(context.Background()) }()
	time.Sleep(50 * time.Millisecond) // let Stop begin before the jobs finish
	close(release)
	if err := <-stopped; err != nil {
		t.Fatalf("graceful stop: %v", err)
	}
	_, succ := rec.counts()
	if len(succ) == 0 || len(succ) >= n {
		t.Fatalf("after stopping with jobs in flight, %d tickets done; want some but not all of %d", len(succ), n)
	}
	st, err := q1.Stats(context.Background())
	if err != nil || st.Running != 0 || st.Completed != len(succ) || st.Pending() != n-len(succ) {
		t.Errorf("stats after stop = %+v (%v); want nothing running, %d completed, %d pending", st, err, len(succ), n-len(succ))
	}
	q2 := h.newQueue(t, queue.Config{Handler: rec.handle, Workers: 2})
	if err := q2.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, q2)
	calls, succ := rec.counts()
	for _, tk := range tks {
		if calls[tk.ID] != 1 || succ[tk.ID] != 1 {
			t.Errorf("ticket %s: %d calls, %d successes; want exactly one of each", tk.ID, calls[tk.ID], succ[tk.ID])
		}
	}
}

func testHardStopReturnsJobs[TTx any](t *testing.T, h harness[TTx]) {
	const n = 4
	started := make(chan string, 100)
	var hanging atomic.Bool
	hanging.Store(true)
	hang := func(ctx context.Context, id string, call int) error {
		if hanging.Load() {
			started <- id
			<-ctx.Done() // a slow model call, interrupted by the stop
			return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "model call interrupted: %w", ctx.Err())
		}
		return nil
	}
	rec := newRecorder(hang)
	q1 := h.newQueue(t, queue.Config{Handler: rec.handle, Workers: 2})
	tks := tickets(t, n)
	importAll(t, h, q1, tks...)
	if err := q1.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-started
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no patience: cancel the running jobs at once
	if err := q1.Stop(ctx); err != nil {
		t.Fatalf("hard stop: %v", err)
	}
	_, succ := rec.counts()
	if len(succ) != 0 {
		t.Fatalf("%d tickets finished during a hard stop of hanging jobs", len(succ))
	}
	hanging.Store(false)
	q2 := h.newQueue(t, queue.Config{Handler: rec.handle, Workers: 2})
	if err := q2.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, q2)
	_, succ = rec.counts()
	for _, tk := range tks {
		if succ[tk.ID] != 1 {
			t.Errorf("ticket %s: %d successes after restart, want 1", tk.ID, succ[tk.ID])
		}
	}
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func testStatsAndInsertOnly[TTx any](t *testing.T, h harness[TTx]) {
	q := h.newQueue(t, queue.Config{Clock: fixedClock{time.Now().Add(time.Hour)}})
	ctx := context.Background()
	if st, err := q.Stats(ctx); err != nil || st != (queue.Stats{}) {
		t.Errorf("stats of an empty queue = %+v (%v), want zero", st, err)
	}
	importAll(t, h, q, tickets(t, 3)...)
	st, err := q.Stats(ctx)
	if err != nil || st.Available != 3 || st.Pending() != 3 || st.OldestAge < 59*time.Minute || st.OldestAge > 2*time.Hour {
		t.Errorf("stats = %+v (%v), want 3 available, oldest about 1h old by the clock", st, err)
	}
	if err := q.Start(ctx); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("start of a queue without handler: %v, want EINVALID", err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := q.WaitIdle(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitIdle with jobs and no worker = %v, want the context's deadline", err)
	}
}

func testImportInvalid[TTx any](t *testing.T, h harness[TTx]) {
	q := h.newQueue(t, queue.Config{})
	_, err := q.Import(context.Background(), &ticketsum.Ticket{ID: "T-1"})
	if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("import of a ticket without messages: %v, want EINVALID", err)
	}
	if st, _ := q.Stats(context.Background()); st.Pending() != 0 {
		t.Errorf("an invalid import enqueued %d jobs", st.Pending())
	}
}

func testDelaySkipsSuperseded[TTx any](t *testing.T, h harness[TTx]) {
	var seen []string
	var mu sync.Mutex
	handler := func(ctx context.Context, id string) error {
		tk, err := h.store.FindTicket(ctx, id)
		if err != nil {
			return err
		}
		mu.Lock()
		seen = append(seen, tk.ContentHash())
		mu.Unlock()
		return nil
	}
	q := h.newQueue(t, queue.Config{Handler: handler, Delay: 300 * time.Millisecond, CurrentHash: queue.StoreHash(h.store)})
	versions := []*ticketsum.Ticket{
		storetest.MustTicket(t, "T-1"),
		storetest.MustTicket(t, "T-1", storetest.WithReply("one")),
		storetest.MustTicket(t, "T-1", storetest.WithReply("one"), storetest.WithReply("two")),
	}
	importAll(t, h, q, versions...)
	if _, err := q.Enqueue(context.Background(), "ghost", "h"); err != nil {
		t.Fatal(err)
	}
	if st, err := q.Stats(context.Background()); err != nil || st.Waiting != 4 || st.Available != 0 {
		t.Fatalf("stats before the delay = %+v (%v), want 4 waiting jobs", st, err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, q)
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0] != versions[2].ContentHash() {
		t.Errorf("handler saw %d threads (%v); want only the latest", len(seen), seen)
	}
	if got, want := q.Outcomes(), (queue.Outcomes{Completed: 1, Superseded: 2, Cancelled: 1}); !reflect.DeepEqual(got, want) {
		t.Errorf("outcomes = %+v, want %+v", got, want)
	}
}

// testWaitDrained: WaitDrained waits for a retry due within its horizon
// (T-00 fails once, then succeeds), and returns the jobs left, without
// touching them, once the only one waits for a retry due later than the
// horizon (T-01, whose endpoint stays down).
func testWaitDrained[TTx any](t *testing.T, h harness[TTx]) {
	rec := newRecorder(func(_ context.Context, id string, call int) error {
		if id == "T-01" || call == 1 {
			return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "model endpoint down")
		}
		return nil
	})
	q := h.newQueue(t, queue.Config{Handler: rec.handle})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard only
	defer cancel()
	tks := tickets(t, 2)
	importAll(t, h, q, tks[0])
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := q.WaitDrained(ctx, time.Hour)
	if _, succ := rec.counts(); err != nil || d != (queue.Deferred{}) || succ["T-00"] != 1 {
		t.Fatalf("WaitDrained with a retry due within the horizon = %+v, %v, successes %v; want the retry run and nothing left", d, err, succ)
	}
	importAll(t, h, q, tks[1])
	d, err = q.WaitDrained(ctx, 0)
	if err != nil || d.Jobs != 1 || d.Tickets != 1 || !d.Next.After(time.Now()) {
		t.Fatalf("WaitDrained with only a later retry = %+v, %v; want that job, due later", d, err)
	}
	if r := q.Outcomes().LastRetryReason; r != "model endpoint down" || d.Reason != r {
		t.Errorf("last retry reason = %q, deferred reason %q", r, d.Reason)
	}
	if err := q.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	jobs := jobsByTicket(t, q)["T-01"]
	if len(jobs) != 1 || jobs[0].State != rivertype.JobStateRetryable || jobs[0].Attempt < 1 {
		t.Fatalf("T-01's job after the drain = %+v, want one, still waiting for its retry", jobs)
	}
}

// testListWaiting: a ticket whose job waits for a retry is listed with its
// attempts, next due time, code and the error's coded message, and neither
// the listing nor River's record of the error (river_job.errors) holds the
// cause, which can carry a provider's text (here a customer's name and
// address).
func testListWaiting[TTx any](t *testing.T, h harness[TTx]) {
	const pii = "Ana Lima <ana.lima@example.com>"
	rec := newRecorder(func(context.Context, string, int) error {
		return &ticketsum.Error{Code: ticketsum.EUNAVAILABLE, Message: "model endpoint down",
			Err: errors.New("upstream said: " + pii)}
	})
	q := h.newQueue(t, queue.Config{Handler: rec.handle})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard only
	defer cancel()
	if list, total, err := q.ListWaiting(ctx, 10); err != nil || total != 0 || len(list) != 0 {
		t.Fatalf("ListWaiting on an empty queue = %+v, %d, %v", list, total, err)
	}
	importAll(t, h, q, tickets(t, 2)...)
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := q.WaitDrained(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := q.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	list, total, err := q.ListWaiting(ctx, 1)
	if err != nil || total != 2 || len(list) != 1 {
		t.Fatalf("ListWaiting(limit 1) = %+v, %d, %v; want 1 of 2", list, total, err)
	}
	w := list[0]
	if (w.TicketID != "T-00" && w.TicketID != "T-01") || w.Attempts < 1 || w.MaxAttempts != 10 ||
		!w.NextAttemptAt.After(time.Now()) || w.Code != ticketsum.EUNAVAILABLE || w.Reason != "model endpoint down" {
		t.Errorf("waiting ticket = %+v", w)
	}
	for id, jobs := range jobsByTicket(t, q) {
		for _, j := range jobs {
			for _, e := range j.Errors {
				if strings.Contains(e.Error, "ana.lima") || e.Error != "unavailable: model endpoint down" {
					t.Errorf("River recorded %s's error as %q; want only the code and coded message", id, e.Error)
				}
			}
		}
	}
}
