package api

import (
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"
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
	b = appendJSONString(b, id)
	b = append(b, `,"object":"chat.completion","created":`...)
	b = strconv.AppendInt(b, created, 10)
	b = append(b, `,"model":`...)
	b = appendJSONString(b, model)
	b = append(b, `,"choices":[{"index":0,"message":{"role":"assistant","content":`...)
	b = appendJSONString(b, content)
	b = append(b, `,"refusal":null},"finish_reason":`...)
	b = appendJSONString(b, finish)
	b = append(b, `,"logprobs":null}],"usage":{"prompt_tokens":`...)
	b = strconv.AppendInt(b, int64(u.PromptTokens), 10)
	b = append(b, `,"completion_tokens":`...)
	b = strconv.AppendInt(b, int64(u.CompletionTokens), 10)
	b = append(b, `,"total_tokens":`...)
	b = strconv.AppendInt(b, int64(u.TotalTokens), 10)
	return append(b, "}}\n"...)
}

// appendJSONString appends s as encoding/json writes a string: quotes,
// backslash escapes for '"', '\\' and control characters, \u escapes for
// '<', '>', '&', U+2028 and U+2029, and \ufffd for each invalid UTF-8
// byte.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
