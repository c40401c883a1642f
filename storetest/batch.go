package storetest

import (
	"context"
	"testing"

	"github.com/ticketsum/ticketsum"
)

// BatchStore is a store with the multi-row paths of a backfill and a bulk
// import: its transactional many-ticket upsert (TTx is its transaction
// type) and ticketsum.BatchStore.
type BatchStore[TTx any] interface {
	Store
	ticketsum.BatchStore
	UpsertTicketsTx(ctx context.Context, tickets []*ticketsum.Ticket, onChange func(ctx context.Context, tx TTx, changed []*ticketsum.Ticket) error) (changed []bool, bad []error, err error)
	TicketContentHash(ctx context.Context, id string) (string, error)
}

// RunBatch checks the multi-row paths of a store: tickets upserted in one
// transaction are told apart as new, changed or unchanged threads, and a
// bad ticket is left out; the views come back with their current
// summaries; summaries saved together are current, idempotent, and one of
// a ticket that is gone is left unsaved.
func RunBatch[TTx any](t *testing.T, s BatchStore[TTx]) {
	ctx := context.Background()
	a, b := MustTicket(t, "a"), MustTicket(t, "b")
	MustUpsert(t, s, a)
	bad := &ticketsum.Ticket{ID: "bad"}
	b2 := MustTicket(t, "b", WithReply("one more thing"))
	var seen []string
	changed, badErrs, err := s.UpsertTicketsTx(ctx, []*ticketsum.Ticket{a, b, bad}, func(ctx context.Context, tx TTx, moved []*ticketsum.Ticket) error {
		for _, m := range moved {
			seen = append(seen, m.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if changed[0] || !changed[1] || changed[2] {
		t.Errorf("changed = %v, want [false true false]", changed)
	}
	if badErrs[2] == nil || ticketsum.ErrorCodeOf(badErrs[2]) != ticketsum.EINVALID || badErrs[0] != nil {
		t.Errorf("bad = %v, want EINVALID for the third only", badErrs)
	}
	if len(seen) != 1 || seen[0] != "b" {
		t.Errorf("onChange saw %v, want [b]", seen)
	}
	if changed, _, err = s.UpsertTicketsTx(ctx, []*ticketsum.Ticket{b2}, nil); err != nil || !changed[0] {
		t.Fatalf("changed thread: changed = %v, err = %v", changed, err)
	}
	if _, _, err := s.UpsertTicketsTx(ctx, []*ticketsum.Ticket{a, a}, nil); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("ticket twice in one upsert: %v, want EINVALID", err)
	}

	sa, sb := MustSummary(t, a, "m"), MustSummary(t, b2, "m")
	gone := MustSummary(t, MustTicket(t, "gone"), "m")
	created, err := s.SaveSummaries(ctx, []*ticketsum.Summary{sa, sb, gone})
	if err != nil {
		t.Fatal(err)
	}
	if !created[0] || !created[1] || created[2] || sa.ID == 0 || sb.ID == 0 || gone.ID != 0 {
		t.Errorf("created = %v, ids %d %d %d; want [true true false], two ids and 0", created, sa.ID, sb.ID, gone.ID)
	}
	again := MustSummary(t, a, "m")
	if created, err := s.SaveSummaries(ctx, []*ticketsum.Summary{again}); err != nil || created[0] || again.ID != sa.ID {
		t.Errorf("saved again: created %v, id %d, err %v; want false, %d", created, again.ID, err, sa.ID)
	}
	views, err := s.FindTicketViews(ctx, []string{"a", "b", "nope"})
	if err != nil {
		t.Fatal(err)
	}
	if len(views) != 2 {
		t.Fatalf("views = %d, want 2", len(views))
	}
	for _, v := range views {
		if v.Current == nil || v.Stale || v.Current.ContentHash != v.Ticket.ContentHash() {
			t.Errorf("ticket %s: current %+v stale %v, want its summary, current", v.Ticket.ID, v.Current, v.Stale)
		}
	}
	if cur, err := s.CurrentSummary(ctx, "b"); err != nil || cur.ID != sb.ID {
		t.Errorf("current summary of b = %+v, %v; want id %d", cur, err, sb.ID)
	}
	if h, err := s.TicketContentHash(ctx, "b"); err != nil || h != b2.ContentHash() {
		t.Errorf("content hash = %q, %v; want %q", h, err, b2.ContentHash())
	}
	if _, err := s.TicketContentHash(ctx, "nope"); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("unknown ticket: %v, want ENOTFOUND", err)
	}
	if _, err := s.SaveSummaries(ctx, []*ticketsum.Summary{sa, sa}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("ticket twice: %v, want EINVALID", err)
	}
}
