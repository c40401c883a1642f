package cli

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestSummarizeParallelKeepsOrder summarises the sample tickets with a bad
// record among them on one goroutine and on eight, and checks that the
// output, the report of the bad record and the exit code are the same:
// parallel work changes nothing but the speed.
func TestSummarizeParallelKeepsOrder(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../sample/tickets.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	lines = append(lines[:10:10], append([]string{`{"id": "BAD-1", "messages": "not a list"}`}, lines[10:]...)...)
	input := strings.Join(lines, "\n") + "\n"
	var want result
	for i, parallel := range []string{"1", "8"} {
		r := run(t, context.Background(), input, "summarize", "--config", tempConfig(t), "--parallel", parallel, "-")
		if r.code != exitUsage || !strings.Contains(r.stderr, "stdin:11:") {
			t.Fatalf("--parallel %s: exit %d, stderr %q; want %d and the bad record on line 11", parallel, r.code, r.stderr, exitUsage)
		}
		if n := strings.Count(r.stdout, "\n\n"); n != len(lines)-1 {
			t.Fatalf("--parallel %s: %d summaries, want %d", parallel, n, len(lines)-1)
		}
		if i == 0 {
			want = r
			continue
		}
		if r.stdout != want.stdout || r.stderr != want.stderr {
			t.Errorf("--parallel %s output differs from --parallel 1", parallel)
		}
	}
	if first := strings.SplitN(want.stdout, " ", 2)[0]; first != "TS-1001" {
		t.Errorf("first summary is %s, want TS-1001 (input order)", first)
	}
}

func TestSummarizeParallelFlag(t *testing.T) {
	t.Parallel()
	r := run(t, context.Background(), goodTicket, "summarize", "--config", tempConfig(t), "--parallel", "-1", "-")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--parallel") {
		t.Errorf("--parallel -1: exit %d, stderr %q; want %d naming --parallel", r.code, r.stderr, exitUsage)
	}
}

// TestUnlistedModelIsBadInput: a model the catalogue does not list is bad
// input (exit 2) with the message of models approve, whether summarize or
// worker is given it by --model or by the config, and before any store,
// credentials or call are needed.
func TestUnlistedModelIsBadInput(t *testing.T) {
	t.Parallel()
	const model = "bedrock:acme.nosuch-v1:0"
	const want = "model " + model + " is not in the catalogue (`ticketsum models` lists it): check the ID, or "
	cfg := tempConfig(t)
	inConfig := tempConfig(t)
	appendFile(t, inConfig, "model: "+model+"\n")
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{"models approve", "", []string{"models", "approve", "--config", cfg, model}},
		{"summarize --model", goodTicket, []string{"summarize", "--config", cfg, "--model", model, "-"}},
		{"summarize, model in the config", goodTicket, []string{"summarize", "--config", inConfig, "-"}},
		{"worker --until-idle --model", "", []string{"worker", "--until-idle", "--config", cfg, "--model", model}},
	} {
		r := run(t, context.Background(), tc.stdin, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 saying %q", tc.name, r.code, r.stderr, want)
		}
	}
}
