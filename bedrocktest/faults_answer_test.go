package bedrocktest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

func TestFaultsThatStillAnswer(t *testing.T) {
	t.Parallel()
	const model = "amazon.nova-micro-v1:0"
	withStatus := func(string, string) string { return "The agent fixed the sync.\nSTATUS: resolved" }
	tests := []struct {
		name        string
		fault       bedrocktest.Fault
		timeout     time.Duration
		wantErr     bool
		wantStatus  bool // the answer still carries its STATUS line
		wantDropped int
	}{
		{"no status", bedrocktest.Fault{Kind: bedrocktest.FaultNoStatus}, 0, false, false, 0},
		{"stall shorter than the deadline", bedrocktest.Fault{Kind: bedrocktest.FaultStall, Delay: 20 * time.Millisecond}, 5 * time.Second, false, true, 0},
		// The deadline leaves the request time to reach the server on a
		// loaded machine (the stats count the fault only then).
		{"stall past the deadline", bedrocktest.Fault{Kind: bedrocktest.FaultStall, Delay: time.Minute}, 2 * time.Second, true, false, 0},
		{"drop after answering", bedrocktest.Fault{Kind: bedrocktest.FaultDropAfterAnswer}, 0, true, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Responder: withStatus, Faults: []bedrocktest.Fault{tt.fault}})
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			out, err := newClient(srv).Converse(ctx, converseInput(model, "", "The sync fails."))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			st := srv.Stats()
			if st.Dropped != tt.wantDropped || st.Faults != 1 {
				t.Errorf("stats %+v, want %d dropped and 1 fault", st, tt.wantDropped)
			}
			if tt.wantDropped > 0 && st.Succeeded != 1 {
				t.Errorf("a dropped answer is still charged: Succeeded = %d, want 1", st.Succeeded)
			}
			if err != nil {
				return
			}
			text := out.Output.(*types.ConverseOutputMemberMessage).Value.Content[0].(*types.ContentBlockMemberText).Value
			if strings.Contains(text, "STATUS:") != tt.wantStatus || !strings.HasPrefix(text, "The agent fixed the sync.") {
				t.Errorf("answer %q, want status line %v", text, tt.wantStatus)
			}
		})
	}
}

func TestFaultMessageAndValidation(t *testing.T) {
	t.Parallel()
	if _, err := bedrocktest.NewServer(bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultStall}}}); err == nil {
		t.Error("a stall without a Delay was accepted")
	}
	if _, err := bedrocktest.NewServer(bedrocktest.Config{Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultNoStatus, MidStream: true}}}); err == nil {
		t.Error("a mid-stream no_status fault was accepted")
	}
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Faults: []bedrocktest.Fault{
		{Kind: bedrocktest.FaultValidation, Message: "Invocation of model ID x with on-demand throughput isn't supported.", Limit: 1},
		{Kind: bedrocktest.FaultAccessDenied, Limit: 1},
		{Kind: bedrocktest.FaultNotFound, Limit: 1},
	}})
	client := newClient(srv)
	for _, want := range []string{"ValidationException", "AccessDeniedException", "ResourceNotFoundException"} {
		_, err := client.Converse(context.Background(), converseInput("amazon.nova-micro-v1:0", "", "x"))
		if got := errorCode(err); got != want {
			t.Errorf("code %q (%v), want %s", got, err, want)
		}
		if want == "ValidationException" && !strings.Contains(err.Error(), "on-demand throughput") {
			t.Errorf("the fault's Message was not sent: %v", err)
		}
	}
}
