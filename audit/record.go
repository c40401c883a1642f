package audit

import (
	"context"
	"time"

	"github.com/ticketsum/ticketsum"
)

// InvocationRecord is one model call in the invocation log. Its shape
// follows Bedrock's ModelInvocationLog (schemaType, schemaVersion,
// timestamp, requestId, operation, modelId, identity, input, output) and
// adds what ticketsum attributes to a call.
type InvocationRecord struct {
	SchemaType    string    `json:"schemaType"`    // "ModelInvocationLog"
	SchemaVersion string    `json:"schemaVersion"` // "1.0"
	Timestamp     time.Time `json:"timestamp"`
	RequestID     string    `json:"requestId"`
	Operation     string    `json:"operation"` // "Generate"
	// ModelID is the model called; ResponseModelID the one that answered
	// when it differs (a fallback).
	ModelID         string            `json:"modelId"`
	ResponseModelID string            `json:"responseModelId,omitempty"`
	Identity        Identity          `json:"identity"`
	RequestMetadata RequestMetadata   `json:"requestMetadata"`
	Input           InvocationInput   `json:"input"`
	Output          *InvocationOutput `json:"output,omitempty"`

	LatencyMs        int64    `json:"latencyMs"`
	CostUSD          float64  `json:"costUsd"`
	GuardrailActions []string `json:"guardrailActions,omitempty"`
	// Outcome is "success", "denied" (unauthorized, forbidden or over
	// budget) or "error".
	Outcome   string `json:"outcome"`
	ErrorCode string `json:"errorCode,omitempty"`
	// ErrorMessage is the coded, user-facing message, redacted.
	ErrorMessage string `json:"errorMessage,omitempty"`
	// PaidAttempts, on a call that failed after the model answered (an
	// output check refused the answer, say), counts the answered attempts
	// whose tokens and cost the record carries.
	PaidAttempts int `json:"paidAttempts,omitempty"`
}

// Identity is who made the call.
type Identity struct {
	Principal string `json:"principal"`
}

// RequestMetadata attributes the call, as Bedrock's requestMetadata tags do.
type RequestMetadata struct {
	UseCase     string `json:"useCase,omitempty"`
	TicketID    string `json:"ticketId,omitempty"`
	ProductLine string `json:"productLine,omitempty"`
}

// InvocationInput is the request side.
type InvocationInput struct {
	InputContentType          string     `json:"inputContentType"`
	InputBodyJSON             *InputBody `json:"inputBodyJson,omitempty"`
	InputTokenCount           int        `json:"inputTokenCount"`
	CacheReadInputTokenCount  int        `json:"cacheReadInputTokenCount"`
	CacheWriteInputTokenCount int        `json:"cacheWriteInputTokenCount"`
}

// InputBody is the redacted request.
type InputBody struct {
	System        string                  `json:"system,omitempty"`
	Messages      []ticketsum.ChatMessage `json:"messages"`
	MaxTokens     int                     `json:"maxTokens,omitempty"`
	Temperature   *float64                `json:"temperature,omitempty"`
	StopSequences []string                `json:"stopSequences,omitempty"`
}

// InvocationOutput is the response side.
type InvocationOutput struct {
	OutputContentType string      `json:"outputContentType"`
	OutputBodyJSON    *OutputBody `json:"outputBodyJson,omitempty"`
	OutputTokenCount  int         `json:"outputTokenCount"`
}

// OutputBody is the redacted answer.
type OutputBody struct {
	Text       string `json:"text"`
	StopReason string `json:"stopReason,omitempty"`
}

// Sink stores invocation records.
type Sink interface {
	// Write stores rec durably enough that Close will not lose it.
	Write(ctx context.Context, rec *InvocationRecord) error
	// Flush pushes buffered records to storage.
	Flush(ctx context.Context) error
	// Close flushes and releases the sink.
	Close(ctx context.Context) error
}

// Filter selects records to read. Zero fields select everything.
type Filter struct {
	Since, Until time.Time
	Principal    string
	RequestID    string
	TicketID     string
	ModelID      string
}

func (f *Filter) match(r *InvocationRecord) bool {
	switch {
	case !f.Since.IsZero() && r.Timestamp.Before(f.Since):
	case !f.Until.IsZero() && !r.Timestamp.Before(f.Until):
	case f.Principal != "" && r.Identity.Principal != f.Principal:
	case f.RequestID != "" && r.RequestID != f.RequestID:
	case f.TicketID != "" && r.RequestMetadata.TicketID != f.TicketID:
	case f.ModelID != "" && r.ModelID != f.ModelID && r.ResponseModelID != f.ModelID:
	default:
		return true
	}
	return false
}
