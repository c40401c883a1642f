package telemetry_test

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/telemetry"
)

// A ticket named by two messages is one span: its parent is the first
// trace context a message attribute carries, it links to each, and Flush
// exports it without stopping telemetry.
func TestStartSQSTicket(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewInMemoryExporter()
	tel, err := telemetry.New(context.Background(), telemetry.Config{SpanExporter: spans})
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	str := func(v string) *string { return &v }
	const traceID, spanID = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
	msgs := []events.SQSMessage{
		{MessageId: "m1", Body: "T-1", EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:tickets", Attributes: map[string]string{"ApproximateReceiveCount": "3"}},
		{MessageId: "m2", Body: "T-1", MessageAttributes: map[string]events.SQSMessageAttribute{
			"traceparent": {DataType: "String", StringValue: str("00-" + traceID + "-" + spanID + "-01")},
			"tracestate":  {DataType: "String", StringValue: str("vendor=x")},
		}},
	}
	ctx, end := tel.StartSQSTicket(context.Background(), "T-1", msgs)
	if !trace.SpanFromContext(ctx).IsRecording() {
		t.Fatal("no span in the returned context")
	}
	end(ticketsum.Errorf(ticketsum.EUNAVAILABLE, "the model is down for T-1"))
	if err := tel.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := spans.GetSpans()
	if len(got) != 1 {
		t.Fatalf("%d spans after Flush, want 1", len(got))
	}
	s := got[0]
	a := map[string]string{}
	for _, kv := range s.Attributes {
		a[string(kv.Key)] = kv.Value.Emit()
	}
	want := map[string]string{"messaging.system": "aws_sqs", "messaging.destination.name": "tickets", "messaging.operation.type": "process",
		"messaging.batch.message_count": "2", "ticketsum.ticket.id": "T-1", "ticketsum.attempt": "3", "ticketsum.job.outcome": "retry", "error.type": "unavailable"}
	for k, v := range want {
		if a[k] != v {
			t.Errorf("%s = %q, want %q", k, a[k], v)
		}
	}
	if s.Name != "process tickets" || s.SpanKind != trace.SpanKindConsumer || s.Parent.TraceID().String() != traceID ||
		s.Parent.SpanID().String() != spanID || s.Parent.TraceState().String() != "vendor=x" || len(s.Links) != 1 {
		t.Errorf("span %s kind %v under %v with %d links, want process tickets under the second message's context", s.Name, s.SpanKind, s.Parent, len(s.Links))
	}
	if s.Status.Description != "unavailable" {
		t.Errorf("status %+v: want the error code alone, never the message", s.Status)
	}
	// Still running after Flush: a later ticket is exported too.
	_, end = tel.StartSQSTicket(context.Background(), "T-2", msgs[:1])
	end(nil)
	if err := tel.Flush(context.Background()); err != nil || len(spans.GetSpans()) != 2 {
		t.Errorf("after a second Flush: %d spans, %v", len(spans.GetSpans()), err)
	}
}

// Off, it is the identity: no span, nothing to flush.
func TestStartSQSTicketOff(t *testing.T) {
	t.Parallel()
	var tel *telemetry.Telemetry
	ctx := context.Background()
	got, end := tel.StartSQSTicket(ctx, "T-1", []events.SQSMessage{{MessageId: "m1"}})
	end(nil)
	if got != ctx || tel.Flush(ctx) != nil {
		t.Error("nil telemetry made a span or failed to flush")
	}
}
