package bedrocktest_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

// noBackoff retries at once, so the test measures which errors the SDK's
// standard retryer retries, not how long it waits.
type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// TestStandardRetryerRetries records which Bedrock errors aws-sdk-go-v2's
// standard retryer (3 attempts) retries, as the wire notes infer: throttling
// and 5xx are retried; ModelNotReady, model timeouts and model errors are
// not. A gateway that owns retries must turn the SDK's off.
func TestStandardRetryerRetries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind     bedrocktest.FaultKind
		attempts int
	}{
		{bedrocktest.FaultThrottle, 3},
		{bedrocktest.FaultInternal, 3},
		{bedrocktest.FaultUnavailable, 3},
		{bedrocktest.FaultModelNotReady, 1},
		{bedrocktest.FaultModelTimeout, 1},
		{bedrocktest.FaultModelError, 1},
		{bedrocktest.FaultQuotaExceeded, 1},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			t.Parallel()
			srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: tc.kind}}})
			client := bedrockruntime.NewFromConfig(srv.AWSConfig(), func(o *bedrockruntime.Options) {
				o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) { so.Backoff = noBackoff{} })
			})
			_, err := client.Converse(context.Background(), converseInput("amazon.nova-micro-v1:0", "", "hello"))
			if err == nil {
				t.Fatal("the fault did not fail the call")
			}
			if n := srv.Stats().Ops[bedrocktest.OpConverse]; n != tc.attempts {
				t.Errorf("%d attempts, want %d", n, tc.attempts)
			}
			req, _ := srv.LastRequest()
			if got := req.Header.Get("Amz-Sdk-Request"); got == "" {
				t.Error("no amz-sdk-request header")
			}
		})
	}
}
