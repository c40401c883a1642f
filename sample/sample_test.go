package sample

import (
	"slices"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
)

func mustTickets(tb testing.TB) []*ticketsum.Ticket {
	tb.Helper()
	ts, err := Tickets()
	if err != nil {
		tb.Fatalf("Tickets: %v", err)
	}
	return ts
}

func TestTicketsShape(t *testing.T) {
	t.Parallel()
	ts := mustTickets(t)
	if len(ts) < 50 {
		t.Fatalf("got %d tickets, want at least 50", len(ts))
	}
	ids := map[string]bool{}
	lines := map[string]int{}
	statuses := map[ticketsum.Status]int{}
	for _, tk := range ts {
		if err := tk.Validate(); err != nil {
			t.Errorf("%s: %v", tk.ID, err)
		}
		if ids[tk.ID] {
			t.Errorf("duplicate id %s", tk.ID)
		}
		ids[tk.ID] = true
		lines[tk.ProductLine]++
		statuses[tk.ExpectedStatus]++
		if n := len(tk.Messages); n < 3 || n > 10 {
			t.Errorf("%s has %d messages, want 3-10", tk.ID, n)
		}
		if tk.Subject == "" || tk.Customer.Name == "" || tk.Customer.Email == "" {
			t.Errorf("%s lacks subject or customer", tk.ID)
		}
		if tk.Messages[0].Role != ticketsum.RoleCustomer {
			t.Errorf("%s does not start with a customer message", tk.ID)
		}
		if !tk.CreatedAt.Equal(tk.Messages[0].At) || !tk.UpdatedAt.Equal(tk.Messages[len(tk.Messages)-1].At) {
			t.Errorf("%s: created_at/updated_at do not match the first/last message", tk.ID)
		}
		for i := 1; i < len(tk.Messages); i++ {
			if tk.Messages[i].At.Before(tk.Messages[i-1].At) {
				t.Errorf("%s message %d is earlier than the one before", tk.ID, i+1)
			}
		}
	}
	if len(lines) != 5 {
		t.Errorf("got product lines %v, want 5", lines)
	}
	for _, pl := range ProductLines() {
		if lines[pl] < 5 {
			t.Errorf("product line %s has %d tickets, want at least 5", pl, lines[pl])
		}
	}
	for _, s := range []ticketsum.Status{ticketsum.StatusResolved, ticketsum.StatusAwaitingCustomer, ticketsum.StatusAwaitingSupport} {
		if statuses[s] < 5 {
			t.Errorf("status %s labelled on %d tickets, want at least 5", s, statuses[s])
		}
	}
	if len(statuses) != 3 {
		t.Errorf("got statuses %v, want exactly the three valid ones", statuses)
	}
}

// TestTicketsVariety checks that the sample exercises what the summariser and
// the guards must cope with.
func TestTicketsVariety(t *testing.T) {
	t.Parallel()
	ts := mustTickets(t)
	features := []struct {
		name string
		min  int
		has  func(m ticketsum.Message) bool
	}{
		{"internal note", 10, func(m ticketsum.Message) bool { return m.Role == ticketsum.RoleInternal }},
		{"HTML body", 3, func(m ticketsum.Message) bool {
			return strings.Contains(m.Body, "<p>") || strings.Contains(m.Body, "<div>")
		}},
		{"quoted reply", 2, func(m ticketsum.Message) bool { return strings.Contains(m.Body, "\n> ") }},
		{"stack trace or log", 4, func(m ticketsum.Message) bool {
			return strings.Contains(m.Body, "Exception") || strings.Contains(m.Body, "goroutine") || strings.Contains(m.Body, " WARN ") || strings.Contains(m.Body, "[BT]")
		}},
		{"signature", 20, func(m ticketsum.Message) bool {
			return strings.Contains(m.Body, "Tillwise Support") || strings.Contains(m.Body, "Tillwise Billing")
		}},
		{"email address in text", 5, func(m ticketsum.Message) bool {
			return strings.Contains(m.Body, "@") && strings.Contains(m.Body, ".example")
		}},
		{"phone number in text", 10, func(m ticketsum.Message) bool {
			return strings.Contains(m.Body, "+") || strings.Contains(m.Body, "555-") || strings.Contains(m.Body, "Tel.")
		}},
		{"Spanish", 2, func(m ticketsum.Message) bool { return strings.Contains(m.Body, "Hola") }},
		{"German", 2, func(m ticketsum.Message) bool {
			return strings.Contains(m.Body, "Guten Tag") || strings.Contains(m.Body, "Hallo Herr")
		}},
		{"French", 2, func(m ticketsum.Message) bool { return strings.Contains(m.Body, "Bonjour") }},
	}
	for _, f := range features {
		n := 0
		for _, tk := range ts {
			if slices.ContainsFunc(tk.Messages, f.has) {
				n++
			}
		}
		if n < f.min {
			t.Errorf("%s: found in %d tickets, want at least %d", f.name, n, f.min)
		}
	}
}

func TestTicketsFreshCopies(t *testing.T) {
	t.Parallel()
	a := mustTickets(t)
	a[0].Subject = "changed"
	b := mustTickets(t)
	if b[0].Subject == "changed" {
		t.Fatal("Tickets returned shared values")
	}
	raw := JSONL()
	raw[0] = 'X'
	if JSONL()[0] == 'X' {
		t.Fatal("JSONL returned the embedded slice")
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "file is empty"},
		{"blank lines", "\n  \n", "file is empty"},
		{"not json", `{"id": "a",` + "\n", "line 1"},
		{"unknown field", `{"id":"a","messages":[{"role":"customer","body":"x"}],"colour":"red"}`, `unknown field "colour"`},
		{"wrong type", `{"id":7,"messages":[]}`, "line 1"},
		{"invalid ticket", `{"id":"a","messages":[{"role":"customer","body":"x"}]}` + "\n" + `{"id":"b","messages":[]}`, "line 2: ticket b has no messages"},
		{"unknown role", `{"id":"a","messages":[{"role":"bot","body":"x"}]}`, `unknown role "bot"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := decode([]byte(tt.in))
			if err == nil {
				t.Fatalf("decode(%q) succeeded, want error containing %q", tt.in, tt.want)
			}
			if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
				t.Errorf("code = %s, want invalid", ticketsum.ErrorCodeOf(err))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func BenchmarkTickets(b *testing.B) {
	for b.Loop() {
		if _, err := Tickets(); err != nil {
			b.Fatal(err)
		}
	}
}
