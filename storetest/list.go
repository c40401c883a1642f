package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
)

// listCase is one list call and the ids and total it must give.
type listCase struct {
	f     ticketsum.TicketFilter
	want  string
	total int
}

func checkList(t *testing.T, s ticketsum.TicketStore, cases []listCase) {
	t.Helper()
	for _, c := range cases {
		views, total, err := s.ListTickets(context.Background(), c.f)
		if err != nil {
			t.Fatalf("list %+v: %v", c.f, err)
		}
		if got := ids(views); got != c.want || total != c.total {
			t.Errorf("list %+v = %q total %d, want %q total %d", c.f, got, total, c.want, c.total)
		}
	}
}

// testListStates: T-0 has no summary, T-1 an up-to-date one, T-2 an
// outdated one, T-3 a summary and a failure, T-4 only a failure.
func testListStates(t *testing.T, s Store) {
	seeded := seedList(t, s)
	MustSave(t, s, MustSummary(t, seeded[1], "m"))
	MustSave(t, s, MustSummary(t, seeded[2], "m"))
	edited := MustTicket(t, "T-2", WithProductLine("billing"), WithSubject("Issue number 2 about Sync"),
		WithUpdatedAt(Epoch.Add(2*time.Hour)), WithReply("Still broken."))
	MustUpsert(t, s, edited)
	MustSave(t, s, MustSummary(t, seeded[3], "m"))
	MustRecord(t, s, MustFailure(t, seeded[3], func(f *ticketsum.Failure) { f.Regeneration = 1 }))
	MustRecord(t, s, MustFailure(t, seeded[4]))
	checkList(t, s, []listCase{
		{ticketsum.TicketFilter{State: ticketsum.StateNoSummary}, "T-0", 1},
		{ticketsum.TicketFilter{State: ticketsum.StateSummarized}, "T-1", 1},
		{ticketsum.TicketFilter{State: ticketsum.StateOutdated}, "T-2", 1},
		{ticketsum.TicketFilter{State: ticketsum.StateFailed}, "T-4,T-3", 2},
		{ticketsum.TicketFilter{State: ticketsum.StateFailed, ProductLine: "mobile"}, "T-3", 1},
		{ticketsum.TicketFilter{State: ticketsum.StateFailed, Limit: 1, Offset: 1}, "T-3", 2},
	})
	views, _, err := s.ListTickets(context.Background(), ticketsum.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]ticketsum.TicketState{"T-0": ticketsum.StateNoSummary, "T-1": ticketsum.StateSummarized,
		"T-2": ticketsum.StateOutdated, "T-3": ticketsum.StateFailed, "T-4": ticketsum.StateFailed}
	for _, v := range views {
		if got := v.State(); got != want[v.Ticket.ID] {
			t.Errorf("%s: state %q, want %q", v.Ticket.ID, got, want[v.Ticket.ID])
		}
	}
	assertFailure(t, views[0].Failure, MustFailure(t, seeded[4]))
	if views[1].Current == nil || views[1].Failure == nil || views[1].Failure.Regeneration != 1 {
		t.Errorf("T-3 view = current %v failure %+v, want both, the failure of regeneration 1", views[1].Current, views[1].Failure)
	}
}

// testListSort checks every order, both ways; ties and tickets without a
// summary follow the documented rules.
func testListSort(t *testing.T, s Store) {
	seeded := seedList(t, s) // T-0..T-4 one hour apart; even billing, odd mobile
	MustSave(t, s, MustSummary(t, seeded[0], "m", WithStatus(ticketsum.StatusResolved)))
	MustSave(t, s, MustSummary(t, seeded[1], "m", WithStatus(ticketsum.StatusAwaitingSupport)))
	MustSave(t, s, MustSummary(t, seeded[3], "m", WithStatus(ticketsum.StatusAwaitingCustomer)))
	MustSave(t, s, MustSummary(t, seeded[4], "m", WithStatus(ticketsum.StatusResolved)))
	MustUpsert(t, s, MustTicket(t, "T-5", WithProductLine("Billing"), WithUpdatedAt(Epoch.Add(2*time.Hour))))
	checkList(t, s, []listCase{
		{ticketsum.TicketFilter{Sort: ticketsum.SortUpdated}, "T-4,T-3,T-2,T-5,T-1,T-0", 6},
		// Same update time: ties by id, then the reverse of that.
		{ticketsum.TicketFilter{Reverse: true}, "T-0,T-1,T-5,T-2,T-3,T-4", 6},
		{ticketsum.TicketFilter{Sort: ticketsum.SortStatus}, "T-3,T-1,T-4,T-0,T-2,T-5", 6},
		{ticketsum.TicketFilter{Sort: ticketsum.SortStatus, Reverse: true}, "T-0,T-4,T-1,T-3,T-5,T-2", 6},
		// Bytewise: "Billing" sorts before "billing".
		{ticketsum.TicketFilter{Sort: ticketsum.SortProductLine}, "T-5,T-4,T-2,T-0,T-3,T-1", 6},
		{ticketsum.TicketFilter{Sort: ticketsum.SortProductLine, Reverse: true}, "T-1,T-3,T-0,T-2,T-4,T-5", 6},
		{ticketsum.TicketFilter{Sort: ticketsum.SortStatus, Limit: 2, Offset: 2}, "T-4,T-0", 6},
	})
}

func testListDateRange(t *testing.T, s Store) {
	seedList(t, s) // updated at Epoch + 0h .. 4h
	checkList(t, s, []listCase{
		{ticketsum.TicketFilter{UpdatedFrom: Epoch.Add(time.Hour)}, "T-4,T-3,T-2,T-1", 4},
		{ticketsum.TicketFilter{UpdatedTo: Epoch.Add(time.Hour)}, "T-0", 1},
		{ticketsum.TicketFilter{UpdatedFrom: Epoch.Add(time.Hour), UpdatedTo: Epoch.Add(3 * time.Hour)}, "T-2,T-1", 2},
		{ticketsum.TicketFilter{UpdatedFrom: Epoch.Add(90 * time.Minute), UpdatedTo: Epoch.Add(100 * time.Minute)}, "", 0},
		{ticketsum.TicketFilter{UpdatedFrom: Epoch.Add(time.Hour).In(time.FixedZone("UTC+2", 7200)), ProductLine: "mobile"}, "T-3,T-1", 2},
	})
}

// testListFullText: words of the subject and of the current summary match
// as words or word starts, in any order; ids and subjects still match as
// substrings; a summary that stops being current stops matching.
func testListFullText(t *testing.T, s Store) {
	seeded := seedList(t, s)
	MustSave(t, s, MustSummary(t, seeded[1], "m", func(s *ticketsum.Summary) {
		s.Text = "The customer's router drops Wi-Fi every night; the agent replaced the firmware."
	}))
	MustSave(t, s, MustSummary(t, seeded[2], "m", func(s *ticketsum.Summary) {
		s.Text = "A refund for the duplicate charge was issued."
	}))
	checkList(t, s, []listCase{
		{ticketsum.TicketFilter{Query: "firmware"}, "T-1", 1},
		{ticketsum.TicketFilter{Query: "FIRM"}, "T-1", 1},
		{ticketsum.TicketFilter{Query: "night router"}, "T-1", 1},
		{ticketsum.TicketFilter{Query: "wi-fi"}, "T-1", 1},
		{ticketsum.TicketFilter{Query: "router refund"}, "", 0},
		{ticketsum.TicketFilter{Query: "duplicate charge", ProductLine: "billing"}, "T-2", 1},
		{ticketsum.TicketFilter{Query: "sync"}, "T-4,T-3,T-2,T-1,T-0", 5},
		{ticketsum.TicketFilter{Query: "ync"}, "T-4,T-3,T-2,T-1,T-0", 5}, // substring of the subject
		{ticketsum.TicketFilter{Query: "t-3"}, "T-3", 1},
		{ticketsum.TicketFilter{Query: `firmware" OR "sync`}, "", 0},
		{ticketsum.TicketFilter{Query: "firmware*"}, "T-1", 1},
		{ticketsum.TicketFilter{Query: "(router) & !night | :*"}, "T-1", 1},
	})
	// A newer thread's summary replaces the old one in the search.
	edited := MustTicket(t, "T-2", WithProductLine("billing"), WithSubject("Issue number 2 about Sync"),
		WithUpdatedAt(Epoch.Add(2*time.Hour)), WithReply("One more charge appeared."))
	MustUpsert(t, s, edited)
	MustSave(t, s, MustSummary(t, edited, "m", func(s *ticketsum.Summary) { s.Text = "A second charge was refunded." }))
	checkList(t, s, []listCase{
		{ticketsum.TicketFilter{Query: "duplicate"}, "", 0},
		{ticketsum.TicketFilter{Query: "second refunded"}, "T-2", 1},
	})
	// A new subject replaces the old one.
	MustUpsert(t, s, MustTicket(t, "T-0", WithProductLine("billing"), WithSubject("Printer jams"), WithUpdatedAt(Epoch)))
	checkList(t, s, []listCase{
		{ticketsum.TicketFilter{Query: "printer"}, "T-0", 1},
		{ticketsum.TicketFilter{Query: "number 0"}, "", 0},
	})
}
