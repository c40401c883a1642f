package queue_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/queue"
	"github.com/ticketsum/ticketsum/sqlite"
)

// Import a ticket with its job, work the queue until it drains, and stop.
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

	handler := func(ctx context.Context, ticketID string) error {
		t, err := store.FindTicket(ctx, ticketID)
		if err != nil {
			return err
		}
		fmt.Println("summarising", t.ID)
		_, err = store.SaveSummary(ctx, &ticketsum.Summary{TicketID: t.ID, Text: "The customer asked for a refund; the agent issued it.",
			Status: ticketsum.StatusResolved, Model: "builtin", PromptVersion: "v1", ContentHash: t.ContentHash()})
		return err
	}
	q, err := queue.NewSQLite(ctx, store, queue.Config{Handler: handler, PollInterval: 50 * time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	t := &ticketsum.Ticket{ID: "T-1", Messages: []ticketsum.Message{
		{Role: ticketsum.RoleCustomer, Body: "Please refund order 1234."},
		{Role: ticketsum.RoleAgent, Body: "Done, the refund is on its way."},
	}}
	for range 2 {
		changed, _ := q.Import(ctx, t)
		fmt.Println("changed:", changed)
	}
	if err := q.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	_ = q.WaitIdle(ctx)
	_ = q.Stop(ctx)
	st, _ := q.Stats(ctx)
	cur, _ := store.CurrentSummary(ctx, "T-1")
	fmt.Println("completed:", st.Completed, "status:", cur.Status)
	// Output:
	// changed: true
	// changed: false
	// summarising T-1
	// completed: 1 status: resolved
}
