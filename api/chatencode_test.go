package api

import (
	"encoding/json"
	"math"
	"net/http/httptest"
	"strconv"
	"testing"
)

// FuzzChatCompletionEncoding checks that the hand-made answer is the bytes
// writeJSON made of chatCompletion, for any text.
func FuzzChatCompletionEncoding(f *testing.F) {
	for _, s := range []string{"", "plain text.", `"quoted" \ back\slash`, "<b>&amp;</b>", "tab\tnl\ncr\rbs\bff\f\x00\x1f\x7f",
		"caf\u00e9 \U0001F600", "bad \xff\xfe utf8 \xe2\x82", "line\u2028para\u2029", "\u00a0\ufeff\ufffd"} {
		f.Add(s, int64(1764000000), 42)
	}
	f.Fuzz(func(t *testing.T, s string, created int64, n int) {
		u := chatUsage{PromptTokens: n, CompletionTokens: -n, TotalTokens: n * 3}
		want, err := json.Marshal(chatCompletion{ID: "chatcmpl-" + s, Object: "chat.completion", Created: created, Model: s,
			Choices: []chatChoice{{Message: chatOutMessage{Role: "assistant", Content: s}, FinishReason: s}}, Usage: u})
		if err != nil {
			t.Fatal(err)
		}
		got := appendChatCompletion(nil, "chatcmpl-"+s, created, s, s, s, u)
		if string(got) != string(want)+"\n" {
			t.Fatalf("text %q:\n got %s\nwant %s", s, got, want)
		}
	})
}

// TestChatCompletionEncoding checks the whole answer against writeJSON's:
// status, headers and body.
func TestChatCompletionEncoding(t *testing.T) {
	u := chatUsage{PromptTokens: 42, CompletionTokens: 27, TotalTokens: 69}
	want := httptest.NewRecorder()
	writeJSON(want, 200, chatCompletion{ID: "chatcmpl-req-1", Object: "chat.completion", Created: 7, Model: "openai:m",
		Choices: []chatChoice{{Message: chatOutMessage{Role: "assistant", Content: "Done <ok> & \"fine\"."}, FinishReason: "length"}}, Usage: u})
	for range 2 { // the second answer reuses the pooled buffer
		got := httptest.NewRecorder()
		writeChatCompletion(got, "chatcmpl-req-1", 7, "openai:m", "Done <ok> & \"fine\".", "length", u)
		if got.Code != want.Code || got.Body.String() != want.Body.String() ||
			got.Header().Get("Content-Type") != want.Header().Get("Content-Type") || got.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("got %d %v %s\nwant %d %v %s", got.Code, got.Header(), got.Body, want.Code, want.Header(), want.Body)
		}
	}
}

// The types below are the answer as writeJSON encoded it before
// appendChatCompletion; the tests compare against them.

// chatCompletion is the answer to a request without streaming.
type chatCompletion struct {
	ID      string       `json:"id"`
	Object  string       `json:"object"`
	Created int64        `json:"created"`
	Model   string       `json:"model"`
	Choices []chatChoice `json:"choices"`
	Usage   chatUsage    `json:"usage"`
}

type chatChoice struct {
	Index        int            `json:"index"`
	Message      chatOutMessage `json:"message"`
	FinishReason string         `json:"finish_reason"`
	Logprobs     *struct{}      `json:"logprobs"`
}

type chatOutMessage struct {
	Role    string  `json:"role"`
	Content string  `json:"content"`
	Refusal *string `json:"refusal"`
}

// costUSD writes what strconv.FormatFloat(usd, 'f', -1, 64) writes.
func TestCostUSD(t *testing.T) {
	for _, usd := range []float64{0, math.Copysign(0, -1), 0.000018, 0.01, 1, 3.5e-7, 1e21, 123.456} {
		if got, want := costUSD(usd), strconv.FormatFloat(usd, 'f', -1, 64); got != want {
			t.Errorf("costUSD(%v) = %q, want %q", usd, got, want)
		}
	}
}
