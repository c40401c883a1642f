package openai

import (
	"bytes"
	"encoding/json"
	"io"
	"sync"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/ticketsum/ticketsum/internal/jsontok"
)

// decodeAnswer decodes a chat completion. A plain answer is read by a
// token decoder with no reflection; anything else (duplicate or
// differently cased names, numbers that are not integers, invalid UTF-8)
// is left to encoding/json, so that the result and its errors are
// encoding/json's (FuzzDecodeAnswer checks that both agree).
func decodeAnswer(raw []byte, res *wireResponse) error {
	d := answerDecoders.Get().(*jsontext.Decoder)
	defer answerDecoders.Put(d)
	d.Reset(bytes.NewReader(raw))
	ok := fastAnswer(d, res)
	d.Reset(bytes.NewReader(nil)) // drop raw
	if ok {
		return nil
	}
	*res = wireResponse{}
	return json.Unmarshal(raw, res)
}

var answerDecoders = sync.Pool{New: func() any { return new(jsontext.Decoder) }}

// fastAnswer decodes the decoder's input into res and reports whether it
// could.
func fastAnswer(d *jsontext.Decoder, res *wireResponse) bool {
	ok := fields(d, func(name jsontext.Value) bool {
		switch string(name) {
		case `"choices"`:
			if d.PeekKind() == '[' {
				res.Choices = make([]wireChoice, 0, 1) // [] is an empty list, as for encoding/json
			}
			return elements(d, func() bool {
				var c wireChoice
				ok := fields(d, func(name jsontext.Value) bool { return choiceField(d, &c, name) })
				res.Choices = append(res.Choices, c)
				return ok
			})
		case `"usage"`:
			u := &res.Usage
			return fields(d, func(name jsontext.Value) bool {
				switch string(name) {
				case `"prompt_tokens"`:
					return int64Of(d, &u.PromptTokens)
				case `"completion_tokens"`:
					return int64Of(d, &u.CompletionTokens)
				case `"prompt_tokens_details"`:
					return fields(d, func(name jsontext.Value) bool {
						if string(name) == `"cached_tokens"` {
							return int64Of(d, &u.PromptTokensDetails.CachedTokens)
						}
						return jsontok.SkipUnknown(d, name, "cached_tokens")
					})
				}
				return jsontok.SkipUnknown(d, name, "prompt_tokens", "completion_tokens", "prompt_tokens_details")
			})
		}
		return jsontok.SkipUnknown(d, name, "choices", "usage")
	})
	if !ok {
		return false
	}
	_, err := d.ReadToken()
	return err == io.EOF
}

// choiceField decodes one field of a choice.
func choiceField(d *jsontext.Decoder, c *wireChoice, name jsontext.Value) bool {
	switch string(name) {
	case `"finish_reason"`:
		return stringOf(d, &c.FinishReason)
	case `"message"`:
		m := &c.Message
		return fields(d, func(name jsontext.Value) bool {
			switch string(name) {
			case `"content"`:
				return stringOf(d, &m.Content)
			case `"tool_calls"`:
				if d.PeekKind() == '[' {
					m.ToolCalls = make([]wireToolCall, 0, 1)
				}
				return elements(d, func() bool {
					m.ToolCalls = append(m.ToolCalls, wireToolCall{})
					tc := &m.ToolCalls[len(m.ToolCalls)-1]
					return fields(d, func(name jsontext.Value) bool {
						if string(name) != `"function"` {
							return jsontok.SkipUnknown(d, name, "function")
						}
						return fields(d, func(name jsontext.Value) bool {
							if string(name) == `"arguments"` {
								return stringOf(d, &tc.Function.Arguments)
							}
							return jsontok.SkipUnknown(d, name, "arguments")
						})
					})
				})
			}
			return jsontok.SkipUnknown(d, name, "content", "tool_calls")
		})
	}
	return jsontok.SkipUnknown(d, name, "message", "finish_reason")
}

// fields reads an object, or null (which leaves the fields as they are, as
// encoding/json does), calling field for each name.
func fields(d *jsontext.Decoder, field func(name jsontext.Value) bool) bool {
	if d.PeekKind() == 'n' {
		return d.SkipValue() == nil
	}
	if !jsontok.Open(d, '{') {
		return false
	}
	for d.PeekKind() == '"' {
		name, err := d.ReadValue()
		if err != nil || !field(name) {
			return false
		}
	}
	return jsontok.Close(d, '}')
}

// elements reads an array, or null, calling elem for each element.
func elements(d *jsontext.Decoder, elem func() bool) bool {
	if d.PeekKind() == 'n' {
		return d.SkipValue() == nil
	}
	if !jsontok.Open(d, '[') {
		return false
	}
	for d.PeekKind() != ']' {
		if !elem() {
			return false
		}
	}
	return jsontok.Close(d, ']')
}

// stringOf reads a string into s, or null, which leaves s as it is.
func stringOf(d *jsontext.Decoder, s *string) bool {
	if d.PeekKind() == 'n' {
		return d.SkipValue() == nil
	}
	v, ok := jsontok.String(d)
	*s = v
	return ok
}

// int64Of reads an integer into n, or null, which leaves n as it is.
func int64Of(d *jsontext.Decoder, n *int64) bool {
	if d.PeekKind() == 'n' {
		return d.SkipValue() == nil
	}
	v, ok := jsontok.Int(d)
	*n = int64(v)
	return ok
}
