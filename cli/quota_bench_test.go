package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

// BenchmarkWorkerQuotaBedrock drains 300 imported tickets (three batch
// jobs of 100) with `worker --until-idle` through the real Bedrock SDK
// client and the fake Bedrock server (1 s a call) with models.<name>.rpm
// at 600 and at 900, at the default worker settings, and reports the rate
// achieved over the quota's. It fails when a ticket fails. About 55 s.
func BenchmarkWorkerQuotaBedrock(b *testing.B) {
	for _, rpm := range []int{600, 900} {
		b.Run(fmt.Sprintf("rpm=%d", rpm), func(b *testing.B) { benchWorkerQuota(b, rpm) })
	}
}

func benchWorkerQuota(b *testing.B, rpm int) {
	const (
		model   = "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0"
		copies  = 6 // of the 50 sample tickets
		latency = time.Second
	)
	sample, err := os.ReadFile("../sample/tickets.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	var tickets strings.Builder
	for k := range copies {
		tickets.WriteString(strings.ReplaceAll(string(sample), `"id": "TS-`, fmt.Sprintf(`"id": "Q%d-TS-`, k)))
	}
	n := copies * strings.Count(string(sample), "\n")
	for range b.N {
		srv := bedrocktest.MustNewServer(b, bedrocktest.Config{
			Latency: latency,
			Responder: func(model, prompt string) string {
				return "The customer could not log in because the password was rejected. The agent reset the password.\nSTATUS: resolved"
			},
		})
		b.Setenv("AWS_ACCESS_KEY_ID", bedrocktest.TestAccessKeyID)
		b.Setenv("AWS_SECRET_ACCESS_KEY", bedrocktest.TestSecretAccessKey)
		b.Setenv("AWS_REGION", "us-east-1")
		b.Setenv("AWS_ENDPOINT_URL", srv.URL)
		b.Setenv("AWS_CONFIG_FILE", "/nonexistent")
		b.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
		dir := b.TempDir()
		cfg := filepath.Join(dir, "ticketsum.yaml")
		body := fmt.Sprintf("data_dir: %s\nmodel: %s\nmodels:\n  %q:\n    rpm: %d\n", filepath.Join(dir, "data"), model, model, rpm)
		file := filepath.Join(dir, "tickets.jsonl")
		if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(tickets.String()), 0o600); err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		if r := runB(b, ctx, "models", "approve", "--config", cfg, model); r.code != exitOK {
			b.Fatalf("models approve: %+v", r)
		}
		if r := runB(b, ctx, "import", "--config", cfg, file); r.code != exitOK {
			b.Fatalf("import: %+v", r)
		}
		start := time.Now()
		r := runB(b, ctx, "worker", "--until-idle", "--config", cfg)
		el := time.Since(start)
		if r.code != exitOK {
			b.Fatalf("worker: %+v", r)
		}
		m := regexp.MustCompile(`: (\d+) done, (\d+) failed`).FindStringSubmatch(r.stderr + r.stdout)
		if m == nil || m[1] != fmt.Sprint(n) || m[2] != "0" {
			b.Fatalf("want %d done and 0 failed, got %q", n, m)
		}
		rate := float64(n) / el.Seconds()
		b.ReportMetric(rate, "tickets/s")
		b.ReportMetric(rate/(float64(rpm)/60), "quota-used")
	}
}

// runB is run for a benchmark.
func runB(b *testing.B, ctx context.Context, args ...string) result {
	b.Helper()
	var out, errb syncBuffer
	code := Main(ctx, args, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	return result{code, out.String(), errb.String()}
}
