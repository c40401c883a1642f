package guard_test

import (
	"context"
	"fmt"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/guard"
)

// The main flow: one session per ticket, input anonymised before the model
// call, output checked after it, and the final summary scrubbed into neutral
// words for reviewers.
func Example() {
	ctx := context.Background()
	g, err := guard.New(guard.Config{Topics: guard.DefaultTopics()})
	if err != nil {
		panic(err)
	}
	t := &ticketsum.Ticket{
		ID:       "T-1",
		Customer: ticketsum.Customer{Name: "Ana Lima", Email: "ana@example.com"},
		Messages: []ticketsum.Message{{Role: ticketsum.RoleCustomer, Author: "Ana Lima", Body: "..."}},
	}
	s := g.NewSession(t)

	in, err := g.CheckInput(ctx, s, "Ana Lima (ana@example.com, +1 415-555-2671) was charged twice.")
	if err != nil {
		panic(err)
	}
	fmt.Println(in.Action, in.Text)

	// The model answers in placeholders; the same value keeps its number.
	out, err := g.CheckOutput(ctx, s, "{NAME_1} was charged twice; the agent refunded Ana.")
	if err != nil {
		panic(err)
	}
	fmt.Println(out.Text)
	fmt.Println(in.Flags)

	final, _ := g.Scrub(s, out.Text)
	fmt.Println(final)

	_, err = g.CheckOutput(ctx, s, "Refunded to card 4111 1111 1111 1111.")
	fmt.Println(ticketsum.ErrorCodeOf(err), err)
	// Output:
	// ANONYMIZED {NAME_1} ({EMAIL_1}, {PHONE_1}) was charged twice.
	// {NAME_1} was charged twice; the agent refunded {NAME_1}.
	// [input:EMAIL:ANONYMIZED input:NAME:ANONYMIZED input:PHONE:ANONYMIZED]
	// the customer was charged twice; the agent refunded the customer.
	// blocked guardrail blocked the output: the output policy blocks CREDIT_DEBIT_CARD_NUMBER (set governance.guard.output.CREDIT_DEBIT_CARD_NUMBER: ANONYMIZE to mask it instead)
}
