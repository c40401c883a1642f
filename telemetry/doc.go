// Package telemetry sets up OpenTelemetry tracing and metrics from the
// standard OTEL_* environment variables, and instruments ticketsum with
// them: model calls as GenAI client spans and metrics (the OpenTelemetry
// GenAI semantic conventions), queue jobs as consumer spans that carry the
// enqueuing span's trace, the Lambda function's SQS tickets as consumer
// spans under their messages' trace context, and HTTP servers through
// otelhttp.
//
// It is off unless an OTEL_* variable asks for an exporter: New then
// returns no-op providers and every wrapper it makes is the identity, so
// an uninstrumented process pays nothing. When it is on, Shutdown flushes
// what is buffered; call it before a process exits, so that short commands
// export too, and Flush before a process may be frozen (a Lambda
// invocation's end).
//
// # What a span holds, and what it never holds
//
// Spans carry model names, token counts, costs, error codes, the principal,
// guardrail actions (the kind of intervention, such as
// "input:EMAIL:ANONYMIZED", never the value), ticket and job IDs. They
// never carry prompt or completion text, ticket subjects, bodies, customer
// names or emails, nor error messages (which may quote input): an error is
// recorded as its ticketsum error code alone (error.type and the status
// description).
package telemetry
