package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

// noChoicesUpstream is an OpenAI-compatible server whose every answer has
// no choices but its usage: a charged call with no text (as a server's
// content filter may give). calls counts the chat requests.
func noChoicesUpstream(t *testing.T, calls *atomic.Int64) *httptest.Server {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"c1","object":"chat.completion","created":1764000000,"model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":0,"total_tokens":5}}`)
	}))
	t.Cleanup(upstream.Close)
	return upstream
}

// TestServedChatEmptyAnswerNotRetried: a model answer with no text on the
// served chat path was an error (EUNAVAILABLE): the gateway called the
// model four times, each charged and none recorded, and the client got a
// 503, which its SDK retries, paying again. The charged answer is now
// answered once, 200 with empty content and its usage, so nothing invites
// a retry.
func TestServedChatEmptyAnswerNotRetried(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	upstream := noChoicesUpstream(t, &calls)
	addr, key, stop := serveOpenAIChat(t, bigChatConfig(t, upstream.URL))
	defer stop()
	status, b := postWithKey(t, addr+"/v1/chat/completions", key, `{"model":"openai:m","messages":[{"role":"user","content":"Where is my order?"}]}`)
	var got struct {
		Choices []struct {
			Message struct {
				Content *string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
		Usage struct {
			PromptTokens int `json:"prompt_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal([]byte(b), &got); err != nil || status != http.StatusOK || len(got.Choices) != 1 ||
		got.Choices[0].Message.Content == nil || *got.Choices[0].Message.Content != "" || got.Usage.PromptTokens != 5 {
		t.Errorf("an empty charged answer: %d %.300s; want 200 with empty content and its 5 prompt tokens", status, b)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the model was called %d times for one request, want 1", n)
	}
}

// TestWorkerEmptyAnswerFailsOnce: on the worker path, a model that
// answers with no text was retried as unavailable (four charged calls per
// attempt, ten attempts). Now the answer gets its one repair call, and the
// ticket is failed at once as a configuration problem that names the fix,
// where `failures list` shows it: two charged calls in all.
func TestWorkerEmptyAnswerFailsOnce(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	upstream := noChoicesUpstream(t, &calls)
	cfg := openAIConfig(t, upstream.URL)
	ctx := context.Background()
	if r := run(t, ctx, goodTicket, "import", "-", "--config", cfg); r.code != exitOK {
		t.Fatalf("import: %+v", r)
	}
	r := run(t, ctx, "", "worker", "--until-idle", "--config", cfg)
	if !strings.Contains(r.stdout, "0 done, 1 failed") {
		t.Fatalf("worker --until-idle: %+v; want the ticket failed", r)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("the model was called %d times, want 2 (the answer and its one repair)", n)
	}
	l := run(t, ctx, "", "failures", "list", "--config", cfg)
	if !strings.Contains(l.stdout, "T-1") || !strings.Contains(l.stdout, "config") || !strings.Contains(l.stdout, "no summary text") {
		t.Errorf("failures list: %+v; want T-1 failed as config, with no summary text", l)
	}
}

// TestWorkerEmptyBedrockAnswerFails: a Bedrock model that answers with no
// text ends the same way: its one repair call, then the ticket failed as
// a configuration problem, no retries.
func TestWorkerEmptyBedrockAnswerFails(t *testing.T) {
	var calls atomic.Int64
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Responder: func(string, string) string { calls.Add(1); return "" }})
	setAWSEnv(t, srv)
	cfg, _ := initWithTicket(t, "", "")
	r := run(t, context.Background(), "", "worker", "--until-idle", "--config", cfg)
	l := run(t, context.Background(), "", "failures", "list", "--config", cfg)
	if !strings.Contains(r.stdout, "0 done, 1 failed") || calls.Load() != 2 || !strings.Contains(l.stdout, "no summary text") {
		t.Fatalf("worker: %+v; %d calls; failures list: %+v; want T-1 failed after 2 calls", r, calls.Load(), l)
	}
}
