package lambda_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/lambda"
)

// recordingProcessor records the ids processed and fails some of them.
type recordingProcessor struct {
	mu    sync.Mutex
	seen  []string
	fails map[string]error
}

func (p *recordingProcessor) Process(ctx context.Context, id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen = append(p.seen, id)
	return p.fails[id]
}

func TestTicketID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body, want string
		wantErr    bool
	}{
		{body: "T-1", want: "T-1"},
		{body: "  T-2\n", want: "T-2"},
		{body: `{"ticket_id":"T-3"}`, want: "T-3"},
		{body: `{"id":"T-4"}`, want: "T-4"},
		{body: `{"version":"0","id":"evt-1","source":"support.tickets","detail-type":"Ticket Updated","detail":{"ticket_id":"T-5"}}`, want: "T-5"},
		{body: `{"source":"support.tickets","detail":{"id":"T-6"}}`, want: "T-6"},
		{body: "", wantErr: true},
		{body: `{"ticket_id":`, wantErr: true},
		{body: `{"other":1}`, wantErr: true},
		{body: `{"source":"x","detail":"T-7"}`, wantErr: true},
		{body: "two\nlines", wantErr: true},
	}
	for _, tt := range tests {
		got, err := lambda.TicketID(tt.body)
		if tt.wantErr {
			if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
				t.Errorf("TicketID(%q) = %q, %v; want an invalid error", tt.body, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("TicketID(%q) = %q, %v; want %q", tt.body, got, err, tt.want)
		}
	}
}

func TestHandlePartialBatchFailure(t *testing.T) {
	t.Parallel()
	p := &recordingProcessor{fails: map[string]error{
		"throttled": ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down"),
		"down":      ticketsum.Errorf(ticketsum.EUNAVAILABLE, "bedrock unavailable"),
		"missing":   ticketsum.Errorf(ticketsum.ENOTFOUND, "no such ticket"),
		"blocked":   ticketsum.Errorf(ticketsum.EFORBIDDEN, "blocked by guardrail"),
	}}
	h, err := lambda.New(lambda.Config{Processor: p})
	if err != nil {
		t.Fatal(err)
	}
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "ok-1"},
		{MessageId: "m2", Body: `{"ticket_id":"throttled"}`},
		{MessageId: "m3", Body: "missing"},
		{MessageId: "m4", Body: "not json {"},
		{MessageId: "m5", Body: "down"},
		{MessageId: "m6", Body: "blocked"},
		{MessageId: "m7", Body: ""},
		{MessageId: "m8", Body: "ok-2"},
	}}
	resp, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	// Retryable failures and unreadable messages are retried; permanent
	// failures of a real ticket are not.
	if want := []string{"m2", "m5", "m7"}; !slices.Equal(failed, want) {
		t.Fatalf("failures = %v, want %v", failed, want)
	}
	if want := []string{"ok-1", "throttled", "missing", "not json {", "down", "blocked", "ok-2"}; !slices.Equal(p.seen, want) {
		t.Fatalf("processed %v, want %v", p.seen, want)
	}
}

func TestNewRequiresProcessor(t *testing.T) {
	t.Parallel()
	if _, err := lambda.New(lambda.Config{}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Fatalf("New: %v", err)
	}
}
