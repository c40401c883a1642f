// Package lambda is the AWS Lambda entry point for SQS events: each message
// names a ticket (as an EventBridge rule or the team's own code sends it),
// and the handler summarises and writes back each one, reporting partial
// batch failures so that only the messages that failed are retried.
//
// Every message whose ticket was not summarised is reported as a batch item
// failure, whatever the reason: SQS delivers it again and, after the queue's
// maxReceiveCount, moves it to the dead-letter queue, where it can be
// inspected and redriven. Nothing is acknowledged that was not summarised
// (or found already summarised). Tickets of a batch are processed
// concurrently, and a ticket is started only while there is time left to
// finish it before the invocation's deadline.
package lambda

import (
	"context"
	"encoding/json"
	"io"

	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/ticketsum/ticketsum"
)

// Processor summarises and saves one ticket by id; summarize.Pipeline is one.
// It returns nil when the ticket's current summary is already up to date.
type Processor interface {
	Process(ctx context.Context, ticketID string) error
}

// FailureRecorder records that a ticket could not be summarised, so that
// the failure is visible where reviewers look (the ticket list, the ticket
// page, `ticketsum failures list`), not only in the dead-letter queue.
type FailureRecorder interface {
	RecordFailure(ctx context.Context, ticketID string, cause error, attempts int) error
}

// Tracer traces the tickets of a batch. *telemetry.Telemetry is one: a
// CONSUMER span per ticket whose parent is the trace context of its
// messages' attributes.
type Tracer interface {
	// StartSQSTicket starts the span of ticketID, named by msgs, and
	// returns its context and the function that ends it with the ticket's
	// error (nil: summarised).
	StartSQSTicket(ctx context.Context, ticketID string, msgs []events.SQSMessage) (context.Context, func(error))
}

// Config configures a Handler.
type Config struct {
	// Processor does the work. Required.
	Processor Processor
	// Failures records the failed state of tickets that will not be
	// summarised by a retry: every failure of the configuration, bad-ticket
	// and policy classes, and a retryable failure on the last receive
	// (MaxReceiveCount). Default none: failures are only logged and left
	// to the dead-letter queue.
	Failures FailureRecorder
	// Concurrency is the number of tickets of one batch processed at once;
	// the gateway's requests- and tokens-per-minute limits still pace the
	// model calls. Default 4.
	Concurrency int
	// TicketTimeout bounds one ticket's processing, every attempt and
	// fallback included. A ticket is started only while TicketTimeout plus
	// Reserve remain before the invocation's deadline; the others are
	// reported failed, unstarted, for SQS to deliver again. Default 60s.
	TicketTimeout time.Duration
	// Reserve is the time kept before the deadline for flushing the
	// invocation log and returning. Default 3s.
	Reserve time.Duration
	// MaxReceiveCount is the source queue's maxReceiveCount: a retryable
	// failure on that receive is the ticket's last chance before the
	// dead-letter queue, so its failed state is recorded. Default 5.
	MaxReceiveCount int
	// Clock tells the time, against the context's deadline. Default the
	// system clock.
	Clock ticketsum.Clock
	// Logger receives one line per failed message, never ticket text.
	// Default: discard.
	Logger *slog.Logger
	// Metrics receives one CloudWatch embedded metric format line per batch
	// (and one per failure class that occurred): messages, tickets
	// summarised, failed, not started, unreadable messages and the batch's
	// duration, in namespace "ticketsum" by FunctionName. In Lambda, write
	// them to stdout: CloudWatch Logs extracts the metrics. Default none.
	Metrics io.Writer
	// FunctionName is the metrics' FunctionName dimension (Lambda sets
	// AWS_LAMBDA_FUNCTION_NAME). Default "ticketsum".
	FunctionName string
	// Tracer, when set, makes a span of every ticket the batch processes,
	// around Processor.Process (whose own spans are its children).
	// Flushing the spans before the invocation returns is the caller's
	// part. Default none.
	Tracer Tracer
}

func (c *Config) fill() error {
	switch {
	case c.Processor == nil:
		return ticketsum.Errorf(ticketsum.EINVALID, "lambda: a Processor is required")
	case c.Concurrency < 0, c.TicketTimeout < 0, c.Reserve < 0, c.MaxReceiveCount < 0:
		return ticketsum.Errorf(ticketsum.EINVALID, "lambda: concurrency, ticket timeout, reserve and max receive count must not be negative")
	}
	if c.Concurrency == 0 {
		c.Concurrency = 4
	}
	if c.TicketTimeout == 0 {
		c.TicketTimeout = 60 * time.Second
	}
	if c.Reserve == 0 {
		c.Reserve = 3 * time.Second
	}
	if c.MaxReceiveCount == 0 {
		c.MaxReceiveCount = 5
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.FunctionName == "" {
		c.FunctionName = "ticketsum"
	}
	return nil
}

// Handler handles SQS events.
type Handler struct {
	cfg Config
	emf *emfWriter
}

// New returns a handler, or EINVALID without a Processor or with a negative
// setting.
func New(cfg Config) (*Handler, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Handler{cfg: cfg, emf: &emfWriter{w: cfg.Metrics, function: cfg.FunctionName}}, nil
}

// errNotStarted is the fate of a ticket left for the next delivery because
// the invocation's deadline was too near to start it.
var errNotStarted = ticketsum.Errorf(ticketsum.EUNAVAILABLE, "not started: too little time left before the invocation's deadline")

// work is one ticket of a batch and the messages that name it (a ticket
// edited twice may be named twice in one batch: it is summarised once).
type work struct {
	ticketID string
	messages []events.SQSMessage
	receives int // the highest ApproximateReceiveCount of its messages
}

// Handle processes the batch and returns the ids of every message whose
// ticket was not summarised. Tickets are processed Concurrency at a time;
// one that cannot be finished before the deadline is not started.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	start := h.cfg.Clock.Now()
	var resp events.SQSEventResponse
	fail := func(messageID string) {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: messageID})
	}
	works, unreadable := h.plan(ctx, ev)
	for _, id := range unreadable {
		fail(id)
	}
	m := batchMetrics{Messages: len(ev.Records), Unreadable: len(unreadable), Failed: map[ticketsum.FailureClass]int{}}
	errs := h.run(ctx, works)
	for i, w := range works {
		switch {
		case errs[i] == nil:
			m.Summarized++
			continue
		case errs[i] == errNotStarted:
			m.NotStarted++
		default:
			m.Failed[ticketsum.ClassOf(errs[i])]++
		}
		h.report(ctx, w, errs[i])
		for _, m := range w.messages {
			fail(m.MessageId)
		}
	}
	m.Duration = h.cfg.Clock.Now().Sub(start)
	if err := h.emf.write(h.cfg.Clock.Now(), m); err != nil {
		h.cfg.Logger.WarnContext(ctx, "could not write the batch's metrics", "error", err.Error())
	}
	return resp, nil
}

// plan groups the batch's messages by ticket, in the order of their first
// message, and returns the ids of messages that name no ticket.
func (h *Handler) plan(ctx context.Context, ev events.SQSEvent) (works []*work, unreadable []string) {
	byTicket := map[string]*work{}
	for _, m := range ev.Records {
		id, err := TicketID(m.Body)
		if err != nil {
			h.cfg.Logger.ErrorContext(ctx, "message names no ticket; SQS will deliver it again, then dead-letter it",
				"message_id", m.MessageId, "error", ticketsum.ErrorMessage(err))
			unreadable = append(unreadable, m.MessageId)
			continue
		}
		w := byTicket[id]
		if w == nil {
			w = &work{ticketID: id}
			byTicket[id] = w
			works = append(works, w)
		}
		w.messages = append(w.messages, m)
		w.receives = max(w.receives, receiveCount(m))
	}
	return works, unreadable
}

// run processes works Concurrency at a time and returns each one's error.
func (h *Handler) run(ctx context.Context, works []*work) []error {
	errs := make([]error, len(works))
	deadline, bounded := ctx.Deadline()
	slots := make(chan struct{}, h.cfg.Concurrency)
	var wg sync.WaitGroup
	for i, w := range works {
		slots <- struct{}{}
		now := h.cfg.Clock.Now()
		if bounded && deadline.Sub(now) < h.cfg.TicketTimeout+h.cfg.Reserve || ctx.Err() != nil {
			<-slots
			errs[i] = errNotStarted
			continue
		}
		end := now.Add(h.cfg.TicketTimeout)
		if bounded && deadline.Add(-h.cfg.Reserve).Before(end) {
			end = deadline.Add(-h.cfg.Reserve)
		}
		wg.Go(func() {
			defer func() { <-slots }()
			tctx, cancel := context.WithDeadline(ctx, end)
			defer cancel()
			endSpan := func(error) {}
			if h.cfg.Tracer != nil {
				tctx, endSpan = h.cfg.Tracer.StartSQSTicket(tctx, w.ticketID, w.messages)
			}
			errs[i] = h.cfg.Processor.Process(tctx, w.ticketID)
			endSpan(errs[i])
		})
	}
	wg.Wait()
	return errs
}

// report logs a ticket's failure and records its failed state when no
// retry will summarise it.
func (h *Handler) report(ctx context.Context, w *work, err error) {
	class := ticketsum.ClassOf(err)
	attrs := []any{"ticket_id", w.ticketID, "messages", len(w.messages), "receive_count", w.receives,
		"code", string(ticketsum.ErrorCodeOf(err)), "class", string(class), "reason", ticketsum.ErrorMessage(err)}
	if err == errNotStarted {
		h.cfg.Logger.WarnContext(ctx, "ticket left for the next delivery", attrs...)
		return
	}
	last := class != ticketsum.ClassRetryable || w.receives >= h.cfg.MaxReceiveCount
	h.cfg.Logger.ErrorContext(ctx, "ticket not summarised; SQS will deliver it again", append(attrs, "recorded_failed", last && h.cfg.Failures != nil)...)
	if !last || h.cfg.Failures == nil {
		return
	}
	// The invocation's context may be near its end: recording the state
	// gets the reserve kept for the end of the batch.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.cfg.Reserve)
	defer cancel()
	if rerr := h.cfg.Failures.RecordFailure(rctx, w.ticketID, err, w.receives); rerr != nil {
		h.cfg.Logger.ErrorContext(ctx, "could not record the ticket's failed state", "ticket_id", w.ticketID,
			"code", string(ticketsum.ErrorCodeOf(rerr)), "error", ticketsum.ErrorMessage(rerr))
	}
}

// receiveCount returns the message's ApproximateReceiveCount, 1 when it
// is missing or unreadable.
func receiveCount(m events.SQSMessage) int {
	n, err := strconv.Atoi(m.Attributes["ApproximateReceiveCount"])
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// message is the JSON a message body may hold: {"ticket_id": "..."}, or an
// EventBridge event whose detail holds it.
type message struct {
	TicketID string          `json:"ticket_id"`
	ID       string          `json:"id"`
	Detail   json.RawMessage `json:"detail"`
	Source   string          `json:"source"`
}

// TicketID extracts the ticket id from a message body: a bare id, a JSON
// object {"ticket_id": ...}, or an EventBridge event with the id in
// "detail" (as {"ticket_id"} or {"id"}). It returns EINVALID when there is
// none.
func TicketID(body string) (string, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return "", ticketsum.Errorf(ticketsum.EINVALID, "message body is empty, want a ticket id")
	}
	if !strings.HasPrefix(body, "{") {
		if strings.ContainsAny(body, "\n\r\"") || len(body) > ticketsum.MaxIDLength || !utf8.ValidString(body) {
			return "", ticketsum.Errorf(ticketsum.EINVALID, "message body is not a ticket id or a JSON object")
		}
		return body, nil
	}
	var m message
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return "", ticketsum.Errorf(ticketsum.EINVALID, "message body is not valid JSON: %v", err)
	}
	if len(m.Detail) > 0 && m.Source != "" { // EventBridge envelope
		var d message
		if err := json.Unmarshal(m.Detail, &d); err != nil {
			return "", ticketsum.Errorf(ticketsum.EINVALID, "EventBridge detail is not a JSON object: %v", err)
		}
		m = d
	}
	id := m.TicketID
	if id == "" {
		id = m.ID
	}
	if id == "" || len(id) > ticketsum.MaxIDLength {
		return "", ticketsum.Errorf(ticketsum.EINVALID, `message names no ticket: want {"ticket_id": "..."}`)
	}
	return id, nil
}
