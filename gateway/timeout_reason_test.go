package gateway_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/gateway"
)

// hungServer stands for a model server that takes the call and never
// answers: it returns when the attempt's context ends, with the error the
// openai model gives then (which names the model too).
type hungServer struct{ name string }

func (h hungServer) Name() string { return h.name }
func (h hungServer) Generate(ctx context.Context, _ *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	<-ctx.Done()
	return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: call cancelled or timed out: %w", h.name, ctx.Err())
}

// TestTimeoutReasonNamesTheSetting: the chaos walk's hung model server. A
// ticket's reason (the error's message) said "openai:m: no answer within
// 1m0s: openai:m: call cancelled or timed out: context deadline exceeded":
// the model twice and no fix. It now names the model once, the setting
// that sets the timeout and what to check; still unavailable (retryable).
func TestTimeoutReasonNamesTheSetting(t *testing.T) {
	t.Parallel()
	const model = "openai:m"
	g := MustGateway(t, gateway.Config{MaxAttempts: 1, CallTimeout: 20 * time.Millisecond,
		CallTimeoutSetting: "call_timeout (TICKETSUM_CALL_TIMEOUT)"}, hungServer{model})
	_, err := MustModel(t, g, model).Generate(context.Background(), request())
	reason := ticketsum.ErrorMessage(err)
	if ticketsum.ErrorCodeOf(err) != ticketsum.EUNAVAILABLE || !strings.Contains(reason, "no answer within 20ms") {
		t.Fatalf("err %v, want unavailable, no answer within 20ms", err)
	}
	for _, want := range []string{"set by call_timeout (TICKETSUM_CALL_TIMEOUT)", "check that the model server is up", "raise call_timeout"} {
		if !strings.Contains(reason, want) {
			t.Errorf("reason %q does not say %q", reason, want)
		}
	}
	if n := strings.Count(reason, model); n != 1 {
		t.Errorf("reason %q names the model %d times, want once", reason, n)
	}
}
