package review_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/review"
)

// evalItems returns the items of a run of configs over tickets; config c's
// summary of ticket t says which it is.
func evalItems(tickets int, configs ...string) []eval.Item {
	var items []eval.Item
	for _, c := range configs {
		for i := range tickets {
			items = append(items, eval.Item{Config: c, TicketID: fmt.Sprintf("E-%d", i), Model: "bedrock:" + c, Summary: "summary by " + c})
		}
	}
	return items
}

func TestNewEvalTasks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, nil)
	items := evalItems(40, "haiku/v1", "nova/v1", "llama/v2")
	items = append(items, eval.Item{Config: "broken/v1", TicketID: "E-0", Error: "throttled"})
	tasks, err := e.Svc.NewEvalTasks(ctx, "eval:run1", items, review.Likert)
	mustNoErr(t, err, "likert tasks")
	if len(tasks) != 40 {
		t.Fatalf("%d tasks, want one per ticket (40)", len(tasks))
	}
	first := map[string]int{}
	for _, tk := range tasks {
		if len(tk.Candidates) != 3 {
			t.Fatalf("task %s has %d candidates, want 3 (the failed item left out)", tk.ID, len(tk.Candidates))
		}
		for i, c := range tk.Candidates {
			if c.Label != string(rune('A'+i)) || c.Text != "summary by "+c.Config || c.Model != "bedrock:"+c.Config {
				t.Errorf("task %s candidate %d = %+v", tk.ID, i, c)
			}
		}
		first[tk.Candidates[0].Config]++
		stored, err := e.Store.FindTask(ctx, tk.ID)
		mustNoErr(t, err, "find %s", tk.ID)
		if stored.Candidates[0].Config != tk.Candidates[0].Config {
			t.Errorf("stored mapping of %s differs", tk.ID)
		}
	}
	// Shuffled: over 40 tasks each configuration is shown first sometimes.
	for _, c := range []string{"haiku/v1", "nova/v1", "llama/v2"} {
		if first[c] == 0 || first[c] == 40 {
			t.Errorf("%s was label A in %d of 40 tasks; the order is not shuffled", c, first[c])
		}
	}
	pairs, err := e.Svc.NewEvalTasks(ctx, "eval:run1-pairs", evalItems(5, "haiku/v1", "nova/v1", "llama/v2"), review.Choice)
	mustNoErr(t, err, "choice tasks")
	if len(pairs) != 15 {
		t.Errorf("%d choice tasks, want 3 pairs x 5 tickets = 15", len(pairs))
	}
	for _, p := range pairs {
		if len(p.Candidates) != 2 || p.Candidates[0].Config == p.Candidates[1].Config {
			t.Errorf("choice task %+v is not a pair of configurations", p)
		}
	}
	if _, err := e.Svc.NewEvalTasks(ctx, "eval:x", items, "stars"); err == nil {
		t.Error("an unknown method was accepted")
	}
	if _, err := e.Svc.NewEvalTasks(ctx, "", items, review.Thumbs); err == nil {
		t.Error("an empty source was accepted")
	}
}

func TestNewHistoryTasks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, nil)
	tk := e.MustTicket(t, "H-1")
	e.MustSummary(t, tk, "bedrock:haiku", "First summary by haiku.")
	e.MustSummary(t, tk, "bedrock:nova", "Summary by nova.")
	e.MustSummary(t, e.MustTicket(t, "H-2"), "bedrock:haiku", "Only one.")
	tasks, err := e.Svc.NewHistoryTasks(ctx, "history", []string{"H-1", "H-2"}, review.Choice)
	mustNoErr(t, err, "history tasks")
	if len(tasks) != 1 || tasks[0].TicketID != "H-1" {
		t.Fatalf("tasks = %v, want one pair for H-1 (H-2 has one configuration)", ids(tasks))
	}
	for _, c := range tasks[0].Candidates {
		if c.SummaryID == 0 || c.PromptVersion != "default-v1" {
			t.Errorf("candidate %+v lacks its summary id or prompt", c)
		}
	}
}
