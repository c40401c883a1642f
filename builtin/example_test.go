package builtin_test

import (
	"context"
	"fmt"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/builtin"
)

func Example() {
	s, err := builtin.New(builtin.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	t := &ticketsum.Ticket{
		ID:       "T-1042",
		Subject:  "Invoice charged twice",
		Customer: ticketsum.Customer{Name: "Dana Whitfield", Email: "dana@example.com"},
		Messages: []ticketsum.Message{
			{Role: ticketsum.RoleCustomer, Author: "Dana Whitfield", Body: "Hi, my card was charged twice for the March invoice. Call me on 020 7946 0958."},
			{Role: ticketsum.RoleAgent, Author: "Sam", Body: "<p>Hi Dana, sorry about that!</p><p>I have refunded the duplicate charge; it shows in 3-5 days.</p><p>Best regards,<br>Sam</p>"},
			{Role: ticketsum.RoleCustomer, Author: "Dana Whitfield", Body: "Got it, thanks!\n\nSent from my iPhone"},
		},
	}
	sum, err := s.Summarize(context.Background(), t)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sum.Status)
	fmt.Println(sum.Text)
	// Output:
	// resolved
	// The customer is complaining that their card was charged twice for the March invoice. The agent has refunded the duplicate charge; it shows in 3-5 days. The issue is resolved.
}
