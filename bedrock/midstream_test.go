package bedrock_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/bedrocktest"
)

// Exceptions that arrive inside a stream, after it started, are coded as
// the same exceptions sent as HTTP errors.
func TestMidStreamExceptions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind    bedrocktest.FaultKind
		code    ticketsum.ErrorCode
		message string
	}{
		{bedrocktest.FaultThrottle, ticketsum.ETHROTTLED, "Bedrock throttled"},
		{bedrocktest.FaultInternal, ticketsum.EUNAVAILABLE, "Bedrock could not answer"},
		{bedrocktest.FaultUnavailable, ticketsum.EUNAVAILABLE, "Bedrock could not answer"},
		{bedrocktest.FaultModelError, ticketsum.EUNAVAILABLE, "Bedrock could not answer"},
		{bedrocktest.FaultModelTimeout, ticketsum.EUNAVAILABLE, "Bedrock could not answer"},
	}
	for _, tc := range cases {
		for _, api := range []string{bedrock.APIConverse, bedrock.APIInvoke} {
			t.Run(fmt.Sprintf("%s/%s", tc.kind, api), func(t *testing.T) {
				t.Parallel()
				srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: tc.kind, MidStream: true}}})
				m := MustModel(t, srv, bedrock.Config{ModelID: "anthropic.claude-3-5-haiku-20241022-v1:0", API: api, Stream: true})
				_, err := m.Generate(context.Background(), request("The sync stalls at 99 percent."))
				if got := ticketsum.ErrorCodeOf(err); got != tc.code {
					t.Fatalf("code = %s (%v), want %s", got, err, tc.code)
				}
				if !strings.HasPrefix(ticketsum.ErrorMessage(err), tc.message) {
					t.Errorf("message = %q", ticketsum.ErrorMessage(err))
				}
				// The same fault on a non-streaming call is an HTTP error.
				m2 := MustModel(t, srv, bedrock.Config{ModelID: "anthropic.claude-3-5-haiku-20241022-v1:0", API: api})
				if _, err := m2.Generate(context.Background(), request("x")); ticketsum.ErrorCodeOf(err) != tc.code {
					t.Errorf("non-streaming: %v", err)
				}
			})
		}
	}
}
