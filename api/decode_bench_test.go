package api

import (
	"net/http"
	"strings"
	"testing"
)

const benchChatBody = `{"model":"openai:bench-model","max_tokens":64,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"My export fails with a permissions error since Monday; the agent fixed my role."}]}`

func BenchmarkDecodeChat(b *testing.B) {
	h := &Handler{cfg: Config{MaxOutputTokens: 4096}}
	b.ReportAllocs()
	for b.Loop() {
		var in chatRequest
		if err := decodeChatRequest(strings.NewReader(benchChatBody), &in, bodyLimit{bytes: 1 << 20}); err != nil {
			b.Fatal(err)
		}
		if _, err := h.modelRequest(&in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeChat(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		v := chatCompletion{
			ID: "chatcmpl-req-0123456789abcdef", Object: "chat.completion", Created: 1764000000, Model: "openai:bench-model",
			Choices: []chatChoice{{Message: chatOutMessage{Role: "assistant", Content: "The customer's export failed on a permissions error; the agent fixed the role and the export works, so the ticket is resolved."}, FinishReason: "stop"}},
			Usage:   chatUsage{PromptTokens: 42, CompletionTokens: 27, TotalTokens: 69},
		}
		writeJSON(discardWriter{}, 200, v)
	}
}

type discardWriter struct{}

func (discardWriter) Header() http.Header         { return http.Header{} }
func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (discardWriter) WriteHeader(int)             {}
