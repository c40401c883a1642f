package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrockeval/bedrockevaltest"
	"github.com/ticketsum/ticketsum/eval"
)

// mustKeptRun keeps an eval run of two configurations over three tickets
// (each with the customer's email in the thread) in the store of the
// config at path, as eval does.
func mustKeptRun(t *testing.T, path string) *eval.Run {
	t.Helper()
	ctx := context.Background()
	l, err := readConfig(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg := l.cfg
	cfg.resolve()
	w, err := newWiring(ctx, &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	svc, _, err := w.evalReview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var tickets []*ticketsum.Ticket
	rep := &eval.Report{StartedAt: time.Date(2026, 11, 25, 9, 0, 39, 0, time.UTC), TicketsPerWeek: 8000}
	for i := range 3 {
		tickets = append(tickets, &ticketsum.Ticket{ID: fmt.Sprintf("T-%d", i), Subject: "Printer jam", ProductLine: "printers",
			References: []string{"The customer's printer jammed; the agent had the rollers cleaned."},
			Messages: []ticketsum.Message{{Role: ticketsum.RoleCustomer, Body: "My printer jams. Write to ana.lima@example.com please."},
				{Role: ticketsum.RoleAgent, Body: "Clean the rollers and it will stop."}}})
	}
	ds := eval.NewDataset("printers.jsonl", tickets)
	rep.Dataset = eval.DatasetInfo{Name: ds.Name, Hash: ds.Hash, Tickets: 3}
	for _, c := range []string{"bedrock:haiku/default-v2", "builtin"} {
		rep.Configurations = append(rep.Configurations, eval.CellMetrics{Name: c, Model: c, Tickets: 3, Verdict: "pass", PassesBars: true})
		for _, tk := range tickets {
			rep.Items = append(rep.Items, eval.Item{Config: c, TicketID: tk.ID, Summary: "The customer's printer jammed; cleaning the rollers fixed it.", Status: ticketsum.StatusResolved})
		}
	}
	run, err := svc.SaveEvalRun(ctx, rep, ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// TestEvalBedrockInterop walks eval export, submit and import against an
// in-process Bedrock control plane and an S3 double, through the real SDK
// clients configured by the standard AWS environment.
func TestEvalBedrockInterop(t *testing.T) {
	ctx := context.Background()
	cp := bedrockevaltest.New()
	t.Cleanup(cp.Close)
	s3srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(s3srv.Close)
	sc := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(s3srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("ticketsum-logs")}); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_BEDROCK": cp.URL, "AWS_ENDPOINT_URL_S3": s3srv.URL, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
	} {
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	noRole := filepath.Join(dir, "no-role.yaml")
	cfg := filepath.Join(dir, "ticketsum.yaml")
	base := fmt.Sprintf("data_dir: %s\ngovernance:\n  s3_bucket: ticketsum-logs\n", filepath.Join(dir, "data"))
	if err := os.WriteFile(noRole, []byte(base), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(base+"aws:\n  evaluation:\n    role_arn: arn:aws:iam::123456789012:role/BedrockEval\n    judge_model: anthropic.claude-3-5-sonnet-20240620-v1:0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := mustKeptRun(t, cfg)

	// Export: one dataset per configuration, in Bedrock's format, redacted.
	out := filepath.Join(dir, "export")
	r := runCmd(t, "eval", "export", "--format", "bedrock", "latest", "--out", out, "--config", cfg)
	if r.code != exitOK || strings.Count(r.stdout, "3 prompts") != 2 {
		t.Fatalf("export: %+v", r)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.jsonl"))
	if len(files) != 2 {
		t.Fatalf("export wrote %v, want 2 files", files)
	}
	for _, f := range files {
		checkBedrockDataset(t, f)
	}
	if r := runCmd(t, "eval", "export", "--format", "csv", "--config", cfg); r.code != exitUsage || !strings.Contains(r.stderr, "--format: want bedrock") {
		t.Errorf("export --format csv: %+v", r)
	}
	if r := runCmd(t, "eval", "export", "--format", "bedrock", "nosuch", "--config", cfg); r.code != exitFailure || !strings.Contains(r.stderr, `no eval run "nosuch"`) {
		t.Errorf("export of an unknown run: %+v", r)
	}

	// Submit: refused without the role, naming the key; then one job per dataset.
	if r := runCmd(t, "eval", "submit", "latest", "--config", cfg); r.code != exitUsage || !strings.Contains(r.stderr, "--bedrock") {
		t.Errorf("submit without --bedrock: %+v", r)
	}
	if r := runCmd(t, "eval", "submit", "--bedrock", "--config", noRole); r.code == exitOK || !strings.Contains(r.stderr, "aws.evaluation.role_arn") {
		t.Errorf("submit without a role: %+v", r)
	}
	r = runCmd(t, "eval", "submit", "--bedrock", run.ID, "--config", cfg)
	if r.code != exitOK || len(cp.Requests()) != 2 || !strings.Contains(r.stderr, "ticketsum eval import --bedrock arn:aws:bedrock:") {
		t.Fatalf("submit: %+v (%d jobs created)", r, len(cp.Requests()))
	}
	var arns []string
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 4 || !strings.HasPrefix(f[2], "s3://ticketsum-logs/bedrock-evaluations/"+run.ID+"/") {
			t.Fatalf("submit line %q, want name, ARN, dataset in the log bucket, configurations", line)
		}
		arns = append(arns, f[1])
	}
	if req := cp.Requests()[0]; req["roleArn"] != "arn:aws:iam::123456789012:role/BedrockEval" {
		t.Errorf("job request %v", req)
	}

	// Import: refused while running; kept once Completed; refused twice.
	if r := runCmd(t, "eval", "import", "--bedrock", arns[0], "--config", cfg); r.code != exitFailure || !strings.Contains(r.stderr, "InProgress") {
		t.Errorf("import of a running job: %+v", r)
	}
	score := func(metric string, _ map[string]any, resp string) float64 { return 0.75 }
	if st, err := cp.Complete(ctx, sc, arns[0], score); err != nil || st != "Completed" {
		t.Fatalf("complete: %s %v", st, err)
	}
	r = runCmd(t, "eval", "import", "--bedrock", arns[0], "--config", cfg)
	if r.code != exitOK || !strings.Contains(r.stdout, "Correctness 0.75") || !strings.Contains(r.stderr, "kept as eval run bedrock-ts-") {
		t.Fatalf("import: %+v", r)
	}
	if r := runCmd(t, "eval", "import", "--bedrock", arns[0], "--config", cfg); r.code != exitFailure || !strings.Contains(r.stderr, "imported already") {
		t.Errorf("second import: %+v", r)
	}
}

// runCmd runs the command tree with the process environment (the AWS
// SDK reads it) and no stdin.
func runCmd(t *testing.T, args ...string) result {
	t.Helper()
	return run(t, context.Background(), "", args...)
}

// checkBedrockDataset checks a prompt dataset against Bedrock's format:
// private file, one JSON object a line with prompt, referenceResponse,
// category and one modelResponses entry, and no email left in the prompt.
func checkBedrockDataset(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %v (%v), want 0600", path, st.Mode().Perm(), err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	lines := 0
	for sc.Scan() {
		lines++
		var rec struct {
			Prompt            string `json:"prompt"`
			ReferenceResponse string `json:"referenceResponse"`
			Category          string `json:"category"`
			ModelResponses    []struct {
				Response        string `json:"response"`
				ModelIdentifier string `json:"modelIdentifier"`
			} `json:"modelResponses"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("%s line %d: %v", path, lines, err)
		}
		if rec.Prompt == "" || rec.ReferenceResponse == "" || rec.Category != "printers" || len(rec.ModelResponses) != 1 ||
			rec.ModelResponses[0].Response == "" || rec.ModelResponses[0].ModelIdentifier == "" {
			t.Errorf("%s line %d: %+v", path, lines, rec)
		}
		if strings.Contains(rec.Prompt, "ana.lima@example.com") {
			t.Errorf("%s line %d: the customer's email left the process: %q", path, lines, rec.Prompt)
		}
	}
	if lines != 3 {
		t.Errorf("%s: %d lines, want 3", path, lines)
	}
}
