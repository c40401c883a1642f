package postgres_test

import (
	"context"
	"fmt"
	"os"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/postgres"
)

// Open the store in its own schema and import a ticket.
func Example() {
	ctx := context.Background()
	store, err := postgres.Open(ctx, postgres.Config{URL: os.Getenv("DATABASE_URL"), Schema: "ticketsum"})
	if err != nil {
		fmt.Println(ticketsum.ErrorMessage(err))
		return
	}
	defer store.Close()
	changed, err := store.UpsertTicket(ctx, &ticketsum.Ticket{ID: "T-1", Messages: []ticketsum.Message{
		{Role: ticketsum.RoleCustomer, Body: "I cannot log in."},
	}})
	fmt.Println(changed, err)
}
