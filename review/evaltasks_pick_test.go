package review_test

import (
	"context"
	"slices"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/review"
)

// TestTasksFromEvalChosenTickets makes tasks of exactly the tickets an eval
// run's page shows (Tickets), not a random sample, and says why when none
// of them can be rated.
func TestTasksFromEvalChosenTickets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, nil)
	run := mustEvalRun(t, e, e.Clock.Now(), 30, []string{"haiku", "nova"}, "")
	want := []string{"D-3", "D-17", "D-29"}
	tasks, err := e.Svc.TasksFromEval(ctx, review.EvalTasksRequest{Run: run.ID, Tickets: append(want, "not-in-run")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tk := range tasks {
		got = append(got, tk.TicketID)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("tasks of tickets %v, want %v", got, want)
	}
	_, err = e.Svc.TasksFromEval(ctx, review.EvalTasksRequest{Run: run.ID, Tickets: []string{"nope"}})
	if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("no chosen ticket in the run: %v, want invalid", err)
	}
}
