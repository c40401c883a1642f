package api

import (
	"bytes"
	"io"
	"sync"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/ticketsum/ticketsum/internal/jsontok"
)

// decodeChatRequest reads a chat request body and decodes it into in. A
// plain request (one JSON object, field names as OpenAI spells them, each
// once, string message contents, valid UTF-8) is read by a token decoder
// with no reflection, which costs a fifth of encoding/json's time and
// allocations; anything else goes to decodeJSON, so that every refusal is
// worded exactly as before and every accepted body means the same
// (FuzzChatDecode checks that both agree).
func decodeChatRequest(body io.Reader, in *chatRequest, limit bodyLimit) error {
	cd := chatDecoders.Get().(*chatDecoder)
	defer cd.release()
	if _, err := cd.buf.ReadFrom(body); err != nil {
		// Replay what arrived, then the error, so that decodeJSON words
		// the problem it meets first, as it did reading the body itself.
		return decodeJSON(io.MultiReader(bytes.NewReader(cd.buf.Bytes()), errReader{err}), in, limit)
	}
	raw := cd.buf.Bytes() // the decoder consumes the buffer, not its bytes
	cd.dec.Reset(&cd.buf)
	if fastChatRequest(&cd.dec, in) {
		return nil
	}
	*in = chatRequest{}
	return decodeJSON(bytes.NewReader(raw), in, limit)
}

// chatDecoder is a body buffer and a token decoder, pooled.
type chatDecoder struct {
	buf bytes.Buffer
	dec jsontext.Decoder
}

var chatDecoders = sync.Pool{New: func() any { return new(chatDecoder) }}

// maxPooledBody is the largest body buffer kept for reuse.
const maxPooledBody = 64 << 10

func (cd *chatDecoder) release() {
	if cd.buf.Cap() > maxPooledBody {
		return
	}
	cd.buf.Reset()
	cd.dec.Reset(&cd.buf)
	chatDecoders.Put(cd)
}

// errReader returns its error.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// fastChatRequest decodes the decoder's input into in and reports whether
// it could: false for anything it leaves to decodeJSON (not an object, a
// duplicate or differently spelled field name, a null where a value is
// expected, stream_options, content parts, a number that is not an exact
// integer where one is wanted, more than one value, invalid JSON).
func fastChatRequest(d *jsontext.Decoder, in *chatRequest) bool {
	if !jsontok.Open(d, '{') {
		return false
	}
	for d.PeekKind() == '"' {
		name, err := d.ReadValue()
		if err != nil || !chatField(d, in, name) {
			return false
		}
	}
	if !jsontok.Close(d, '}') {
		return false
	}
	_, err := d.ReadToken()
	return err == io.EOF
}

// chatFields are the request's field names decoded by name.
var chatFields = []string{"model", "messages", "max_tokens", "max_completion_tokens", "temperature", "stop", "stream", "stream_options", "n", "tools", "functions"}

// chatField decodes the value of field name (quoted, as in the input).
func chatField(d *jsontext.Decoder, in *chatRequest, name jsontext.Value) bool {
	var ok bool
	switch string(name) {
	case `"model"`:
		in.Model, ok = jsontok.String(d)
	case `"messages"`:
		ok = readMessages(d, in)
	case `"max_tokens"`:
		in.MaxTokens, ok = intPtr(jsontok.Int(d))
	case `"max_completion_tokens"`:
		in.MaxCompletionTokens, ok = intPtr(jsontok.Int(d))
	case `"n"`:
		in.N, ok = intPtr(jsontok.Int(d))
	case `"temperature"`:
		var f float64
		f, ok = jsontok.Float(d)
		in.Temperature = &f
	case `"stream"`:
		in.Stream, ok = jsontok.Bool(d)
	case `"stop"`:
		in.Stop, ok = jsontok.Raw(d)
	case `"tools"`:
		in.Tools, ok = jsontok.Raw(d)
	case `"functions"`:
		in.Functions, ok = jsontok.Raw(d)
	default:
		return jsontok.SkipUnknown(d, name, chatFields...)
	}
	return ok
}

// intPtr returns a pointer to n.
func intPtr(n int, ok bool) (*int, bool) { return &n, ok }

// readMessages decodes an array of messages whose contents are strings or
// null.
func readMessages(d *jsontext.Decoder, in *chatRequest) bool {
	if !jsontok.Open(d, '[') {
		return false
	}
	in.Messages = make([]chatMessage, 0, 4)
	for d.PeekKind() == '{' {
		if !jsontok.Open(d, '{') {
			return false
		}
		var m chatMessage
		for d.PeekKind() == '"' {
			name, err := d.ReadValue()
			if err != nil {
				return false
			}
			var ok bool
			switch string(name) {
			case `"role"`:
				m.Role, ok = jsontok.String(d)
			case `"content"`:
				if d.PeekKind() == 'n' {
					ok = d.SkipValue() == nil
				} else {
					m.text, ok = jsontok.String(d)
				}
				m.isText = true
			default:
				ok = jsontok.SkipUnknown(d, name, "role", "content")
			}
			if !ok {
				return false
			}
		}
		if !jsontok.Close(d, '}') {
			return false
		}
		in.Messages = append(in.Messages, m)
	}
	return jsontok.Close(d, ']')
}
