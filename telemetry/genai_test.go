package telemetry_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/trace"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/telemetry"
)

func TestModelCallSpans(t *testing.T) {
	t.Parallel()
	r := mustRecorder(t)
	first := &fakeModel{name: haiku, always: ticketsum.Errorf(ticketsum.ETHROTTLED, "throttled")}
	second := &fakeModel{name: nova, flags: []string{"input:EMAIL:ANONYMIZED", "usage:estimated"}}
	g := mustGateway(t, r.tel, nil, map[string][]string{haiku: {nova}}, first, second)
	m, err := g.Model(haiku)
	if err != nil {
		t.Fatal(err)
	}
	req := &ticketsum.ModelRequest{MaxTokens: 300, Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "hello"}},
		Meta: ticketsum.CallMeta{Principal: "worker", UseCase: "summarize", TicketID: "T-1", RequestID: "req-1"}}
	res, err := m.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	spans := r.ended(t)
	calls, attempts := byName(spans, "ticketsum.gateway "), byName(spans, "chat ")
	if len(calls) != 1 || len(attempts) != 3 {
		t.Fatalf("got %d call spans and %d attempt spans, want 1 and 3 (2 throttled on haiku, 1 on nova): %v", len(calls), len(attempts), spans)
	}
	call := calls[0]
	ca := attrs(call)
	if call.SpanKind != trace.SpanKindInternal || ca[telemetry.AttrAttempts].AsInt64() != 3 || !ca[telemetry.AttrFallback].AsBool() ||
		ca[telemetry.AttrPrincipal].AsString() != "worker" || ca[telemetry.AttrAnsweredBy].AsString() != nova ||
		ca[telemetry.AttrCostUSD].AsFloat64() != res.CostUSD || res.CostUSD <= 0 ||
		ca[telemetry.AttrGuardrailAction].AsString() != telemetry.GuardrailAnonymized {
		t.Errorf("call span %s kind %s attributes %v", call.Name, call.SpanKind, ca)
	}
	for i, a := range attempts {
		if a.Parent.SpanID() != call.SpanContext.SpanID() || a.SpanKind != trace.SpanKindClient {
			t.Errorf("attempt %d: parent %s kind %s, want the call span %s and client", i, a.Parent.SpanID(), a.SpanKind, call.SpanContext.SpanID())
		}
		aa := attrs(a)
		if aa["gen_ai.operation.name"].AsString() != "chat" || aa["gen_ai.provider.name"].AsString() != "aws.bedrock" ||
			aa["gen_ai.request.max_tokens"].AsInt64() != 300 || aa["server.address"].AsString() != "bedrock-runtime.eu-west-1.amazonaws.com" ||
			aa[telemetry.AttrAttempt].AsInt64() != int64(i+1) {
			t.Errorf("attempt %d attributes %v", i+1, aa)
		}
	}
	for i := range 2 {
		aa := attrs(attempts[i])
		if attempts[i].Name != "chat anthropic.claude-3-5-haiku-20241022-v1:0" || aa["error.type"].AsString() != "throttled" ||
			attempts[i].Status.Code != codes.Error || attempts[i].Status.Description != "throttled" || aa[telemetry.AttrFallback].AsBool() {
			t.Errorf("throttled attempt %d: %s status %v attributes %v", i+1, attempts[i].Name, attempts[i].Status, aa)
		}
	}
	ok := attrs(attempts[2])
	want := map[attribute.Key]any{
		"gen_ai.request.model": "amazon.nova-pro-v1:0", "gen_ai.response.model": "amazon.nova-pro-v1:0",
		"gen_ai.usage.input_tokens": int64(1500), "gen_ai.usage.output_tokens": int64(80),
		"gen_ai.usage.cache_read.input_tokens": int64(300), telemetry.AttrFallback: true,
	}
	for k, v := range want {
		if ok[k].AsInterface() != v {
			t.Errorf("answering attempt: %s = %v, want %v", k, ok[k].AsInterface(), v)
		}
	}
	if fr := ok["gen_ai.response.finish_reasons"].AsStringSlice(); len(fr) != 1 || fr[0] != "stop" {
		t.Errorf("finish reasons %v, want [stop]", fr)
	}
	if _, has := ok["error.type"]; has || attempts[2].Status.Code == codes.Error {
		t.Errorf("answering attempt has an error: %v %v", ok["error.type"], attempts[2].Status)
	}
	if flags := ok[telemetry.AttrGuardrailFlags].AsStringSlice(); len(flags) != 1 || flags[0] != "input:EMAIL:ANONYMIZED" {
		t.Errorf("guardrail flags %v, want only the guardrail's", flags)
	}
}

func TestModelCallBlocked(t *testing.T) {
	t.Parallel()
	r := mustRecorder(t)
	g := mustGateway(t, r.tel, nil, nil, &fakeModel{name: haiku, always: ticketsum.Errorf(ticketsum.EBLOCKED, "guardrail blocked: Maria's card 4111")})
	m, _ := g.Model(haiku)
	if _, err := m.Generate(context.Background(), &ticketsum.ModelRequest{}); ticketsum.ErrorCodeOf(err) != ticketsum.EBLOCKED {
		t.Fatalf("err %v, want blocked", err)
	}
	calls := byName(r.ended(t), "ticketsum.gateway ")
	if len(calls) != 1 {
		t.Fatalf("%d call spans", len(calls))
	}
	a := attrs(calls[0])
	if a["error.type"].AsString() != "blocked" || a[telemetry.AttrGuardrailAction].AsString() != telemetry.GuardrailBlocked ||
		calls[0].Status.Description != "blocked" || a[telemetry.AttrErrorClass].AsString() != "policy" {
		t.Errorf("blocked call: status %v attributes %v", calls[0].Status, a)
	}
}

func TestGenAIMetrics(t *testing.T) {
	t.Parallel()
	r := mustRecorder(t)
	g := mustGateway(t, r.tel, nil, nil, &fakeModel{name: haiku, faults: []error{ticketsum.Errorf(ticketsum.EUNAVAILABLE, "down")}})
	m, _ := g.Model(haiku)
	if _, err := m.Generate(context.Background(), &ticketsum.ModelRequest{}); err != nil {
		t.Fatal(err)
	}
	var rm metricdata.ResourceMetrics
	if err := r.metrics.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, sm := range rm.ScopeMetrics {
		for _, md := range sm.Metrics {
			found[md.Name] = true
			switch md.Name {
			case "gen_ai.client.operation.duration":
				h := md.Data.(metricdata.Histogram[float64])
				if md.Unit != "s" || h.DataPoints[0].Bounds[0] != 0.01 || h.DataPoints[0].Bounds[13] != 81.92 {
					t.Errorf("duration unit %q bounds %v", md.Unit, h.DataPoints[0].Bounds)
				}
				var failed, ok uint64
				for _, dp := range h.DataPoints {
					if v, has := dp.Attributes.Value("error.type"); has && v.AsString() == "unavailable" {
						failed += dp.Count
					} else {
						ok += dp.Count
					}
				}
				if failed != 1 || ok != 1 {
					t.Errorf("duration counts: %d failed, %d ok; want 1 and 1", failed, ok)
				}
			case "gen_ai.client.token.usage":
				h := md.Data.(metricdata.Histogram[int64])
				sums := map[string]int64{}
				for _, dp := range h.DataPoints {
					v, _ := dp.Attributes.Value("gen_ai.token.type")
					sums[v.AsString()] += dp.Sum
					if dp.Bounds[len(dp.Bounds)-1] != 67108864 {
						t.Errorf("token bounds %v", dp.Bounds)
					}
				}
				if sums["input"] != 1500 || sums["output"] != 80 {
					t.Errorf("token sums %v, want input 1500 output 80", sums)
				}
			}
		}
	}
	if !found["gen_ai.client.operation.duration"] || !found["gen_ai.client.token.usage"] {
		t.Errorf("metrics found: %v", found)
	}
}

func TestOffIsIdentity(t *testing.T) {
	t.Parallel()
	tel, err := telemetry.New(context.Background(), telemetry.Config{Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	if tel.Tracing() || tel.Metrics() {
		t.Fatal("telemetry on without any OTEL_* variable")
	}
	m := &fakeModel{name: haiku}
	outer, inner := tel.ModelCalls(nil)
	if outer(m) != ticketsum.Model(m) || inner(m) != ticketsum.Model(m) {
		t.Error("the model wrappers are not the identity when telemetry is off")
	}
	if tel.QueueMiddleware() != nil {
		t.Error("a queue middleware when tracing is off")
	}
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestEnabled(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env             map[string]string
		traces, metrics bool
	}{
		{nil, false, false},
		{map[string]string{"OTEL_SERVICE_NAME": "x"}, false, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, true, true},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}, true, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_METRICS_EXPORTER": "none"}, true, false},
		{map[string]string{"OTEL_TRACES_EXPORTER": "console"}, true, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}, false, false},
	} {
		tr, me := telemetry.Enabled(func(k string) string { return tc.env[k] })
		if tr != tc.traces || me != tc.metrics {
			t.Errorf("Enabled(%v) = %v, %v; want %v, %v", tc.env, tr, me, tc.traces, tc.metrics)
		}
	}
}
