package telemetry

import (
	"context"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// StartSQSTicket starts the CONSUMER span of one ticket of an SQS batch,
// "process {queue}", for the messages msgs that name it (a ticket edited
// twice may be named twice in one batch), and returns its context and the
// function that ends it with the ticket's error (nil: summarised). When
// tracing is off it returns ctx and a no-op.
//
// The producer's trace context comes from the message attributes
// "traceparent" and "tracestate" (W3C trace context, String attributes, as
// the sender sets them): the span's parent is the first message's that
// carries one, and the span links to every message's, so that a ticket
// joins the trace of the change that queued it. A message without one
// starts the ticket's own trace. The span holds the queue, the message ids
// (or their count), the highest receive count as ticketsum.attempt, the
// ticket ID and the outcome ("done" or "retry": every failed message is
// delivered again), never a message body.
func (t *Telemetry) StartSQSTicket(ctx context.Context, ticketID string, msgs []events.SQSMessage) (context.Context, func(error)) {
	if !t.Tracing() {
		return ctx, func(error) {}
	}
	parent := ctx
	var links []trace.Link
	receives := 0
	for _, m := range msgs {
		mctx := t.prop.Extract(ctx, sqsCarrier(m.MessageAttributes))
		if sc := trace.SpanContextFromContext(mctx); sc.IsValid() {
			if len(links) == 0 {
				parent = mctx
			}
			links = append(links, trace.Link{SpanContext: sc})
		}
		if n, err := strconv.Atoi(m.Attributes["ApproximateReceiveCount"]); err == nil {
			receives = max(receives, n)
		}
	}
	queue := "sqs"
	if len(msgs) > 0 {
		queue = queueName(msgs[0].EventSourceARN)
	}
	attrs := []attribute.KeyValue{semconv.MessagingSystemAWSSQS, semconv.MessagingDestinationName(queue),
		semconv.MessagingOperationTypeProcess, AttrTicketID.String(ticketID)}
	if len(msgs) == 1 {
		attrs = append(attrs, semconv.MessagingMessageID(msgs[0].MessageId))
	} else {
		attrs = append(attrs, semconv.MessagingBatchMessageCount(len(msgs)))
	}
	if receives > 0 {
		attrs = append(attrs, AttrAttempt.Int(receives))
	}
	ctx, span := t.tracer.Start(parent, "process "+queue, trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attrs...), trace.WithLinks(links...))
	return ctx, func(err error) {
		outcome := "done"
		if err != nil {
			outcome = "retry"
		}
		span.SetAttributes(AttrJobOutcome.String(outcome))
		endWithError(span, err)
	}
}

// queueName returns the queue's name from its ARN
// (arn:aws:sqs:region:account:name), or "sqs".
func queueName(arn string) string {
	if i := strings.LastIndexByte(arn, ':'); i >= 0 && i < len(arn)-1 {
		return arn[i+1:]
	}
	return "sqs"
}

// sqsCarrier reads a trace context from SQS message attributes.
type sqsCarrier map[string]events.SQSMessageAttribute

// Get returns the String attribute key, or "".
func (c sqsCarrier) Get(key string) string {
	a, ok := c[key]
	if !ok || a.StringValue == nil {
		return ""
	}
	return *a.StringValue
}

// Set does nothing: the consumer only reads.
func (c sqsCarrier) Set(string, string) {}

// Keys returns the attributes' names.
func (c sqsCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}
