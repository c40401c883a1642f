package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/api"
)

// MustClient returns an official OpenAI SDK client for the test server.
func MustClient(url, key string) openai.Client {
	return openai.NewClient(option.WithBaseURL(url+"/v1/"), option.WithAPIKey(key), option.WithMaxRetries(0))
}

// TestChatCompletionsSDK proves compatibility with the official openai-go
// client: the request is mapped to a model request and the answer parsed.
func TestChatCompletionsSDK(t *testing.T) {
	t.Parallel()
	f := MustFixture(t)
	srv := MustServer(t, f, nil)
	client := MustClient(srv.URL, f.keys["good"])
	res, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: modelAllowed,
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage("Be brief."),
			openai.UserMessage("first"),
			openai.AssistantMessage("FIRST"),
			openai.UserMessage("hello there"),
		},
		MaxTokens:   openai.Int(64),
		Temperature: openai.Float(0.2),
		Stop:        openai.ChatCompletionNewParamsStopUnion{OfStringArray: []string{"\n\n", "END"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Choices) != 1 || res.Choices[0].Message.Content != "HELLO THERE" || res.Choices[0].FinishReason != "stop" {
		t.Fatalf("choices %+v", res.Choices)
	}
	if res.Model != modelAllowed || res.Usage.PromptTokens != 13 || res.Usage.CompletionTokens != 7 || res.Usage.TotalTokens != 20 {
		t.Errorf("model %q usage %+v, want 13+7=20 tokens", res.Model, res.Usage)
	}
	req := f.models.Last()
	want := []ticketsum.ChatMessage{{Role: "user", Content: "first"}, {Role: "assistant", Content: "FIRST"}, {Role: "user", Content: "hello there"}}
	if req.System != "Be brief." || !slices.Equal(req.Messages, want) || req.MaxTokens != 64 ||
		req.Temperature == nil || *req.Temperature != 0.2 || !slices.Equal(req.StopSequences, []string{"\n\n", "END"}) {
		t.Errorf("model request %+v", req)
	}
}

// TestChatStreamingSDK reads a streamed answer with the SDK's stream reader
// and accumulator.
func TestChatStreamingSDK(t *testing.T) {
	t.Parallel()
	f := MustFixture(t)
	srv := MustServer(t, f, nil)
	client := MustClient(srv.URL, f.keys["good"])
	stream := client.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model:         modelAllowed,
		Messages:      []openai.ChatCompletionMessageParamUnion{openai.UserMessage("stream me")},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	})
	var acc openai.ChatCompletionAccumulator
	chunks := 0
	for stream.Next() {
		acc.AddChunk(stream.Current())
		chunks++
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if chunks != 4 {
		t.Errorf("%d chunks, want role, content, finish and usage", chunks)
	}
	if len(acc.Choices) != 1 || acc.Choices[0].Message.Content != "STREAM ME" || acc.Choices[0].FinishReason != "stop" {
		t.Fatalf("accumulated %+v", acc.Choices)
	}
	if acc.Usage.TotalTokens != 20 {
		t.Errorf("usage %+v, want 20 tokens", acc.Usage)
	}
}

// TestChatErrorsSDK checks that the SDK parses refusals as *openai.Error
// with the status, type and code.
func TestChatErrorsSDK(t *testing.T) {
	t.Parallel()
	f := MustFixture(t)
	srv := MustServer(t, f, nil)
	tests := []struct {
		name, key, model string
		status           int
		typ, code, msg   string
	}{
		{"not allowed", f.keys["good"], modelOther, 403, "permission_error", "forbidden", "not in allow-list"},
		{"unapproved name", f.keys["good"], "fake:nothing", 403, "permission_error", "forbidden", "ticketsum models approve fake:nothing"},
		{"approved, no provider", f.keys["good"], modelRetired, 404, "not_found_error", "not_found", "GET /v1/models lists"},
		{"over budget", f.keys["broke"], modelAllowed, 429, "insufficient_quota", "quota_exceeded", "is spent"},
		{"revoked", f.keys["revoked"], modelAllowed, 401, "authentication_error", "unauthorized", "was revoked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client := MustClient(srv.URL, tt.key)
			_, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
				Model: tt.model, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
			})
			var apiErr *openai.Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v is not an *openai.Error", err)
			}
			if apiErr.StatusCode != tt.status || apiErr.Type != tt.typ || apiErr.Code != tt.code || !strings.Contains(apiErr.Message, tt.msg) {
				t.Errorf("got %d %q %q %q, want %d %q %q containing %q", apiErr.StatusCode, apiErr.Type, apiErr.Code, apiErr.Message, tt.status, tt.typ, tt.code, tt.msg)
			}
		})
	}
}

// TestChatBadInput answers 400 with the specific problem.
func TestChatBadInput(t *testing.T) {
	t.Parallel()
	f := MustFixture(t)
	srv := MustServer(t, f, func(c *api.Config) { c.MaxChatBodyBytes = 4096 })
	user := `"messages":[{"role":"user","content":"hi"}]`
	tests := []struct {
		name, body, msg string
	}{
		{"empty body", ``, "request body is empty"},
		{"not json", `{"model":`, "ends in the middle"},
		{"syntax", `{"model" "x"}`, "not valid JSON"},
		{"array", `[1]`, "want an object"},
		{"wrong type", `{"model":3,` + user + `}`, "field model is a JSON number, want a string"},
		{"two values", `{"model":"m",` + user + `} {}`, "more than one JSON value"},
		{"no model", `{` + user + `}`, "model is required"},
		{"no messages", `{"model":"m"}`, "messages is required"},
		{"only system", `{"model":"m","messages":[{"role":"system","content":"x"}]}`, "no user or assistant message"},
		{"tool role", `{"model":"m","messages":[{"role":"tool","content":"x"}]}`, `role "tool" is not supported`},
		{"unknown role", `{"model":"m","messages":[{"role":"robot","content":"x"}]}`, `unknown role "robot"`},
		{"escape in model", `{"model":"m\u001b[2J","messages":[{"role":"user","content":"x"}]}`, `rule: printable model names`},
		{"bidi override in model", `{"model":"m\u202ex","messages":[{"role":"user","content":"x"}]}`, `rule: printable model names`},
		{"image part", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url"}]}]}`, "only text parts"},
		{"bad content", `{"model":"m","messages":[{"role":"user","content":7}]}`, "must be a string or an array"},
		{"n=2", `{"model":"m","n":2,` + user + `}`, "n must be 1"},
		{"tools", `{"model":"m","tools":[{}],` + user + `}`, "tools and functions are not supported"},
		{"temperature", `{"model":"m","temperature":3,` + user + `}`, "temperature must be between 0 and 2"},
		{"max_tokens 0", `{"model":"m","max_tokens":0,` + user + `}`, "max_tokens must be between 1 and 4096"},
		{"max_tokens big", `{"model":"m","max_completion_tokens":100000,` + user + `}`, "max_tokens must be between 1 and 4096"},
		{"stop 5", `{"model":"m","stop":["a","b","c","d","e"],` + user + `}`, "at most 4"},
		{"stop number", `{"model":"m","stop":5,` + user + `}`, "stop must be a string or an array"},
		{"too big", `{"model":"m",` + user + `,"x":"` + strings.Repeat("a", 5000) + `"}`, "above the limit of 4096 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := do(t, "POST", srv.URL+"/v1/chat/completions", f.keys["good"], tt.body)
			body, _ := io.ReadAll(resp.Body)
			var e errorBody
			json.Unmarshal(body, &e)
			if resp.StatusCode != 400 || e.Error.Code != "invalid" || e.Error.Type == nil || *e.Error.Type != "invalid_request_error" {
				t.Fatalf("status %d body %s, want 400 invalid_request_error", resp.StatusCode, body)
			}
			if !strings.Contains(e.Error.Message, tt.msg) {
				t.Errorf("message %q does not say %q", e.Error.Message, tt.msg)
			}
		})
	}
}

// TestModelsSDK lists only the models the principal may call.
func TestModelsSDK(t *testing.T) {
	t.Parallel()
	f := MustFixture(t)
	srv := MustServer(t, f, nil)
	tests := []struct {
		key  string
		want []string
	}{
		{f.keys["good"], []string{modelAllowed}},              // fake:allowed-2 is not approved, fake:other not allowed
		{f.keys["broke"], []string{modelAllowed, modelOther}}, // fake:* allows both approved ones
	}
	for _, tt := range tests {
		client := MustClient(srv.URL, tt.key)
		page, err := client.Models.List(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range page.Data {
			got = append(got, m.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("models %v, want %v", got, tt.want)
		}
	}
}

// TestChatAnswerHasLength checks that an answer, a long one too, is sent
// with its Content-Length rather than chunked.
func TestChatAnswerHasLength(t *testing.T) {
	t.Parallel()
	f := MustFixture(t)
	srv := MustServer(t, f, nil)
	for _, n := range []int{5, 5000} {
		text := strings.Repeat("a", n)
		resp := do(t, "POST", srv.URL+"/v1/chat/completions", f.keys["good"],
			`{"model":"`+modelAllowed+`","messages":[{"role":"user","content":"`+text+`"}]}`)
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || !strings.Contains(string(b), strings.ToUpper(text)) {
			t.Fatalf("%d-byte answer: status %d, body %.200s", n, resp.StatusCode, b)
		}
		if resp.ContentLength != int64(len(b)) || len(resp.TransferEncoding) != 0 {
			t.Errorf("%d-byte answer: Content-Length %d, transfer encoding %v; want %d and none", n, resp.ContentLength, resp.TransferEncoding, len(b))
		}
	}
}

// TestChatBuildsOnlyAuthorisedModels: a caller naming models it may not use
// (made-up names, or approved ones outside its allow-list) is refused
// before any model is built, so a server keeps built models only for
// approved names, a finite set, whatever names callers send.
func TestChatBuildsOnlyAuthorisedModels(t *testing.T) {
	t.Parallel()
	f := MustFixture(t)
	srv := MustServer(t, f, nil)
	client := MustClient(srv.URL, f.keys["good"])
	for _, model := range []string{"fake:made-up-1", "fake:allowed-made-up", modelUnapproved, modelOther, modelAllowed} {
		client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
			Model: model, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
		})
	}
	f.models.mu.Lock()
	defer f.models.mu.Unlock()
	if len(f.models.asked) != 1 || f.models.asked[0] != modelAllowed {
		t.Errorf("models built = %v, want only %s (the one the caller may use)", f.models.asked, modelAllowed)
	}
}
