// Package openaitest is an in-process fake of an OpenAI-compatible server
// (vLLM, Ollama, TGI, LiteLLM) for tests: it speaks POST /v1/chat/completions
// on loopback with usage in every answer, checks the bearer key and the
// model, rejects prompts longer than a context window the way OpenAI does,
// answers response_format json_schema and forced function tools with
// ticketsum's structured summary (or refuses them, as servers without them
// do), and injects faults (any status with an OpenAI error body) in order.
package openaitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

// Config configures a Server. Zero fields take the documented defaults.
type Config struct {
	// APIKey, when set, is the bearer key every request must carry; other
	// requests get 401. Default: no key checked.
	APIKey string
	// Models, when set, lists the models the server serves; others get 404.
	// Default: any model.
	Models []string
	// ContextWindow, when positive, rejects requests whose estimated prompt
	// tokens plus max_tokens exceed it with 400 context_length_exceeded.
	// Default 0: no limit.
	ContextWindow int
	// Reply returns the assistant's text for a request. Default: a fixed
	// one-sentence neutral summary.
	Reply func(ChatRequest) string
	// CachedTokens is reported as usage.prompt_tokens_details.cached_tokens
	// (capped at the prompt tokens). Default 0.
	CachedTokens int
	// Latency is waited before answering (cancelled with the request).
	// Default 0.
	Latency time.Duration
	// RefuseResponseFormat answers a request with response_format
	// json_schema with 400, as servers without guided decoding do.
	// Default false: the answer is the reply as a structured summary.
	RefuseResponseFormat bool
	// RefuseTools answers a request with tools with 400. Default false: a
	// forced function tool is called with the reply as a structured summary.
	RefuseTools bool
	// NoStatus leaves the status out of structured answers, as a model that
	// ignores the schema's required field does. Default false.
	NoStatus bool
}

// DefaultReply is the text answered when Config.Reply is nil.
const DefaultReply = "The customer reported that an export failed; the agent identified a permissions issue, fixed it and confirmed the export works, so the ticket is resolved."

// Message is one chat message of a request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// ChatRequest is the part of a chat completion request the fake reads.
type ChatRequest struct {
	Model               string    `json:"model"`
	Messages            []Message `json:"messages"`
	MaxTokens           int       `json:"max_tokens,omitempty"`
	MaxCompletionTokens int       `json:"max_completion_tokens,omitempty"`
	Temperature         *float64  `json:"temperature,omitempty"`
	Stop                any       `json:"stop,omitempty"`
	// ResponseFormat is the response_format, nil when absent.
	ResponseFormat *struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name   string          `json:"name"`
			Schema json.RawMessage `json:"schema"`
		} `json:"json_schema"`
	} `json:"response_format,omitempty"`
	// Tools are the function tools offered.
	Tools []struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	} `json:"tools,omitempty"`
	// ToolChoice is the tool_choice, a string or a named function.
	ToolChoice json.RawMessage `json:"tool_choice,omitempty"`
	// Authorization is the request's Authorization header.
	Authorization string `json:"-"`
}

// Fault is an injected failure: the next request gets Status with an OpenAI
// error body of Type, Code and Message. A Status of 0 with Hang set never
// answers until the client gives up.
type Fault struct {
	Status  int
	Type    string
	Code    string
	Message string
	Hang    bool
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to configure clients with, ending in /v1.
	URL string

	cfg  Config
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []ChatRequest
	q    []Fault
}

// NewServer starts a fake on a loopback port. Close it when done.
func NewServer(cfg Config) *Server {
	s := &Server{cfg: cfg}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/v1"
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Fail queues faults returned, in order, to the next requests.
func (s *Server) Fail(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.q = append(s.q, f...)
}

// Requests returns the chat requests received so far, faulted ones included.
func (s *Server) Requests() []ChatRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
}

// received returns how many chat requests the server has received,
// without copying them as Requests does (an answer's id counts them).
func (s *Server) received() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// EstimateTokens is the fake's token count for a text: one per four bytes,
// at least one for a non-empty text.
func EstimateTokens(s string) int {
	if s == "" {
		return 0
	}
	return (len(s) + 3) / 4
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		writeError(w, http.StatusNotFound, Fault{Type: "invalid_request_error", Code: "unknown_url", Message: "unknown path " + r.URL.Path})
		return
	}
	var req ChatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, Fault{Type: "invalid_request_error", Message: "body is not JSON"})
		return
	}
	req.Authorization = r.Header.Get("Authorization")
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	var fault *Fault
	if len(s.q) > 0 {
		fault = &s.q[0]
		s.q = s.q[1:]
	}
	s.mu.Unlock()

	if fault != nil {
		if fault.Hang {
			<-r.Context().Done()
			return
		}
		writeError(w, fault.Status, *fault)
		return
	}
	if s.cfg.APIKey != "" && req.Authorization != "Bearer "+s.cfg.APIKey {
		writeError(w, http.StatusUnauthorized, Fault{Type: "invalid_request_error", Code: "invalid_api_key", Message: "Incorrect API key provided."})
		return
	}
	if len(s.cfg.Models) > 0 && !slices.Contains(s.cfg.Models, req.Model) {
		writeError(w, http.StatusNotFound, Fault{Type: "invalid_request_error", Code: "model_not_found", Message: fmt.Sprintf("The model `%s` does not exist.", req.Model)})
		return
	}
	if len(req.Messages) == 0 {
		writeError(w, http.StatusBadRequest, Fault{Type: "invalid_request_error", Message: "messages must not be empty"})
		return
	}
	if f, refused := s.refuseStructure(req); refused {
		writeError(w, http.StatusBadRequest, f)
		return
	}
	prompt := 0
	for _, m := range req.Messages {
		prompt += 4 + EstimateTokens(m.Content)
	}
	maxTokens := max(req.MaxTokens, req.MaxCompletionTokens)
	if s.cfg.ContextWindow > 0 && prompt+maxTokens > s.cfg.ContextWindow {
		writeError(w, http.StatusBadRequest, Fault{Type: "invalid_request_error", Code: "context_length_exceeded",
			Message: fmt.Sprintf("This model's maximum context length is %d tokens. However, you requested %d tokens.", s.cfg.ContextWindow, prompt+maxTokens)})
		return
	}
	if s.cfg.Latency > 0 {
		select {
		case <-time.After(s.cfg.Latency):
		case <-r.Context().Done():
			return
		}
	}
	text := DefaultReply
	if s.cfg.Reply != nil {
		text = s.cfg.Reply(req)
	}
	finish := "stop"
	completion := len(strings.Fields(text))
	if maxTokens > 0 && completion > maxTokens {
		text = strings.Join(strings.Fields(text)[:maxTokens], " ")
		completion, finish = maxTokens, "length"
	}
	cached := min(s.cfg.CachedTokens, prompt)
	message := map[string]any{"role": "assistant", "content": text}
	switch tool := forcedTool(req); {
	case tool != "":
		message = map[string]any{"role": "assistant", "content": nil, "tool_calls": []any{map[string]any{
			"id": "call_fake1", "type": "function",
			"function": map[string]any{"name": tool, "arguments": bedrocktest.StructuredAnswer(text, s.cfg.NoStatus)},
		}}}
		finish = "tool_calls"
	case req.ResponseFormat != nil && req.ResponseFormat.Type == "json_schema":
		message["content"] = bedrocktest.StructuredAnswer(text, s.cfg.NoStatus)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id":      fmt.Sprintf("chatcmpl-%d", s.received()),
		"object":  "chat.completion",
		"created": 1700000000,
		"model":   req.Model,
		"choices": []any{map[string]any{
			"index":         0,
			"message":       message,
			"finish_reason": finish,
		}},
		"usage": map[string]any{
			"prompt_tokens":         prompt,
			"completion_tokens":     completion,
			"total_tokens":          prompt + completion,
			"prompt_tokens_details": map[string]any{"cached_tokens": cached},
		},
	})
}

// refuseStructure returns the 400 a server without guided decoding or
// tools gives a request that asks for them.
func (s *Server) refuseStructure(req ChatRequest) (Fault, bool) {
	if s.cfg.RefuseResponseFormat && req.ResponseFormat != nil && req.ResponseFormat.Type != "text" {
		return Fault{Type: "invalid_request_error", Code: "invalid_request", Message: "response_format of type " + req.ResponseFormat.Type + " is not supported by this server"}, true
	}
	if s.cfg.RefuseTools && len(req.Tools) > 0 {
		return Fault{Type: "invalid_request_error", Code: "invalid_request", Message: "tools are not supported by this model"}, true
	}
	return Fault{}, false
}

// forcedTool returns the function a request's tool_choice forces, or "".
func forcedTool(req ChatRequest) string {
	var named struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if json.Unmarshal(req.ToolChoice, &named) != nil || named.Type != "function" {
		return ""
	}
	for _, t := range req.Tools {
		if t.Function.Name == named.Function.Name {
			return named.Function.Name
		}
	}
	return ""
}

func writeError(w http.ResponseWriter, status int, f Fault) {
	var code any
	if f.Code != "" {
		code = f.Code
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"message": f.Message, "type": f.Type, "param": nil, "code": code,
	}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
