package bedrockeval_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrockeval"
	"github.com/ticketsum/ticketsum/bedrockeval/bedrockevaltest"
	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/review"
)

// fakes starts the control-plane fake and an S3 fake with a bucket, and
// returns real SDK clients pointed at them.
func fakes(tb testing.TB) (*bedrockevaltest.Server, *bedrock.Client, *s3.Client) {
	tb.Helper()
	creds := credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")
	cp := bedrockevaltest.New()
	tb.Cleanup(cp.Close)
	br := bedrock.New(bedrock.Options{Region: "us-east-1", BaseEndpoint: aws.String(cp.URL), Credentials: creds})
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	tb.Cleanup(srv.Close)
	sc := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true, Credentials: creds})
	if _, err := sc.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("evals")}); err != nil {
		tb.Fatal(err)
	}
	return cp, br, sc
}

// datasets exports a run of two configurations over n tickets.
func datasets(tb testing.TB, n int, human bool) (*eval.Run, []review.BedrockDataset) {
	tb.Helper()
	run := &eval.Run{ID: "20261125T090000Z-ab12cd34", StartedAt: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	cfg := review.BedrockExportConfig{Run: run, Tickets: map[string]*ticketsum.Ticket{}, Human: human,
		Redact: func(_ context.Context, _ *ticketsum.Ticket, s string) (string, error) { return s, nil },
		Check:  func(context.Context, *ticketsum.Ticket, string) ([]string, error) { return nil, nil }}
	for i := range n {
		id := fmt.Sprintf("T-%d", i)
		cfg.Tickets[id] = &ticketsum.Ticket{ID: id, ProductLine: "printers", References: []string{"A jam was fixed."},
			Messages: []ticketsum.Message{{Role: ticketsum.RoleCustomer, Body: "My printer jams."}}}
		cfg.Items = append(cfg.Items,
			eval.Item{Config: "bedrock:haiku/default-v1", TicketID: id, Summary: "The printer jam was fixed by cleaning the rollers."},
			eval.Item{Config: "nova", TicketID: id, Summary: "Jam."})
	}
	out, err := review.ExportBedrock(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return run, out.Datasets
}

func TestSubmitAndImportJudgeJobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cp, br, sc := fakes(t)
	c, err := bedrockeval.New(bedrockeval.Config{Bedrock: br, S3: sc, Bucket: "evals", RoleARN: "arn:aws:iam::123456789012:role/BedrockEval", JudgeModel: "anthropic.claude-3-5-sonnet-20240620-v1:0"})
	if err != nil {
		t.Fatal(err)
	}
	run, ds := datasets(t, 1001, false)
	jobs, err := c.Submit(ctx, run, ds, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 4 || jobs[0].Name != "ts-20261125t090000z-ab12cd34-1" || !strings.HasPrefix(jobs[0].ARN, "arn:aws:bedrock:") {
		t.Fatalf("jobs %+v, want one per configuration and part (2 x 2) with valid names", jobs)
	}
	req := cp.Requests()[0]
	auto := req["evaluationConfig"].(map[string]any)["automated"].(map[string]any)
	judge := auto["evaluatorModelConfig"].(map[string]any)["bedrockEvaluatorModels"].([]any)[0].(map[string]any)["modelIdentifier"]
	if judge != "anthropic.claude-3-5-sonnet-20240620-v1:0" || req["roleArn"] != "arn:aws:iam::123456789012:role/BedrockEval" ||
		auto["datasetMetricConfigs"].([]any)[0].(map[string]any)["taskType"] != "Summarization" {
		t.Errorf("request %v", req)
	}
	if _, err := c.Import(ctx, jobs[0].ARN); ticketsum.ErrorCodeOf(err) != ticketsum.ECONFLICT || !strings.Contains(err.Error(), "InProgress") {
		t.Errorf("import of a running job: %v, want conflict saying it is InProgress", err)
	}
	score := func(metric string, _ map[string]any, resp string) float64 {
		if len(resp) > 10 {
			return 1
		}
		return 0.5
	}
	for _, j := range jobs {
		if st, err := cp.Complete(ctx, sc, j.ARN, score); err != nil || st != "Completed" {
			t.Fatalf("complete %s: %s %v (the fake checks the dataset as Bedrock does)", j.Name, st, err)
		}
	}
	got, err := c.Import(ctx, jobs[0].ARN)
	if err != nil {
		t.Fatal(err)
	}
	m := got.Configurations[0]
	if got.ID != "bedrock-"+jobs[0].Name || got.Judge != "anthropic.claude-3-5-sonnet-20240620-v1:0" || m.Name != "bedrock_haiku_default-v1" ||
		m.Tickets != 1000 || m.External["Builtin.Correctness"] != 1 || len(m.External) != len(bedrockeval.DefaultJudgeMetrics) {
		t.Errorf("imported run %+v, configuration %+v", got, m)
	}
	nova, err := c.Import(ctx, jobs[3].ARN)
	if err != nil || nova.Configurations[0].Name != "nova" || nova.Configurations[0].Tickets != 1 || nova.Configurations[0].External["Builtin.Faithfulness"] != 0.5 {
		t.Errorf("second part of nova: %+v %v", nova, err)
	}
	var hist strings.Builder
	if err := eval.WriteHistory(&hist, []*eval.Run{got}); err != nil || !strings.Contains(hist.String(), "Correctness 1.00") {
		t.Errorf("history %q %v, want the imported scores", hist.String(), err)
	}
	if _, err := c.Import(ctx, "arn:aws:bedrock:us-east-1:123456789012:evaluation-job/nosuch"); err == nil {
		t.Error("import of an unknown job succeeded")
	}
}

func TestSubmitHumanJobAndRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cp, br, sc := fakes(t)
	base := bedrockeval.Config{Bedrock: br, S3: sc, Bucket: "evals", RoleARN: "arn:aws:iam::123456789012:role/BedrockEval"}
	if _, err := bedrockeval.New(bedrockeval.Config{Bedrock: br, S3: sc, Bucket: "evals"}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), "role_arn") {
		t.Errorf("no role: %v, want invalid naming the config key", err)
	}
	c, err := bedrockeval.New(base)
	if err != nil {
		t.Fatal(err)
	}
	run, ds := datasets(t, 3, true)
	if _, err := c.Submit(ctx, run, ds, true); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), "flow_definition_arn") {
		t.Errorf("human job without a work team: %v", err)
	}
	if _, err := c.Submit(ctx, run, ds, false); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), "--judge") {
		t.Errorf("judge job without a judge: %v", err)
	}
	base.FlowDefinitionARN = "arn:aws:sagemaker:us-east-1:123456789012:flow-definition/support-reviewers"
	c, _ = bedrockeval.New(base)
	jobs, err := c.Submit(ctx, run, ds, true)
	if err != nil || len(jobs) != 1 || len(jobs[0].Configs) != 2 {
		t.Fatalf("human jobs %+v, %v; want one comparing the pair", jobs, err)
	}
	human := cp.Requests()[0]["evaluationConfig"].(map[string]any)["human"].(map[string]any)
	if len(cp.Requests()[0]["inferenceConfig"].(map[string]any)["models"].([]any)) != 2 || human["humanWorkflowConfig"].(map[string]any)["flowDefinitionArn"] != base.FlowDefinitionARN {
		t.Errorf("human request %v", cp.Requests()[0])
	}
	if _, err := c.Import(ctx, jobs[0].ARN); err == nil {
		t.Error("importing a running human job succeeded")
	}
	// Submitting the same run again: Bedrock refuses the duplicate job name.
	if _, err := c.Submit(ctx, run, ds, true); ticketsum.ErrorCodeOf(err) != ticketsum.ECONFLICT || !strings.Contains(err.Error(), "already exists (ConflictException") ||
		strings.Contains(err.Error(), "an evaluation job named") {
		t.Errorf("duplicate job: %v, want Bedrock's conflict passed on by its code, without Bedrock's text", err)
	}
}

// TestAWSErrorTextWithheld: an S3 or Bedrock error's own text can quote
// the request, and it reached the error (and so the CLI's output and
// logs) through %w. Now only what identifies it (the AWS error code and
// request id) is named, with a code and a fix that follow from it.
func TestAWSErrorTextWithheld(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, br, _ := fakes(t)
	denied := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("x-amz-request-id", "REQ123")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access denied for jane.doe@example.org</Message><RequestId>REQ123</RequestId></Error>`)
	}))
	defer denied.Close()
	sc := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(denied.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""), RetryMaxAttempts: 1})
	c, err := bedrockeval.New(bedrockeval.Config{Bedrock: br, S3: sc, Bucket: "evals", RoleARN: "arn:aws:iam::123456789012:role/BedrockEval", JudgeModel: "anthropic.claude-3-5-sonnet-20240620-v1:0"})
	if err != nil {
		t.Fatal(err)
	}
	run, ds := datasets(t, 2, false)
	_, err = c.Submit(ctx, run, ds, false)
	if ticketsum.ErrorCodeOf(err) != ticketsum.EFORBIDDEN || strings.Contains(err.Error(), "jane.doe") || !strings.Contains(err.Error(), "AccessDenied") ||
		!strings.Contains(err.Error(), "request id REQ123") {
		t.Fatalf("upload refused: %v (%s); want forbidden naming AccessDenied and the request id, without S3's text", err, ticketsum.ErrorCodeOf(err))
	}
}
