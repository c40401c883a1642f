package lambda_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

func mustHandler(tb testing.TB, cfg lambda.Config) *lambda.Handler {
	tb.Helper()
	h, err := lambda.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func failedIDs(resp events.SQSEventResponse) []string {
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	slices.Sort(ids)
	return ids
}

// recordingFailures records the failed states the handler reports.
type recordingFailures struct {
	mu       sync.Mutex
	classes  map[string]ticketsum.FailureClass
	attempts map[string]int
}

func (r *recordingFailures) RecordFailure(ctx context.Context, id string, cause error, attempts int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.classes == nil {
		r.classes, r.attempts = map[string]ticketsum.FailureClass{}, map[string]int{}
	}
	r.classes[id] = ticketsum.ClassOf(cause)
	r.attempts[id] = attempts
	return nil
}

// TestHandleReportsEveryUnsummarisedMessage: whatever the error class, a
// message whose ticket was not summarised goes back to SQS (and from there
// to the dead-letter queue); only summarised (or already summarised)
// tickets are acknowledged.
func TestHandleReportsEveryUnsummarisedMessage(t *testing.T) {
	t.Parallel()
	p := &recordingProcessor{fails: map[string]error{
		"throttled": ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down"),
		"down":      ticketsum.Errorf(ticketsum.EUNAVAILABLE, "bedrock unavailable"),
		"missing":   ticketsum.Errorf(ticketsum.ENOTFOUND, "no such ticket"),
		"denied":    ticketsum.Errorf(ticketsum.EFORBIDDEN, "model access not granted"),
		"blocked":   ticketsum.Errorf(ticketsum.EBLOCKED, "blocked by guardrail"),
		"bad":       ticketsum.Errorf(ticketsum.EINVALID, "thread is empty"),
		"bug":       errors.New("nil pointer"),
	}}
	fr := &recordingFailures{}
	h := mustHandler(t, lambda.Config{Processor: p, Failures: fr})
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "ok-1"},
		{MessageId: "m2", Body: `{"ticket_id":"throttled"}`},
		{MessageId: "m3", Body: "missing"},
		{MessageId: "m4", Body: `{"ticket_id":`},
		{MessageId: "m5", Body: "down"},
		{MessageId: "m6", Body: "blocked"},
		{MessageId: "m7", Body: ""},
		{MessageId: "m8", Body: "ok-2"},
		{MessageId: "m9", Body: "denied"},
		{MessageId: "m10", Body: "bad"},
		{MessageId: "m11", Body: "bug"},
	}}
	resp, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"m10", "m11", "m2", "m3", "m4", "m5", "m6", "m7", "m9"}
	if got := failedIDs(resp); !slices.Equal(got, want) {
		t.Fatalf("failures = %v, want %v", got, want)
	}
	slices.Sort(p.seen)
	if want := []string{"bad", "blocked", "bug", "denied", "down", "missing", "ok-1", "ok-2", "throttled"}; !slices.Equal(p.seen, want) {
		t.Fatalf("processed %v, want %v", p.seen, want)
	}
	// Failures no retry can fix are recorded as the ticket's state at once;
	// retryable ones only on their last receive.
	wantRecorded := map[string]ticketsum.FailureClass{
		"missing": ticketsum.ClassConfig, "denied": ticketsum.ClassConfig,
		"blocked": ticketsum.ClassPolicy, "bad": ticketsum.ClassBadTicket,
	}
	if len(fr.classes) != len(wantRecorded) {
		t.Errorf("recorded %v, want %v", fr.classes, wantRecorded)
	}
	for id, c := range wantRecorded {
		if fr.classes[id] != c {
			t.Errorf("recorded class of %s = %q, want %q", id, fr.classes[id], c)
		}
	}
}

func TestHandleRecordsRetryableFailureOnLastReceive(t *testing.T) {
	t.Parallel()
	p := &recordingProcessor{fails: map[string]error{
		"a": ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down"),
		"b": ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down"),
	}}
	fr := &recordingFailures{}
	h := mustHandler(t, lambda.Config{Processor: p, Failures: fr, MaxReceiveCount: 3})
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "a", Attributes: map[string]string{"ApproximateReceiveCount": "2"}},
		{MessageId: "m2", Body: "b", Attributes: map[string]string{"ApproximateReceiveCount": "3"}},
	}}
	resp, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if got := failedIDs(resp); !slices.Equal(got, []string{"m1", "m2"}) {
		t.Fatalf("failures = %v", got)
	}
	if _, ok := fr.classes["a"]; ok {
		t.Error("a retryable failure before the last receive was recorded as failed")
	}
	if fr.classes["b"] != ticketsum.ClassRetryable || fr.attempts["b"] != 3 {
		t.Errorf("last receive: recorded %q after %d attempts, want retryable after 3", fr.classes["b"], fr.attempts["b"])
	}
}

// TestHandleDuplicateMessagesShareOneRun: a ticket named twice in a batch is
// summarised once; both messages share its fate.
func TestHandleDuplicateMessagesShareOneRun(t *testing.T) {
	t.Parallel()
	p := &recordingProcessor{fails: map[string]error{"x": ticketsum.Errorf(ticketsum.EUNAVAILABLE, "5xx")}}
	h := mustHandler(t, lambda.Config{Processor: p})
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "x"}, {MessageId: "m2", Body: "y"},
		{MessageId: "m3", Body: `{"ticket_id":"x"}`}, {MessageId: "m4", Body: "y"},
	}}
	resp, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if got := failedIDs(resp); !slices.Equal(got, []string{"m1", "m3"}) {
		t.Fatalf("failures = %v, want m1 and m3", got)
	}
	slices.Sort(p.seen)
	if !slices.Equal(p.seen, []string{"x", "y"}) {
		t.Fatalf("processed %v, want each ticket once", p.seen)
	}
}

// recordingTracer records the spans the handler starts: the ticket, its
// messages' ids, and the error it ended with; the context it returns
// carries the ticket, for ctxProcessor to check.
type recordingTracer struct {
	mu    sync.Mutex
	spans map[string]string // ticket -> "m1,m3 -> code"
}

type spanKey struct{}

func (r *recordingTracer) StartSQSTicket(ctx context.Context, ticketID string, msgs []events.SQSMessage) (context.Context, func(error)) {
	var ids []string
	for _, m := range msgs {
		ids = append(ids, m.MessageId)
	}
	return context.WithValue(ctx, spanKey{}, ticketID), func(err error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.spans[ticketID] = strings.Join(ids, ",") + " -> " + string(ticketsum.ErrorCodeOf(err))
	}
}

// ctxProcessor fails a ticket processed outside its own span's context.
type ctxProcessor struct{ recordingProcessor }

func (p *ctxProcessor) Process(ctx context.Context, id string) error {
	if got, _ := ctx.Value(spanKey{}).(string); got != id {
		return ticketsum.Errorf(ticketsum.EINTERNAL, "processed %s in the span of %q", id, got)
	}
	return p.recordingProcessor.Process(ctx, id)
}

// Each ticket is processed inside one span of its own, which names all of
// the ticket's messages and ends with the ticket's error.
func TestHandleTracesEachTicket(t *testing.T) {
	t.Parallel()
	p := &ctxProcessor{recordingProcessor{fails: map[string]error{"x": ticketsum.Errorf(ticketsum.EUNAVAILABLE, "5xx")}}}
	tr := &recordingTracer{spans: map[string]string{}}
	h := mustHandler(t, lambda.Config{Processor: p, Tracer: tr})
	resp, err := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "x"}, {MessageId: "m2", Body: "y"}, {MessageId: "m3", Body: "x"}, {MessageId: "m4", Body: ""},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := failedIDs(resp); !slices.Equal(got, []string{"m1", "m3", "m4"}) {
		t.Fatalf("failures = %v", got)
	}
	want := map[string]string{"x": "m1,m3 -> unavailable", "y": "m2 -> "}
	if !maps.Equal(tr.spans, want) {
		t.Errorf("spans = %v, want %v", tr.spans, want)
	}
}

// barrierProcessor holds every call until want calls are in flight at once.
type barrierProcessor struct {
	want     int32
	inFlight atomic.Int32
	peak     atomic.Int32
	arrived  chan struct{}
	once     sync.Once
}

func (b *barrierProcessor) Process(ctx context.Context, id string) error {
	n := b.inFlight.Add(1)
	defer b.inFlight.Add(-1)
	for {
		p := b.peak.Load()
		if n <= p || b.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if n == b.want {
		b.once.Do(func() { close(b.arrived) })
	}
	select {
	case <-b.arrived:
		return nil
	case <-ctx.Done():
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "gave up waiting: %w", ctx.Err())
	}
}

// TestHandleProcessesConcurrently: a batch's tickets run Concurrency at a
// time (a sequential handler would never reach the barrier and every ticket
// would time out and fail).
func TestHandleProcessesConcurrently(t *testing.T) {
	t.Parallel()
	b := &barrierProcessor{want: 4, arrived: make(chan struct{})}
	h := mustHandler(t, lambda.Config{Processor: b, Concurrency: 4, TicketTimeout: 30 * time.Second, Reserve: time.Millisecond})
	var ev events.SQSEvent
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: "m-" + id, Body: id})
	}
	resp, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if got := failedIDs(resp); len(got) != 0 {
		t.Fatalf("failures = %v, want none", got)
	}
	if p := b.peak.Load(); p != 4 {
		t.Fatalf("peak concurrency = %d, want 4", p)
	}
}

// steppingClock is a clock that moves forward by step at every reading.
type steppingClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *steppingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.now
	c.now = c.now.Add(c.step)
	return t
}

// deadlineProcessor records the deadline each ticket's context carries.
type deadlineProcessor struct {
	mu        sync.Mutex
	deadlines map[string]time.Time
}

func (d *deadlineProcessor) Process(ctx context.Context, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	dl, _ := ctx.Deadline()
	d.deadlines[id] = dl
	return nil
}

// TestHandleWatchesTheDeadline: a ticket is started only while it can
// finish before the invocation's deadline, keeping the reserve; the others
// are returned unstarted, for the next delivery, and not recorded as failed.
func TestHandleWatchesTheDeadline(t *testing.T) {
	t.Parallel()
	start := time.Now()
	// The invocation ends in 250s and the clock moves 50s per reading. The
	// batch's start reads it once (0s) and each start decision once:
	// tickets start at 50s, 100s and 150s, but at 200s only 50s remain,
	// less than the 60s timeout plus the 3s reserve.
	clock := &steppingClock{now: start, step: 50 * time.Second}
	p := &deadlineProcessor{deadlines: map[string]time.Time{}}
	fr := &recordingFailures{}
	h := mustHandler(t, lambda.Config{Processor: p, Failures: fr, Concurrency: 1, TicketTimeout: 60 * time.Second,
		Reserve: 3 * time.Second, Clock: clock})
	deadline := start.Add(250 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "a"}, {MessageId: "m2", Body: "b"}, {MessageId: "m3", Body: "c"},
		{MessageId: "m4", Body: "d"}, {MessageId: "m5", Body: "e"},
	}}
	resp, err := h.Handle(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	if got := failedIDs(resp); !slices.Equal(got, []string{"m4", "m5"}) {
		t.Fatalf("failures = %v, want the two unstarted m4 and m5", got)
	}
	if len(p.deadlines) != 3 {
		t.Fatalf("started %v, want a, b and c", p.deadlines)
	}
	for id, dl := range p.deadlines {
		if dl.After(deadline.Add(-3 * time.Second)) {
			t.Errorf("ticket %s may run until %v, past the deadline minus the reserve", id, dl)
		}
	}
	if want := start.Add(110 * time.Second); !p.deadlines["a"].Equal(want) {
		t.Errorf("ticket a's deadline = %v, want its timeout %v", p.deadlines["a"], want)
	}
	if len(fr.classes) != 0 {
		t.Errorf("unstarted tickets recorded as failed: %v", fr.classes)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []lambda.Config{
		{},
		{Processor: &recordingProcessor{}, Concurrency: -1},
		{Processor: &recordingProcessor{}, TicketTimeout: -time.Second},
	} {
		if _, err := lambda.New(cfg); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("New(%+v): %v, want invalid", cfg, err)
		}
	}
}

// TestHandleWritesEmbeddedMetrics: each batch leaves one CloudWatch EMF
// line with its counts, and one per failure class that occurred.
func TestHandleWritesEmbeddedMetrics(t *testing.T) {
	t.Parallel()
	p := &recordingProcessor{fails: map[string]error{
		"t1": ticketsum.Errorf(ticketsum.ETHROTTLED, "slow down"),
		"t2": ticketsum.Errorf(ticketsum.EUNAVAILABLE, "5xx"),
		"d1": ticketsum.Errorf(ticketsum.EFORBIDDEN, "access denied"),
		"b1": ticketsum.Errorf(ticketsum.EBLOCKED, "guardrail"),
	}}
	var out bytes.Buffer
	h := mustHandler(t, lambda.Config{Processor: p, Metrics: &out, FunctionName: "ts-summarizer"})
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "1", Body: "ok"}, {MessageId: "2", Body: "t1"}, {MessageId: "3", Body: "t2"},
		{MessageId: "4", Body: "d1"}, {MessageId: "5", Body: "b1"}, {MessageId: "6", Body: ""},
	}}
	if _, err := h.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	type directive struct {
		Namespace  string
		Dimensions [][]string
		Metrics    []struct{ Name, Unit string }
	}
	var lines []map[string]any
	byClass := map[string]float64{}
	dec := json.NewDecoder(&out)
	for dec.More() {
		var line map[string]any
		if err := dec.Decode(&line); err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(line["_aws"])
		var aws struct {
			Timestamp         int64
			CloudWatchMetrics []directive
		}
		if err := json.Unmarshal(raw, &aws); err != nil || aws.Timestamp == 0 || len(aws.CloudWatchMetrics) != 1 {
			t.Fatalf("line %v has no EMF directive", line)
		}
		d := aws.CloudWatchMetrics[0]
		for _, m := range d.Metrics {
			if _, ok := line[m.Name].(float64); !ok || d.Namespace != lambda.MetricsNamespace {
				t.Errorf("metric %s of %s has no numeric value in the line", m.Name, d.Namespace)
			}
		}
		for _, dim := range d.Dimensions[0] {
			if _, ok := line[dim].(string); !ok {
				t.Errorf("dimension %s has no value in the line", dim)
			}
		}
		if c, ok := line["FailureClass"].(string); ok {
			byClass[c] = line["FailedTickets"].(float64)
			continue
		}
		lines = append(lines, line)
	}
	if len(lines) != 1 {
		t.Fatalf("batch lines = %d, want 1", len(lines))
	}
	b := lines[0]
	if b["FunctionName"] != "ts-summarizer" || b["Messages"] != 6.0 || b["Summarized"] != 1.0 || b["Failed"] != 4.0 || b["Unreadable"] != 1.0 {
		t.Errorf("batch metrics = %v", b)
	}
	if want := map[string]float64{"retryable": 2, "config": 1, "policy": 1}; !maps.Equal(byClass, want) {
		t.Errorf("failures by class = %v, want %v", byClass, want)
	}
}
