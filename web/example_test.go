package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/web"
)

// Serve the ticket pages and the JSON API over a store, and read one ticket
// with its current summary through the API.
func ExampleNew() {
	store := newMemStore() // any ticketsum.Store: sqlite, postgres, ...
	t := &ticketsum.Ticket{
		ID: "T-1", Subject: "Reader will not pair", ProductLine: "hardware",
		Messages: []ticketsum.Message{{Role: ticketsum.RoleCustomer, Body: "My card reader will not pair."}},
	}
	store.UpsertTicket(context.Background(), t)
	store.SaveSummary(context.Background(), &ticketsum.Summary{
		TicketID: "T-1", Text: "The customer could not pair a card reader.", Status: ticketsum.StatusAwaitingSupport,
		Model: "builtin", PromptVersion: "v1", ContentHash: t.ContentHash(), CreatedAt: time.Now(),
	})

	s, err := web.New(web.Config{
		Addr:   "127.0.0.1:8080",
		Store:  store,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// In cmd/ticketsum: go s.Run(ctx), or s.Start(ctx) ... s.Stop(ctx).
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/api/tickets/T-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var d web.TicketDetailJSON
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Status)
	fmt.Println(d.Ticket.Subject)
	fmt.Println(d.Summary.Status, "-", d.Summary.Text)
	// Output:
	// 200 OK
	// Reader will not pair
	// awaiting_support - The customer could not pair a card reader.
}
