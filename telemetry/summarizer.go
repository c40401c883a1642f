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
	return ticketsum.KeepKeys(&tracedSummarizer{t: t, next: s}, s)
}

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
