package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
)

// utc returns a copy of t with every time in UTC, so that two tickets that
// name the same instants compare equal with reflect.DeepEqual.
func utc(t *ticketsum.Ticket) *ticketsum.Ticket {
	c := *t
	c.CreatedAt = c.CreatedAt.UTC()
	c.UpdatedAt = c.UpdatedAt.UTC()
	c.Messages = append([]ticketsum.Message(nil), t.Messages...)
	for i := range c.Messages {
		c.Messages[i].At = c.Messages[i].At.UTC()
	}
	if len(c.References) == 0 {
		c.References = nil
	}
	return &c
}

func assertTicket(tb testing.TB, got, want *ticketsum.Ticket) {
	tb.Helper()
	if got == nil {
		tb.Fatalf("ticket %s: got nil", want.ID)
	}
	if g, w := utc(got), utc(want); !reflect.DeepEqual(g, w) {
		tb.Fatalf("ticket %s differs after the round trip:\n got %+v\nwant %+v", want.ID, g, w)
	}
}

// assertSummary compares every stored field; times are compared to the
// microsecond, the precision both stores keep.
func assertSummary(tb testing.TB, got, want *ticketsum.Summary) {
	tb.Helper()
	if got == nil {
		tb.Fatalf("summary of %s: got nil", want.TicketID)
	}
	g, w := *got, *want
	if !g.CreatedAt.Truncate(time.Microsecond).Equal(w.CreatedAt.Truncate(time.Microsecond)) {
		tb.Errorf("summary %d CreatedAt = %v, want %v", g.ID, g.CreatedAt, w.CreatedAt)
	}
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	if len(g.Flags) == 0 && len(w.Flags) == 0 {
		g.Flags, w.Flags = nil, nil
	}
	if !reflect.DeepEqual(g, w) {
		tb.Errorf("summary differs after the round trip:\n got %+v\nwant %+v", g, w)
	}
}

func assertCode(tb testing.TB, err error, want ticketsum.ErrorCode, what string) {
	tb.Helper()
	if got := ticketsum.ErrorCodeOf(err); got != want {
		tb.Fatalf("%s: error code %q (%v), want %q", what, got, err, want)
	}
}
