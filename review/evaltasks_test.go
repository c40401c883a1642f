package review_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/review"
)

// evalTicket is a dataset ticket that is not in the ticket store.
func evalTicket(i int) *ticketsum.Ticket {
	return &ticketsum.Ticket{ID: fmt.Sprintf("D-%d", i), Subject: fmt.Sprintf("Printer jam %d", i), Messages: []ticketsum.Message{
		{Role: ticketsum.RoleCustomer, Body: fmt.Sprintf("My printer jams on page %d.", i)},
		{Role: ticketsum.RoleAgent, Body: "Clean the rollers and tell us if it still jams."},
	}}
}

// mustEvalRun keeps a run of the given configurations over n dataset
// tickets; failing names a configuration whose items all failed.
func mustEvalRun(tb testing.TB, e *env, at time.Time, n int, configs []string, failing string) *eval.Run {
	tb.Helper()
	var tickets []*ticketsum.Ticket
	for i := range n {
		tickets = append(tickets, evalTicket(i))
	}
	ds := eval.NewDataset("dev.jsonl", tickets)
	rep := &eval.Report{Dataset: eval.DatasetInfo{Name: ds.Name, Hash: ds.Hash, Tickets: n}, StartedAt: at}
	for k, c := range configs {
		m := eval.CellMetrics{Name: c, Model: "bedrock:" + c, PromptVersion: "default-v1", Tickets: n, Verdict: "pass"}
		for _, t := range tickets {
			it := eval.Item{Config: c, TicketID: t.ID, Model: m.Model, Summary: fmt.Sprintf("Summary %d of %s.", k+1, t.ID), Status: ticketsum.StatusAwaitingCustomer}
			if c == failing {
				it.Summary, it.Error, it.ErrorCode, m.Errors, m.Verdict = "", `principal "eval" may not call `+m.Model, "unauthorized", n, "errors"
			}
			rep.Items = append(rep.Items, it)
		}
		rep.Configurations = append(rep.Configurations, m)
	}
	run, err := e.Svc.SaveEvalRun(context.Background(), rep, ds, map[string]string{"models": strings.Join(configs, ",")})
	mustNoErr(tb, err, "save eval run")
	return run
}

func TestTasksFromEval(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, nil)
	if _, err := e.Svc.TasksFromEval(ctx, review.EvalTasksRequest{}); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND || !strings.Contains(err.Error(), "ticketsum eval --dataset") {
		t.Errorf("with no run: %v, want not found saying to run eval", err)
	}
	old := mustEvalRun(t, e, e.Clock.Now(), 3, []string{"solo"}, "")
	run := mustEvalRun(t, e, e.Clock.Now().Add(time.Hour), 80, []string{"haiku", "nova", "down"}, "down")
	tests := []struct {
		name string
		req  review.EvalTasksRequest
		code ticketsum.ErrorCode
		want string
	}{
		{"one configuration", review.EvalTasksRequest{Run: old.ID}, ticketsum.EINVALID, "evaluated one configuration (solo)"},
		{"unknown run", review.EvalTasksRequest{Run: "nosuch"}, ticketsum.ENOTFOUND, "no eval run"},
		{"unknown configuration", review.EvalTasksRequest{Configs: []string{"haiku", "gpt"}}, ticketsum.EINVALID, `no configuration "gpt"; it has haiku, nova, down`},
		{"one chosen", review.EvalTasksRequest{Configs: []string{"haiku"}}, ticketsum.EINVALID, "two or three"},
		{"failed configuration", review.EvalTasksRequest{Configs: []string{"haiku", "down"}}, ticketsum.EINVALID, "down has no summary for 80 of 80 tickets"},
		{"bad n", review.EvalTasksRequest{Configs: []string{"haiku", "nova"}, N: -1}, ticketsum.EINVALID, "1 to 10000"},
	}
	for _, tt := range tests {
		_, err := e.Svc.TasksFromEval(ctx, tt.req)
		if ticketsum.ErrorCodeOf(err) != tt.code || err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %s saying %q", tt.name, err, tt.code, tt.want)
		}
	}
	tasks, err := e.Svc.TasksFromEval(ctx, review.EvalTasksRequest{Run: "latest", Configs: []string{"nova", "haiku"}})
	mustNoErr(t, err, "tasks from latest")
	if len(tasks) != 50 || tasks[0].Method != review.Choice || tasks[0].Source != "eval:"+run.ID {
		t.Fatalf("%d tasks, method %s source %s; want 50 choice tasks (default N) of eval:%s", len(tasks), tasks[0].Method, tasks[0].Source, run.ID)
	}
	seen := map[string]bool{}
	for _, tk := range tasks {
		if seen[tk.TicketID] || len(tk.Candidates) != 2 || tk.Candidates[0].Model == "" {
			t.Fatalf("task %+v repeats a ticket or lacks its configurations", tk)
		}
		seen[tk.TicketID] = true
	}
	// The other 30 tickets can still be compared; then every one has a task.
	more, err := e.Svc.TasksFromEval(ctx, review.EvalTasksRequest{Configs: []string{"haiku", "nova"}, N: 100})
	if err != nil || len(more) != 30 {
		t.Fatalf("second batch: %d tasks, %v; want the 30 tickets not yet compared", len(more), err)
	}
	if _, err := e.Svc.TasksFromEval(ctx, review.EvalTasksRequest{Configs: []string{"haiku", "nova"}}); ticketsum.ErrorCodeOf(err) != ticketsum.ECONFLICT {
		t.Errorf("third batch: %v, want conflict (every ticket has a task)", err)
	}
	three, err := e.Svc.TasksFromEval(ctx, review.EvalTasksRequest{Configs: []string{"haiku", "nova", "down"}})
	if err == nil || len(three) != 0 {
		t.Errorf("with the failed configuration: %d tasks, %v; want an error", len(three), err)
	}
}

func TestEvalRatingFlowAndHistory(t *testing.T) {
	t.Parallel()
	s := mustServer(t, nil)
	run := mustEvalRun(t, s.env, s.Clock.Now(), 3, []string{"haiku", "nova"}, "")
	_, page := s.get(t, "/review/tasks")
	for _, want := range []string{"Start a blind comparison", `value="haiku" checked`, `value="nova" checked`, "dev.jsonl"} {
		if !strings.Contains(page, want) {
			t.Fatalf("tasks page lacks %q:\n%s", want, page)
		}
	}
	rec := s.postForm(t, "/review/tasks/new", url.Values{"csrf": {token(t, page)}, "run": {run.ID}, "config": {"haiku", "nova"}, "n": {"3"}})
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/review/tasks/t") {
		t.Fatalf("start = %d to %q:\n%s", rec.Code, loc, rec.Body)
	}
	first := strings.TrimPrefix(strings.Split(loc, "?")[0], "/review/tasks/")
	// The dataset ticket is not in the ticket store: the run's copy is shown.
	_, task := s.get(t, "/review/tasks/"+first+"?revealed="+first)
	for _, want := range []string{"1 of 3", "Printer jam", "My printer jams on page", `data-method="choice"`, "Keys: A or B choose", "/review/static/review.js"} {
		if !strings.Contains(task, want) {
			t.Errorf("rating page lacks %q", want)
		}
	}
	if strings.Contains(task, "Revealed") || strings.Contains(task, "haiku") {
		t.Error("the mapping is revealed before the task is rated")
	}
	rec = s.postForm(t, "/review/tasks/"+first, url.Values{"csrf": {token(t, task)}, "rater": {"Pat PM"}, "chosen": {"A"}})
	next := rec.Header().Get("Location")
	after := s.getAs(t, next, rec.Result().Cookies())
	for _, want := range []string{"2 of 3", "Revealed for ticket", "A was <strong>", "haiku", "nova"} {
		if !strings.Contains(after, want) {
			t.Errorf("page after rating lacks %q:\n%s", want, after)
		}
	}
	runs, err := s.Svc.EvalHistory(context.Background())
	mustNoErr(t, err, "eval history")
	var humans []string
	for _, m := range runs[0].Configurations {
		humans = append(humans, m.Name+": "+m.Human.String())
	}
	if got := strings.Join(humans, "; "); !strings.Contains(got, "win 100% (n=1)") || !strings.Contains(got, "win 0% (n=1)") {
		t.Errorf("history human scores %q, want one win and one loss", got)
	}
}

func TestAPICreateTasksSaysWhy(t *testing.T) {
	t.Parallel()
	s := mustServer(t, nil)
	tk := s.MustTicket(t, "H-1")
	s.MustSummary(t, tk, "bedrock:haiku", "Refund given.")
	code, body := s.postJSON(t, "/review/api/tasks", `{"source":"history","method":"choice","ticket_ids":["H-1"]}`)
	if code != http.StatusBadRequest || !strings.Contains(string(body), "--from-eval latest") {
		t.Errorf("history with one summary = %d %s, want 400 saying why and what to do", code, body)
	}
	code, body = s.postJSON(t, "/review/api/tasks", `{"from_eval":"latest"}`)
	if code != http.StatusNotFound || !strings.Contains(string(body), "no eval run is stored yet") {
		t.Errorf("from_eval with no run = %d %s", code, body)
	}
	mustEvalRun(t, s.env, s.Clock.Now(), 4, []string{"haiku", "nova", "sonnet"}, "")
	code, body = s.postJSON(t, "/review/api/tasks", `{"from_eval":"latest","n":2}`)
	var out struct{ Tasks []review.BlindTask }
	if code != http.StatusCreated || json.Unmarshal(body, &out) != nil || len(out.Tasks) != 2 || out.Tasks[0].Method != review.Likert || len(out.Tasks[0].Candidates) != 3 {
		t.Errorf("from_eval latest = %d %s, want two likert tasks of three summaries", code, body)
	}
}

// getAs GETs target with cookies, as the browser does after a redirect.
func (s *server) getAs(tb testing.TB, target string, cookies []*http.Cookie) string {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET %s = %d:\n%s", target, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func TestQueueRowsAndOnSaved(t *testing.T) {
	t.Parallel()
	s := mustServer(t, func(c *review.Config) { c.SampleShare = 1 })
	tk := s.MustTicket(t, "Q-1")
	sum := s.MustSummary(t, tk, "bedrock:haiku", "The duplicate charge was refunded.")
	s.Svc.OnSaved(context.Background(), sum)
	s.Svc.OnSaved(context.Background(), nil) // logged, not a panic
	items, total, err := s.Svc.Queue(context.Background(), review.QueueFilter{State: review.Pending})
	mustNoErr(t, err, "queue")
	if total != 1 || items[0].Subject != "Refund for order Q-1" || items[0].Status != ticketsum.StatusResolved {
		t.Fatalf("queue %d items, first %+v; want the sampled summary with its subject and status", total, items[0])
	}
	_, page := s.get(t, "/review/")
	for _, want := range []string{`class="row-link" href="/review/queue/`, `<span class="subject">Refund for order Q-1</span>`, "The duplicate charge was refunded.", "Resolved"} {
		if !strings.Contains(page, want) {
			t.Errorf("queue page lacks %q", want)
		}
	}
}
