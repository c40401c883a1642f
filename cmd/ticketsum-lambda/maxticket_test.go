package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// TestMaxTicketBytes: the function's guard checked a text up to a fixed
// 1 MiB whatever the team had set, and its refusal ("guard: input text is
// N bytes, more than the 1048576 allowed") named no setting. It now
// follows TICKETSUM_MAX_TICKET_BYTES, the variable that sets
// max_ticket_bytes for the worker: a ticket over it is failed with a
// reason that names the variable.
func TestMaxTicketBytes(t *testing.T) {
	t.Parallel()
	f, _ := MustStartResolved(t, map[string]string{"TICKETSUM_MAX_TICKET_BYTES": "4000"})
	tk := piiTicket("T-1")
	tk.Messages[0].Body += strings.Repeat(" The export stops at the permissions step again.", 100)
	if _, err := f.store.UpsertTicket(t.Context(), tk); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Handle(t.Context(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: "T-1"}}}); err != nil {
		t.Fatal(err)
	}
	fail, err := f.store.FindFailure(t.Context(), "T-1")
	if err != nil || !strings.Contains(fail.Reason, "TICKETSUM_MAX_TICKET_BYTES") || !strings.Contains(fail.Reason, "4000") {
		t.Fatalf("failure %+v, %v; want the ticket failed with a reason naming TICKETSUM_MAX_TICKET_BYTES and its 4000 bytes", fail, err)
	}
}
