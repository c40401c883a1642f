package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const dialogs = `{"id":"d1","turns":[{"role":"customer","text":"My order has not arrived after two weeks."},{"role":"agent","text":"Sorry about that. I have reshipped the order with express delivery."},{"role":"customer","text":"Thanks, it arrived today."}],"summaries":["Customer's order did not arrive. Agent reshipped it with express delivery."]}
{"id":"d2","turns":[{"role":"customer","text":"The app crashes when I open settings."},{"role":"agent","text":"Please update to the latest version and try again."}],"summaries":["Customer says the app crashes on settings. Agent asks to update the app."]}
`

func TestEvalCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ds := writeFile(t, "dialogs.jsonl", dialogs)
	history := filepath.Join(dir, "history.jsonl")
	html := filepath.Join(dir, "report.html")
	r := run(t, context.Background(), "", "eval", "--dataset", ds, "--model", "builtin", "--json",
		"--cache", "", "--history", history, "--html", html)
	if r.code != exitOK {
		t.Fatalf("eval: exit %d: %s", r.code, r.stderr)
	}
	var rep struct {
		Configurations []map[string]any `json:"configurations"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("eval --json: %v\n%s", err, r.stdout)
	}
	if len(rep.Configurations) != 1 {
		t.Fatalf("configurations = %v", rep.Configurations)
	}
	for _, k := range []string{"rouge1", "rouge2", "rougeL", "cost_per_ticket_usd"} {
		v, ok := rep.Configurations[0][k].(float64)
		if !ok || v < 0 || v > 100 {
			t.Errorf("%s = %v", k, rep.Configurations[0][k])
		}
	}
	if b, err := os.ReadFile(html); err != nil || !strings.Contains(string(b), `class="ts-chart"`) || !strings.Contains(string(b), "echarts") {
		t.Fatalf("HTML report missing or without charts: %v", err)
	}
	// A bar no configuration meets fails the run, for CI.
	r = run(t, context.Background(), "", "eval", "--dataset", ds, "--cache", "", "--history", history, "--bars", "rougeL>=99")
	if r.code != exitFailure {
		t.Fatalf("missed bar: exit %d, want 1: %s", r.code, r.stderr)
	}
	r = run(t, context.Background(), "", "eval", "history", "--history", history)
	if r.code != exitOK || strings.Count(r.stdout, "builtin") < 2 {
		t.Fatalf("history must list both runs: %+v", r)
	}
	if r := run(t, context.Background(), "", "eval", "--dataset", ds, "--bars", "rougeQ>=1"); r.code != exitUsage || !strings.Contains(r.stderr, `--bars: unknown metric "rougeQ"`) {
		t.Fatalf("bad bar: exit %d: %s", r.code, r.stderr)
	}
	if r := run(t, context.Background(), "", "eval"); r.code != exitUsage || !strings.Contains(r.stderr, "--dataset") {
		t.Fatalf("no dataset: %+v", r)
	}
}
