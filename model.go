package ticketsum

import (
	"context"
	"encoding/json"
	"time"
)

// ChatRole is the speaker of a ChatMessage sent to a model.
type ChatRole string

// The chat roles. The system prompt travels apart, in ModelRequest.System.
const (
	ChatUser      ChatRole = "user"
	ChatAssistant ChatRole = "assistant"
)

// ChatMessage is one turn of a conversation sent to a model.
type ChatMessage struct {
	Role    ChatRole `json:"role"`
	Content string   `json:"content"`
}

// CallMeta attributes a model call: who made it, for what, about which ticket.
// It travels with the request to the gateway, the audit log and cost reports.
type CallMeta struct {
	RequestID   string `json:"request_id,omitempty"`
	Principal   string `json:"principal,omitempty"`
	UseCase     string `json:"use_case,omitempty"`
	TicketID    string `json:"ticket_id,omitempty"`
	ProductLine string `json:"product_line,omitempty"`
}

// ModelRequest is one call to a model.
type ModelRequest struct {
	// System is the system prompt: instructions, tone guide and examples.
	System string
	// Messages is the conversation; the last one is usually the user's.
	Messages []ChatMessage
	// CacheSystem marks System as static (the same for every ticket), so
	// that a provider configured for prompt caching may put a cache point
	// after it: only when the model caches and System reaches the model's
	// minimum cacheable tokens.
	CacheSystem bool
	// MaxTokens caps the output. Providers always send it; zero means the
	// provider's default (512).
	MaxTokens int
	// Temperature is the sampling temperature; nil leaves the model's default.
	Temperature *float64
	// StopSequences end generation early.
	StopSequences []string
	// Meta attributes the call.
	Meta CallMeta
	// Output, when set, asks for structured output: a JSON object matching
	// a schema. A provider whose model can be made to follow it (a forced
	// tool choice on Bedrock Converse, a JSON-schema response format on an
	// OpenAI-compatible server) returns the object as the response's Text
	// and sets ModelResponse.Structured; any other ignores it and answers in
	// text, so the prompt must still describe the text format.
	Output *OutputSchema
}

// OutputSchema describes the JSON object a structured answer must be.
type OutputSchema struct {
	// Name names the object, as a tool or schema name: letters, digits, '_'
	// and '-', at most 64 characters.
	Name string
	// Description tells the model what the object is for.
	Description string
	// Schema is the object's JSON Schema.
	Schema json.RawMessage
}

// ModelResponse is a model's answer to one request.
type ModelResponse struct {
	Text string
	// Model is the name of the model that answered, which differs from the
	// one asked for when a fallback answered.
	Model      string
	StopReason string
	Usage      Usage
	CostUSD    float64
	Latency    time.Duration
	// Flags lists guardrail interventions, as on Summary.
	Flags []string
	// Structured is true when Text is the JSON object that the request's
	// Output asked for, false when it is free text.
	Structured bool
}

// Model is a text-generation model behind a provider: Bedrock, SageMaker, an
// OpenAI-compatible server, or a wrapper such as the gateway.
type Model interface {
	// Name returns the model's full name, such as
	// "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0".
	Name() string
	// Generate sends req and returns the answer. It returns EINVALID for a
	// request the model rejects (including a context that is too long),
	// EUNAUTHORIZED for missing credentials, EFORBIDDEN for access not granted,
	// ENOTFOUND for an unknown model or endpoint, ETHROTTLED when rate
	// limited, EQUOTA when a budget is spent and EUNAVAILABLE when the
	// service fails, times out or is not ready.
	Generate(ctx context.Context, req *ModelRequest) (*ModelResponse, error)
}
