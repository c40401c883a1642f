package telemetry

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/ticketsum/ticketsum"
)

// Summarizer wraps s so that each ticket it summarises is an INTERNAL span,
// "ticketsum.summarize", holding the ticket ID, the number of messages, and
// of the summary the model that answered, the prompt version, the
// resolution status, the flags, the usage and the cost; never a text. The
// model-call spans of the summary are its children. When tracing is off it
// returns s.
func (t *Telemetry) Summarizer(s ticketsum.Summarizer) ticketsum.Summarizer {
	if !t.Tracing() || s == nil {
		return s
	}
	traced := &tracedSummarizer{t: t, next: s}
	if k, ok := s.(keyed); ok {
		return keyedTraced{tracedSummarizer: traced, keyed: k}
	}
	return traced
}

// keyed is a summarizer that names its model and prompt version before it
// runs (an LLM): the pipeline records its paid answers and reuses them
// only when it can ask, so a wrapper must not hide the two methods.
type keyed interface {
	ModelName() string
	PromptVersion() string
}

// keyedTraced is a tracedSummarizer of a keyed summarizer.
type keyedTraced struct {
	*tracedSummarizer
	keyed keyed
}

// ModelName is the wrapped summarizer's.
func (k keyedTraced) ModelName() string { return k.keyed.ModelName() }

// PromptVersion is the wrapped summarizer's.
func (k keyedTraced) PromptVersion() string { return k.keyed.PromptVersion() }

type tracedSummarizer struct {
	t    *Telemetry
	next ticketsum.Summarizer
}

// Summarize summarises tk inside a span.
func (s *tracedSummarizer) Summarize(ctx context.Context, tk *ticketsum.Ticket) (*ticketsum.Summary, error) {
	var attrs []attribute.KeyValue
	if tk != nil {
		attrs = append(attrs, AttrTicketID.String(tk.ID), attribute.Int("ticketsum.ticket.messages", len(tk.Messages)))
	}
	ctx, span := s.t.tracer.Start(ctx, "ticketsum.summarize", trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	sum, err := s.next.Summarize(ctx, tk)
	if sum != nil && span.IsRecording() {
		span.SetAttributes(AttrAnsweredBy.String(sum.Model), attribute.String("ticketsum.prompt_version", sum.PromptVersion),
			attribute.String("ticketsum.summary.status", string(sum.Status)), attribute.StringSlice("ticketsum.summary.flags", sum.Flags),
			attribute.Int("ticketsum.usage.input_tokens", sum.Usage.InputTokens), attribute.Int("ticketsum.usage.output_tokens", sum.Usage.OutputTokens),
			AttrCostUSD.Float64(sum.CostUSD))
		if sum.RequestedModel != "" {
			span.SetAttributes(AttrModel.String(sum.RequestedModel))
		}
	}
	endWithError(span, err)
	return sum, err
}
