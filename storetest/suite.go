package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
)

// Store is what the suite tests: tickets, summaries and failed states.
type Store interface {
	ticketsum.Store
	ticketsum.FailureStore
}

// Run runs the store suite. open must return a new, empty store for each
// call and close it when t ends; subtests run in parallel, each with its own
// store.
func Run(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"UpsertInsertAndReplace", testUpsertInsertAndReplace},
		{"UpsertInvalid", testUpsertInvalid},
		{"FindTicketNotFound", testFindTicketNotFound},
		{"RoundTripUnicode", testRoundTripUnicode},
		{"LargeTicket", testLargeTicket},
		{"ListOrderAndPaging", testListOrderAndPaging},
		{"ListFilters", testListFilters},
		{"ListCurrentAndStale", testListCurrentAndStale},
		{"ListInvalidFilter", testListInvalidFilter},
		{"SaveSummaryIdempotent", testSaveSummaryIdempotent},
		{"SummaryHistoryAndCurrent", testSummaryHistoryAndCurrent},
		{"LateSummaryOfOldThreadStaysHistory", testLateSummaryOfOldThread},
		{"ResaveMakesCurrent", testResaveMakesCurrent},
		{"SummaryNotFound", testSummaryNotFound},
		{"SaveSummaryInvalid", testSaveSummaryInvalid},
		{"ConcurrentSaveSummary", testConcurrentSaveSummary},
		{"ConcurrentUpsert", testConcurrentUpsert},
		{"Regeneration", testRegeneration},
		{"FailureRecordFindList", testFailureRecordFindList},
		{"FailureInvalid", testFailureInvalid},
		{"FailureClearedBySummary", testFailureClearedBySummary},
		{"ListStates", testListStates},
		{"ListSort", testListSort},
		{"ListDateRange", testListDateRange},
		{"ListFullText", testListFullText},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// MustUpsert upserts t into s and fails the test on error.
func MustUpsert(tb testing.TB, s ticketsum.TicketStore, t *ticketsum.Ticket) bool {
	tb.Helper()
	changed, err := s.UpsertTicket(context.Background(), t)
	if err != nil {
		tb.Fatalf("upsert ticket %s: %v", t.ID, err)
	}
	return changed
}

// MustSave saves sum into s and fails the test on error.
func MustSave(tb testing.TB, s ticketsum.SummaryStore, sum *ticketsum.Summary) bool {
	tb.Helper()
	created, err := s.SaveSummary(context.Background(), sum)
	if err != nil {
		tb.Fatalf("save summary of %s: %v", sum.TicketID, err)
	}
	return created
}

func mustFind(tb testing.TB, s ticketsum.TicketStore, id string) *ticketsum.Ticket {
	tb.Helper()
	got, err := s.FindTicket(context.Background(), id)
	if err != nil {
		tb.Fatalf("find ticket %s: %v", id, err)
	}
	return got
}

func testUpsertInsertAndReplace(t *testing.T, s Store) {
	steps := []struct {
		name        string
		ticket      *ticketsum.Ticket
		wantChanged bool
	}{
		{"new ticket", MustTicket(t, "T-1"), true},
		{"same content again", MustTicket(t, "T-1"), false},
		{"customer email edited, thread same", MustTicket(t, "T-1", func(tk *ticketsum.Ticket) { tk.Customer.Email = "dana@example.org" }), false},
		{"reply added", MustTicket(t, "T-1", WithReply("Did the export work?")), true},
		{"message body edited", MustTicket(t, "T-1", WithReply("Did the export work now?")), true},
		{"other ticket, same content", MustTicket(t, "T-2", WithReply("Did the export work now?")), true},
	}
	for _, st := range steps {
		changed, err := s.UpsertTicket(context.Background(), st.ticket)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if changed != st.wantChanged {
			t.Errorf("%s: changed = %v, want %v", st.name, changed, st.wantChanged)
		}
		assertTicket(t, mustFind(t, s, st.ticket.ID), st.ticket)
	}
}

func testUpsertInvalid(t *testing.T, s Store) {
	cases := []struct {
		name   string
		ticket *ticketsum.Ticket
	}{
		{"nil", nil},
		{"no id", &ticketsum.Ticket{Messages: []ticketsum.Message{{Role: ticketsum.RoleCustomer, Body: "hi"}}}},
		{"no messages", &ticketsum.Ticket{ID: "T-empty"}},
		{"unknown role", &ticketsum.Ticket{ID: "T-role", Messages: []ticketsum.Message{{Role: "bot", Body: "hi"}}}},
		{"invalid UTF-8", &ticketsum.Ticket{ID: "T-utf8", Messages: []ticketsum.Message{{Role: ticketsum.RoleCustomer, Body: "caf\xe9"}}}},
		// Postgres text cannot hold a NUL byte, so both stores refuse one in an id.
		{"NUL in id", &ticketsum.Ticket{ID: "T\x00", Messages: []ticketsum.Message{{Role: ticketsum.RoleCustomer, Body: "hi"}}}},
	}
	for _, c := range cases {
		_, err := s.UpsertTicket(context.Background(), c.ticket)
		assertCode(t, err, ticketsum.EINVALID, c.name)
	}
	_, total, err := s.ListTickets(context.Background(), ticketsum.TicketFilter{})
	if err != nil || total != 0 {
		t.Errorf("after invalid upserts: total = %d, err %v; want nothing stored", total, err)
	}
}

func testFindTicketNotFound(t *testing.T, s Store) {
	MustUpsert(t, s, MustTicket(t, "T-1"))
	for _, id := range []string{"T-2", "t-1", "", "T-1 "} {
		_, err := s.FindTicket(context.Background(), id)
		assertCode(t, err, ticketsum.ENOTFOUND, fmt.Sprintf("find %q", id))
	}
}

func testRoundTripUnicode(t *testing.T, s Store) {
	tickets := []*ticketsum.Ticket{
		MustTicket(t, "Ü-日本-🎫", WithSubject("Überweisung fehlgeschlagen — 請求書 🧾"), func(tk *ticketsum.Ticket) {
			tk.Customer = ticketsum.Customer{Name: "Zoë Ørsted", Email: "zoë@exämple.com"}
			tk.Messages[0].Body = "Привет! مرحبا\nשלום\ttab 'quote' \"dq\" back\\slash 🙂‍↔️ e\u0301"
		}),
		MustTicket(t, "nul-byte", func(tk *ticketsum.Ticket) {
			tk.Messages[0].Body = "pasted log:\x00\x01\x7f end"
			tk.Messages[0].At = Epoch.Add(123456789 * time.Nanosecond)
			tk.References = []string{"ref one", "ref two"}
			tk.ExpectedStatus = ticketsum.StatusAwaitingCustomer
		}),
		MustTicket(t, "zero-times", func(tk *ticketsum.Ticket) {
			tk.CreatedAt, tk.UpdatedAt = time.Time{}, time.Time{}
			tk.Subject, tk.ProductLine, tk.Customer = "", "", ticketsum.Customer{}
			tk.Messages = tk.Messages[:1]
			tk.Messages[0].At = time.Time{}
			tk.Messages[0].Author = ""
		}),
		MustTicket(t, "zoned", func(tk *ticketsum.Ticket) {
			tk.CreatedAt = time.Date(2026, 3, 1, 9, 0, 0, 0, time.FixedZone("X", 5*3600+1800))
		}),
	}
	for _, tk := range tickets {
		MustUpsert(t, s, tk)
	}
	for _, tk := range tickets {
		assertTicket(t, mustFind(t, s, tk.ID), tk)
		if MustUpsert(t, s, tk) {
			t.Errorf("ticket %q: re-upsert of the stored content reported a change", tk.ID)
		}
	}
}

func testLargeTicket(t *testing.T, s Store) {
	big := MustTicket(t, "T-big", func(tk *ticketsum.Ticket) {
		line := strings.Repeat("stack frame at com.example.Export(Export.java:42) ", 20) + "\n"
		tk.Messages = nil
		for i := range 200 {
			tk.Messages = append(tk.Messages, ticketsum.Message{
				Role: ticketsum.RoleCustomer, Author: "Dana", At: Epoch.Add(time.Duration(i) * time.Minute),
				Body: fmt.Sprintf("message %d\n%s", i, strings.Repeat(line, 10)),
			})
		}
	})
	if big.Size() < 1<<20 {
		t.Fatalf("fixture is only %d bytes, want over 1 MiB", big.Size())
	}
	MustUpsert(t, s, big)
	assertTicket(t, mustFind(t, s, big.ID), big)
	sum := MustSummary(t, big, "builtin")
	MustSave(t, s, sum)
	views, _, err := s.ListTickets(context.Background(), ticketsum.TicketFilter{})
	if err != nil || len(views) != 1 || views[0].Current == nil || views[0].Stale {
		t.Fatalf("list after saving the big ticket's summary: %v, %+v", err, views)
	}
}

// seedList stores five tickets updated one hour apart: T-0 oldest, T-4 newest.
// Even ones are billing, odd ones are mobile.
func seedList(t *testing.T, s Store) []*ticketsum.Ticket {
	var out []*ticketsum.Ticket
	for i := range 5 {
		pl := "billing"
		if i%2 == 1 {
			pl = "mobile"
		}
		tk := MustTicket(t, fmt.Sprintf("T-%d", i), WithProductLine(pl),
			WithSubject(fmt.Sprintf("Issue number %d about Sync", i)),
			WithUpdatedAt(Epoch.Add(time.Duration(i)*time.Hour)))
		tk.Messages[0].Body += fmt.Sprintf(" (%d)", i)
		MustUpsert(t, s, tk)
		out = append(out, tk)
	}
	return out
}

func ids(views []ticketsum.TicketView) string {
	var b []string
	for _, v := range views {
		b = append(b, v.Ticket.ID)
	}
	return strings.Join(b, ",")
}

func testListOrderAndPaging(t *testing.T, s Store) {
	seeded := seedList(t, s)
	cases := []struct {
		f         ticketsum.TicketFilter
		want      string
		wantTotal int
	}{
		{ticketsum.TicketFilter{}, "T-4,T-3,T-2,T-1,T-0", 5},
		{ticketsum.TicketFilter{Limit: 2}, "T-4,T-3", 5},
		{ticketsum.TicketFilter{Limit: 2, Offset: 2}, "T-2,T-1", 5},
		{ticketsum.TicketFilter{Limit: 2, Offset: 4}, "T-0", 5},
		{ticketsum.TicketFilter{Offset: 9}, "", 5},
	}
	for _, c := range cases {
		views, total, err := s.ListTickets(context.Background(), c.f)
		if err != nil {
			t.Fatalf("list %+v: %v", c.f, err)
		}
		if got := ids(views); got != c.want || total != c.wantTotal {
			t.Errorf("list %+v = %q total %d, want %q total %d", c.f, got, total, c.want, c.wantTotal)
		}
	}
	views, _, _ := s.ListTickets(context.Background(), ticketsum.TicketFilter{Limit: 1})
	assertTicket(t, views[0].Ticket, seeded[4])
	if views[0].Current != nil || views[0].Stale {
		t.Errorf("ticket without summary: current %+v stale %v", views[0].Current, views[0].Stale)
	}
}

func testListFilters(t *testing.T, s Store) {
	seeded := seedList(t, s)
	MustSave(t, s, MustSummary(t, seeded[1], "m", WithStatus(ticketsum.StatusAwaitingCustomer)))
	MustSave(t, s, MustSummary(t, seeded[2], "m", WithStatus(ticketsum.StatusResolved)))
	MustSave(t, s, MustSummary(t, seeded[3], "m", WithStatus(ticketsum.StatusAwaitingCustomer)))
	cases := []struct {
		f         ticketsum.TicketFilter
		want      string
		wantTotal int
	}{
		{ticketsum.TicketFilter{ProductLine: "mobile"}, "T-3,T-1", 2},
		{ticketsum.TicketFilter{ProductLine: "billing", Limit: 1}, "T-4", 3},
		{ticketsum.TicketFilter{ProductLine: "none"}, "", 0},
		{ticketsum.TicketFilter{Status: ticketsum.StatusAwaitingCustomer}, "T-3,T-1", 2},
		{ticketsum.TicketFilter{Status: ticketsum.StatusResolved, ProductLine: "billing"}, "T-2", 1},
		{ticketsum.TicketFilter{Status: ticketsum.StatusAwaitingSupport}, "", 0},
		{ticketsum.TicketFilter{Query: "number 3"}, "T-3", 1},
		{ticketsum.TicketFilter{Query: "SYNC", ProductLine: "mobile"}, "T-3,T-1", 2},
		{ticketsum.TicketFilter{Query: "t-2"}, "T-2", 1},
		{ticketsum.TicketFilter{Query: "100%"}, "", 0},
		{ticketsum.TicketFilter{Query: "_"}, "", 0},
	}
	for _, c := range cases {
		views, total, err := s.ListTickets(context.Background(), c.f)
		if err != nil {
			t.Fatalf("list %+v: %v", c.f, err)
		}
		if got := ids(views); got != c.want || total != c.wantTotal {
			t.Errorf("list %+v = %q total %d, want %q total %d", c.f, got, total, c.want, c.wantTotal)
		}
	}
}

func testListCurrentAndStale(t *testing.T, s Store) {
	tk := MustTicket(t, "T-1")
	MustUpsert(t, s, tk)
	sum := MustSummary(t, tk, "m")
	MustSave(t, s, sum)
	view := func() ticketsum.TicketView {
		views, _, err := s.ListTickets(context.Background(), ticketsum.TicketFilter{})
		if err != nil || len(views) != 1 {
			t.Fatalf("list: %v, %d views", err, len(views))
		}
		return views[0]
	}
	v := view()
	assertSummary(t, v.Current, sum)
	if v.Stale {
		t.Error("fresh summary is reported stale")
	}
	MustUpsert(t, s, MustTicket(t, "T-1", WithReply("Any news?")))
	v = view()
	assertSummary(t, v.Current, sum)
	if !v.Stale {
		t.Error("summary of the old thread is not reported stale after the thread changed")
	}
	MustUpsert(t, s, tk)
	if v = view(); v.Stale {
		t.Error("summary is stale after the thread went back to the summarised content")
	}
}

func testListInvalidFilter(t *testing.T, s Store) {
	for _, f := range []ticketsum.TicketFilter{{Limit: -1}, {Offset: -1}, {Status: "done"}, {State: "stuck"}, {Sort: "subject"},
		{UpdatedFrom: Epoch, UpdatedTo: Epoch}, {UpdatedFrom: Epoch.Add(time.Hour), UpdatedTo: Epoch}} {
		_, _, err := s.ListTickets(context.Background(), f)
		assertCode(t, err, ticketsum.EINVALID, fmt.Sprintf("list %+v", f))
	}
}

func testSaveSummaryIdempotent(t *testing.T, s Store) {
	tk := MustTicket(t, "T-1")
	MustUpsert(t, s, tk)
	first := MustSummary(t, tk, "m")
	if !MustSave(t, s, first) || first.ID == 0 {
		t.Fatalf("first save: created=false or no id (%d)", first.ID)
	}
	again := MustSummary(t, tk, "m", WithCreatedAt(Epoch.Add(5*time.Hour)), func(s *ticketsum.Summary) { s.Text = "different text" })
	if MustSave(t, s, again) {
		t.Error("second save of the same key reported created=true")
	}
	if again.ID != first.ID {
		t.Errorf("second save set ID %d, want the existing %d", again.ID, first.ID)
	}
	hist, err := s.SummaryHistory(context.Background(), tk.ID)
	if err != nil || len(hist) != 1 {
		t.Fatalf("history after two saves of one key: %v, %d rows", err, len(hist))
	}
	assertSummary(t, hist[0], first)
	for _, other := range []*ticketsum.Summary{
		MustSummary(t, tk, "m2"),
		MustSummary(t, tk, "m", func(s *ticketsum.Summary) { s.PromptVersion = "v2" }),
		MustSummary(t, tk, "m", func(s *ticketsum.Summary) { s.ContentHash = "other" }),
	} {
		if !MustSave(t, s, other) || other.ID == first.ID {
			t.Errorf("save of a new key %s/%s/%s was not created as a new row", other.Model, other.PromptVersion, other.ContentHash)
		}
	}
}

func testSummaryHistoryAndCurrent(t *testing.T, s Store) {
	tk := MustTicket(t, "T-1")
	MustUpsert(t, s, tk)
	MustUpsert(t, s, MustTicket(t, "T-2"))
	var saved []*ticketsum.Summary
	for i, model := range []string{"a", "b", "c"} {
		sum := MustSummary(t, tk, model, WithCreatedAt(Epoch.Add(time.Duration(i)*time.Minute+time.Duration(i)*time.Nanosecond*1000)))
		MustSave(t, s, sum)
		saved = append(saved, sum)
		cur, err := s.CurrentSummary(context.Background(), tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertSummary(t, cur, sum)
	}
	MustSave(t, s, MustSummary(t, MustTicket(t, "T-2"), "z"))
	hist, err := s.SummaryHistory(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 3 {
		t.Fatalf("history has %d rows, want 3", len(hist))
	}
	for i, h := range hist {
		assertSummary(t, h, saved[2-i])
	}
	// A summary saved without a time gets the store's clock time.
	noTime := MustSummary(t, tk, "d", WithCreatedAt(time.Time{}))
	MustSave(t, s, noTime)
	if noTime.CreatedAt.IsZero() {
		t.Error("SaveSummary left CreatedAt zero")
	}
	cur, _ := s.CurrentSummary(context.Background(), tk.ID)
	assertSummary(t, cur, noTime)
}

func testResaveMakesCurrent(t *testing.T, s Store) {
	a := MustTicket(t, "T-1")
	b := MustTicket(t, "T-1", WithReply("Any news?"))
	MustUpsert(t, s, a)
	sumA := MustSummary(t, a, "m")
	MustSave(t, s, sumA)
	MustUpsert(t, s, b)
	sumB := MustSummary(t, b, "m", WithCreatedAt(Epoch.Add(3*time.Hour)))
	MustSave(t, s, sumB)
	MustUpsert(t, s, a) // the reply was deleted: the thread is back to a
	again := MustSummary(t, a, "m", WithCreatedAt(Epoch.Add(4*time.Hour)))
	if MustSave(t, s, again) {
		t.Error("re-save of an existing key created a row")
	}
	cur, err := s.CurrentSummary(context.Background(), "T-1")
	if err != nil || cur.ID != sumA.ID {
		t.Fatalf("current after re-save = %+v (%v), want summary %d", cur, err, sumA.ID)
	}
	views, _, _ := s.ListTickets(context.Background(), ticketsum.TicketFilter{})
	if len(views) != 1 || views[0].Stale || views[0].Current.ID != sumA.ID {
		t.Errorf("list after re-save: %+v", views)
	}
}

// testLateSummaryOfOldThread: a job that loaded the thread before an edit
// saves after the job for the edited thread; the current summary must stay
// the one of the latest thread, and the late one only joins the history.
func testLateSummaryOfOldThread(t *testing.T, s Store) {
	old := MustTicket(t, "T-1")
	edited := MustTicket(t, "T-1", WithReply("Any news?"))
	MustUpsert(t, s, old)
	MustUpsert(t, s, edited)
	fresh := MustSummary(t, edited, "m", WithCreatedAt(Epoch.Add(time.Hour)))
	MustSave(t, s, fresh)
	late := MustSummary(t, old, "m", WithCreatedAt(Epoch.Add(2*time.Hour)))
	if !MustSave(t, s, late) {
		t.Fatal("the late summary was not stored in the history")
	}
	cur, err := s.CurrentSummary(context.Background(), "T-1")
	if err != nil || cur.ID != fresh.ID {
		t.Fatalf("current = %+v (%v), want the latest thread's summary %d", cur, err, fresh.ID)
	}
	// With no summary of the latest thread, a stale one is better than none.
	other := MustTicket(t, "T-2")
	MustUpsert(t, s, other)
	MustUpsert(t, s, MustTicket(t, "T-2", WithReply("Edited.")))
	stale := MustSummary(t, other, "m")
	MustSave(t, s, stale)
	if cur, err := s.CurrentSummary(context.Background(), "T-2"); err != nil || cur.ID != stale.ID {
		t.Fatalf("T-2 current = %+v (%v), want the stale summary as the only one", cur, err)
	}
}

func testSummaryNotFound(t *testing.T, s Store) {
	tk := MustTicket(t, "T-1")
	_, err := s.SaveSummary(context.Background(), MustSummary(t, tk, "m"))
	assertCode(t, err, ticketsum.ENOTFOUND, "save summary of an unknown ticket")
	_, err = s.CurrentSummary(context.Background(), "T-1")
	assertCode(t, err, ticketsum.ENOTFOUND, "current summary of an unknown ticket")
	_, err = s.SummaryHistory(context.Background(), "T-1")
	assertCode(t, err, ticketsum.ENOTFOUND, "history of an unknown ticket")
	MustUpsert(t, s, tk)
	_, err = s.CurrentSummary(context.Background(), "T-1")
	assertCode(t, err, ticketsum.ENOTFOUND, "current summary of a ticket without one")
	hist, err := s.SummaryHistory(context.Background(), "T-1")
	if err != nil || len(hist) != 0 {
		t.Errorf("history of a ticket without summaries = %d rows, %v; want none", len(hist), err)
	}
}

func testSaveSummaryInvalid(t *testing.T, s Store) {
	tk := MustTicket(t, "T-1")
	MustUpsert(t, s, tk)
	cases := []struct {
		name string
		sum  *ticketsum.Summary
	}{
		{"nil", nil},
		{"no ticket", MustSummary(t, tk, "m", func(s *ticketsum.Summary) { s.TicketID = "" })},
		{"no model", MustSummary(t, tk, "")},
		{"no content hash", MustSummary(t, tk, "m", func(s *ticketsum.Summary) { s.ContentHash = "" })},
		{"bad status", MustSummary(t, tk, "m", WithStatus("done"))},
		{"invalid UTF-8", MustSummary(t, tk, "m", func(s *ticketsum.Summary) { s.Text = "\xff" })},
		{"NUL in text", MustSummary(t, tk, "m", func(s *ticketsum.Summary) { s.Text = "a\x00b" })},
		{"negative usage", MustSummary(t, tk, "m", func(s *ticketsum.Summary) { s.Usage.InputTokens = -1 })},
	}
	for _, c := range cases {
		_, err := s.SaveSummary(context.Background(), c.sum)
		assertCode(t, err, ticketsum.EINVALID, c.name)
	}
	if hist, _ := s.SummaryHistory(context.Background(), tk.ID); len(hist) != 0 {
		t.Errorf("invalid summaries were stored: %d rows", len(hist))
	}
}

func testConcurrentSaveSummary(t *testing.T, s Store) {
	tk := MustTicket(t, "T-1")
	MustUpsert(t, s, tk)
	const n = 16
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created int
		idSet   = map[int64]bool{}
	)
	for range n {
		wg.Go(func() {
			sum := MustSummary(t, tk, "m")
			c, err := s.SaveSummary(context.Background(), sum)
			if err != nil {
				t.Errorf("concurrent save: %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if c {
				created++
			}
			idSet[sum.ID] = true
		})
	}
	wg.Wait()
	hist, err := s.SummaryHistory(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if created != 1 || len(idSet) != 1 || len(hist) != 1 {
		t.Errorf("%d concurrent saves of one key: created %d, distinct ids %d, rows %d; want 1, 1, 1", n, created, len(idSet), len(hist))
	}
}

func testConcurrentUpsert(t *testing.T, s Store) {
	const n = 12
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		changed int
	)
	for range n {
		wg.Go(func() {
			c, err := s.UpsertTicket(context.Background(), MustTicket(t, "T-new"))
			if err != nil {
				t.Errorf("concurrent upsert: %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if c {
				changed++
			}
		})
	}
	wg.Wait()
	if changed != 1 {
		t.Errorf("%d concurrent upserts of one new ticket reported %d changes, want 1", n, changed)
	}
}
