package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

// setAWSEnv points the standard AWS chain at the fake server, as a user
// would point it at any Bedrock-compatible endpoint.
func setAWSEnv(t *testing.T, srv *bedrocktest.Server) { setAWSEndpoint(t, srv.URL) }

// setUnreachableAWSEnv points the standard AWS chain at a loopback port
// nothing listens on: a Bedrock endpoint that is down.
func setUnreachableAWSEnv(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	setAWSEndpoint(t, closed)
}

// setAWSEndpoint sets the test credentials, us-east-1 and url as the
// endpoint, with no AWS config or credentials file.
func setAWSEndpoint(t *testing.T, url string) {
	t.Setenv("AWS_ACCESS_KEY_ID", bedrocktest.TestAccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", bedrocktest.TestSecretAccessKey)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL", url)
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
}

// TestSummarizeBedrockWithoutRegion: a machine with credentials but no AWS
// region is missing a setting, which is a runtime failure (exit 1, as for
// missing credentials), not bad input (exit 2), and the message names where
// a region can be set.
func TestSummarizeBedrockWithoutRegion(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": bedrocktest.TestAccessKeyID, "AWS_SECRET_ACCESS_KEY": bedrocktest.TestSecretAccessKey,
		"AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_PROFILE": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
	} {
		t.Setenv(k, v)
	}
	r := run(t, context.Background(), goodTicket, "summarize", "--config", tempConfig(t), "--model", "bedrock:amazon.nova-lite-v1:0")
	if r.code != exitFailure || !strings.Contains(r.stderr, "no AWS region") ||
		!strings.Contains(r.stderr, "AWS_REGION") || !strings.Contains(r.stderr, "aws.region") {
		t.Fatalf("exit %d, stderr %q; want exit 1 naming AWS_REGION and aws.region", r.code, r.stderr)
	}
}

// TestSummarizeBedrock runs `summarize --model bedrock:...` through the real
// SDK against the fake Bedrock: the summary is priced from the reported
// usage, and --api invoke uses the model family's native body.
func TestSummarizeBedrock(t *testing.T) {
	srv := loginFixedBedrock(t)
	cfg := tempConfig(t)
	const model = "bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0"
	r := run(t, context.Background(), goodTicket, "summarize", "--config", cfg, "--model", model)
	if r.code != exitFailure || !strings.Contains(r.stderr, "not approved") {
		t.Fatalf("a model nobody approved must be refused: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := run(t, context.Background(), "", "models", "approve", "--config", cfg, model); r.code != exitOK {
		t.Fatalf("models approve: %+v", r)
	}
	for _, api := range []string{"converse", "invoke"} {
		r := run(t, context.Background(), goodTicket, "summarize", "--config", cfg, "--json", "--api", api, "--model", model)
		if r.code != exitOK {
			t.Fatalf("%s: exit %d: %s", api, r.code, r.stderr)
		}
		var got summaryJSON
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("%s: %v: %s", api, err, r.stdout)
		}
		if got.Model != "bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0" || got.Status != "resolved" ||
			got.Usage.InputTokens == 0 || got.Usage.OutputTokens == 0 || got.CostUSD <= 0 ||
			!strings.HasPrefix(got.Summary, "The customer could not log in") {
			t.Fatalf("%s: summary = %+v", api, got)
		}
		// The model saw the ticket with its people masked, and the prompt's own
		// fencing was not mistaken for an attack.
		if !slices.Contains(got.Flags, "input:NAME:ANONYMIZED") || slices.ContainsFunc(got.Flags, func(f string) bool { return strings.Contains(f, "prompt_attack") }) {
			t.Fatalf("%s: flags = %v", api, got.Flags)
		}
	}
	if len(srv.Requests()) == 0 {
		t.Fatal("the fake recorded no requests")
	}
	for _, req := range srv.Requests() {
		for _, pii := range []string{"Ana", "Lima", "ana.lima@example.com", "Sam Reyes", "7946 0958"} {
			if strings.Contains(string(req.Body), pii) {
				t.Fatalf("%s request to the model contains %q", req.Op, pii)
			}
		}
	}
	if st := srv.Stats(); st.Ops[bedrocktest.OpConverse] == 0 || st.Ops[bedrocktest.OpInvokeModel] == 0 {
		t.Fatalf("calls by operation = %v, want converse and invoke", st.Ops)
	}
}

// TestSummarizeBedrockControlCharacters: a model whose answer holds NUL
// bytes, colour codes and a terminal title change (a garbage or hostile
// answer) does not get them onto the terminal or into the JSON summary;
// the summary keeps its words.
func TestSummarizeBedrockControlCharacters(t *testing.T) {
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{
		Responder: func(model, prompt string) string {
			return "The customer\x00 reported that the \x1b[31mcard reader\x1b[0m showed error E42.\x07 The agent asked for a restart of the reader.\x1b]0;pwned\x07 The customer confirmed the fix.\u202e\nSTATUS: resolved"
		},
	})
	setAWSEnv(t, srv)
	cfg := tempConfig(t)
	const model = "bedrock:amazon.nova-lite-v1:0"
	if r := run(t, context.Background(), "", "models", "approve", "--config", cfg, model); r.code != exitOK {
		t.Fatalf("models approve: %+v", r)
	}
	for _, asJSON := range []bool{false, true} {
		args := []string{"summarize", "--config", cfg, "--model", model}
		if asJSON {
			args = append(args, "--json")
		}
		r := run(t, context.Background(), goodTicket, args...)
		if r.code != exitOK || !strings.Contains(r.stdout, "The customer reported that the card reader showed error E42. The agent asked") {
			t.Fatalf("json %v: exit %d, stdout %q, stderr %q", asJSON, r.code, r.stdout, r.stderr)
		}
		if strings.ContainsAny(r.stdout, "\x00\x07\x1b\u202e") || strings.Contains(r.stdout, `\u0000`) ||
			strings.Contains(r.stdout, `\u001b`) || strings.Contains(r.stdout, "pwned") || strings.Contains(r.stdout, "[31m") {
			t.Errorf("json %v: control characters of the model's answer reached the output: %q", asJSON, r.stdout)
		}
	}
}

// TestWorkerRetryNamesReason: a worker whose Bedrock endpoint cannot be
// reached logs each retry with the reason (the endpoint it could not reach
// and the setting to check), not only the code "unavailable".
func TestWorkerRetryNamesReason(t *testing.T) {
	setUnreachableAWSEnv(t)
	cfg := tempConfig(t)
	const model = "bedrock:amazon.nova-lite-v1:0"
	appendFile(t, cfg, "model: "+model+"\n")
	if r := run(t, context.Background(), "", "models", "approve", "--config", cfg, model); r.code != exitOK {
		t.Fatalf("models approve: %+v", r)
	}
	if r := run(t, context.Background(), goodTicket, "import", "--config", cfg, "-"); r.code != exitOK {
		t.Fatalf("import: %+v", r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"worker", "--until-idle", "--config", cfg}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	}()
	// The first attempt fails at once; the retry waits for River's backoff,
	// so the worker is stopped once the retry is logged.
	for !strings.Contains(errb.String(), "will retry") {
		select {
		case code := <-done:
			t.Fatalf("worker ended (exit %d) before a retry: %s", code, errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	<-done
	for _, line := range strings.Split(errb.String(), "\n") {
		if strings.Contains(line, "will retry") && !strings.Contains(line, "reason=") || strings.Contains(line, "will retry") && !strings.Contains(line, "cannot reach Bedrock") {
			t.Fatalf("the retry's log line does not say why: %q", line)
		}
		// setUnreachableAWSEnv sets AWS_ENDPOINT_URL only: the line names
		// it, not the service's variable, which is not set.
		if strings.Contains(line, "will retry") && (!strings.Contains(line, "the endpoint set by AWS_ENDPOINT_URL:") || strings.Contains(line, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME")) {
			t.Fatalf("the retry's log line does not name the endpoint variable in effect: %q", line)
		}
	}
}

// TestSummarizeBedrockErrors checks that provider failures reach the user as
// one actionable line and exit 1.
func TestSummarizeBedrockErrors(t *testing.T) {
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{DeniedModels: []string{"anthropic.claude-3-5-sonnet-20241022-v2:0"}})
	setAWSEnv(t, srv)
	cfg := tempConfig(t)
	const model = "bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0"
	if r := run(t, context.Background(), "", "models", "approve", "--config", cfg, model); r.code != exitOK {
		t.Fatalf("models approve: %+v", r)
	}
	r := run(t, context.Background(), goodTicket, "summarize", "--config", cfg, "--model", model)
	if r.code != exitFailure || !strings.Contains(r.stderr, "model access") {
		t.Fatalf("denied model: exit %d, stderr %q", r.code, r.stderr)
	}
}

// tempConfig writes a config whose data directory (the store, the
// invocation log, the keys) is the temporary directory beside it, and
// returns its path.
func tempConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "ticketsum.yaml")
	body := fmt.Sprintf("data_dir: %s\n", dir)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestApproveUnlistedNeedsPrice: a Bedrock model the catalogue does not
// know yet (a new or custom ID) is approved once a catalogue file gives it
// a price, and is then summarised with and priced, while --allow-unlisted,
// which approved it with no price so that every call was refused ("cannot
// price model"), no longer approves it and names the catalogue file.
func TestApproveUnlistedNeedsPrice(t *testing.T) {
	loginFixedBedrock(t)
	cfg := tempConfig(t)
	const model = "bedrock:amazon.nova-next-v1:0" // a model newer than the catalogue
	r := run(t, context.Background(), "", "models", "approve", "--config", cfg, model, "--allow-unlisted")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--allow-unlisted no longer approves") ||
		!strings.Contains(r.stderr, "catalogue override file (catalogue: in the config") {
		t.Fatalf("approve --allow-unlisted of an unpriced model: %+v; want exit 2 naming the catalogue file", r)
	}
	if r := run(t, context.Background(), "", "models", "approved", "--json", "--config", cfg); strings.Contains(r.stdout, model) {
		t.Fatalf("a refused approval was recorded: %s", r.stdout)
	}
	prices := filepath.Join(filepath.Dir(cfg), "prices.yaml")
	entry := "models:\n  - name: " + model + "\n    family: nova\n    context_window: 300000\n    max_output: 5000\n" +
		"    input: 0.5\n    output: 2\n    effective: \"2026-12-01\"\n    source: \"our contract\"\n    verified: true\n"
	if err := os.WriteFile(prices, []byte(entry), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "catalogue: %s\n", prices)
	f.Close()
	if r := run(t, context.Background(), "", "models", "approve", "--config", cfg, model); r.code != exitOK {
		t.Fatalf("approve of a model the catalogue file prices: %+v", r)
	}
	r = run(t, context.Background(), goodTicket, "summarize", "--config", cfg, "--json", "--model", model)
	var got summaryJSON
	if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &got) != nil || got.CostUSD <= 0 || got.Status != "resolved" {
		t.Fatalf("summarize with the priced model: exit %d, stdout %s, stderr %s", r.code, r.stdout, r.stderr)
	}
}

// loginFixedBedrock starts a fake Bedrock answering every call with one
// resolved summary of a login problem, and points the AWS SDK at it.
func loginFixedBedrock(t *testing.T) *bedrocktest.Server {
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{
		Responder: func(model, prompt string) string {
			return "The customer could not log in because the password was rejected. The agent reset the password and sent a reset link. The customer confirmed the fix.\nSTATUS: resolved"
		},
	})
	setAWSEnv(t, srv)
	return srv
}
