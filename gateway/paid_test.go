package gateway_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/gateway"
)

// failingLog is an Inner wrapper standing for the invocation log: it lets
// the call through, then fails to write its record (KMS unreachable).
type failingLog struct {
	next    ticketsum.Model
	written *atomic.Int32
	fail    bool
}

func (f failingLog) Name() string { return f.next.Name() }
func (f failingLog) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	res, err := f.next.Generate(ctx, req)
	if f.fail {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "audit log unavailable, call not recorded: kms unreachable")
	}
	if err == nil && ctx.Err() == nil {
		f.written.Add(1)
	}
	return res, err
}

// TestLogWriteFailureNeverCallsAgain: the model answers, the invocation-log
// write after it fails with a retryable error; the gateway keeps the paid
// answer and calls neither the model again nor a fallback.
func TestLogWriteFailureNeverCallsAgain(t *testing.T) {
	t.Parallel()
	fake := &fakeModel{name: sonnet}
	backup := &fakeModel{name: haiku}
	var written atomic.Int32
	g := MustGateway(t, gateway.Config{MaxAttempts: 4, Fallbacks: map[string][]string{sonnet: {haiku}},
		Inner: []gateway.Middleware{func(m ticketsum.Model) ticketsum.Model { return failingLog{next: m, written: &written, fail: true} }}},
		fake, backup)
	res, err := MustModel(t, g, sonnet).Generate(context.Background(), request())
	if err != nil {
		t.Fatalf("error %v: the paid answer must be kept", err)
	}
	if res.Text != "summary from "+sonnet || res.CostUSD <= 0 {
		t.Errorf("answer %q costing %v, want the model's priced answer", res.Text, res.CostUSD)
	}
	if fake.calls() != 1 || backup.calls() != 0 {
		t.Fatalf("model called %d times and fallback %d, want 1 and 0", fake.calls(), backup.calls())
	}
}

// slowModel answers after a delay, ignoring its context the way a response
// already on the wire arrives.
type slowModel struct {
	name  string
	delay time.Duration
}

func (s slowModel) Name() string { return s.name }
func (s slowModel) Generate(ctx context.Context, _ *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &ticketsum.ModelResponse{Text: "late", Usage: ticketsum.Usage{InputTokens: 10, OutputTokens: 5}}, nil
}

// TestCallerGoneWhileAnswerArrives: the caller's context ends while the
// provider is answering; the attempt is not abandoned, so the log wrapper
// records the paid answer.
func TestCallerGoneWhileAnswerArrives(t *testing.T) {
	t.Parallel()
	var written atomic.Int32
	g := MustGateway(t, gateway.Config{CallTimeout: 5 * time.Second,
		Inner: []gateway.Middleware{func(m ticketsum.Model) ticketsum.Model { return failingLog{next: m, written: &written} }}},
		slowModel{name: sonnet, delay: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(5*time.Millisecond, cancel)
	MustModel(t, g, sonnet).Generate(ctx, request())
	if written.Load() != 1 {
		t.Fatalf("records written = %d, want 1: the answer that arrived after the caller left must be recorded", written.Load())
	}
}

// TestQueueBounded: with the window full and MaxQueue calls waiting, one
// more call is refused at once with ETHROTTLED naming the setting. The one
// refused may be a fifth caller that came while a probe held the last
// queue slot (then the probes would never find the queue full: the test
// hung in CI on 2026-12-03).
func TestQueueBounded(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var entered atomic.Int32
	blocking := modelFunc{name: sonnet, fn: func(context.Context) (*ticketsum.ModelResponse, error) {
		entered.Add(1)
		<-release
		return &ticketsum.ModelResponse{Text: "ok"}, nil
	}}
	g := MustGateway(t, gateway.Config{MaxAttempts: 1, Limits: map[string]gateway.Limits{"*": {MaxConcurrency: 2, MaxQueue: 3}}}, blocking)
	m := MustModel(t, g, sonnet)
	var wg sync.WaitGroup
	refused := make(chan error, 5) // a caller that came while a probe held the last queue slot
	for range 5 {
		wg.Go(func() {
			if _, err := m.Generate(context.Background(), request()); err != nil {
				refused <- err
			}
		})
	}
	for entered.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	for { // until the three others queue, a probe waits and gives up
		var err error
		select {
		case err = <-refused:
		default:
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			_, err = m.Generate(ctx, request())
			gaveUp := ctx.Err() != nil
			cancel()
			if gaveUp {
				continue
			}
		}
		if ticketsum.ErrorCodeOf(err) != ticketsum.ETHROTTLED || !strings.Contains(err.Error(), "max_concurrency") {
			t.Fatalf("error %v, want ETHROTTLED naming max_concurrency", err)
		}
		break
	}
	close(release)
	wg.Wait()
}
