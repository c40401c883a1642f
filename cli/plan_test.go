package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
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
