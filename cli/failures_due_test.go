package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/queue"
)

// TestWaitingOverdue: `failures list --waiting` showed "(in 0s)" for an
// attempt already overdue (no worker picked it up). The table and --json
// now say "overdue by ...", "due now" or "in ...", the same words.
func TestWaitingOverdue(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 13, 30, 0, 0, time.UTC)
	list := []queue.Waiting{
		{TicketID: "T-1", Attempts: 3, MaxAttempts: 10, NextAttemptAt: now.Add(-2*time.Minute - 3*time.Second), Code: "unavailable", Reason: "down"},
		{TicketID: "T-2", Attempts: 1, MaxAttempts: 10, NextAttemptAt: now, Code: "unavailable", Reason: "down"},
		{TicketID: "T-3", Attempts: 1, MaxAttempts: 10, NextAttemptAt: now.Add(76 * time.Second), Code: "unavailable", Reason: "down"},
	}
	want := map[string]string{"T-1": "overdue by 2m3s", "T-2": "due now", "T-3": "in 1m16s"}
	var table bytes.Buffer
	if err := printWaiting(&table, list, len(list), now); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(waitingJSON(list, now))
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		TicketID string `json:"ticket_id"`
		Due      string `json:"due"`
	}
	if err := json.Unmarshal(b, &rows); err != nil || len(rows) != 3 {
		t.Fatalf("%v: %s", err, b)
	}
	for _, r := range rows {
		if r.Due != want[r.TicketID] {
			t.Errorf("--json %s due %q, want %q", r.TicketID, r.Due, want[r.TicketID])
		}
	}
	for _, line := range strings.Split(table.String(), "\n")[1:] {
		if id, _, _ := strings.Cut(line, " "); id != "" && !strings.Contains(line, "("+want[id]+")") {
			t.Errorf("table line %q, want (%s)", line, want[id])
		}
	}
	if strings.Contains(table.String(), "(in 0s)") {
		t.Errorf("table says (in 0s):\n%s", table.String())
	}
}
