package telemetry_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/gateway"
	"github.com/ticketsum/ticketsum/guard"
	"github.com/ticketsum/ticketsum/summarize"
	"github.com/ticketsum/ticketsum/telemetry"
)

// otlpReceiver is an in-process OTLP/HTTP trace receiver: it decodes each
// ExportTraceServiceRequest and keeps the raw bodies too.
type otlpReceiver struct {
	mu     sync.Mutex
	bodies [][]byte
	reqs   []*collectortrace.ExportTraceServiceRequest
	errs   []string
}

func (o *otlpReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	data, err := io.ReadAll(body)
	o.mu.Lock()
	defer o.mu.Unlock()
	req := &collectortrace.ExportTraceServiceRequest{}
	switch {
	case r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf":
		o.errs = append(o.errs, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type"))
		http.Error(w, "unexpected request", http.StatusNotFound)
		return
	case err != nil:
		o.errs = append(o.errs, err.Error())
	default:
		if err := proto.Unmarshal(data, req); err != nil {
			o.errs = append(o.errs, err.Error())
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}
	o.bodies = append(o.bodies, data)
	o.reqs = append(o.reqs, req)
	out, _ := proto.Marshal(&collectortrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(out)
}

// spans returns every received span with its resource's service.name.
func (o *otlpReceiver) spans() (spans []*tracepb.Span, services []string, scopes []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, req := range o.reqs {
		for _, rs := range req.ResourceSpans {
			for _, kv := range rs.Resource.Attributes {
				if kv.Key == "service.name" {
					services = append(services, kv.Value.GetStringValue())
				}
			}
			for _, ss := range rs.ScopeSpans {
				scopes = append(scopes, ss.Scope.GetName())
				spans = append(spans, ss.Spans...)
			}
		}
	}
	return spans, services, scopes
}

func otlpAttrs(s *tracepb.Span) map[string]*commonpb.AnyValue {
	m := map[string]*commonpb.AnyValue{}
	for _, kv := range s.Attributes {
		m[kv.Key] = kv.Value
	}
	return m
}

// piiTicket is a ticket whose every field is a distinctive value that must
// never reach a span.
func piiTicket() *ticketsum.Ticket {
	return &ticketsum.Ticket{
		ID: "T-4242", Subject: "Zanzibar-quokka refund never arrived", ProductLine: "billing",
		Customer: ticketsum.Customer{Name: "Philippa Quennell-Ashdown", Email: "philippa.qa@example.org"},
		Messages: []ticketsum.Message{
			{Role: ticketsum.RoleCustomer, Author: "Philippa Quennell-Ashdown", Body: "My order HX-99812 for the turquoise marmalade press was charged twice to card 4111 1111 1111 1111. Call me on +44 20 7946 0958."},
			{Role: ticketsum.RoleAgent, Author: "Bartholomew Ferncastle", Body: "I refunded the duplicate charge for the marmalade press today; it is resolved."},
		},
	}
}

// ticketValues are the strings of t that must not be exported: every
// field but the ID, and each distinctive word of the bodies.
func ticketValues(t *ticketsum.Ticket) []string {
	vals := []string{t.Subject, t.Customer.Name, t.Customer.Email, "Philippa", "Quennell", "Ashdown", "Zanzibar", "quokka",
		"HX-99812", "turquoise", "marmalade", "4111", "7946", "Bartholomew", "Ferncastle"}
	for _, m := range t.Messages {
		vals = append(vals, m.Body, m.Author)
	}
	return vals
}

// TestOTLPExportHoldsNoTicketValue runs a ticket full of personal data
// through the summariser, the guard and the gateway against a model that
// echoes its prompt, exports the trace over OTLP/HTTP (configured by the
// OTEL_* variables alone) to an in-process receiver, and checks the span
// structure and attributes, and that no ticket value is in any exported
// byte.
func TestOTLPExportHoldsNoTicketValue(t *testing.T) {
	rcv := &otlpReceiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
	t.Setenv("OTEL_METRICS_EXPORTER", "none")
	t.Setenv("OTEL_SERVICE_NAME", "ticketsum-test")
	ctx := context.Background()
	tel, err := telemetry.New(ctx, telemetry.Config{Getenv: os.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	if !tel.Tracing() || tel.Metrics() {
		t.Fatalf("tracing %v metrics %v, want tracing only", tel.Tracing(), tel.Metrics())
	}
	g, err := guard.New(guard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	model := &fakeModel{name: haiku, echo: true, faults: []error{ticketsum.Errorf(ticketsum.EUNAVAILABLE, "503 for Philippa Quennell-Ashdown")}}
	gw := mustGateway(t, tel, []gateway.Middleware{g.Middleware()}, nil, model)
	gm, err := gw.Model(haiku)
	if err != nil {
		t.Fatal(err)
	}
	llm, err := summarize.NewLLM(summarize.LLMConfig{Model: gm, NoRepair: true, Principal: "worker"})
	if err != nil {
		t.Fatal(err)
	}
	pipe, err := summarize.New(summarize.Config{Summarizer: tel.Summarizer(llm), Guard: g, Model: haiku, Principal: "worker"})
	if err != nil {
		t.Fatal(err)
	}
	tk := piiTicket()
	// The answer echoes the prompt; whether the output checks accept it
	// does not matter here, only what reaches the spans.
	_, _ = pipe.Summarize(ctx, tk)
	if err := tel.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if len(rcv.errs) > 0 {
		t.Fatalf("receiver errors: %v", rcv.errs)
	}
	spans, services, scopes := rcv.spans()
	if len(spans) != 4 {
		t.Fatalf("received %d spans, want 4 (the summariser's, a call span and 2 attempts): %v", len(spans), spans)
	}
	for _, s := range services {
		if s != "ticketsum-test" {
			t.Errorf("service.name %q, want OTEL_SERVICE_NAME's", s)
		}
	}
	for _, s := range scopes {
		if s != telemetry.ScopeName {
			t.Errorf("scope %q", s)
		}
	}
	var call, sum *tracepb.Span
	var attempts []*tracepb.Span
	for _, s := range spans {
		switch {
		case s.Name == "ticketsum.summarize":
			sum = s
		case strings.HasPrefix(s.Name, "ticketsum.gateway "):
			call = s
		case strings.HasPrefix(s.Name, "chat "):
			attempts = append(attempts, s)
		}
	}
	if call == nil || len(attempts) != 2 || call.Kind != tracepb.Span_SPAN_KIND_INTERNAL {
		t.Fatalf("call %v attempts %d", call, len(attempts))
	}
	if sum == nil || len(sum.ParentSpanId) != 0 || !bytes.Equal(call.ParentSpanId, sum.SpanId) {
		t.Fatalf("summariser span %v is not the root and the call span's parent", sum)
	}
	for _, a := range attempts {
		if !bytes.Equal(a.ParentSpanId, call.SpanId) || !bytes.Equal(a.TraceId, call.TraceId) || a.Kind != tracepb.Span_SPAN_KIND_CLIENT {
			t.Errorf("attempt %s: parent %x trace %x kind %v; want parent %x in trace %x, client", a.Name, a.ParentSpanId, a.TraceId, a.Kind, call.SpanId, call.TraceId)
		}
	}
	first, second := otlpAttrs(attempts[0]), otlpAttrs(attempts[1])
	if first["error.type"].GetStringValue() != "unavailable" || attempts[0].Status.Code != tracepb.Status_STATUS_CODE_ERROR ||
		attempts[0].Status.Message != "unavailable" {
		t.Errorf("failed attempt: status %v attributes %v", attempts[0].Status, first)
	}
	for k, want := range map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "aws.bedrock",
		"gen_ai.request.model": "anthropic.claude-3-5-haiku-20241022-v1:0", "gen_ai.response.model": "anthropic.claude-3-5-haiku-20241022-v1:0",
		"gen_ai.usage.input_tokens": int64(1500), "gen_ai.usage.output_tokens": int64(80),
		"ticketsum.attempt": int64(2), "ticketsum.principal": "worker", "ticketsum.ticket.id": "T-4242",
		"server.address": "bedrock-runtime.eu-west-1.amazonaws.com", "ticketsum.guardrail.action": "NONE",
	} {
		v := second[k]
		var got any
		switch want.(type) {
		case string:
			got = v.GetStringValue()
		case int64:
			got = v.GetIntValue()
		}
		if got != want {
			t.Errorf("answering attempt: %s = %v, want %v", k, got, want)
		}
	}
	// The guard (an Outer wrapper) anonymised the input: the call span says
	// so, with the kinds of finding and never their values.
	ca := otlpAttrs(call)
	if ca["ticketsum.guardrail.action"].GetStringValue() != "ANONYMIZED" || ca["ticketsum.guardrail.flags"].GetArrayValue() == nil {
		t.Errorf("call span guardrail attributes: %v %v", ca["ticketsum.guardrail.action"], ca["ticketsum.guardrail.flags"])
	}
	if second["ticketsum.cost_usd"].GetDoubleValue() <= 0 {
		t.Errorf("answering attempt has no cost: %v", second["ticketsum.cost_usd"])
	}
	// Nothing of the ticket in any exported byte: names, attributes,
	// statuses, events, in the raw protobuf bodies.
	// The ticket ID is exported on purpose (a positive control that the
	// search below sees attribute values).
	if !bytes.Contains(bytes.Join(rcv.bodies, nil), []byte(tk.ID)) {
		t.Errorf("exported spans do not contain the ticket ID %s", tk.ID)
	}
	for _, body := range rcv.bodies {
		for _, v := range ticketValues(tk) {
			if bytes.Contains(body, []byte(v)) {
				t.Errorf("exported spans contain the ticket value %q", v)
			}
		}
	}
}
