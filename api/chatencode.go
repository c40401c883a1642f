package api

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/ticketsum/ticketsum/internal/jsonenc"
)

// writeChatCompletion writes the answer of a chat request without
// streaming: the bytes writeJSON wrote of a one-choice chat completion
// (OpenAI's object), appended by hand into a pooled buffer instead of by
// reflection. TestChatCompletionEncoding and FuzzChatCompletionEncoding
// check that they are the same bytes.
func writeChatCompletion(w http.ResponseWriter, id string, created int64, model, content, finish string, u chatUsage) {
	bp := encodeBuffers.Get().(*[]byte)
	b := appendChatCompletion((*bp)[:0], id, created, model, content, finish, u)
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["X-Content-Type-Options"] = nosniff
	// net/http adds the length of an answer under a few KB (2 KB in Go
	// 1.26) itself, and sends a longer one chunked unless told its length.
	if len(b) >= 2048 {
		h["Content-Length"] = []string{strconv.Itoa(len(b))}
	}
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	if cap(b) <= maxPooledBody {
		*bp = b
		encodeBuffers.Put(bp)
	}
}

// Header values shared by every answer; net/http only reads them.
var (
	jsonContentType = []string{"application/json; charset=utf-8"}
	nosniff         = []string{"nosniff"}
)

var encodeBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// appendChatCompletion appends the JSON of a one-choice chat completion and
// a newline.
func appendChatCompletion(b []byte, id string, created int64, model, content, finish string, u chatUsage) []byte {
	b = append(b, `{"id":`...)
	b = jsonenc.AppendString(b, id)
	b = append(b, `,"object":"chat.completion","created":`...)
	b = strconv.AppendInt(b, created, 10)
	b = append(b, `,"model":`...)
	b = jsonenc.AppendString(b, model)
	b = append(b, `,"choices":[{"index":0,"message":{"role":"assistant","content":`...)
	b = jsonenc.AppendString(b, content)
	b = append(b, `,"refusal":null},"finish_reason":`...)
	b = jsonenc.AppendString(b, finish)
	b = append(b, `,"logprobs":null}],"usage":{"prompt_tokens":`...)
	b = strconv.AppendInt(b, int64(u.PromptTokens), 10)
	b = append(b, `,"completion_tokens":`...)
	b = strconv.AppendInt(b, int64(u.CompletionTokens), 10)
	b = append(b, `,"total_tokens":`...)
	b = strconv.AppendInt(b, int64(u.TotalTokens), 10)
	return append(b, "}}\n"...)
}
