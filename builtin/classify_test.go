package builtin_test

import (
	"context"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/builtin"
)

func TestStatusAgreesWithSummarize(t *testing.T) {
	t.Parallel()
	s := builtin.MustNew(t, builtin.Config{})
	tests := []struct {
		name   string
		ticket *ticketsum.Ticket
		want   ticketsum.Status
	}{
		{"resolved", newTicket("A", "App crashes on start.", "Please reinstall the app.", "That worked, thanks!"), ticketsum.StatusResolved},
		{"awaiting customer", newTicket("B", "App crashes.", "Which version of the app are you on?"), ticketsum.StatusAwaitingCustomer},
		{"awaiting support", newTicket("C", "My parcel is late."), ticketsum.StatusAwaitingSupport},
		{"invalid ticket", &ticketsum.Ticket{ID: "D"}, ticketsum.StatusAwaitingSupport},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := s.Status(tt.ticket); got != tt.want {
				t.Fatalf("Status = %q, want %q", got, tt.want)
			}
			if tt.ticket.Validate() != nil {
				return
			}
			sum, err := s.Summarize(context.Background(), tt.ticket)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Status != tt.want {
				t.Errorf("Summarize status %q differs from Status %q", sum.Status, tt.want)
			}
		})
	}
}
