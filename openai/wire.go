package openai

import (
	"encoding/json"
	"strings"
)

// The chat completion wire format as the provider speaks it. The request is
// encoded and the answer decoded with these lean structs rather than the
// SDK's reflection-based param and response types, which cost about a fifth
// of a served request's CPU and two fifths of its allocated bytes; the SDK
// still sends the request (base URL, key, timeout, error decoding).

// wireRequest is the body of POST /chat/completions.
type wireRequest struct {
	Model          string          `json:"model"`
	Messages       []wireMessage   `json:"messages"`
	MaxTokens      int             `json:"max_tokens"`
	Temperature    *float64        `json:"temperature,omitempty"`
	Stop           []string        `json:"stop,omitempty"`
	ResponseFormat *responseFormat `json:"response_format,omitempty"`
	Tools          []wireTool      `json:"tools,omitempty"`
	ToolChoice     *toolChoice     `json:"tool_choice,omitempty"`
}

type wireMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// responseFormat is {"type":"json_schema","json_schema":{...}}.
type responseFormat struct {
	Type       string     `json:"type"`
	JSONSchema jsonSchema `json:"json_schema"`
}

type jsonSchema struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema"`
	Strict      bool            `json:"strict"`
}

// wireTool is one function tool.
type wireTool struct {
	Type     string       `json:"type"`
	Function wireFunction `json:"function"`
}

type wireFunction struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters"`
}

// toolChoice forces one function: {"type":"function","function":{"name":...}}.
type toolChoice struct {
	Type     string `json:"type"`
	Function struct {
		Name string `json:"name"`
	} `json:"function"`
}

// wireResponse is the part of a chat completion the provider reads.
type wireResponse struct {
	Choices []wireChoice `json:"choices"`
	Usage   struct {
		PromptTokens        int64 `json:"prompt_tokens"`
		CompletionTokens    int64 `json:"completion_tokens"`
		PromptTokensDetails struct {
			CachedTokens int64 `json:"cached_tokens"`
		} `json:"prompt_tokens_details"`
	} `json:"usage"`
}

type wireChoice struct {
	Message struct {
		Content   string         `json:"content"`
		ToolCalls []wireToolCall `json:"tool_calls"`
	} `json:"message"`
	FinishReason string `json:"finish_reason"`
}

// wireToolCall is a tool call of an answer.
type wireToolCall struct {
	Function struct {
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// answerOf returns a choice's answer: the arguments of its first tool call
// (structured), its content when it was asked for in a JSON schema and is
// JSON (structured), or its content as text.
func answerOf(c *wireChoice, structured bool) (string, bool) {
	for _, tc := range c.Message.ToolCalls {
		if tc.Function.Arguments != "" {
			return tc.Function.Arguments, true
		}
	}
	return c.Message.Content, structured && json.Valid([]byte(strings.TrimSpace(c.Message.Content)))
}
