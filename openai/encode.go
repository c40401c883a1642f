package openai

import (
	"math"
	"strconv"

	"github.com/ticketsum/ticketsum/internal/jsonenc"
)

// appendRequest appends the JSON of a request with no structured output
// (a chat call's), byte for byte what json.Marshal writes of it
// (FuzzRequestEncoding), without reflection; it reports false, having
// appended nothing, for a request it does not write: one with a response
// format or tools, or a temperature json.Marshal writes in exponent form
// or refuses.
func appendRequest(b []byte, r *wireRequest) ([]byte, bool) {
	if r.ResponseFormat != nil || r.Tools != nil || r.ToolChoice != nil {
		return b, false
	}
	if t := r.Temperature; t != nil && !plainFloat(*t) {
		return b, false
	}
	b = append(b, `{"model":`...)
	b = jsonenc.AppendString(b, r.Model)
	b = append(b, `,"messages":`...)
	if r.Messages == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range r.Messages {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"role":`...)
			b = jsonenc.AppendString(b, r.Messages[i].Role)
			b = append(b, `,"content":`...)
			b = jsonenc.AppendString(b, r.Messages[i].Content)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"max_tokens":`...)
	b = strconv.AppendInt(b, int64(r.MaxTokens), 10)
	if r.Temperature != nil {
		b = append(b, `,"temperature":`...)
		b = strconv.AppendFloat(b, *r.Temperature, 'f', -1, 64)
	}
	if len(r.Stop) > 0 {
		b = append(b, `,"stop":[`...)
		for i, s := range r.Stop {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonenc.AppendString(b, s)
		}
		b = append(b, ']')
	}
	return append(b, '}'), true
}

// plainFloat reports whether json.Marshal writes f in plain decimal form,
// as strconv.FormatFloat(f, 'f', -1, 64) does.
func plainFloat(f float64) bool {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return false
	}
	abs := math.Abs(f)
	return abs == 0 || (abs >= 1e-6 && abs < 1e21)
}

// requestSize estimates the bytes of a request's JSON, so that it is
// appended into one allocation.
func requestSize(r *wireRequest) int {
	n := 128 + len(r.Model)
	for i := range r.Messages {
		n += 32 + len(r.Messages[i].Content) + len(r.Messages[i].Content)/8
	}
	for _, s := range r.Stop {
		n += 4 + len(s)
	}
	return n
}
