package eval_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/internal/datasets"
)

func TestParseJudgement(t *testing.T) {
	t.Parallel()
	type scores struct {
		f, c, t int
		toxic   string // "true", "false" or "" for no verdict
	}
	tests := []struct {
		name string
		in   string
		want scores
		ok   bool
	}{
		{"json", `{"faithfulness": 5, "completeness": 4, "tone": 3}`, scores{5, 4, 3, ""}, true},
		{"json toxic", `{"faithfulness": 5, "completeness": 4, "tone": 3, "toxic": true}`, scores{5, 4, 3, "true"}, true},
		{"json toxic string", `{"faithfulness": 5, "completeness": 4, "tone": 3, "Toxic": "no"}`, scores{5, 4, 3, "false"}, true},
		{"json in prose", "Sure. My scores:\n```json\n{\"Faithfulness\": \"4\", \"Completeness\": 4.4, \"Tone\": \"5/5\"}\n```", scores{4, 4, 5, ""}, true},
		{"lines", "Faithfulness: 4\nCompleteness: 3\nTone: 5\nToxic: yes\nThe summary is fine.", scores{4, 3, 5, "true"}, true},
		{"markdown lines", "- **Faithfulness**: 2/5\n- **Completeness** - 3 out of 5\n- **Tone**: 4\n- **Toxic**: false", scores{2, 3, 4, "false"}, true},
		{"out of range", `{"faithfulness": 9, "completeness": 4, "tone": 3}`, scores{}, false},
		{"missing tone", "Faithfulness: 4\nCompleteness: 3", scores{}, false},
		{"prose only", "The summary is faithful and complete.", scores{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := eval.ParseJudgement(tt.in)
			if tt.ok != (err == nil) {
				t.Fatalf("ParseJudgement error = %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
					t.Errorf("error code %q, want invalid", ticketsum.ErrorCodeOf(err))
				}
				return
			}
			g := scores{got.Faithfulness, got.Completeness, got.Tone, ""}
			if got.Toxic != nil {
				g.toxic = fmt.Sprint(*got.Toxic)
			}
			if g != tt.want {
				t.Errorf("ParseJudgement = %+v, want %+v", g, tt.want)
			}
		})
	}
}

// judgeModel is a fake judge: it answers per ticket id found in the prompt.
type judgeModel struct {
	mu      sync.Mutex
	answers map[string]string
	calls   int
	// throttleFirst throttles the first call for each ticket.
	throttleFirst bool
	throttled     map[string]bool
}

func (j *judgeModel) Name() string { return "fake:judge" }

func (j *judgeModel) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.calls++
	if req.Meta.UseCase != "eval-judge" || !strings.Contains(req.System, "faithfulness") {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "unexpected judge request")
	}
	if id := req.Meta.TicketID; j.throttleFirst && !j.throttled[id] {
		if j.throttled == nil {
			j.throttled = map[string]bool{}
		}
		j.throttled[id] = true
		return nil, ticketsum.Errorf(ticketsum.ETHROTTLED, "judge quota")
	}
	return &ticketsum.ModelResponse{Text: j.answers[req.Meta.TicketID], Model: "fake:judge", CostUSD: 0.01}, nil
}

func TestRunWithJudge(t *testing.T) {
	t.Parallel()
	jm := &judgeModel{answers: map[string]string{
		"t1": `{"faithfulness":5,"completeness":5,"tone":5}`,
		"t2": "Faithfulness: 3\nCompleteness: 4\nTone: 5",
		"t3": "I cannot rate this.",
		"t4": `{"faithfulness":4,"completeness":3,"tone":4}`,
	}}
	r := mustRunner(t, eval.Config{Candidates: []eval.Candidate{candidateOf("good", goodFake("m", 0.001))}, Judge: &eval.Judge{Model: jm}, KeepItems: true})
	rep, err := r.Run(context.Background(), eval.NewDataset("unit", mustEvalTickets(t)))
	if err != nil {
		t.Fatal(err)
	}
	m := rep.Configurations[0]
	if m.JudgeScored != 3 || m.JudgeUnscored != 1 || jm.calls != 4 {
		t.Fatalf("judge scored %d unscored %d calls %d, want 3, 1, 4", m.JudgeScored, m.JudgeUnscored, jm.calls)
	}
	if *m.JudgeFaithfulness != 4 || *m.JudgeCompleteness != 4 || *m.JudgeTone != 4.67 {
		t.Errorf("judge means %v/%v/%v, want 4/4/4.67", *m.JudgeFaithfulness, *m.JudgeCompleteness, *m.JudgeTone)
	}
	if m.JudgeCostUSD != 0.04 || m.CostPerTicketUSD != 0.001 {
		t.Errorf("judge cost %v and ticket cost %v, want 0.04 apart from 0.001", m.JudgeCostUSD, m.CostPerTicketUSD)
	}
	var unscored string
	for _, it := range rep.Items {
		if it.JudgeError != "" {
			unscored = it.TicketID
		}
	}
	if unscored != "t3" {
		t.Errorf("unscored item %q, want t3", unscored)
	}
}

// A throttled judge call is made again after a pause, as a summary is.
func TestJudgeThrottledScoredAfterAPause(t *testing.T) {
	t.Parallel()
	jm := &judgeModel{throttleFirst: true, answers: map[string]string{}}
	for _, id := range []string{"t1", "t2", "t3", "t4"} {
		jm.answers[id] = `{"faithfulness":5,"completeness":5,"tone":5}`
	}
	r := mustRunner(t, eval.Config{Candidates: []eval.Candidate{candidateOf("good", goodFake("m", 0.001))}, Judge: &eval.Judge{Model: jm}})
	rep, err := r.Run(context.Background(), eval.NewDataset("unit", mustEvalTickets(t)))
	if err != nil {
		t.Fatal(err)
	}
	if m := rep.Configurations[0]; m.JudgeScored != 4 || m.JudgeUnscored != 0 || jm.calls != 8 {
		t.Errorf("judge scored %d unscored %d calls %d, want 4, 0, 8", m.JudgeScored, m.JudgeUnscored, jm.calls)
	}
}

func TestUnsupported(t *testing.T) {
	t.Parallel()
	tk := &ticketsum.Ticket{ID: "x", Subject: "Acme Router X200", Messages: []ticketsum.Message{
		{Role: ticketsum.RoleCustomer, Body: "My router drops every 10 minutes; I paid 1,200 dollars. It is a five year old model."},
		{Role: ticketsum.RoleAgent, Body: "Please update the firmware at 10:30 tomorrow via the iPhone app."},
	}}
	tests := []struct {
		summary string
		want    string
	}{
		{"The customer's Acme X200 router drops every 10 minutes. The agent suggested a firmware update.", ""},
		{"The customer paid 1200 dollars for a 5 year old router.", ""},
		{"The agent scheduled the update at 10:30 via the iPhone app.", ""},
		{"The router drops every 15 minutes.", "15"},
		{"The customer paid 200 dollars.", "200"}, // not a part of 1,200
		{"The firmware update is due at 10.", ""}, // part of 10:30
		{"The customer's Netgear R7000 router drops.", "Netgear,R7000"},
		{"Firmware matters. Customer support helped.", ""}, // sentence starts and common words
		{"The agent escalated to Tier2 in Berlin.", "Tier2,Berlin"},
		{"The customer wrote in Spanish about the router.", ""}, // a language name is not an invented entity
	}
	for _, tt := range tests {
		if got := strings.Join(eval.Unsupported(tt.summary, tk), ","); got != tt.want {
			t.Errorf("Unsupported(%q) = %q, want %q", tt.summary, got, tt.want)
		}
	}
}

func TestJSONLStoreHistory(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "history.jsonl")
	store, err := eval.NewJSONLStore(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if runs, err := store.ListRuns(ctx); err != nil || len(runs) != 0 {
		t.Fatalf("empty history = %v, %v", runs, err)
	}
	first := threeModelReport(t, "rougeL>=50")
	second := threeModelReport(t, "")
	second.StartedAt = second.StartedAt.Add(24 * 3600e9)
	for _, rep := range []*eval.Report{first, second} {
		if err := store.SaveRun(ctx, eval.NewRun(rep, map[string]string{"concurrency": "4"})); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := store.ListRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Dataset.Hash != first.Dataset.Hash || len(runs[0].Models) != 3 ||
		runs[0].PromptVersions[0] != "default-v1" || runs[0].Config["concurrency"] != "4" || runs[0].ID == runs[1].ID {
		t.Fatalf("runs read back wrong: %+v", runs)
	}
	if runs[0].Configurations[0].RougeLDist != nil {
		t.Errorf("stored run keeps the per-item distribution")
	}
	var buf bytes.Buffer
	if err := eval.WriteHistory(&buf, runs); err != nil {
		t.Fatal(err)
	}
	goldenFile(t, "history.golden", buf.String())
	if err := os.WriteFile(path, append([]byte("{not json\n"), 0), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := store.ListRuns(ctx); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("corrupt history error = %v, want EINVALID naming line 1", err)
	}
}

func TestReadDataset(t *testing.T) {
	t.Parallel()
	in := `{"id": "d1", "turns": [{"role": "customer", "text": "My order is late."}, {"role": "agent", "text": "It ships today."}], "summaries": ["Order late; ships today."]}
{"id": "d2", "turns": []}
{"id": "t9", "messages": [{"role": "customer", "body": "Hi"}], "expected_status": "awaiting_support"}
`
	ds, err := eval.ReadDataset(strings.NewReader(in), "mixed.jsonl", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Tickets) != 2 || len(ds.Skipped) != 1 || !strings.Contains(ds.Skipped[0], "mixed.jsonl:2") {
		t.Fatalf("tickets %d skipped %v, want 2 and one naming line 2", len(ds.Tickets), ds.Skipped)
	}
	if ds.Tickets[0].References[0] != "Order late; ships today." || ds.Tickets[1].ExpectedStatus != ticketsum.StatusAwaitingSupport {
		t.Errorf("references/labels lost: %+v %+v", ds.Tickets[0], ds.Tickets[1])
	}
	again, _ := eval.ReadDataset(strings.NewReader(in), "other-name.jsonl", 0)
	changed, _ := eval.ReadDataset(strings.NewReader(strings.Replace(in, "ships today.\"]", "ships now.\"]", 1)), "mixed.jsonl", 0)
	if again.Hash != ds.Hash || changed.Hash == ds.Hash {
		t.Errorf("dataset hash: same content %v, changed reference %v; want equal then different", again.Hash == ds.Hash, changed.Hash == ds.Hash)
	}
	if _, err := eval.ReadDataset(strings.NewReader(`{"id": "d2", "turns": []}`), "bad", 0); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("dataset with no readable ticket: %v, want EINVALID", err)
	}
}

func TestLoadSharedDataset(t *testing.T) {
	t.Parallel()
	path := datasets.Path(t, "tweetsumm/tweetsumm_test.jsonl")
	ds, err := eval.LoadDataset(path, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Tickets) != 10 || len(ds.Tickets[0].References) == 0 {
		t.Errorf("loaded %d tickets, first with %d references; want 10 with references", len(ds.Tickets), len(ds.Tickets[0].References))
	}
}
