package cli

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

// echoedPII is what a provider's error text echoes back of a request in
// these tests: an e-mail address and a name that are in no ticket, so that
// finding either anywhere can only come from the provider's error.
var echoedPII = []string{"jane.doe@example.org", "Jane Doe"}

// echoingMessage is a provider's error message quoting the request.
const echoingMessage = `Malformed input request: message from Jane Doe <jane.doe@example.org> could not be parsed`

// TestWorkerWithholdsBedrockErrorText: a Bedrock ValidationException whose
// message quotes the request used to become part of the ticket's failure
// reason (ticketsum.Errorf copied the SDK error's text into the coded
// message), so the e-mail address and the name it held were written to the
// failure record, River's job errors, the worker's log and `failures list`.
// The reason now says what Bedrock's error was only by its code and request
// id, and names the settings a generic ValidationException usually comes
// from (the model ID, models.<name>.max_tokens, an inference profile) and
// the command to run once they are fixed; it named none before.
func TestWorkerWithholdsBedrockErrorText(t *testing.T) {
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Faults: []bedrocktest.Fault{
		{Kind: bedrocktest.FaultValidation, Message: echoingMessage},
	}})
	setAWSEnv(t, srv)
	cfg, data := initWithTicket(t, "", "")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w := run(t, ctx, "", "worker", "--until-idle", "--config", cfg)
	if !strings.Contains(w.stdout, "0 done, 1 failed") {
		t.Fatalf("the ticket was not failed: %+v", w)
	}
	l := run(t, context.Background(), "", "failures", "list", "--config", cfg)
	mustNotEcho(t, data, w, l)
	if l.code != exitOK {
		t.Fatalf("failures list: %+v", l)
	}
	for _, want := range []string{"T-1", "Bedrock rejected the request", "check the model's settings", "ValidationException", "request id fa4e0000-",
		"the model ID", "models.<name>.max_tokens", "inference profile such as bedrock:us.amazon.nova-lite-v1:0", "ticketsum failures retry --all --class config"} {
		if !strings.Contains(l.stdout, want) {
			t.Errorf("failures list lacks %q: %q", want, l.stdout)
		}
	}
}

// TestWorkerWithholdsSageMakerErrorText: a SageMaker ModelError carries the
// model container's own message, which can echo anything of the request.
// It used to be part of the reason the retry log, River's job errors, the
// until-idle line and `failures list --waiting` show; now only the
// endpoint, the error code ModelError and the request id are named, with
// the advice to retry.
func TestWorkerWithholdsSageMakerErrorText(t *testing.T) {
	const model = "sagemaker:summary-endpoint"
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Faults: []bedrocktest.Fault{
		{Kind: bedrocktest.FaultModelError, Message: "Received server error (500) from primary with message \"" + echoingMessage + "\"."},
	}})
	setAWSEnv(t, srv)
	dir := t.TempDir()
	cfg, data := filepath.Join(dir, "ticketsum.yaml"), filepath.Join(dir, "data")
	if r := run(t, context.Background(), "", "init", "--config", cfg, "--data-dir", data, "--model", model); r.code != exitOK {
		t.Fatalf("init: %+v", r)
	}
	if r := run(t, context.Background(), goodTicket, "import", "--config", cfg, "-"); r.code != exitOK {
		t.Fatalf("import: %+v", r)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w := run(t, ctx, "", "worker", "--until-idle", "--config", cfg)
	if w.code != exitFailure || !strings.Contains(w.stderr, "waiting to retry") {
		t.Fatalf("want the ticket waiting to retry: exit %d, stderr %q", w.code, w.stderr)
	}
	for _, want := range []string{"the model on endpoint summary-endpoint failed", "retry later", "ModelError"} {
		if !strings.Contains(w.stderr, want) {
			t.Errorf("the until-idle line lacks %q: %q", want, w.stderr)
		}
	}
	l := run(t, context.Background(), "", "failures", "list", "--waiting", "--config", cfg)
	mustNotEcho(t, data, w, l)
	if l.code != exitOK || !strings.Contains(l.stdout, "T-1") || !strings.Contains(l.stdout, "ModelError, request id fa4e0000-") {
		t.Errorf("failures list --waiting does not show the ticket's reason: %+v", l)
	}
}

// mustNotEcho fails the test when the output of a command in rs, or any
// file in the data directory (the store, River's job rows, logs), holds
// the personal data the provider's error echoed.
func mustNotEcho(t *testing.T, data string, rs ...result) {
	t.Helper()
	for _, r := range rs {
		for _, pii := range echoedPII {
			if strings.Contains(r.stdout+r.stderr, pii) {
				t.Errorf("command output holds %q from the provider's error: %+v", pii, r)
			}
		}
	}
	err := filepath.WalkDir(data, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, pii := range echoedPII {
			if strings.Contains(string(b), pii) {
				t.Errorf("%s holds %q from the provider's error", path, pii)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
