package eval_test

import (
	"context"
	"flag"
	"hash/fnv"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/bedrocktest"
	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/evalpage"
	"github.com/ticketsum/ticketsum/gateway"
	"github.com/ticketsum/ticketsum/internal/datasets"
	"github.com/ticketsum/ticketsum/prompt"
	"github.com/ticketsum/ticketsum/summarize"
)

// workedOut, when set, is a directory the worked example writes its table,
// JSON and HTML report into (docs/evaluation.md quotes them).
var workedOut = flag.String("worked-example-out", "", "write the worked example's reports to this directory")

// The three candidates of the worked example, as Bedrock model IDs.
const (
	wSonnet = "anthropic.claude-3-5-sonnet-20241022-v2:0"
	wHaiku  = "anthropic.claude-3-5-haiku-20241022-v1:0"
	wMicro  = "amazon.nova-micro-v1:0"
)

var (
	handleRE  = regexp.MustCompile(`@\w+|https?://\S+|\^\w+|#\w+`)
	messageRE = regexp.MustCompile(`(?m)^\[\d+\] (customer|agent)[^\n]*:\n`)
)

// firstSentence returns the first sentence of s, without handles and links.
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(handleRE.ReplaceAllString(s, "")), " ")
	if i := strings.IndexAny(s, ".!?"); i > 0 {
		s = s[:i+1]
	}
	return strings.TrimSpace(s)
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}

// workedResponder plays three models of different quality behind the fake
// Bedrock server. It reads the ticket the prompt carries and answers
// extractively: the "large" model well, the "small" one more briefly, the
// "micro" one by copying text verbatim, often too long and without a status,
// sometimes with an invented credit.
// A repair prompt (the responder sees only the last user turn, not the
// draft) gets a generic, compliant answer, except from the micro model.
func workedResponder(model, p string) string {
	if strings.HasPrefix(p, "Your answer broke these rules") {
		if strings.Contains(model, "nova-micro") {
			// The small model does not follow the repair instructions.
			return "Here is the corrected summary: the customer contacted support and the agent responded."
		}
		return "The customer contacted support about an issue and the agent responded with next steps.\nSTATUS: awaiting_support"
	}
	body, _, _ := strings.Cut(p, "</ticket>")
	if i := strings.Index(body, "<ticket>"); i >= 0 {
		body = body[i+len("<ticket>"):]
	}
	locs := messageRE.FindAllStringSubmatchIndex(body, -1)
	var roles, texts []string
	for i, l := range locs {
		end := len(body)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		roles = append(roles, body[l[2]:l[3]])
		texts = append(texts, strings.TrimSpace(body[l[1]:end]))
	}
	var cust, agentFirst, agentLast string
	for i, r := range roles {
		switch {
		case r == "customer" && cust == "":
			cust = texts[i]
		case r == "agent":
			if agentFirst == "" {
				agentFirst = texts[i]
			}
			agentLast = texts[i]
		}
	}
	status := ticketsum.StatusResolved
	if n := len(roles); n > 0 {
		last := strings.ToLower(texts[n-1])
		switch {
		case roles[n-1] == "agent" && strings.Contains(last, "?"):
			status = ticketsum.StatusAwaitingCustomer
		case roles[n-1] == "customer" && !strings.Contains(last, "thank"):
			status = ticketsum.StatusAwaitingSupport
		}
	}
	h := fnv.New32a()
	h.Write([]byte(p))
	roll := h.Sum32() % 10
	switch {
	case strings.Contains(model, "sonnet"):
		s := "Customer reports that " + firstSentence(cust) + " Agent " + firstSentence(agentFirst)
		if agentLast != agentFirst {
			s += " Agent later said: " + firstSentence(agentLast)
		}
		return firstWords(s, 58) + "\nSTATUS: " + string(status)
	case strings.Contains(model, "haiku"):
		s := "Customer says " + firstSentence(cust) + " Agent replied " + firstSentence(agentFirst)
		if roll == 0 {
			s = "Here is a summary: " + s
		}
		return firstWords(s, 45) + "\nSTATUS: " + string(status)
	default:
		s := handleRE.ReplaceAllString(cust+" "+agentLast, "")
		if roll == 4 {
			s += " A credit of 20 dollars was applied to the account." // invented
		}
		if roll < 3 {
			return s // no status line
		}
		return s + "\nSTATUS: resolved"
	}
}

func TestWorkedExampleThreeModels(t *testing.T) {
	t.Parallel()
	path := datasets.Path(t, "tweetsumm/tweetsumm_test.jsonl")
	ds, err := eval.LoadDataset(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Responder: workedResponder})
	awsCfg := srv.AWSConfig()
	ctx := context.Background()
	var providers []ticketsum.Model
	for _, id := range []string{wSonnet, wHaiku, wMicro} {
		m, err := bedrock.New(ctx, bedrock.Config{ModelID: id, AWS: &awsCfg})
		if err != nil {
			t.Fatal(err)
		}
		providers = append(providers, m)
	}
	gw, err := gateway.New(gateway.Config{}, providers...)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := prompt.Default()
	candidate := func(name, id string) eval.Candidate {
		return eval.Candidate{Name: name, Model: "bedrock:" + id, PromptVersion: tmpl.Version(),
			New: func() (ticketsum.Summarizer, error) {
				m, err := gw.Model("bedrock:" + id)
				if err != nil {
					return nil, err
				}
				return summarize.NewLLM(summarize.LLMConfig{Model: m, Prompt: tmpl, ContextWindow: 200_000})
			}}
	}
	bars, err := eval.ParseBars("rougeL>=22, format_compliance>=95, pii_leaks<=0, hallucination_rate<=5")
	if err != nil {
		t.Fatal(err)
	}
	r, err := eval.NewRunner(eval.Config{
		Candidates: []eval.Candidate{
			candidate("sonnet-3.5", wSonnet), candidate("haiku-3.5", wHaiku), candidate("nova-micro", wMicro),
		},
		Concurrency: 8,
		Bars:        bars,
		KeepItems:   true,
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.Run(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	store, err := eval.NewJSONLStore(filepath.Join(t.TempDir(), "eval-history.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SaveRun(ctx, eval.NewRun(rep, map[string]string{"concurrency": "8", "dataset": path})); err != nil {
		t.Fatal(err)
	}
	runs, err := store.ListRuns(ctx)
	if err != nil || len(runs) != 1 || runs[0].Cheapest != rep.Cheapest {
		t.Fatalf("history: %v runs, err %v", len(runs), err)
	}
	if *workedOut != "" {
		writeWorked(t, rep)
		f, err := os.Create(filepath.Join(*workedOut, "history.txt"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := eval.WriteHistory(f, runs); err != nil {
			t.Fatal(err)
		}
	}
	var table strings.Builder
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + table.String())
	for _, it := range rep.Items {
		if len(it.Unsupported) > 0 && testing.Verbose() {
			t.Logf("%s %s unsupported %v", it.Config, it.TicketID, it.Unsupported)
		}
	}
	if rep.Cheapest != "haiku-3.5" {
		t.Errorf("cheapest passing configuration = %q, want haiku-3.5\n%s", rep.Cheapest, table.String())
	}
	micro := metricsOf(t, rep, "nova-micro")
	if micro.PassesBars || micro.FormatCompliance >= 95 {
		t.Errorf("nova-micro should miss the format bar: %+v", micro)
	}
	for _, m := range rep.Configurations {
		if m.Errors != 0 || m.CostPerTicketUSD <= 0 || m.InputTokensPerTkt <= 0 {
			t.Errorf("%s: errors %d, cost %v, input tokens %v; want no errors and priced calls", m.Name, m.Errors, m.CostPerTicketUSD, m.InputTokensPerTkt)
		}
	}
}

func writeWorked(t *testing.T, rep *eval.Report) {
	t.Helper()
	if err := os.MkdirAll(*workedOut, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, write := range map[string]func(f *os.File) error{
		"table.txt":   func(f *os.File) error { return rep.WriteTable(f) },
		"report.json": func(f *os.File) error { return rep.WriteJSON(f) },
		"report.html": func(f *os.File) error {
			return evalpage.WriteStandalone(f, evalpage.RunData{Report: rep, Items: rep.Items})
		},
	} {
		f, err := os.Create(filepath.Join(*workedOut, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := write(f); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
