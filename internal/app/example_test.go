package app_test

import (
	"context"
	"fmt"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/app"
)

// Build the pipeline for a model name and summarise a ticket. With a
// "bedrock:..." name the same call builds the provider, the gateway with the
// Config's governance wrappers and metrics, and the LLM summariser.
func Example() {
	models, err := app.New(app.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	pipe, err := models.Pipeline(context.Background(), app.Builtin, nil, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := pipe.Summarize(context.Background(), &ticketsum.Ticket{ID: "T-1", Messages: []ticketsum.Message{
		{Role: ticketsum.RoleCustomer, Body: "The invoice PDF download returns an error page."},
		{Role: ticketsum.RoleAgent, Body: "I regenerated the invoice and the download works now. Closing this ticket."},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Model, s.TicketID, s.Text != "")
	// Output: builtin T-1 true
}
