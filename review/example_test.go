package review_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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

// ExportFinetune writes reviewed summaries as Bedrock fine-tuning JSONL;
// Redact and Check are the guard's anonymiser and PII check in production.
func ExampleExportFinetune() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "review-example")
	defer os.RemoveAll(dir)
	tickets, _ := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "ticketsum.db")})
	defer tickets.Close()
	store, _ := review.NewSQLStore(tickets.DB(), review.SQLite)
	store.Migrate(ctx)
	svc, _ := review.New(review.Config{Store: store, Tickets: tickets, SampleShare: 1})

	t := &ticketsum.Ticket{ID: "T-1", Customer: ticketsum.Customer{Name: "Ann Lee"},
		Messages: []ticketsum.Message{{Role: ticketsum.RoleCustomer, Body: "Ann Lee here: my invoice is wrong."}, {Role: ticketsum.RoleAgent, Body: "Corrected and resent."}}}
	tickets.UpsertTicket(ctx, t)
	s := &ticketsum.Summary{TicketID: "T-1", Text: "An invoice error was corrected and the invoice resent. Resolved.", Status: ticketsum.StatusResolved,
		Model: "bedrock:haiku", PromptVersion: "default-v1", ContentHash: t.ContentHash()}
	tickets.SaveSummary(ctx, s)
	svc.OnSummarySaved(ctx, s) // sampled: the share is 1
	svc.Decide(ctx, s.ID, review.Decision{State: review.Approved, Reviewer: "pm"})

	var out strings.Builder
	stats, err := review.ExportFinetune(ctx, &out, review.FinetuneConfig{
		Reviews: store, Tickets: tickets,
		Redact: func(_ context.Context, t *ticketsum.Ticket, text string) (string, error) {
			return strings.ReplaceAll(text, t.Customer.Name, "{NAME_1}"), nil
		},
		Check: func(_ context.Context, t *ticketsum.Ticket, text string) ([]string, error) {
			if strings.Contains(text, t.Customer.Name) {
				return []string{"NAME"}, nil
			}
			return nil, nil
		},
		System: "Summarise the ticket in one paragraph.",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(stats.Written, "record")
	fmt.Print(out.String())
	// Output:
	// 1 record
	// {"schemaVersion":"bedrock-conversation-2024","system":[{"text":"Summarise the ticket in one paragraph."}],"messages":[{"role":"user","content":[{"text":"Summarise this support ticket.\n\n[customer] {NAME_1} here: my invoice is wrong.\n\n[agent] Corrected and resent."}]},{"role":"assistant","content":[{"text":"An invoice error was corrected and the invoice resent. Resolved."}]}]}
}
