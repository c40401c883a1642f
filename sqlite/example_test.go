package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/sqlite"
)

// Open a store, import a ticket, save its summary and list it.
func Example() {
	dir, _ := os.MkdirTemp("", "ticketsum")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "ticketsum.db")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	t := &ticketsum.Ticket{ID: "T-1", Subject: "Login fails", Messages: []ticketsum.Message{
		{Role: ticketsum.RoleCustomer, Body: "I cannot log in."},
		{Role: ticketsum.RoleAgent, Body: "Reset your password from the login page."},
	}}
	changed, _ := store.UpsertTicket(ctx, t)
	fmt.Println("changed:", changed)
	changed, _ = store.UpsertTicket(ctx, t)
	fmt.Println("changed again:", changed)

	sum := &ticketsum.Summary{TicketID: "T-1", Text: "The customer could not log in; the agent sent a reset link.",
		Status: ticketsum.StatusAwaitingCustomer, Model: "builtin", PromptVersion: "v1", ContentHash: t.ContentHash()}
	created, _ := store.SaveSummary(ctx, sum)
	fmt.Println("created:", created)
	created, _ = store.SaveSummary(ctx, sum)
	fmt.Println("created again:", created)

	views, total, _ := store.ListTickets(ctx, ticketsum.TicketFilter{})
	fmt.Println(total, views[0].Ticket.ID, views[0].Current.Status, views[0].Stale)
	// Output:
	// changed: true
	// changed again: false
	// created: true
	// created again: false
	// 1 T-1 awaiting_customer false
}
