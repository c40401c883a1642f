package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/ticketsum/ticketsum/bedrocktest"
	"github.com/ticketsum/ticketsum/telemetry"
)

// The function traces each ticket of a batch as a CONSUMER span under the
// trace context its message carries (or a trace of its own), with the
// summary and model-call spans as children, and the spans are exported
// before Handle returns: a frozen container exports nothing. No span
// holds ticket text.
func TestTracesEachTicket(t *testing.T) {
	t.Parallel()
	url, schema := MustSchema(t)
	MustApprove(t, url, schema, testModel)
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Responder: resolvedResponder})
	s, err := loadSettings(envMap(map[string]string{"TICKETSUM_DB": url, "TICKETSUM_DB_SCHEMA": schema, "TICKETSUM_MODEL": testModel,
		"TICKETSUM_REVIEW_SHARE": "0"}))
	if err != nil {
		t.Fatal(err)
	}
	spans := tracetest.NewInMemoryExporter()
	var logs syncBuffer
	f, err := newFunction(t.Context(), s, deps{Log: &logs, SpanExporter: spans, Getenv: envMap(map[string]string{"AWS_REGION": "eu-west-1"}),
		LoadAWS: func(context.Context) (aws.Config, error) { return srv.AWSConfig(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, id := range []string{"T-1", "T-2", "T-3"} {
		if _, err := f.store.UpsertTicket(t.Context(), piiTicket(id)); err != nil {
			t.Fatal(err)
		}
	}
	const (
		traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
		spanID  = "00f067aa0ba902b7"
	)
	str := func(v string) *string { return &v }
	traced := map[string]events.SQSMessageAttribute{"traceparent": {DataType: "String", StringValue: str("00-" + traceID + "-" + spanID + "-01")}}
	arn := "arn:aws:sqs:eu-west-1:123456789012:support-tickets"
	resp, err := f.Handle(t.Context(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "T-1", EventSourceARN: arn, MessageAttributes: traced, Attributes: map[string]string{"ApproximateReceiveCount": "2"}},
		{MessageId: "m2", Body: "T-2", EventSourceARN: arn},
		{MessageId: "m3", Body: "T-404", EventSourceARN: arn}, // no such ticket: a failed span
	}})
	if err != nil || !slices.Equal(failedIDs(resp), []string{"m3"}) {
		t.Fatalf("Handle = %v, %v", failedIDs(resp), err)
	}
	// Read before Close: the spans must already be exported.
	got := spans.GetSpans()
	process := map[string]tracetest.SpanStub{}
	for _, sp := range got {
		if sp.Name == "process support-tickets" {
			a := map[string]string{}
			for _, kv := range sp.Attributes {
				a[string(kv.Key)] = kv.Value.Emit()
			}
			process[a[string(telemetry.AttrTicketID)]] = sp
			if sp.SpanKind != trace.SpanKindConsumer || a["messaging.system"] != "aws_sqs" || a["messaging.destination.name"] != "support-tickets" {
				t.Errorf("process span attributes %v, kind %v", a, sp.SpanKind)
			}
		}
		for _, kv := range sp.Attributes {
			for _, secret := range []string{piiName, piiEmail, piiPhone, piiSubject, "reconciliation"} {
				if strings.Contains(kv.Value.Emit(), secret) {
					t.Errorf("span %s attribute %s holds ticket data", sp.Name, kv.Key)
				}
			}
		}
	}
	if len(process) != 3 {
		t.Fatalf("process spans by ticket = %v (of %d spans exported before Handle returned), want T-1, T-2 and T-404", keys(process), len(got))
	}
	one, two := process["T-1"], process["T-2"]
	if one.SpanContext.TraceID().String() != traceID || one.Parent.SpanID().String() != spanID || !one.Parent.IsRemote() ||
		len(one.Links) != 1 || one.Links[0].SpanContext.SpanID().String() != spanID {
		t.Errorf("T-1's span is in trace %s under %s (links %v), want the message's trace %s under %s",
			one.SpanContext.TraceID(), one.Parent.SpanID(), one.Links, traceID, spanID)
	}
	if two.Parent.IsValid() || two.SpanContext.TraceID() == one.SpanContext.TraceID() {
		t.Errorf("T-2's span has parent %v in trace %s: a message without a trace context starts its own", two.Parent, two.SpanContext.TraceID())
	}
	if process["T-404"].Status.Description != "not_found" {
		t.Errorf("T-404's span status = %+v, want the error code not_found", process["T-404"].Status)
	}
	// The summary and the model call are children in T-1's trace.
	var inTrace []string
	for _, sp := range got {
		if sp.SpanContext.TraceID() == one.SpanContext.TraceID() {
			inTrace = append(inTrace, sp.Name)
		}
	}
	for _, want := range []string{"process support-tickets", "ticketsum.summarize", "ticketsum.gateway " + testModel, "chat " + strings.TrimPrefix(testModel, "bedrock:")} {
		if !slices.Contains(inTrace, want) {
			t.Errorf("T-1's trace holds %v, want %q among them", inTrace, want)
		}
	}
	for _, sp := range got {
		if !strings.HasPrefix(sp.Name, "chat ") {
			continue
		}
		addr := ""
		for _, kv := range sp.Attributes {
			if kv.Key == "server.address" {
				addr = kv.Value.AsString()
			}
		}
		if addr != "bedrock-runtime.eu-west-1.amazonaws.com" {
			t.Errorf("%s: server.address = %q, want the region's Bedrock runtime host", sp.Name, addr)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
