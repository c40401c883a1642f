package eval_test

import (
	"context"
	"fmt"
	"os"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
)

// constSummarizer always answers with the ticket's first reference.
type constSummarizer struct{ cost float64 }

func (c constSummarizer) Summarize(ctx context.Context, t *ticketsum.Ticket) (*ticketsum.Summary, error) {
	return &ticketsum.Summary{TicketID: t.ID, Text: t.References[0], Status: ticketsum.StatusResolved, CostUSD: c.cost}, nil
}

func ExampleRunner_Run() {
	ds := eval.NewDataset("demo", []*ticketsum.Ticket{{
		ID:         "T-1",
		Messages:   []ticketsum.Message{{Role: ticketsum.RoleCustomer, Body: "My refund has not arrived."}, {Role: ticketsum.RoleAgent, Body: "Refund reissued."}},
		References: []string{"The customer's refund had not arrived. The agent reissued it."},
	}})
	bars, _ := eval.ParseBars("rougeL>=50, pii_leaks<=0")
	runner, err := eval.NewRunner(eval.Config{
		Candidates: []eval.Candidate{
			{Name: "big", Model: "fake:big", PromptVersion: "default-v1", New: func() (ticketsum.Summarizer, error) { return constSummarizer{0.003}, nil }},
			{Name: "small", Model: "fake:small", PromptVersion: "default-v1", New: func() (ticketsum.Summarizer, error) { return constSummarizer{0.0002}, nil }},
		},
		Bars: bars,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := runner.Run(context.Background(), ds)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range rep.Configurations {
		fmt.Printf("%s rougeL=%.0f $/week=%.2f passes=%v\n", m.Name, *m.RougeL, m.CostPerWeekUSD, m.PassesBars)
	}
	fmt.Println("cheapest:", rep.Cheapest, "exit:", rep.ExitCode(false))
	_ = os.Stdout
	// Output:
	// big rougeL=100 $/week=24.00 passes=true
	// small rougeL=100 $/week=1.60 passes=true
	// cheapest: small exit: 0
}
