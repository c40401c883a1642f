package telemetry

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/ticketsum/ticketsum"
)

// MetadataKey is the key of the job metadata object that carries the
// enqueuing span's W3C trace context ("traceparent", "tracestate").
const MetadataKey = "otel"

// AttrJobOutcome is the fate of a worked job: done, retry, snoozed or
// cancelled.
const AttrJobOutcome = attribute.Key("ticketsum.job.outcome")

// QueueMiddleware returns the River middleware that carries a trace
// through the queue, or nil when tracing is off. Give it to
// queue.Config.Middleware.
//
// On insert it starts one PRODUCER span per job, "send {kind}" (a child of
// the caller's span, or the root of the ticket's trace when there is none,
// as for `import` and `watch`), and stores its trace context in the job's
// metadata. On work it starts a CONSUMER span, "process {kind}", whose
// parent is the stored context and which also links to it, so that every
// attempt of a job, on whichever worker, joins the ticket's trace.
//
// River's own otelriver middleware starts spans too, but does not carry the
// trace context through the job and puts error messages in span statuses;
// this one keeps to error codes.
func (t *Telemetry) QueueMiddleware() rivertype.Middleware {
	if !t.Tracing() {
		return nil
	}
	return &queueMiddleware{t: t}
}

type queueMiddleware struct {
	river.MiddlewareDefaults
	t *Telemetry
}

var (
	_ rivertype.JobInsertMiddleware = (*queueMiddleware)(nil)
	_ rivertype.WorkerMiddleware    = (*queueMiddleware)(nil)
)

// jobTicket is the part of a job's args the spans show.
type jobTicket struct {
	TicketID string `json:"ticket_id"`
}

// InsertMany starts a producer span per job and stores its context in the
// job's metadata.
func (m *queueMiddleware) InsertMany(ctx context.Context, params []*rivertype.JobInsertParams, doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	spans := make([]trace.Span, len(params))
	for i, p := range params {
		sctx, span := m.t.tracer.Start(ctx, "send "+p.Kind, trace.WithSpanKind(trace.SpanKindProducer),
			trace.WithAttributes(jobAttrs(p.Kind, p.Queue, p.EncodedArgs)...))
		spans[i] = span
		carrier := propagation.MapCarrier{}
		m.t.prop.Inject(sctx, carrier)
		if len(carrier) == 0 {
			continue
		}
		md, err := withMetadata(p.Metadata, carrier)
		if err != nil {
			span.SetAttributes(semconv.ErrorTypeKey.String("metadata"))
			continue
		}
		p.Metadata = md
	}
	res, err := doInner(ctx)
	for i, span := range spans {
		if err == nil && i < len(res) && res[i] != nil {
			if res[i].Job != nil {
				span.SetAttributes(semconv.MessagingMessageID(jobID(res[i].Job.ID)))
			}
			span.SetAttributes(attribute.Bool("ticketsum.job.duplicate", res[i].UniqueSkippedAsDuplicate))
		}
		endWithError(span, err)
	}
	return res, err
}

// Work starts a consumer span under the enqueuing span's context.
func (m *queueMiddleware) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	parent := m.t.prop.Extract(ctx, metadataCarrier(job.Metadata))
	opts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(jobAttrs(job.Kind, job.Queue, job.EncodedArgs)...),
		trace.WithAttributes(semconv.MessagingMessageID(jobID(job.ID)), AttrAttempt.Int(job.Attempt))}
	if sc := trace.SpanContextFromContext(parent); sc.IsValid() {
		opts = append(opts, trace.WithLinks(trace.Link{SpanContext: sc}))
	}
	ctx, span := m.t.tracer.Start(parent, "process "+job.Kind, opts...)
	err := doInner(ctx)
	var cancel *river.JobCancelError
	var snooze *river.JobSnoozeError
	spanErr := err
	switch {
	case err == nil:
		span.SetAttributes(AttrJobOutcome.String("done"))
	case errors.As(err, &snooze):
		span.SetAttributes(AttrJobOutcome.String("snoozed"))
		spanErr = nil // a snooze is the queue's flow control, not a failure
	case errors.As(err, &cancel):
		span.SetAttributes(AttrJobOutcome.String("cancelled"))
	default:
		span.SetAttributes(AttrJobOutcome.String("retry"))
	}
	endWithError(span, spanErr)
	return err
}

// jobAttrs are a job's messaging attributes and its ticket ID.
func jobAttrs(kind, queue string, args []byte) []attribute.KeyValue {
	out := []attribute.KeyValue{semconv.MessagingSystemKey.String("river"), semconv.MessagingDestinationName(queue),
		attribute.String("ticketsum.job.kind", kind)}
	var jt jobTicket
	if json.Unmarshal(args, &jt) == nil && jt.TicketID != "" {
		out = append(out, AttrTicketID.String(jt.TicketID))
	}
	return out
}

func jobID(id int64) string {
	b, _ := json.Marshal(id)
	return string(b)
}

// withMetadata returns metadata (a JSON object, or empty) with the trace
// context under MetadataKey.
func withMetadata(metadata []byte, carrier propagation.MapCarrier) ([]byte, error) {
	obj := map[string]json.RawMessage{}
	if len(metadata) > 0 {
		if err := json.Unmarshal(metadata, &obj); err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINTERNAL, "job metadata is not a JSON object: %v", err)
		}
	}
	tc, err := json.Marshal(map[string]string(carrier))
	if err != nil {
		return nil, err
	}
	obj[MetadataKey] = tc
	return json.Marshal(obj)
}

// metadataCarrier returns the trace context stored in job metadata, or an
// empty carrier.
func metadataCarrier(metadata []byte) propagation.MapCarrier {
	var obj struct {
		Otel map[string]string `json:"otel"`
	}
	if json.Unmarshal(metadata, &obj) != nil || obj.Otel == nil {
		return propagation.MapCarrier{}
	}
	return propagation.MapCarrier(obj.Otel)
}
