package review_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/review"
	"github.com/ticketsum/ticketsum/sqlite"
)

// The main flow: blind tasks from an eval run, ratings by two raters, and
// the unblinded report.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "review-example")
	defer os.RemoveAll(dir)
	tickets, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "ticketsum.db")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tickets.Close()
	store, _ := review.NewSQLStore(tickets.DB(), review.SQLite)
	if err := store.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}
	svc, err := review.New(review.Config{Store: store, Tickets: tickets, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	tickets.UpsertTicket(ctx, &ticketsum.Ticket{ID: "T-1", Messages: []ticketsum.Message{{Role: ticketsum.RoleCustomer, Body: "I was charged twice."}}})

	// Two configurations summarised T-1 in an eval run.
	items := []eval.Item{
		{Config: "haiku/default-v1", Model: "bedrock:haiku", TicketID: "T-1", Summary: "A duplicate charge was refunded. Resolved."},
		{Config: "nova/default-v1", Model: "bedrock:nova", TicketID: "T-1", Summary: "Customer wrote about money."},
	}
	tasks, _ := svc.NewEvalTasks(ctx, "eval:run-1", items, review.Choice)
	task := tasks[0]

	// Raters see labels only; both prefer the haiku summary.
	better := "A"
	if task.Candidate("A").Config != "haiku/default-v1" {
		better = "B"
	}
	for _, rater := range []string{"pm", "lead"} {
		if err := svc.Rate(ctx, task.ID, []*review.Rating{{Rater: rater, Chosen: better}}); err != nil {
			fmt.Println(err)
			return
		}
	}
	rep, _ := svc.Report(ctx, "eval:run-1")
	for _, c := range rep.Configurations {
		fmt.Printf("%s: %d comparisons, %d wins, win rate %.0f%%\n", c.Config, c.Comparisons, c.Wins, *c.WinRate)
	}
	ag := rep.Agreement[0]
	fmt.Printf("%s agreement %.0f%% between %d raters\n", ag.Method, ag.PercentAgreement, ag.Raters)
	// Output:
	// haiku/default-v1: 2 comparisons, 2 wins, win rate 100%
	// nova/default-v1: 2 comparisons, 0 wins, win rate 0%
	// choice agreement 100% between 2 raters
}
