package bedrocktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
)

var endpointName = regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9])*$`)

// serveSageMaker answers InvokeEndpoint for the two LLM payload styles:
// TGI ({"inputs","parameters":{"max_new_tokens"}} -> [{"generated_text"}])
// and OpenAI messages ({"messages","max_tokens"} -> a chat.completion with
// usage). Quotas apply per endpoint name.
func (s *Server) serveSageMaker(w http.ResponseWriter, r *http.Request, endpoint string) {
	body, _ := io.ReadAll(r.Body)
	now := s.cfg.Clock.Now()
	s.mu.Lock()
	s.record(Request{Op: OpInvokeEndpoint, Model: endpoint, EscapedPath: r.URL.EscapedPath(), Header: r.Header.Clone(), Body: body})
	s.stats.Calls[endpoint]++
	s.stats.Ops[OpInvokeEndpoint]++
	f := s.pickFault(OpInvokeEndpoint, endpoint, endpoint, now)
	s.countFault(f.Kind)
	s.mu.Unlock()
	fault := f.Kind
	switch {
	case fault == FaultStall:
		if !s.wait(r, f.Delay) {
			panic(http.ErrAbortHandler) // the client gave up first
		}
	case fault.answers():
	case fault == FaultTimeout:
		s.hang(r)
		return
	default:
		// AWS names every answer, errors too, with a request id.
		w.Header().Set("X-Amzn-RequestId", s.requestID())
		writeError(w, "sagemaker", faultError(f, "sagemaker", endpoint))
		return
	}
	if !endpointName.MatchString(endpoint) || len(endpoint) > 63 ||
		(len(s.cfg.SageMakerEndpoints) > 0 && !slices.Contains(s.cfg.SageMakerEndpoints, endpoint)) {
		writeError(w, "sagemaker", newError(400, "ValidationError", "Endpoint "+endpoint+" of account 123456789012 not found."))
		return
	}
	var req struct {
		Inputs     *string `json:"inputs"`
		Parameters struct {
			MaxNewTokens *int `json:"max_new_tokens"`
		} `json:"parameters"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
		MaxTokens *int `json:"max_tokens"`
	}
	if err := json.Unmarshal(body, &req); err != nil || (req.Inputs == nil && len(req.Messages) == 0) {
		e := newError(424, "ModelError", "Received client error (422) from primary with message \"Failed to deserialize the JSON body\".")
		e.extra = map[string]any{"OriginalStatusCode": 422}
		writeError(w, "sagemaker", e)
		return
	}
	var prompt, all string
	maxTokens := 20 // TGI's default max_new_tokens
	if req.Inputs != nil {
		prompt, all = *req.Inputs, *req.Inputs
		if req.Parameters.MaxNewTokens != nil {
			maxTokens = *req.Parameters.MaxNewTokens
		}
	} else {
		for _, m := range req.Messages {
			all += m.Content
			if m.Role == "user" {
				prompt = m.Content
			}
		}
		maxTokens = defaultMaxTokens
		if req.MaxTokens != nil {
			maxTokens = *req.MaxTokens
		}
	}
	input := Tokens(all)
	if window, ok := s.cfg.ContextWindows[endpoint]; ok && input+maxTokens > window {
		e := newError(424, "ModelError", fmt.Sprintf("Received client error (422) from primary with message \"Input validation error: `inputs` tokens + `max_new_tokens` must be <= %d. Given: %d `inputs` tokens and %d `max_new_tokens`\".", window, input, maxTokens))
		e.extra = map[string]any{"OriginalStatusCode": 422}
		writeError(w, "sagemaker", e)
		return
	}
	s.mu.Lock()
	ev, q, ok := s.admit(endpoint, endpoint, input, maxTokens, now)
	if !ok {
		s.stats.Throttled++
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, "sagemaker", newError(400, "ThrottlingException", "Rate exceeded"))
		return
	}
	if !s.wait(r, s.cfg.Latency) {
		s.settle(ev, q, 0, 0)
		panic(http.ErrAbortHandler) // the client left or the server is closing
	}
	answer := s.cfg.Responder(endpoint, prompt)
	if fault == FaultNoStatus {
		answer = stripStatus(answer)
	}
	text, cut := truncateTokens(answer, maxTokens)
	output := Tokens(text)
	s.settle(ev, q, input, output)
	s.mu.Lock()
	s.stats.Succeeded++
	s.stats.InputTokens += input
	s.stats.OutputTokens += output
	if fault == FaultDropAfterAnswer {
		s.stats.Dropped++
	}
	s.mu.Unlock()
	if fault == FaultDropAfterAnswer {
		panic(http.ErrAbortHandler) // answered and charged, but the response never leaves
	}

	var resp any
	if req.Inputs != nil {
		resp = []any{map[string]any{"generated_text": text}}
	} else {
		finish := "stop"
		if cut {
			finish = "length"
		}
		m := map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion", "created": now.Unix(), "model": endpoint,
			"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": text}, "finish_reason": finish}},
		}
		if !s.cfg.SageMakerNoUsage {
			m["usage"] = map[string]any{"prompt_tokens": input, "completion_tokens": output, "total_tokens": input + output}
		}
		resp = m
	}
	b, _ := json.Marshal(resp)
	if fault == FaultMalformed {
		b = b[:len(b)/2]
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Invoked-Production-Variant", "AllTraffic")
	h.Set("X-Amzn-RequestId", s.requestID())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
