package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/bedrocktest"
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
		"--cache", "", "--history", history, "--html", html, "--data-dir", dir)
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
	r = run(t, context.Background(), "", "eval", "--dataset", ds, "--cache", "", "--history", history, "--bars", "rougeL>=99", "--data-dir", t.TempDir())
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

// TestEvalRefusesWhatItCannotRun: an empty model list, an unknown prompt
// version or model is a usage error before any call, never an empty table.
func TestEvalRefusesWhatItCannotRun(t *testing.T) {
	t.Parallel()
	ds := goodDataset(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"empty models", []string{"--models", ""}, "--models: give at least one model"},
		{"blank models", []string{"--models", " , "}, "--models: give at least one model"},
		{"unknown prompt", []string{"--prompts", "nosuch"}, `--prompts: unknown prompt version "nosuch"`},
		{"unknown model", []string{"--models", "nosuch"}, `unknown model "nosuch"`},
		{"builtin judge", []string{"--judge", "builtin"}, "--judge: want a model"},
		{"unlisted model", []string{"--models", "builtin,bedrock:acme.nosuch-v1:0"}, "model bedrock:acme.nosuch-v1:0 is not in the catalogue (`ticketsum models` lists it): check the ID"},
		{"unlisted judge", []string{"--judge", "bedrock:acme.nosuch-v1:0"}, "model bedrock:acme.nosuch-v1:0 is not in the catalogue"},
	} {
		args := append([]string{"eval", "--dataset", ds, "--data-dir", t.TempDir()}, tc.args...)
		r := run(t, context.Background(), "", args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stdout, "configuration") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 saying %q", tc.name, r.code, r.stdout, r.stderr, tc.want)
		}
	}
}

// TestEvalErrorsExit1: a configuration whose calls fail is reported with
// the reason, never named cheapest, and fails the run unless
// --allow-errors; its calls act as the eval principal.
func TestEvalErrorsExit1(t *testing.T) {
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{
		Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultAccessDenied, Model: "amazon.nova-micro-v1:0"}},
	})
	const denied = "bedrock:amazon.nova-micro-v1:0"
	cfg, ds := evalAgainst(t, srv, denied)
	args := []string{"eval", "--config", cfg, "--dataset", ds, "--models", "builtin," + denied, "--cache", "off"}
	r := run(t, context.Background(), "", args...)
	if r.code != exitFailure || !strings.Contains(r.stdout, "could not be evaluated") ||
		!strings.Contains(r.stdout, "recommended: builtin/") || !strings.Contains(r.stdout, "forbidden") {
		t.Fatalf("eval with a failing configuration: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, context.Background(), "", append(args, "--allow-errors")...)
	if r.code != exitOK {
		t.Fatalf("--allow-errors: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, context.Background(), "", "usage", "--by", "principal", "--config", cfg)
	if !strings.Contains(r.stdout, "eval ") || strings.Contains(r.stdout, "worker") {
		t.Fatalf("eval's calls must be the eval principal's:\n%s", r.stdout)
	}
}

// TestEvalRobustnessSaysItsCostFirst: --robustness prints the calls and
// cost it adds before the run, and the report has the robustness columns.
func TestEvalRobustnessSaysItsCostFirst(t *testing.T) {
	t.Parallel()
	ds := goodDataset(t)
	r := run(t, context.Background(), "", "eval", "--dataset", ds, "--data-dir", t.TempDir(), "--robustness", "--json")
	if r.code != exitOK {
		t.Fatalf("eval --robustness: exit %d\n%s", r.code, r.stderr)
	}
	plan := strings.Index(r.stderr, "robustness: this adds 5 x 1 calls per configuration")
	progress := strings.Index(r.stderr, "eval: ")
	if plan < 0 || !strings.Contains(r.stderr, "about $0.00") || (progress >= 0 && progress < plan) {
		t.Fatalf("the robustness plan must come first, with its cost:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, `"robust_status_agreement"`) {
		t.Fatalf("no robustness figures in the report:\n%s", r.stdout)
	}
}

// TestImportProgress: on a terminal the count is redrawn in place and
// ended with a newline; in a log, plain lines.
func TestImportProgress(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var tty strings.Builder
	p := newImportProgress(&tty, clock, true)
	now = now.Add(time.Second)
	p.update(importResult{queued: 90, unchanged: 10})
	p.finish()
	if got := tty.String(); !strings.HasPrefix(got, "\rimport: 100 tickets read  100/s  90 queued  10 unchanged  0 bad") || !strings.HasSuffix(got, "\n") {
		t.Fatalf("terminal progress = %q", got)
	}
	var log strings.Builder
	p = newImportProgress(&log, clock, false)
	now = now.Add(time.Second)
	p.update(importResult{queued: 1})
	now = now.Add(progressEvery)
	p.update(importResult{queued: 2})
	p.finish()
	if got := log.String(); strings.Count(got, "\n") != 1 || strings.Contains(got, "\r") || !strings.Contains(got, "2 queued") {
		t.Fatalf("log progress = %q", got)
	}
}

// TestEvalJudgeBarUnmeasured: a judge that answers without scores (prose,
// as a chat model may) leaves every summary unscored. A bar on a judge
// score was then "n/a (needs a judge (--judge))" although --judge was
// given, the configuration passed and was recommended; now the bar is
// missed as not measured, nothing is recommended and eval exits 1, with
// the judge's reason.
func TestEvalJudgeBarUnmeasured(t *testing.T) {
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Responder: func(model, prompt string) string {
		if strings.Contains(prompt, "<summary>") {
			return "This summary looks faithful and complete to me."
		}
		return bedrocktest.DefaultResponder(model, prompt) + "\nSTATUS: resolved"
	}})
	const judge = "bedrock:amazon.nova-pro-v1:0"
	cfg, ds := evalAgainst(t, srv, judge)
	r := run(t, context.Background(), "", "eval", "--config", cfg, "--dataset", ds, "--models", "builtin", "--judge", judge,
		"--bars", "judge_faithfulness>=4", "--cache", "off")
	if r.code != exitFailure || strings.Contains(r.stdout, "recommended:") {
		t.Fatalf("a judge bar nothing measured must not pass: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"misses judge_faithfulness >= 4 (not measured: the judge scored none of the 1 summaries)",
		"the judge left 1 items unscored: 1 x judge answer has no valid 1-5 score"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the report lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "needs a judge") {
		t.Errorf("the report asks for the --judge it was given:\n%s", r.stdout)
	}
}

// TestEvalDatasetTicketLimit: eval reads a dataset ticket up to
// max_ticket_bytes, as summarize does, instead of a fixed 1 MiB: a 1.5 MiB
// ticket is skipped by default with a line naming the settings that raise
// the limit, and evaluated under --max-ticket-bytes 4194304.
func TestEvalDatasetTicketLimit(t *testing.T) {
	t.Parallel()
	big := `{"id":"T-big","subject":"Export fails","messages":[{"role":"customer","body":"My export fails with a permissions error. ` +
		strings.Repeat("The export of the monthly report stops at the permissions step again. ", 23000) +
		`"},{"role":"agent","body":"I fixed your role; the export works now."}]}`
	ds := writeFile(t, "ds.jsonl", strings.ReplaceAll(goodTicket, "\n", "")+"\n"+big+"\n")
	args := []string{"eval", "--dataset", ds, "--model", "builtin", "--cache", "off", "--history", "off", "--data-dir", t.TempDir()}
	r := run(t, context.Background(), "", args...)
	want := "over the limit of 1048576 bytes: raise the limit with --max-ticket-bytes BYTES, TICKETSUM_MAX_TICKET_BYTES or max_ticket_bytes"
	if r.code != exitOK || !strings.Contains(r.stderr, "skipped: ") || !strings.Contains(r.stderr, want) {
		t.Fatalf("a 1.5 MiB ticket under the default limit: exit %d, stderr %q; want it skipped, naming %q", r.code, r.stderr, want)
	}
	r = run(t, context.Background(), "", append(args, "--max-ticket-bytes", "4194304")...)
	if r.code != exitOK || strings.Contains(r.stderr, "skipped") {
		t.Fatalf("under --max-ticket-bytes 4194304: exit %d, stderr %q; want both tickets evaluated", r.code, r.stderr)
	}
}

// goodDataset writes a dataset of goodTicket alone and returns its path.
func goodDataset(t *testing.T) string {
	return writeFile(t, "ds.jsonl", strings.ReplaceAll(goodTicket, "\n", "")+"\n")
}

// evalAgainst points Bedrock at srv, approves model in a fresh config and
// returns the config's path and goodDataset's.
func evalAgainst(t *testing.T, srv *bedrocktest.Server, model string) (cfg, ds string) {
	t.Helper()
	setAWSEnv(t, srv)
	cfg = tempConfig(t)
	if r := run(t, context.Background(), "", "models", "approve", "--config", cfg, model); r.code != exitOK {
		t.Fatalf("models approve %s: %+v", model, r)
	}
	return cfg, goodDataset(t)
}
