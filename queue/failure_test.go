package queue_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/queue"
	"github.com/ticketsum/ticketsum/storetest"
)

// saveHandler saves a summary of the ticket's current thread, as the real
// pipeline does, unless fail says otherwise.
func saveHandler[TTx any](t *testing.T, h harness[TTx], fail func(id string) error) queue.Handler {
	return func(ctx context.Context, id string) error {
		if err := fail(id); err != nil {
			return err
		}
		tk, err := h.store.FindTicket(ctx, id)
		if err != nil {
			return err
		}
		_, err = h.store.SaveSummary(ctx, storetest.MustSummary(t, tk, "builtin"))
		return err
	}
}

// mustFailure returns the ticket's failure, failing the test when it has
// none.
func mustFailure[TTx any](t *testing.T, h harness[TTx], id string) *ticketsum.Failure {
	t.Helper()
	f, err := h.store.FindFailure(context.Background(), id)
	if err != nil {
		t.Fatalf("ticket %s: no failed state: %v", id, err)
	}
	return f
}

func assertNotFailed[TTx any](t *testing.T, h harness[TTx], id string) {
	t.Helper()
	if f, err := h.store.FindFailure(context.Background(), id); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("ticket %s: failure %+v (%v), want none", id, f, err)
	}
}

// testFailureRetryAndClear: a configuration failure stays until
// `failures retry` once the configuration is fixed; retrying it again
// before that adds to its attempts; RetryAll retries by class.
func testFailureRetryAndClear[TTx any](t *testing.T, h harness[TTx]) {
	ctx := context.Background()
	var fixed atomic.Bool
	denied := ticketsum.Errorf(ticketsum.EFORBIDDEN, "model m is not approved; run: ticketsum models approve m")
	q := h.newQueue(t, queue.Config{Handler: saveHandler(t, h, func(id string) error {
		if strings.HasPrefix(id, "cfg") && !fixed.Load() {
			return denied
		}
		if id == "bad" {
			return ticketsum.Errorf(ticketsum.EINVALID, "ticket has no text after cleaning")
		}
		return nil
	}), Workers: 2})
	importAll(t, h, q, storetest.MustTicket(t, "cfg-1"), storetest.MustTicket(t, "cfg-2"), storetest.MustTicket(t, "bad"), storetest.MustTicket(t, "ok"))
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, q)
	if f := mustFailure(t, h, "cfg-1"); f.Class != ticketsum.ClassConfig || f.Reason != ticketsum.ErrorMessage(denied) || f.Attempts != 1 {
		t.Errorf("cfg-1 failure = %+v, want a config failure naming the fix, 1 attempt", f)
	}
	assertNotFailed(t, h, "ok")

	// Retried before the fix: still failed, attempts add up.
	if r, err := q.Retry(ctx, "cfg-1"); err != nil || !r.Queued {
		t.Fatalf("retry cfg-1 = %+v, %v; want queued", r, err)
	}
	waitIdle(t, q)
	if f := mustFailure(t, h, "cfg-1"); f.Attempts != 2 {
		t.Errorf("cfg-1 after a second failed attempt: %d attempts, want 2", f.Attempts)
	}
	if _, err := q.Retry(ctx, "ok"); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("retry of a ticket that is not failed: %v, want ENOTFOUND", err)
	}

	// The fix, then a retry of every configuration failure.
	fixed.Store(true)
	retried, err := q.RetryAll(ctx, ticketsum.ClassConfig)
	if err != nil || len(retried) != 2 {
		t.Fatalf("retry all config failures = %+v, %v; want cfg-1 and cfg-2", retried, err)
	}
	waitIdle(t, q)
	for _, id := range []string{"cfg-1", "cfg-2"} {
		assertNotFailed(t, h, id)
		if _, err := h.store.CurrentSummary(ctx, id); err != nil {
			t.Errorf("%s after the retry: no summary (%v)", id, err)
		}
	}
	if f := mustFailure(t, h, "bad"); f.Class != ticketsum.ClassBadTicket {
		t.Errorf("bad ticket failure = %+v, want it kept as a bad ticket", f)
	}
	if _, err := q.RetryAll(ctx, "fatal"); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("retry all of an unknown class: %v, want EINVALID", err)
	}
}

// testFailedRetriedOnThreadChange: a bad ticket is retried when its thread
// changes, and the new thread's summary clears the failed state.
func testFailedRetriedOnThreadChange[TTx any](t *testing.T, h harness[TTx]) {
	ctx := context.Background()
	q := h.newQueue(t, queue.Config{Handler: saveHandler(t, h, func(id string) error {
		tk, err := h.store.FindTicket(ctx, id)
		if err == nil && len(tk.Messages) < 3 {
			return ticketsum.Errorf(ticketsum.EINVALID, "thread too short to summarise")
		}
		return err
	})})
	importAll(t, h, q, storetest.MustTicket(t, "T-1"))
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, q)
	mustFailure(t, h, "T-1")
	importAll(t, h, q, storetest.MustTicket(t, "T-1", storetest.WithReply("Here are more details.")))
	waitIdle(t, q)
	assertNotFailed(t, h, "T-1")
	views, _, err := h.store.ListTickets(ctx, ticketsum.TicketFilter{State: ticketsum.StateSummarized})
	if err != nil || len(views) != 1 {
		t.Errorf("summarised tickets after the edit: %d (%v), want T-1", len(views), err)
	}
}

// testRegenerate: a regeneration makes a new summary of an unchanged
// thread, numbered one above the last; asking twice while it waits makes
// one job; a worker without a regenerate handler fails the ticket with a
// configuration failure that a retry (with the handler) clears.
func testRegenerate[TTx any](t *testing.T, h harness[TTx]) {
	ctx := context.Background()
	regen := func(ctx context.Context, id string, n int) error {
		tk, err := h.store.FindTicket(ctx, id)
		if err != nil {
			return err
		}
		_, err = h.store.SaveSummary(ctx, storetest.MustSummary(t, tk, "builtin", func(s *ticketsum.Summary) { s.Regeneration = n }))
		return err
	}
	noFail := func(string) error { return nil }
	q := h.newQueue(t, queue.Config{Handler: saveHandler(t, h, noFail), Regenerate: regen})
	tk := storetest.MustTicket(t, "T-1")
	importAll(t, h, q, tk)
	if n, queued, err := q.Regenerate(ctx, "T-1"); err != nil || n != 0 || queued {
		t.Errorf("regenerate before any summary = %d, queued %v, %v; want the waiting ordinary job (0, not queued)", n, queued, err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, q)
	for want := 1; want <= 2; want++ {
		n, queued, err := q.Regenerate(ctx, "T-1")
		if err != nil || n != want || !queued {
			t.Fatalf("regenerate = %d, queued %v, %v; want %d queued", n, queued, err, want)
		}
		waitIdle(t, q)
		cur, err := h.store.CurrentSummary(ctx, "T-1")
		if err != nil || cur.Regeneration != want {
			t.Fatalf("current summary after regeneration %d: %+v (%v)", want, cur, err)
		}
	}
	hist, _ := h.store.SummaryHistory(ctx, "T-1")
	if len(hist) != 3 {
		t.Errorf("history has %d summaries, want the first and two regenerations", len(hist))
	}
	if _, _, err := q.Regenerate(ctx, "nope"); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("regenerate an unknown ticket: %v, want ENOTFOUND", err)
	}

	// A queue without a regenerate handler: two requests make one job,
	// which fails the ticket with a configuration failure.
	if err := q.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	plain := h.newQueue(t, queue.Config{Handler: saveHandler(t, h, noFail)})
	n1, q1, err1 := plain.Regenerate(ctx, "T-1")
	n2, q2, err2 := plain.Regenerate(ctx, "T-1")
	if err1 != nil || err2 != nil || n1 != 3 || n2 != 3 || !q1 || q2 {
		t.Fatalf("two requests = (%d %v %v) (%d %v %v); want regeneration 3 queued once", n1, q1, err1, n2, q2, err2)
	}
	if err := plain.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, plain)
	f := mustFailure(t, h, "T-1")
	if f.Class != ticketsum.ClassConfig || f.Regeneration != 3 || !strings.Contains(f.Reason, "failures retry T-1") {
		t.Errorf("failure without a regenerate handler = %+v, want a config failure of regeneration 3 naming the retry", f)
	}
	views, _, _ := h.store.ListTickets(ctx, ticketsum.TicketFilter{State: ticketsum.StateFailed})
	if len(views) != 1 || views[0].Current == nil || views[0].Current.Regeneration != 2 {
		t.Errorf("failed list = %+v, want T-1 with its summary kept", views)
	}
	if err := plain.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	fixed := h.newQueue(t, queue.Config{Handler: saveHandler(t, h, noFail), Regenerate: regen})
	r, err := fixed.Retry(ctx, "T-1")
	if err != nil || r.Regeneration != 3 || !r.Queued {
		t.Fatalf("retry of the failed regeneration = %+v, %v", r, err)
	}
	if err := fixed.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, fixed)
	assertNotFailed(t, h, "T-1")
	if cur, _ := h.store.CurrentSummary(ctx, "T-1"); cur == nil || cur.Regeneration != 3 {
		t.Errorf("current summary after the retried regeneration: %+v, want regeneration 3", cur)
	}
}

// testFailureOfGoneTicket: a job for a ticket that no longer exists is
// cancelled without a failed state (there is no ticket to show it on).
func testFailureOfGoneTicket[TTx any](t *testing.T, h harness[TTx]) {
	ctx := context.Background()
	q := h.newQueue(t, queue.Config{Handler: saveHandler(t, h, func(string) error { return nil })})
	if _, err := q.Enqueue(ctx, "ghost", "h"); err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, q)
	if o := q.Outcomes(); o.Cancelled != 1 || o.Failed != 0 {
		t.Errorf("outcomes = %+v, want the job cancelled and no failure", o)
	}
	if n, err := q.Backlog(ctx); err != nil || n != 0 {
		t.Errorf("backlog = %d (%v), want 0", n, err)
	}
}
