package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/bedrocktest"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

// The models of the README's journey: the worker's and one evaluated
// model, a cheaper evaluated model that leaves out the STATUS line, and
// the judge.
const (
	journeyModel   = "bedrock:amazon.nova-lite-v1:0"
	journeyNoStat  = "bedrock:amazon.nova-micro-v1:0"
	journeyJudge   = "bedrock:amazon.nova-pro-v1:0"
	journeyReadme  = "../README.md"
	journeyMarkerA = "<!-- journey: the commands TestJourney runs -->"
	journeyMarkerB = "<!-- end of journey -->"
)

// journeyCommands returns the command lines of the README's journey
// block, comments dropped.
func journeyCommands(t *testing.T) [][]string {
	t.Helper()
	data, err := os.ReadFile(journeyReadme)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	a, b := strings.Index(s, journeyMarkerA), strings.Index(s, journeyMarkerB)
	if a < 0 || b < a {
		t.Fatalf("README.md has no journey block between %q and %q", journeyMarkerA, journeyMarkerB)
	}
	var cmds [][]string
	for _, line := range strings.Split(s[a:b], "\n") {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, " #"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if !strings.HasPrefix(line, "ticketsum ") {
			continue
		}
		cmds = append(cmds, shellWords(t, strings.TrimPrefix(line, "ticketsum ")))
	}
	return cmds
}

// shellWords splits a command line as a shell would, for the quoting the
// README uses (double quotes, no escapes).
func shellWords(t *testing.T, line string) []string {
	var words []string
	var cur strings.Builder
	inQuote, inWord := false, false
	for _, r := range line {
		switch {
		case r == '"':
			inQuote, inWord = !inQuote, true
		case r == ' ' && !inQuote:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inQuote {
		t.Fatalf("unbalanced quotes in %q", line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// TestJourneyCommandsAreDocumented checks that the README's journey block
// has the steps the journey tests walk, in order, and that the docs show
// the same eval and review commands.
func TestJourneyCommandsAreDocumented(t *testing.T) {
	t.Parallel()
	var got []string
	for _, c := range journeyCommands(t) {
		got = append(got, strings.Join(c[:min(len(c), 2)], " "))
	}
	want := []string{"init --model", "import tickets.jsonl",
		"worker --until-idle", "eval --dataset", "review tasks", "serve", "plan", "review queue",
		"usage --by", "audit verify"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("README journey steps:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	readme, err := os.ReadFile(journeyReadme)
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{"../docs/evaluation.md", "../docs/review.md", "../docs/cost-and-planning.md"} {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range journeyCommands(t) {
			line := "ticketsum " + strings.Join(c, " ")
			if (c[0] == "eval" && doc == "../docs/evaluation.md" || c[0] == "review" && doc == "../docs/review.md" ||
				c[0] == "plan" && doc == "../docs/cost-and-planning.md") && !strings.Contains(string(data), quoteBars(line)) {
				t.Errorf("%s does not show the README's journey command %q", doc, quoteBars(line))
			}
		}
	}
	_ = readme
}

// quoteBars puts back the quotes of --bars as the docs write them.
func quoteBars(line string) string {
	return regexp.MustCompile(`--bars (\S+)`).ReplaceAllString(line, `--bars "$1"`)
}

// journeyResponder answers as the journey's models: summaries with a
// STATUS line (the fault injector strips it for journeyNoStat), and the
// judge's JSON scores, 5 for the fake models' summaries and 3 otherwise
// (so that the built-in model misses the journey's judge bar).
func journeyResponder(model, prompt string) string {
	if strings.Contains(prompt, "<summary>") {
		score := 3
		if strings.Contains(prompt, "The customer contacted support about a problem with") {
			score = 5
		}
		return fmt.Sprintf(`{"faithfulness": %d, "completeness": %d, "tone": 5, "toxic": false}`, score, score)
	}
	text := bedrocktest.DefaultResponder(model, prompt)
	status := "pending"
	if strings.HasSuffix(text, "The issue is resolved.") {
		status = "resolved"
	}
	return text + "\nSTATUS: " + status
}

// journeyStep is one command's run, printed at the end of the test.
type journeyStep struct {
	args   []string
	code   int
	stdout string
	stderr string
}

// walkJourney runs the README's journey on the store at db ("" for SQLite
// in the data directory) against the fake Bedrock with throttling and a
// model that leaves out the STATUS line.
func walkJourney(t *testing.T, db string) {
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{
		Responder: journeyResponder,
		Seed:      7,
		Faults: []bedrocktest.Fault{
			// Every seventh call throttled, six times: all in the worker's
			// 50 tickets, which snooze a throttled ticket. Eval would give
			// an item whose four attempts all fell on a seventh call more
			// rounds after pauses of 5 s and more (eval's own tests cover
			// that); the limit keeps this test from waiting them out.
			{Kind: bedrocktest.FaultThrottle, Model: strings.TrimPrefix(journeyModel, "bedrock:"), Every: 7, Limit: 6},
			{Kind: bedrocktest.FaultNoStatus, Model: strings.TrimPrefix(journeyNoStat, "bedrock:")},
		},
	})
	setAWSEnv(t, srv)
	dir := t.TempDir()
	// init writes the config; the test then adds what makes the journey
	// quick and its sample large enough to check.
	cfg := filepath.Join(dir, "ticketsum.yaml")
	initFlags := []string{"--data-dir", filepath.Join(dir, "ticketsum-data")}
	if db != "" {
		initFlags = append(initFlags, "--db", db)
	}
	testSettings := "server:\n  review_share: 0.2\nworker:\n  throttle_snooze: 100ms\n"
	sample, err := filepath.Abs("../sample/tickets.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var steps []journeyStep
	defer func() {
		if t.Failed() || testing.Verbose() {
			for _, s := range steps {
				t.Logf("$ ticketsum %s  (exit %d)\n%s%s", strings.Join(s.args, " "), s.code, s.stdout, s.stderr)
			}
		}
	}()
	ctx := context.Background()
	winner := ""
	for _, c := range journeyCommands(t) {
		args := make([]string, 0, len(c)+2)
		for _, a := range c {
			if a == "tickets.jsonl" || a == "labelled.jsonl" {
				a = sample
			}
			args = append(args, a)
		}
		args = append(args, "--config", cfg)
		if c[0] == "init" {
			args = append(args, initFlags...)
		}
		if c[0] == "serve" {
			steps = append(steps, rateOverHTTP(t, ctx, append(args, "--addr", "127.0.0.1:0")))
			continue
		}
		start := time.Now()
		r := run(t, ctx, "", args...)
		steps = append(steps, journeyStep{args: c, code: r.code, stdout: r.stdout, stderr: r.stderr})
		t.Logf("%s: exit %d in %s", strings.Join(c[:min(2, len(c))], " "), r.code, time.Since(start).Round(time.Millisecond))
		if r.code != exitOK {
			t.Fatalf("ticketsum %s: exit %d\n%s\n%s", strings.Join(c, " "), r.code, r.stdout, r.stderr)
		}
		winner = checkJourneyStep(t, c, r, winner)
		if c[0] == "init" {
			appendFile(t, cfg, testSettings)
		}
	}
	if st := srv.Stats(); st.Throttled == 0 || st.Faults <= st.Throttled {
		t.Errorf("the faults did not fire: %d throttled, %d faults in all", st.Throttled, st.Faults)
	}
}

// evalWinner finds the model eval recommends.
var evalWinner = regexp.MustCompile(`(?m)^recommended: (\S+)/\S+, the cheapest configuration`)

// checkJourneyStep checks what one step printed, given the model eval
// recommended so far, and returns it.
func checkJourneyStep(t *testing.T, c []string, r result, winner string) string {
	t.Helper()
	out := r.stdout + r.stderr
	want := map[string][]string{
		"import": {"50 queued for summary", "next: run a worker"},
		"worker": {"queue drained", "50 done, 0 failed"},
		"eval":   {"judge F/C/T", "5.0/5.0/5.0 (0 unscored)", "misses judge_faithfulness >= 4", "kept eval run"},
		"plan":   {"Recommendation: " + winner + " on ", "the latest eval run"},
		"usage":  {"eval ", "judge ", "worker"},
		"audit":  {"OK: no record was edited"},
		"init":   {"wrote ", "approved model bedrock:amazon.nova-micro-v1:0", "principal ticketsum-eval"},
	}[c[0]]
	if c[0] == "eval" {
		m := evalWinner.FindStringSubmatch(r.stdout)
		if m == nil || m[1] == "builtin" {
			t.Fatalf("eval must recommend an evaluated Bedrock model (the built-in one misses the judge bar):\n%s", r.stdout)
		}
		winner = m[1]
	}
	if c[0] == "review" && c[1] == "tasks" {
		want = []string{"created 20 rating tasks"}
	}
	if c[0] == "review" && c[1] == "queue" {
		var items []map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &items); err != nil {
			t.Fatalf("review queue --json: %v\n%s", err, r.stdout)
		}
		if len(items) == 0 {
			t.Fatalf("the review queue holds no production sample after the worker summarised 50 tickets")
		}
		for _, it := range items {
			if it["model"] != journeyModel || it["reason"] != "sampled" {
				t.Fatalf("review queue item %v: want a sampled summary by %s", it, journeyModel)
			}
		}
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("ticketsum %s: output lacks %q:\n%s", strings.Join(c, " "), w, out)
		}
	}
	return winner
}

// rateOverHTTP runs serve and rates every blind task through the review
// API as the product manager's browser would, then stops serve.
func rateOverHTTP(t *testing.T, ctx context.Context, args []string) journeyStep {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, args, strings.NewReader(""), io.Discard, &stderr, os.Getenv)
	}()
	addr := waitFor(t, &stderr, regexp.MustCompile(`serving on (http://\S+)`), done)
	page := waitForPage(t, addr+"/review/api/tasks", `"tasks"`, done)
	var list struct {
		Tasks []struct {
			ID         string `json:"id"`
			Method     string `json:"method"`
			Candidates []struct {
				Label string `json:"label"`
			} `json:"candidates"`
		} `json:"tasks"`
	}
	if err := json.Unmarshal([]byte(page), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Tasks) != 20 {
		t.Fatalf("serve lists %d rating tasks, want the 20 made from the eval run", len(list.Tasks))
	}
	for _, task := range list.Tasks {
		rating := map[string]any{"task_id": task.ID, "rater": "pm", "method": task.Method}
		var ratings []map[string]any
		if task.Method == "choice" {
			rating["chosen"] = task.Candidates[0].Label
			ratings = append(ratings, rating)
		} else {
			for _, c := range task.Candidates {
				ratings = append(ratings, map[string]any{"task_id": task.ID, "rater": "pm", "method": task.Method, "label": c.Label, "score": 4})
			}
		}
		body, _ := json.Marshal(map[string]any{"ratings": ratings})
		resp, err := http.Post(addr+"/review/api/tasks/"+task.ID+"/ratings", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("rate task %s: %d %s", task.ID, resp.StatusCode, b)
		}
	}
	report := waitForPage(t, addr+"/review/api/report", `"ratings"`, done)
	cancel()
	code := <-done
	if code != exitOK {
		t.Fatalf("serve exit %d: %s", code, stderr.String())
	}
	return journeyStep{args: []string{"serve", "(rated 20 tasks over HTTP)"}, code: code, stdout: truncateWords(report, 60) + "\n"}
}

// TestJourneySQLite walks the README's journey on SQLite.
func TestJourneySQLite(t *testing.T) {
	walkJourney(t, "")
}

// TestJourneyPostgres walks the README's journey on a fresh Postgres
// database (the store keeps its own schema, so a schema is not enough).
func TestJourneyPostgres(t *testing.T) {
	walkJourney(t, mustScaleDatabase(t, dbtest.PostgresURL(t)))
}

// appendFile adds text to the end of the file at path.
func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
