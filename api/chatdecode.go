package api

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/go-json-experiment/json/jsontext"
)

// decodeChatRequest reads a chat request body and decodes it into in. A
// plain request (one JSON object, field names as OpenAI spells them, each
// once, string message contents, valid UTF-8) is read by a token decoder
// with no reflection, which costs a fifth of encoding/json's time and
// allocations; anything else goes to decodeJSON, so that every refusal is
// worded exactly as before and every accepted body means the same
// (FuzzChatDecode checks that both agree).
func decodeChatRequest(body io.Reader, in *chatRequest, limit int64) error {
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
	if d.PeekKind() != '{' {
		return false
	}
	if _, err := d.ReadToken(); err != nil {
		return false
	}
	for d.PeekKind() == '"' {
		name, err := d.ReadValue()
		if err != nil || !chatField(d, in, name) {
			return false
		}
	}
	if tok, err := d.ReadToken(); err != nil || tok.Kind() != '}' {
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
		in.Model, ok = readString(d)
	case `"messages"`:
		ok = readMessages(d, in)
	case `"max_tokens"`:
		in.MaxTokens, ok = readInt(d)
	case `"max_completion_tokens"`:
		in.MaxCompletionTokens, ok = readInt(d)
	case `"n"`:
		in.N, ok = readInt(d)
	case `"temperature"`:
		in.Temperature, ok = readFloat(d)
	case `"stream"`:
		in.Stream, ok = readBool(d)
	case `"stop"`:
		in.Stop, ok = readRaw(d)
	case `"tools"`:
		in.Tools, ok = readRaw(d)
	case `"functions"`:
		in.Functions, ok = readRaw(d)
	default:
		return skipUnknown(d, name, chatFields)
	}
	return ok
}

// skipUnknown skips the value of a field no case matches, unless its name
// could be one of known to encoding/json, which matches names without
// regard to case: escaped, non-ASCII or equal to one of known but for case.
func skipUnknown(d *jsontext.Decoder, name jsontext.Value, known []string) bool {
	n := string(name[1 : len(name)-1])
	for i := 0; i < len(n); i++ {
		if n[i] == '\\' || n[i] >= 0x80 {
			return false
		}
	}
	for _, k := range known {
		if strings.EqualFold(n, k) {
			return false
		}
	}
	return d.SkipValue() == nil
}

// readMessages decodes an array of messages whose contents are strings or
// null.
func readMessages(d *jsontext.Decoder, in *chatRequest) bool {
	if d.PeekKind() != '[' {
		return false
	}
	if _, err := d.ReadToken(); err != nil {
		return false
	}
	in.Messages = make([]chatMessage, 0, 4)
	for d.PeekKind() == '{' {
		if _, err := d.ReadToken(); err != nil {
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
				m.Role, ok = readString(d)
			case `"content"`:
				if d.PeekKind() == 'n' {
					ok = d.SkipValue() == nil
				} else {
					m.text, ok = readString(d)
				}
				m.isText = true
			default:
				ok = skipUnknown(d, name, []string{"role", "content"})
			}
			if !ok {
				return false
			}
		}
		if tok, err := d.ReadToken(); err != nil || tok.Kind() != '}' {
			return false
		}
		in.Messages = append(in.Messages, m)
	}
	tok, err := d.ReadToken()
	return err == nil && tok.Kind() == ']'
}

// readString reads a string (not null).
func readString(d *jsontext.Decoder) (string, bool) {
	if d.PeekKind() != '"' {
		return "", false
	}
	v, err := d.ReadValue()
	if err != nil {
		return "", false
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1]), true
	}
	b, err := jsontext.AppendUnquote(nil, v)
	return string(b), err == nil
}

// readInt reads a number that is an exact integer.
func readInt(d *jsontext.Decoder) (*int, bool) {
	if d.PeekKind() != '0' {
		return nil, false
	}
	v, err := d.ReadValue()
	if err != nil {
		return nil, false
	}
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return nil, false
	}
	return &n, true
}

// readFloat reads a number within float64's range.
func readFloat(d *jsontext.Decoder) (*float64, bool) {
	if d.PeekKind() != '0' {
		return nil, false
	}
	v, err := d.ReadValue()
	if err != nil {
		return nil, false
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		return nil, false
	}
	return &f, true
}

// readBool reads true or false.
func readBool(d *jsontext.Decoder) (bool, bool) {
	k := d.PeekKind()
	if k != 't' && k != 'f' {
		return false, false
	}
	return k == 't', d.SkipValue() == nil
}

// readRaw reads any value as a copy of its JSON text.
func readRaw(d *jsontext.Decoder) ([]byte, bool) {
	v, err := d.ReadValue()
	if err != nil {
		return nil, false
	}
	return bytes.Clone(v), true
}
