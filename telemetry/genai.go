package telemetry

import (
	"context"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/ticketsum/ticketsum"
)

// The ticketsum attributes of model-call spans, beside the GenAI ones.
const (
	AttrCostUSD         = attribute.Key("ticketsum.cost_usd")
	AttrPrincipal       = attribute.Key("ticketsum.principal")
	AttrUseCase         = attribute.Key("ticketsum.use_case")
	AttrTicketID        = attribute.Key("ticketsum.ticket.id")
	AttrRequestID       = attribute.Key("ticketsum.request.id")
	AttrAttempt         = attribute.Key("ticketsum.attempt")
	AttrAttempts        = attribute.Key("ticketsum.attempts")
	AttrFallback        = attribute.Key("ticketsum.fallback")
	AttrModel           = attribute.Key("ticketsum.model")
	AttrAnsweredBy      = attribute.Key("ticketsum.answered_by")
	AttrGuardrailAction = attribute.Key("ticketsum.guardrail.action")
	AttrGuardrailFlags  = attribute.Key("ticketsum.guardrail.flags")
	AttrErrorClass      = attribute.Key("ticketsum.error.class")
)

// Guardrail actions, as in ticketsum.guardrail.action.
const (
	GuardrailNone       = "NONE"
	GuardrailAnonymized = "ANONYMIZED"
	GuardrailBlocked    = "BLOCKED"
)

// ModelCalls returns the two gateway wrappers (gateway.Middleware) that
// trace and measure model calls. Put outer first in gateway Config.Outer
// and inner first in Config.Inner, so that they see what the governance
// wrappers deny:
//
//   - outer makes one INTERNAL span per logical call, "ticketsum.gateway
//     {model}": the principal, the attempts made, whether a fallback
//     answered, the cost, the guardrail action and, on failure, error.type;
//   - inner makes one CLIENT span per provider attempt, "chat {model}",
//     following the GenAI semantic conventions (gen_ai.operation.name,
//     gen_ai.provider.name, gen_ai.request.model, gen_ai.response.model,
//     gen_ai.request.max_tokens, gen_ai.usage.*, gen_ai.response.finish_reasons,
//     server.address, error.type) plus ticketsum.attempt, ticketsum.fallback
//     and ticketsum.cost_usd, and records gen_ai.client.operation.duration
//     and gen_ai.client.token.usage.
//
// serverAddress returns a model's server.address ("" to leave it out);
// nil leaves it out. When telemetry is off both are the identity.
func (t *Telemetry) ModelCalls(serverAddress func(model string) string) (outer, inner func(ticketsum.Model) ticketsum.Model) {
	if !t.Tracing() && !t.Metrics() {
		id := func(m ticketsum.Model) ticketsum.Model { return m }
		return id, id
	}
	if serverAddress == nil {
		serverAddress = func(string) string { return "" }
	}
	outer = func(m ticketsum.Model) ticketsum.Model { return &callSpan{t: t, next: m} }
	inner = func(m ticketsum.Model) ticketsum.Model {
		return &attemptSpan{t: t, next: m, addr: serverAddress(m.Name())}
	}
	return outer, inner
}

// callKey carries a logical call's *callState to its attempts.
type callKey struct{}

// callState counts a logical call's attempts.
type callState struct {
	requested string
	attempts  atomic.Int64
}

// callSpan traces one logical model call.
type callSpan struct {
	t    *Telemetry
	next ticketsum.Model
}

// Name returns the wrapped model's name.
func (c *callSpan) Name() string { return c.next.Name() }

// Generate calls the wrapped model inside a span.
func (c *callSpan) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	st := &callState{requested: c.next.Name()}
	ctx = context.WithValue(ctx, callKey{}, st)
	ctx, span := c.t.tracer.Start(ctx, "ticketsum.gateway "+c.next.Name(), trace.WithSpanKind(trace.SpanKindInternal))
	if !span.IsRecording() {
		defer span.End()
		return c.next.Generate(ctx, req)
	}
	span.SetAttributes(AttrModel.String(c.next.Name()))
	if req != nil {
		span.SetAttributes(metaAttrs(req.Meta)...)
	}
	res, err := c.next.Generate(ctx, req)
	span.SetAttributes(AttrAttempts.Int64(st.attempts.Load()))
	if res != nil {
		span.SetAttributes(AttrAnsweredBy.String(res.Model), AttrFallback.Bool(res.Model != "" && res.Model != st.requested),
			AttrCostUSD.Float64(res.CostUSD))
		span.SetAttributes(guardrailAttrs(res.Flags, err)...)
	} else if err != nil {
		span.SetAttributes(guardrailAttrs(nil, err)...)
	}
	endWithError(span, err)
	return res, err
}

// attemptSpan traces one provider attempt as a GenAI client span.
type attemptSpan struct {
	t    *Telemetry
	next ticketsum.Model
	addr string
}

// Name returns the wrapped model's name.
func (a *attemptSpan) Name() string { return a.next.Name() }

// Generate calls the provider inside a GenAI client span and records the
// GenAI client metrics.
func (a *attemptSpan) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	name := a.next.Name()
	provider, model := splitModel(name)
	var attempt int64 = 1
	fallback := false
	if st, ok := ctx.Value(callKey{}).(*callState); ok {
		attempt = st.attempts.Add(1)
		fallback = st.requested != name
	}
	ctx, span := a.t.tracer.Start(ctx, "chat "+model, trace.WithSpanKind(trace.SpanKindClient))
	recording := span.IsRecording()
	if recording {
		span.SetAttributes(semconv.GenAIOperationNameChat, provider, semconv.GenAIRequestModel(model),
			AttrAttempt.Int64(attempt), AttrFallback.Bool(fallback), AttrModel.String(name))
		if a.addr != "" {
			span.SetAttributes(semconv.ServerAddress(a.addr))
		}
		if req != nil {
			if req.MaxTokens > 0 {
				span.SetAttributes(semconv.GenAIRequestMaxTokens(req.MaxTokens))
			}
			if req.Temperature != nil {
				span.SetAttributes(semconv.GenAIRequestTemperature(*req.Temperature))
			}
			span.SetAttributes(metaAttrs(req.Meta)...)
		}
	}
	t0 := time.Now()
	res, err := a.next.Generate(ctx, req)
	elapsed := time.Since(t0)
	respModel := ""
	if res != nil {
		_, respModel = splitModel(res.Model)
		if res.Model == "" {
			respModel = model
		}
	}
	if recording {
		if res != nil {
			u := res.Usage
			span.SetAttributes(semconv.GenAIResponseModel(respModel),
				// input_tokens counts every input token, cached ones included,
				// as the conventions ask; the cache ones are given apart too.
				semconv.GenAIUsageInputTokens(u.InputTokens+u.CacheReadTokens+u.CacheWriteTokens),
				semconv.GenAIUsageOutputTokens(u.OutputTokens),
				AttrCostUSD.Float64(res.CostUSD))
			if u.CacheReadTokens > 0 {
				span.SetAttributes(semconv.GenAIUsageCacheReadInputTokens(u.CacheReadTokens))
			}
			if u.CacheWriteTokens > 0 {
				span.SetAttributes(semconv.GenAIUsageCacheCreationInputTokens(u.CacheWriteTokens))
			}
			if res.StopReason != "" {
				span.SetAttributes(semconv.GenAIResponseFinishReasons(finishReason(res.StopReason)))
			}
			span.SetAttributes(guardrailAttrs(res.Flags, err)...)
		}
		endWithError(span, err)
	} else {
		span.End()
	}
	a.t.genai.record(ctx, provider, model, respModel, a.addr, res, err, elapsed)
	return res, err
}

// metaAttrs are the attribution attributes of a call: identifiers only.
func metaAttrs(m ticketsum.CallMeta) []attribute.KeyValue {
	var out []attribute.KeyValue
	if m.Principal != "" {
		out = append(out, AttrPrincipal.String(m.Principal))
	}
	if m.UseCase != "" {
		out = append(out, AttrUseCase.String(m.UseCase))
	}
	if m.TicketID != "" {
		out = append(out, AttrTicketID.String(m.TicketID))
	}
	if m.RequestID != "" {
		out = append(out, AttrRequestID.String(m.RequestID))
	}
	return out
}

// guardrailAttrs says what the guardrails did: BLOCKED for a blocked call,
// ANONYMIZED when a flag says something was replaced, else NONE; and the
// flags, which name kinds of finding ("input:EMAIL:ANONYMIZED"), never
// values.
func guardrailAttrs(flags []string, err error) []attribute.KeyValue {
	action := GuardrailNone
	var kept []string
	for _, f := range flags {
		switch {
		case strings.HasSuffix(f, ":"+GuardrailBlocked):
			action = GuardrailBlocked
		case strings.HasSuffix(f, ":"+GuardrailAnonymized) && action == GuardrailNone:
			action = GuardrailAnonymized
		}
		if strings.HasPrefix(f, "input:") || strings.HasPrefix(f, "output:") || strings.HasPrefix(f, "guardrail") {
			kept = append(kept, f)
		}
	}
	if ticketsum.ErrorCodeOf(err) == ticketsum.EBLOCKED {
		action = GuardrailBlocked
	}
	out := []attribute.KeyValue{AttrGuardrailAction.String(action)}
	if len(kept) > 0 {
		out = append(out, AttrGuardrailFlags.StringSlice(kept))
	}
	return out
}

// endWithError sets error.type, the failure class and an error status
// described by the error code alone (an error message may quote input),
// then ends the span.
func endWithError(span trace.Span, err error) {
	if err != nil {
		code := string(ticketsum.ErrorCodeOf(err))
		span.SetAttributes(semconv.ErrorTypeKey.String(code), AttrErrorClass.String(string(ticketsum.ClassOf(err))))
		span.SetStatus(codes.Error, code)
	}
	span.End()
}

// splitModel returns the gen_ai.provider.name and gen_ai.request.model of
// a ticketsum model name such as "bedrock:amazon.nova-lite-v1:0".
func splitModel(name string) (attribute.KeyValue, string) {
	kind, id, ok := strings.Cut(name, ":")
	if !ok {
		return semconv.GenAIProviderNameKey.String("ticketsum." + name), name
	}
	switch kind {
	case "bedrock":
		return semconv.GenAIProviderNameAWSBedrock, id
	case "openai":
		return semconv.GenAIProviderNameOpenAI, id
	case "sagemaker":
		return semconv.GenAIProviderNameKey.String("aws.sagemaker"), id
	}
	return semconv.GenAIProviderNameKey.String(kind), id
}

// finishReason maps provider stop reasons to the conventions' finish
// reasons where they have one (stop, length, content_filter, tool_call).
func finishReason(r string) string {
	switch r {
	case "end_turn", "stop_sequence", "stop", "complete", "COMPLETE", "FINISH":
		return "stop"
	case "max_tokens", "length", "LENGTH":
		return "length"
	case "guardrail_intervened", "content_filtered", "content_filter", "CONTENT_FILTERED":
		return "content_filter"
	case "tool_use", "tool_calls":
		return "tool_call"
	}
	return r
}

// The bucket boundaries the GenAI semantic conventions advise.
var (
	tokenBuckets    = []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}
	durationBuckets = []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}
)

// genaiMetrics are the GenAI client metrics.
type genaiMetrics struct {
	duration metric.Float64Histogram
	tokens   metric.Int64Histogram
}

func newGenAIMetrics(m metric.Meter) (*genaiMetrics, error) {
	d, err := m.Float64Histogram("gen_ai.client.operation.duration", metric.WithUnit("s"),
		metric.WithDescription("GenAI operation duration."), metric.WithExplicitBucketBoundaries(durationBuckets...))
	if err != nil {
		return nil, err
	}
	tk, err := m.Int64Histogram("gen_ai.client.token.usage", metric.WithUnit("{token}"),
		metric.WithDescription("Number of input and output tokens used."), metric.WithExplicitBucketBoundaries(tokenBuckets...))
	if err != nil {
		return nil, err
	}
	return &genaiMetrics{duration: d, tokens: tk}, nil
}

// record records one provider attempt.
func (g *genaiMetrics) record(ctx context.Context, provider attribute.KeyValue, model, respModel, addr string, res *ticketsum.ModelResponse, err error, elapsed time.Duration) {
	if !g.duration.Enabled(ctx) {
		return
	}
	attrs := make([]attribute.KeyValue, 0, 6)
	attrs = append(attrs, semconv.GenAIOperationNameChat, provider, semconv.GenAIRequestModel(model))
	if respModel != "" {
		attrs = append(attrs, semconv.GenAIResponseModel(respModel))
	}
	if addr != "" {
		attrs = append(attrs, semconv.ServerAddress(addr))
	}
	if err != nil {
		g.duration.Record(ctx, elapsed.Seconds(), metric.WithAttributes(append(attrs, semconv.ErrorTypeKey.String(string(ticketsum.ErrorCodeOf(err))))...))
		return
	}
	g.duration.Record(ctx, elapsed.Seconds(), metric.WithAttributes(attrs...))
	if res == nil {
		return
	}
	u := res.Usage
	g.tokens.Record(ctx, int64(u.InputTokens+u.CacheReadTokens+u.CacheWriteTokens), metric.WithAttributes(append(attrs, semconv.GenAITokenTypeInput)...))
	g.tokens.Record(ctx, int64(u.OutputTokens), metric.WithAttributes(append(attrs, semconv.GenAITokenTypeOutput)...))
}
