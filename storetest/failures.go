package storetest

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
)

// assertFailure compares every stored field; times to the microsecond.
func assertFailure(tb testing.TB, got, want *ticketsum.Failure) {
	tb.Helper()
	if got == nil {
		tb.Fatalf("failure of %s: got nil", want.TicketID)
	}
	g, w := *got, *want
	if !g.LastAttemptAt.Equal(w.LastAttemptAt.Truncate(time.Microsecond)) {
		tb.Errorf("failure of %s LastAttemptAt = %v, want %v", w.TicketID, g.LastAttemptAt, w.LastAttemptAt)
	}
	g.LastAttemptAt, w.LastAttemptAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		tb.Errorf("failure differs after the round trip:\n got %+v\nwant %+v", g, w)
	}
}

func testFailureRecordFindList(t *testing.T, s Store) {
	ctx := context.Background()
	a, b, c := MustTicket(t, "T-a"), MustTicket(t, "T-b"), MustTicket(t, "T-c")
	for _, tk := range []*ticketsum.Ticket{a, b, c} {
		MustUpsert(t, s, tk)
	}
	_, err := s.FindFailure(ctx, "T-a")
	assertCode(t, err, ticketsum.ENOTFOUND, "failure of a ticket that is not failed")
	fa := MustFailure(t, a, func(f *ticketsum.Failure) { f.LastAttemptAt = Epoch.Add(time.Hour + 1500*time.Nanosecond) })
	fb := MustFailure(t, b, func(f *ticketsum.Failure) {
		f.Code, f.Class, f.Reason, f.LastAttemptAt = ticketsum.EBLOCKED, ticketsum.ClassPolicy, "blocked by guardrail: denied topic", Epoch.Add(2*time.Hour)
	})
	fc := MustFailure(t, c, func(f *ticketsum.Failure) { f.Regeneration, f.Attempts = 2, 10 })
	for _, f := range []*ticketsum.Failure{fa, fb, fc} {
		MustRecord(t, s, f)
	}
	got, err := s.FindFailure(ctx, "T-a")
	if err != nil {
		t.Fatal(err)
	}
	assertFailure(t, got, fa)

	// A new failure replaces the old one.
	fa2 := MustFailure(t, a, func(f *ticketsum.Failure) {
		f.Code, f.Class, f.Reason, f.Attempts = ticketsum.EUNAVAILABLE, ticketsum.ClassRetryable, "model unavailable after 10 attempts", 11
		f.LastAttemptAt = Epoch.Add(4 * time.Hour)
	})
	MustRecord(t, s, fa2)
	got, _ = s.FindFailure(ctx, "T-a")
	assertFailure(t, got, fa2)

	cases := []struct {
		f     ticketsum.FailureFilter
		want  string
		total int
	}{
		{ticketsum.FailureFilter{}, "T-a,T-c,T-b", 3},
		{ticketsum.FailureFilter{Limit: 1, Offset: 1}, "T-c", 3},
		{ticketsum.FailureFilter{Class: ticketsum.ClassConfig}, "T-c", 1},
		{ticketsum.FailureFilter{Class: ticketsum.ClassBadTicket}, "", 0},
	}
	for _, c := range cases {
		list, total, err := s.ListFailures(ctx, c.f)
		if err != nil {
			t.Fatalf("list failures %+v: %v", c.f, err)
		}
		var ids []string
		for _, f := range list {
			ids = append(ids, f.TicketID)
		}
		if got := strings.Join(ids, ","); got != c.want || total != c.total {
			t.Errorf("list failures %+v = %q total %d, want %q total %d", c.f, got, total, c.want, c.total)
		}
	}
	list, _, _ := s.ListFailures(ctx, ticketsum.FailureFilter{Class: ticketsum.ClassConfig})
	assertFailure(t, list[0], fc)

	// ClearFailure removes only the failure of the named thread.
	if ok, err := s.ClearFailure(ctx, "T-b", "another thread"); err != nil || ok {
		t.Errorf("clear with another thread's hash = %v, %v; want false", ok, err)
	}
	if ok, err := s.ClearFailure(ctx, "T-b", b.ContentHash()); err != nil || !ok {
		t.Errorf("clear = %v, %v; want true", ok, err)
	}
	_, err = s.FindFailure(ctx, "T-b")
	assertCode(t, err, ticketsum.ENOTFOUND, "failure after clearing it")
}

func testFailureInvalid(t *testing.T, s Store) {
	ctx := context.Background()
	tk := MustTicket(t, "T-1")
	err := s.RecordFailure(ctx, MustFailure(t, tk))
	assertCode(t, err, ticketsum.ENOTFOUND, "failure of an unknown ticket")
	MustUpsert(t, s, tk)
	cases := []struct {
		name string
		f    *ticketsum.Failure
	}{
		{"nil", nil},
		{"no ticket", MustFailure(t, tk, func(f *ticketsum.Failure) { f.TicketID = "" })},
		{"no hash", MustFailure(t, tk, func(f *ticketsum.Failure) { f.ContentHash = "" })},
		{"no code", MustFailure(t, tk, func(f *ticketsum.Failure) { f.Code = "" })},
		{"bad class", MustFailure(t, tk, func(f *ticketsum.Failure) { f.Class = "fatal" })},
		{"no reason", MustFailure(t, tk, func(f *ticketsum.Failure) { f.Reason = "" })},
		{"no attempts", MustFailure(t, tk, func(f *ticketsum.Failure) { f.Attempts = 0 })},
		{"no time", MustFailure(t, tk, func(f *ticketsum.Failure) { f.LastAttemptAt = time.Time{} })},
		{"NUL in reason", MustFailure(t, tk, func(f *ticketsum.Failure) { f.Reason = "a\x00b" })},
		{"negative regeneration", MustFailure(t, tk, func(f *ticketsum.Failure) { f.Regeneration = -1 })},
	}
	for _, c := range cases {
		assertCode(t, s.RecordFailure(ctx, c.f), ticketsum.EINVALID, c.name)
	}
	if _, _, err := s.ListFailures(ctx, ticketsum.FailureFilter{Class: "fatal"}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("list failures of an unknown class: %v, want EINVALID", err)
	}
	// A reason far too long is kept, cut, rather than refused.
	MustRecord(t, s, MustFailure(t, tk, func(f *ticketsum.Failure) { f.Reason = strings.Repeat("é", 5000) }))
	got, err := s.FindFailure(ctx, tk.ID)
	if err != nil || len(got.Reason) > 1000 || !strings.HasSuffix(got.Reason, "...") {
		t.Errorf("long reason kept as %d bytes (%v), want cut to at most 1000 ending in ...", len(got.Reason), err)
	}
}

// testFailureClearedBySummary: a summary of the failed thread or of the
// latest thread clears the failure; a late summary of an older thread does
// not.
func testFailureClearedBySummary(t *testing.T, s Store) {
	ctx := context.Background()
	old := MustTicket(t, "T-1")
	edited := MustTicket(t, "T-1", WithReply("Any news?"))
	MustUpsert(t, s, old)
	MustUpsert(t, s, edited)
	MustRecord(t, s, MustFailure(t, edited))
	MustSave(t, s, MustSummary(t, old, "m"))
	if _, err := s.FindFailure(ctx, "T-1"); err != nil {
		t.Fatalf("a summary of an older thread cleared the failure of the latest one: %v", err)
	}
	MustSave(t, s, MustSummary(t, edited, "m"))
	_, err := s.FindFailure(ctx, "T-1")
	assertCode(t, err, ticketsum.ENOTFOUND, "failure after a summary of the failed thread")

	// The thread failed, then changed, and the new thread's summary succeeds.
	other := MustTicket(t, "T-2")
	MustUpsert(t, s, other)
	MustRecord(t, s, MustFailure(t, other))
	newer := MustTicket(t, "T-2", WithReply("Here is the log you asked for."))
	MustUpsert(t, s, newer)
	MustSave(t, s, MustSummary(t, newer, "m"))
	_, err = s.FindFailure(ctx, "T-2")
	assertCode(t, err, ticketsum.ENOTFOUND, "failure of an older thread after a summary of the latest one")
}

// testRegeneration: a regeneration is a new summary of the same thread,
// model and prompt, made current; saving it again is idempotent.
func testRegeneration(t *testing.T, s Store) {
	ctx := context.Background()
	tk := MustTicket(t, "T-1")
	MustUpsert(t, s, tk)
	first := MustSummary(t, tk, "m")
	MustSave(t, s, first)
	regen := MustSummary(t, tk, "m", WithCreatedAt(Epoch.Add(5*time.Hour)), func(s *ticketsum.Summary) {
		s.Regeneration, s.Text = 1, "The customer could not export invoices; the agent fixed it (regenerated)."
	})
	if !MustSave(t, s, regen) || regen.ID == first.ID {
		t.Fatalf("regeneration was not stored as a new summary (id %d, first %d)", regen.ID, first.ID)
	}
	cur, err := s.CurrentSummary(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSummary(t, cur, regen)
	again := MustSummary(t, tk, "m", func(s *ticketsum.Summary) { s.Regeneration = 1 })
	if MustSave(t, s, again) || again.ID != regen.ID {
		t.Errorf("second save of regeneration 1: new row or id %d, want the existing %d", again.ID, regen.ID)
	}
	hist, err := s.SummaryHistory(ctx, tk.ID)
	if err != nil || len(hist) != 2 {
		t.Fatalf("history: %d rows (%v), want 2", len(hist), err)
	}
	assertSummary(t, hist[1], first)
	if _, err := s.SaveSummary(ctx, MustSummary(t, tk, "m", func(s *ticketsum.Summary) { s.Regeneration = -1 })); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("negative regeneration: %v, want EINVALID", err)
	}
}
