package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/eval"
)

const sonnetModel = "bedrock:anthropic.claude-sonnet-4-20250514-v1:0"

// TestPlanHTMLFlag writes `plan --html` and reads the page: the seed's
// figures, one line per priced surface, the current volume marked; the
// terminal table is still printed.
func TestPlanHTMLFlag(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "plan.html")
	r := run(t, context.Background(), "", "plan", "--html", path, "--tickets-per-week", "8000", "--input-tokens", "2000",
		"--output-tokens", "200", "--models", sonnetModel, "--history", "")
	if r.code != exitOK {
		t.Fatalf("plan --html: exit %d: %s", r.code, r.stderr)
	}
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!DOCTYPE html>", "$72 a week", `"name":"now: 8000 a week"`, `"name":"on-demand","showSymbol"`, `"name":"batch","showSymbol"`, "</html>"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("plan page lacks %q", want)
		}
	}
	if n := bytes.Count(page, []byte(`"showSymbol":`)); n != 5 {
		t.Errorf("page charts %d lines, want 5 (on-demand, batch, three SageMaker instance types)", n)
	}
	if !strings.Contains(r.stdout, "Recommendation: "+sonnetModel+" on on-demand") || !strings.Contains(r.stderr, "wrote "+path) {
		t.Errorf("stdout %q / stderr %q", r.stdout, r.stderr)
	}
}

func TestPlanHTMLBadPath(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing-dir", "plan.html")
	r := run(t, context.Background(), "", "plan", "--html", path, "--tickets-per-week", "8000", "--input-tokens", "2000",
		"--output-tokens", "200", "--models", sonnetModel, "--history", "")
	if r.code != exitUsage || !strings.Contains(r.stderr, "no such file") {
		t.Fatalf("plan --html into a missing directory: exit %d: %s", r.code, r.stderr)
	}
}

// MustEvalWiring returns a wiring with the default configuration, logging
// to log.
func MustEvalWiring(t *testing.T, log *bytes.Buffer) *wiring {
	t.Helper()
	cfg := defaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.resolve()
	w, err := newWiring(context.Background(), &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: log, getenv: func(string) string { return "" }}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// TestEvalReportHTMLPlan checks `eval --html` embeds the plan of the
// evaluated, priced models (Sonnet first as the cheapest passing
// configuration), and leaves it out with a logged reason when only the
// built-in summariser was evaluated.
func TestEvalReportHTMLPlan(t *testing.T) {
	t.Parallel()
	const haiku = "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0"
	for _, tc := range []struct {
		name     string
		configs  []eval.CellMetrics
		cheapest string
		want     []string
		plan     bool
	}{
		{"two models", []eval.CellMetrics{
			{Name: "builtin", Model: "builtin", Tickets: 10},
			{Name: "haiku v1", Model: haiku, Tickets: 10, InputTokensPerTkt: 1900, OutputTokensPerTkt: 150, CostPerTicketUSD: 0.00212},
			{Name: "sonnet <v1>", Model: sonnetModel, Tickets: 10, InputTokensPerTkt: 2100, OutputTokensPerTkt: 250, CostPerTicketUSD: 0.01005},
		}, "sonnet <v1>", []string{
			"Weekly cost against volume by surface: " + sonnetModel, "by evaluated configuration (measured cost a ticket)",
			`"name":"haiku v1"`, `"name":"sonnet \u003cv1\u003e"`, `"name":"builtin"`, `"name":"now: 8000 a week"`,
			"2000 input + 200 output tokens a ticket", "cheapest configuration meeting every bar: sonnet &lt;v1&gt;",
			"sonnet &lt;v1&gt;: $0.01005 a ticket, $80.40 a week at 8000 tickets",
		}, true},
		{"builtin only", []eval.CellMetrics{{Name: "builtin", Model: "builtin", Tickets: 10}}, "builtin", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var log bytes.Buffer
			w := MustEvalWiring(t, &log)
			rep := &eval.Report{Dataset: eval.DatasetInfo{Name: "sample", Tickets: 10}, TicketsPerWeek: 8000, Configurations: tc.configs, Cheapest: tc.cheapest}
			var page bytes.Buffer
			if err := w.evalReportHTML(rep)(&page); err != nil {
				t.Fatal(err)
			}
			s := page.String()
			if !strings.Contains(s, "Evaluation of") {
				t.Fatalf("not the eval report:\n%s", s)
			}
			at := strings.Index(s, `<section class="ticketsum-plan">`)
			if (at >= 0) != tc.plan {
				t.Fatalf("plan section present = %v, want %v; log: %s", at >= 0, tc.plan, log.String())
			}
			if !tc.plan {
				if !strings.Contains(log.String(), "without the deployment plan") {
					t.Errorf("no reason logged for the missing plan: %q", log.String())
				}
				return
			}
			if end := strings.Index(s, "</body>"); at > end {
				t.Errorf("plan section after </body>")
			}
			for _, want := range tc.want {
				if !strings.Contains(s[at:], want) {
					t.Errorf("plan section lacks %q", want)
				}
			}
		})
	}
}
