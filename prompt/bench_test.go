package prompt_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/prompt"
)

// benchTicket is a ticket of about 1,500 words in ten messages, the size
// of a typical support thread.
func benchTicket() *ticketsum.Ticket {
	tk := &ticketsum.Ticket{ID: "B-1", Subject: "Sync fails", ProductLine: "software"}
	for i := range 10 {
		role := ticketsum.RoleCustomer
		if i%2 == 1 {
			role = ticketsum.RoleAgent
		}
		tk.Messages = append(tk.Messages, ticketsum.Message{Role: role,
			Body: fmt.Sprintf("Message %d. ", i) + strings.Repeat("The desktop app fails to sync after the update. ", 17)})
	}
	return tk
}

func BenchmarkRender(b *testing.B) {
	tmpl, tk := prompt.Default(), benchTicket()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.Render(tk); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	tmpl, tk := prompt.Default(), benchTicket()
	answer := "The customer's desktop app fails to sync after the update. The agent asked the customer to sign out and in again and to report whether syncing works.\nSTATUS: awaiting_customer"
	b.ReportAllocs()
	for b.Loop() {
		if _, ps := tmpl.Check(answer, tk); len(ps) != 0 {
			b.Fatal(ps)
		}
	}
}

func BenchmarkChunks(b *testing.B) {
	tmpl, tk := prompt.Default(), benchTicket()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.Chunks(tk, 1200); err != nil {
			b.Fatal(err)
		}
	}
}
