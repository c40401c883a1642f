package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/eval"
)

// planJSON is the part of `plan --json` the tests read.
type planJSON struct {
	Workload struct {
		TicketsPerWeek float64 `json:"tickets_per_week"`
		InputTokens    float64 `json:"input_tokens_per_ticket"`
		OutputTokens   float64 `json:"output_tokens_per_ticket"`
	} `json:"workload"`
	Options []struct {
		Model   string  `json:"model"`
		Surface string  `json:"surface"`
		Weekly  float64 `json:"weekly_cost_usd"`
		Monthly float64 `json:"monthly_cost_usd"`
	} `json:"options"`
}

// TestPlanSeedExample reproduces the seed's hand calculation: 8,000 tickets
// a week at 2,000 in and 200 out is $48 + $24 = $72, on Claude Sonnet 4 now
// that the seed's Claude 3.5 Sonnet has reached end of life.
func TestPlanSeedExample(t *testing.T) {
	t.Parallel()
	r := run(t, context.Background(), "", "plan", "--json", "--tickets-per-week", "8000", "--input-tokens", "2000",
		"--output-tokens", "200", "--models", "bedrock:anthropic.claude-sonnet-4-20250514-v1:0", "--history", "")
	if r.code != exitOK {
		t.Fatalf("plan: exit %d: %s", r.code, r.stderr)
	}
	var p planJSON
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatalf("plan --json: %v\n%s", err, r.stdout)
	}
	found := false
	for _, o := range p.Options {
		if o.Model == "bedrock:anthropic.claude-sonnet-4-20250514-v1:0" && o.Surface == "on-demand" {
			found = true
			if o.Weekly != 72 {
				t.Errorf("weekly on-demand = %v, want 72", o.Weekly)
			}
		}
	}
	if !found {
		t.Fatalf("no on-demand option in %s", r.stdout)
	}
}

// TestPlanMeasured measures the workload from the bundled sample's ticket
// file when no figures are given.
func TestPlanMeasured(t *testing.T) {
	t.Parallel()
	r := run(t, context.Background(), "", "plan", "--json", "--from", filepath.Join("..", "sample", "tickets.jsonl"), "--history", "")
	if r.code != exitOK {
		t.Fatalf("plan: exit %d: %s", r.code, r.stderr)
	}
	var p planJSON
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatalf("plan --json: %v", err)
	}
	if p.Workload.TicketsPerWeek <= 0 || p.Workload.InputTokens < 100 || len(p.Options) < 3 {
		t.Fatalf("measured workload = %+v with %d options", p.Workload, len(p.Options))
	}
	if r := run(t, context.Background(), "", "plan", "--from", "/nonexistent.jsonl"); r.code != exitUsage || !strings.Contains(r.stderr, "no such file") {
		t.Fatalf("missing file: %+v", r)
	}
}

// TestPlanUntimedTicket: created_at is optional in the ticket format, so a
// store holding one ticket without any time (imported beside the sample)
// still plans: that ticket counts for tokens, not volume, and the workload
// says so. Before, one such ticket made every later plan fail with exit 2.
// A store where no ticket has a time is refused naming the flags to use.
func TestPlanUntimedTicket(t *testing.T) {
	t.Parallel()
	cfg := tempConfig(t)
	untimed := writeFile(t, "untimed.jsonl", `{"id":"U-1","messages":[{"role":"customer","body":"The card reader shows error E42."}]}`+"\n")
	if r := run(t, context.Background(), "", "import", "--config", cfg, untimed); r.code != exitOK {
		t.Fatalf("import: %+v", r)
	}
	r := run(t, context.Background(), "", "plan", "--config", cfg, "--history", "")
	if r.code != exitUsage || !strings.Contains(r.stderr, "none of the 1 tickets has a creation time") || !strings.Contains(r.stderr, "--tickets-per-week N --input-tokens I --output-tokens O") {
		t.Fatalf("no timed ticket: exit %d, stderr %q; want exit 2 naming the flags", r.code, r.stderr)
	}
	if r := run(t, context.Background(), "", "import", "--config", cfg, filepath.Join("..", "sample", "tickets.jsonl")); r.code != exitOK {
		t.Fatalf("import sample: %+v", r)
	}
	r = run(t, context.Background(), "", "plan", "--config", cfg, "--history", "")
	if r.code != exitOK || !strings.Contains(r.stdout, "measured from 50 tickets") || !strings.Contains(r.stdout, "1 more tickets without a creation time count for tokens, not volume") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want the workload of the 50 timed tickets, the untimed one noted", r.code, r.stdout, r.stderr)
	}
}

// TestPlanListsApprovedModels runs the team's path: init approves two
// models, an eval run tries one of them and a third, and `plan` lists the
// approved models beside the evaluated ones, saying which to evaluate and
// which to approve, with the commands; --json carries the same list.
func TestPlanListsApprovedModels(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg, data := filepath.Join(dir, "ticketsum.yaml"), filepath.Join(dir, "data")
	if r := run(t, context.Background(), "", "init", "--config", cfg, "--data-dir", data, "--model", initNova, "--model", initHaiku); r.code != exitOK {
		t.Fatalf("init: %+v", r)
	}
	history := filepath.Join(dir, "eval-history.jsonl")
	store, err := eval.NewJSONLStore(history)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SaveRun(context.Background(), &eval.Run{ID: "r1", Dataset: eval.DatasetInfo{Name: "sample", Tickets: 20},
		Configurations: []eval.CellMetrics{{Name: "builtin", Model: "builtin"}, {Name: initHaiku + "/v1", Model: initHaiku}, {Name: sonnetModel + "/v1", Model: sonnetModel}},
		Cheapest:       sonnetModel + "/v1", Bars: []eval.Bar{{Metric: "rouge_l", Op: ">=", Value: 0.2}}}); err != nil {
		t.Fatal(err)
	}
	args := []string{"plan", "--config", cfg, "--history", history, "--tickets-per-week", "8000", "--input-tokens", "2000", "--output-tokens", "200"}
	r := run(t, context.Background(), "", args...)
	if r.code != exitOK {
		t.Fatalf("plan: %+v", r)
	}
	out := strings.Join(strings.Fields(r.stdout), " ") // the table's padding aside
	for _, want := range []string{
		"Approved and evaluated models MODEL APPROVED EVALUATED NEXT",
		initNova + " yes no approved but not evaluated in eval run r1: run `ticketsum eval --models " + initNova + "`",
		initHaiku + " yes yes evaluated in eval run r1; " + sonnetModel + " met every bar for less",
		// The run's winner, which the recommendation names, cannot be
		// called yet: the listing says so.
		sonnetModel + " no yes the cheapest model meeting every bar in eval run r1, but not approved: nobody may call it until an administrator runs `ticketsum models approve " + sonnetModel + "`",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = run(t, context.Background(), "", append(args, "--json")...)
	var p struct {
		Models []struct {
			Model               string
			Approved, Evaluated bool
		} `json:"models"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil || len(p.Models) != 3 {
		t.Fatalf("plan --json models = %+v, %v\n%s", p.Models, err, r.stderr)
	}
	// Without a store plan creates none, and lists the evaluated models.
	r = run(t, context.Background(), "", "plan", "--data-dir", filepath.Join(dir, "none"), "--history", history,
		"--tickets-per-week", "8000", "--input-tokens", "2000", "--output-tokens", "200")
	if r.code != exitOK || !strings.Contains(r.stdout, "but not approved") || strings.Contains(r.stdout, initNova+"  yes") {
		t.Errorf("plan without a store: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "none", "ticketsum.db")); err == nil {
		t.Error("plan created a store")
	}
}
