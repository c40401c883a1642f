package bedrock_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/bedrocktest"
)

func TestErrorTranslation(t *testing.T) {
	t.Parallel()
	const haiku = "anthropic.claude-3-5-haiku-20241022-v1:0"
	fault := func(k bedrocktest.FaultKind) bedrocktest.Config {
		return bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: k}}}
	}
	cases := []struct {
		name    string
		srv     bedrocktest.Config
		model   string
		timeout time.Duration
		code    ticketsum.ErrorCode
		message string // the start of what the user reads
		class   ticketsum.FailureClass
	}{
		{"throttled", fault(bedrocktest.FaultThrottle), haiku, 0, ticketsum.ETHROTTLED, "Bedrock throttled " + haiku, ticketsum.ClassRetryable},
		{"quota", bedrocktest.Config{Quotas: map[string]bedrocktest.Quota{haiku: {TPM: 5}}}, haiku, 0, ticketsum.ETHROTTLED, "Bedrock throttled", ticketsum.ClassRetryable},
		{"daily quota", fault(bedrocktest.FaultQuotaExceeded), haiku, 0, ticketsum.EQUOTA, "Bedrock quota exceeded", ticketsum.ClassConfig},
		{"unavailable", fault(bedrocktest.FaultUnavailable), haiku, 0, ticketsum.EUNAVAILABLE, "Bedrock could not answer", ticketsum.ClassRetryable},
		{"internal", fault(bedrocktest.FaultInternal), haiku, 0, ticketsum.EUNAVAILABLE, "Bedrock could not answer", ticketsum.ClassRetryable},
		{"not ready", fault(bedrocktest.FaultModelNotReady), haiku, 0, ticketsum.EUNAVAILABLE, "Bedrock could not answer", ticketsum.ClassRetryable},
		{"model timeout", fault(bedrocktest.FaultModelTimeout), haiku, 0, ticketsum.EUNAVAILABLE, "Bedrock could not answer", ticketsum.ClassRetryable},
		{"model error", fault(bedrocktest.FaultModelError), haiku, 0, ticketsum.EUNAVAILABLE, "Bedrock could not answer", ticketsum.ClassRetryable},
		{"hang", fault(bedrocktest.FaultTimeout), haiku, 100 * time.Millisecond, ticketsum.EUNAVAILABLE, "Bedrock call to " + haiku + " timed out", ticketsum.ClassRetryable},
		{"malformed", fault(bedrocktest.FaultMalformed), haiku, 0, ticketsum.EUNAVAILABLE, "Bedrock returned a malformed response", ticketsum.ClassRetryable},
		{"access", bedrocktest.Config{DeniedModels: []string{haiku}}, haiku, 0, ticketsum.EFORBIDDEN,
			"model access not granted: enable " + haiku + " in the Bedrock console", ticketsum.ClassConfig},
		{"access via profile", bedrocktest.Config{DeniedModels: []string{haiku}}, "us." + haiku, 0, ticketsum.EFORBIDDEN,
			"model access not granted: enable " + haiku, ticketsum.ClassConfig},
		{"on-demand unsupported", bedrocktest.Config{ProfileOnlyModels: []string{"amazon.nova-lite-v1:0"}}, "amazon.nova-lite-v1:0", 0, ticketsum.EINVALID,
			"model amazon.nova-lite-v1:0 cannot be called on demand in us-east-1: set the model to a cross-region inference profile such as bedrock:us.amazon.nova-lite-v1:0", ticketsum.ClassConfig},
		{"unknown model", bedrocktest.Config{}, "acme.unknown-model-v1:0", 0, ticketsum.ENOTFOUND,
			"model acme.unknown-model-v1:0 is not available in us-east-1", ticketsum.ClassConfig},
		{"context too long", bedrocktest.Config{ContextWindows: map[string]int{haiku: 10}}, haiku, 0, ticketsum.EINVALID,
			"ticket too long for " + haiku + "'s context window", ticketsum.ClassBadTicket},
		{"wrong key", bedrocktest.Config{AccessKeyID: "AKIDOTHER"}, haiku, 0, ticketsum.EUNAUTHORIZED, "AWS rejected the credentials", ticketsum.ClassConfig},
		{"wrong region", bedrocktest.Config{Region: "eu-central-1"}, haiku, 0, ticketsum.EUNAUTHORIZED, "AWS rejected the credentials", ticketsum.ClassConfig},
		{"unknown guardrail", bedrocktest.Config{Guardrails: []string{"other"}}, haiku, 0, ticketsum.EINVALID, "Bedrock guardrail gr-1 version DRAFT was rejected", ticketsum.ClassConfig},
		{"access denied fault", fault(bedrocktest.FaultAccessDenied), haiku, 0, ticketsum.EFORBIDDEN, "model access not granted", ticketsum.ClassConfig},
		{"resource not found fault", fault(bedrocktest.FaultNotFound), haiku, 0, ticketsum.ENOTFOUND, "model " + haiku + " not found in us-east-1", ticketsum.ClassConfig},
		{"validation fault", fault(bedrocktest.FaultValidation), haiku, 0, ticketsum.EINVALID, "Bedrock rejected the request to " + haiku + ": check the model's settings: the model ID", ticketsum.ClassConfig},
		{"max tokens fault", bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultValidation,
			Message: "The maximum tokens you requested exceeds the model limit of 8192. Try again with a maximum tokens value that is lower than 8192."}}}, haiku, 0, ticketsum.EINVALID,
			"Bedrock refused the output cap asked of " + haiku + ": set models.<name>.max_tokens", ticketsum.ClassConfig},
		{"on-demand message fault", bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultValidation,
			Message: "Invocation of model ID " + haiku + " with on-demand throughput isn't supported."}}}, haiku, 0, ticketsum.EINVALID,
			"model " + haiku + " cannot be called on demand", ticketsum.ClassConfig},
		{"missing guardrail", bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultNotFound, Message: "The guardrail gr-1 was not found."}}},
			haiku, 0, ticketsum.EINVALID, "Bedrock guardrail gr-1 version DRAFT not found in us-east-1: check aws.guardrail", ticketsum.ClassConfig},
		{"overloaded", fault(bedrocktest.FaultOverloaded), haiku, 0, ticketsum.ETHROTTLED, "Bedrock throttled", ticketsum.ClassRetryable},
		{"stall past the deadline", bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultStall, Delay: time.Minute}}}, haiku, 100 * time.Millisecond,
			ticketsum.EUNAVAILABLE, "Bedrock call to " + haiku + " timed out", ticketsum.ClassRetryable},
		{"dropped after answering", fault(bedrocktest.FaultDropAfterAnswer), haiku, 0, ticketsum.EUNAVAILABLE, "", ticketsum.ClassRetryable},
	}
	for _, tc := range cases {
		for _, stream := range []bool{false, true} {
			t.Run(tc.name+map[bool]string{true: "/stream"}[stream], func(t *testing.T) {
				t.Parallel()
				srv := bedrocktest.MustNewServer(t, tc.srv)
				cfg := srv.AWSConfig()
				cfg.Region = "us-east-1"
				mcfg := bedrock.Config{ModelID: tc.model, Stream: stream, AWS: &cfg}
				if tc.name == "unknown guardrail" || tc.name == "missing guardrail" {
					mcfg.Guardrail = bedrock.GuardrailConfig{ID: "gr-1"}
				}
				m, err := bedrock.New(context.Background(), mcfg)
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				if tc.timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tc.timeout)
					defer cancel()
				}
				_, err = m.Generate(ctx, request("My card was charged twice for the same order."))
				if got := ticketsum.ErrorCodeOf(err); got != tc.code {
					t.Fatalf("code = %s (%v), want %s", got, err, tc.code)
				}
				if msg := ticketsum.ErrorMessage(err); !strings.HasPrefix(msg, tc.message) {
					t.Errorf("message = %q, want it to start with %q", msg, tc.message)
				}
				if got := ticketsum.ClassOf(err); got != tc.class {
					t.Errorf("class = %s, want %s (%v)", got, tc.class, err)
				}
				if n := srv.Stats().Calls[tc.model]; n > 1 {
					t.Errorf("the SDK retried: %d calls", n)
				}
			})
		}
	}
}

func TestSDKDoesNotRetry(t *testing.T) {
	t.Parallel()
	for _, kind := range []bedrocktest.FaultKind{bedrocktest.FaultThrottle, bedrocktest.FaultInternal, bedrocktest.FaultUnavailable} {
		srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: kind, Limit: 1}}})
		m := MustModel(t, srv, bedrock.Config{ModelID: "amazon.nova-micro-v1:0"})
		if _, err := m.Generate(context.Background(), request("hello")); !ticketsum.Retryable(err) {
			t.Fatalf("%s: err = %v, want a retryable error", kind, err)
		}
		if n := srv.Stats().Ops[bedrocktest.OpConverse]; n != 1 {
			t.Errorf("%s: %d attempts, want 1 (the gateway owns retries)", kind, n)
		}
		// The fault fired once; the next call succeeds.
		if _, err := m.Generate(context.Background(), request("hello")); err != nil {
			t.Errorf("%s: second call: %v", kind, err)
		}
	}
}

// failingCredentials is a credentials provider with nothing to give.
type failingCredentials struct{}

func (failingCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{}, errors.New("no EC2 IMDS role found")
}

func TestMissingCredentials(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	cfg := srv.AWSConfig()
	cfg.Credentials = aws.NewCredentialsCache(failingCredentials{})
	m, err := bedrock.New(context.Background(), bedrock.Config{ModelID: "amazon.nova-micro-v1:0", AWS: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Generate(context.Background(), request("hello"))
	if ticketsum.ErrorCodeOf(err) != ticketsum.EUNAUTHORIZED || !strings.HasPrefix(ticketsum.ErrorMessage(err), "no AWS credentials found: set AWS_PROFILE") {
		t.Fatalf("err = %v", err)
	}
	cfg.Credentials = nil
	if _, err := bedrock.New(context.Background(), bedrock.Config{ModelID: "amazon.nova-micro-v1:0", AWS: &cfg}); ticketsum.ErrorCodeOf(err) != ticketsum.EUNAUTHORIZED {
		t.Fatalf("nil credentials: err = %v", err)
	}
}

func TestUnreachableEndpoint(t *testing.T) {
	t.Parallel()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{})
	cfg := srv.AWSConfig()
	m, err := bedrock.New(context.Background(), bedrock.Config{ModelID: "amazon.nova-micro-v1:0", AWS: &cfg, BaseEndpoint: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Generate(context.Background(), request("hello"))
	if ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE || !strings.HasPrefix(ticketsum.ErrorMessage(err), "cannot reach Bedrock") {
		t.Fatalf("err = %v", err)
	}
}
