package audit

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/ticketsum/ticketsum/internal/jsonenc"
)

// The invocation log's record and the trail's hash input are written on
// every served call. They are appended here by hand, byte for byte what
// encoding/json writes of the same values (the sealed lines of existing
// logs and the hashes of existing trails depend on those bytes), instead
// of by reflection. TestRecordEncodingIsJSONs, TestHashInputIsJSONs and
// their fuzz tests compare the two. A value encoding/json would refuse (a
// NaN cost) or writes in a way not copied here (a year past 9999) falls
// back to encoding/json, so that the error, or the bytes, stay its own.

// encodeRecord appends rec's JSON, as json.Marshal writes it, to b.
func encodeRecord(b []byte, rec *InvocationRecord) ([]byte, error) {
	if out, ok := appendRecord(b, rec); ok {
		return out, nil
	}
	pt, err := json.Marshal(rec)
	if err != nil {
		return b, err
	}
	return append(b, pt...), nil
}

// appendRecord appends rec's JSON to b; ok is false, and b of no use, when
// a value needs encoding/json (see above).
func appendRecord(b []byte, rec *InvocationRecord) (_ []byte, ok bool) {
	b = append(b, `{"schemaType":`...)
	b = jsonenc.AppendString(b, rec.SchemaType)
	b = append(b, `,"schemaVersion":`...)
	b = jsonenc.AppendString(b, rec.SchemaVersion)
	b = append(b, `,"timestamp":`...)
	if b, ok = appendJSONTime(b, rec.Timestamp); !ok {
		return b, false
	}
	b = append(b, `,"requestId":`...)
	b = jsonenc.AppendString(b, rec.RequestID)
	b = append(b, `,"operation":`...)
	b = jsonenc.AppendString(b, rec.Operation)
	b = append(b, `,"modelId":`...)
	b = jsonenc.AppendString(b, rec.ModelID)
	if rec.ResponseModelID != "" {
		b = append(b, `,"responseModelId":`...)
		b = jsonenc.AppendString(b, rec.ResponseModelID)
	}
	b = append(b, `,"identity":{"principal":`...)
	b = jsonenc.AppendString(b, rec.Identity.Principal)
	b = append(b, `},"requestMetadata":{`...)
	m := rec.RequestMetadata
	sep := ""
	for _, f := range [...]struct{ key, v string }{{`"useCase":`, m.UseCase}, {`"ticketId":`, m.TicketID}, {`"productLine":`, m.ProductLine}} {
		if f.v != "" {
			b = append(b, sep...)
			b = append(b, f.key...)
			b = jsonenc.AppendString(b, f.v)
			sep = ","
		}
	}
	b = append(b, `},"input":{"inputContentType":`...)
	in := &rec.Input
	b = jsonenc.AppendString(b, in.InputContentType)
	if body := in.InputBodyJSON; body != nil {
		b = append(b, `,"inputBodyJson":{`...)
		if body.System != "" {
			b = append(b, `"system":`...)
			b = jsonenc.AppendString(b, body.System)
			b = append(b, ',')
		}
		b = append(b, `"messages":`...)
		if body.Messages == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i, msg := range body.Messages {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"role":`...)
				b = jsonenc.AppendString(b, string(msg.Role))
				b = append(b, `,"content":`...)
				b = jsonenc.AppendString(b, msg.Content)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		if body.MaxTokens != 0 {
			b = append(b, `,"maxTokens":`...)
			b = strconv.AppendInt(b, int64(body.MaxTokens), 10)
		}
		if body.Temperature != nil {
			b = append(b, `,"temperature":`...)
			if b, ok = appendJSONFloat(b, *body.Temperature); !ok {
				return b, false
			}
		}
		if len(body.StopSequences) > 0 {
			b = append(b, `,"stopSequences":`...)
			b = appendJSONStrings(b, body.StopSequences)
		}
		b = append(b, '}')
	}
	b = append(b, `,"inputTokenCount":`...)
	b = strconv.AppendInt(b, int64(in.InputTokenCount), 10)
	b = append(b, `,"cacheReadInputTokenCount":`...)
	b = strconv.AppendInt(b, int64(in.CacheReadInputTokenCount), 10)
	b = append(b, `,"cacheWriteInputTokenCount":`...)
	b = strconv.AppendInt(b, int64(in.CacheWriteInputTokenCount), 10)
	b = append(b, '}')
	if out := rec.Output; out != nil {
		b = append(b, `,"output":{"outputContentType":`...)
		b = jsonenc.AppendString(b, out.OutputContentType)
		if body := out.OutputBodyJSON; body != nil {
			b = append(b, `,"outputBodyJson":{"text":`...)
			b = jsonenc.AppendString(b, body.Text)
			if body.StopReason != "" {
				b = append(b, `,"stopReason":`...)
				b = jsonenc.AppendString(b, body.StopReason)
			}
			b = append(b, '}')
		}
		b = append(b, `,"outputTokenCount":`...)
		b = strconv.AppendInt(b, int64(out.OutputTokenCount), 10)
		b = append(b, '}')
	}
	b = append(b, `,"latencyMs":`...)
	b = strconv.AppendInt(b, rec.LatencyMs, 10)
	b = append(b, `,"costUsd":`...)
	if b, ok = appendJSONFloat(b, rec.CostUSD); !ok {
		return b, false
	}
	if len(rec.GuardrailActions) > 0 {
		b = append(b, `,"guardrailActions":`...)
		b = appendJSONStrings(b, rec.GuardrailActions)
	}
	b = append(b, `,"outcome":`...)
	b = jsonenc.AppendString(b, rec.Outcome)
	if rec.ErrorCode != "" {
		b = append(b, `,"errorCode":`...)
		b = jsonenc.AppendString(b, rec.ErrorCode)
	}
	if rec.ErrorMessage != "" {
		b = append(b, `,"errorMessage":`...)
		b = jsonenc.AppendString(b, rec.ErrorMessage)
	}
	if rec.PaidAttempts != 0 {
		b = append(b, `,"paidAttempts":`...)
		b = strconv.AppendInt(b, int64(rec.PaidAttempts), 10)
	}
	return append(b, '}'), true
}

// appendHashInput appends the hashed form of e to b: a JSON object of
// every field but Seq and Hash, with short keys in a fixed order, nil
// flags and details as empty ones, and the time in Unix microseconds:
//
//	{"t":…,"k":…,"a":…,"ac":…,"tg":…,"r":…,"ti":…,"pl":…,"uc":…,"o":…,"ec":…,
//	 "it":…,"ot":…,"cr":…,"cw":…,"c":…,"f":[…],"d":{…},"p":…}
//
// Existing trails were hashed with json.Marshal of that struct; the
// reference copy in encode_test.go keeps the two the same.
func appendHashInput(b []byte, e *Event) []byte {
	b = append(b, `{"t":`...)
	b = strconv.AppendInt(b, e.Time.UnixMicro(), 10)
	for _, f := range [...]struct{ key, v string }{
		{`,"k":`, e.Kind}, {`,"a":`, e.Actor}, {`,"ac":`, e.Action}, {`,"tg":`, e.Target}, {`,"r":`, e.RequestID},
		{`,"ti":`, e.TicketID}, {`,"pl":`, e.ProductLine}, {`,"uc":`, e.UseCase}, {`,"o":`, e.Outcome}, {`,"ec":`, e.ErrorCode},
	} {
		b = append(b, f.key...)
		b = jsonenc.AppendString(b, f.v)
	}
	for _, f := range [...]struct {
		key string
		v   int64
	}{{`,"it":`, e.InputTokens}, {`,"ot":`, e.OutputTokens}, {`,"cr":`, e.CacheReadTokens}, {`,"cw":`, e.CacheWriteTokens}, {`,"c":`, e.CostMicros}} {
		b = append(b, f.key...)
		b = strconv.AppendInt(b, f.v, 10)
	}
	b = append(b, `,"f":`...)
	b = appendJSONStrings(b, e.Flags)
	b = append(b, `,"d":`...)
	b = appendJSONStringMap(b, e.Details)
	b = append(b, `,"p":`...)
	b = jsonenc.AppendString(b, e.PrevHash)
	return append(b, '}')
}

// appendJSONStrings appends ss as a JSON array; nil as [].
func appendJSONStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendString(b, s)
	}
	return append(b, ']')
}

// appendJSONStringMap appends m as a JSON object with its keys sorted, as
// encoding/json does; nil as {}.
func appendJSONStringMap(b []byte, m map[string]string) []byte {
	var arr [8]string
	keys := arr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendString(b, k)
		b = append(b, ':')
		b = jsonenc.AppendString(b, m[k])
	}
	return append(b, '}')
}

// appendJSONTime appends t as time.Time.MarshalJSON writes it (RFC 3339
// with nanoseconds, quoted); ok is false for a time it would refuse or
// write otherwise: a year outside 0-9999 or a zone offset with seconds.
func appendJSONTime(b []byte, t time.Time) ([]byte, bool) {
	if y := t.Year(); y < 0 || y > 9999 {
		return b, false
	}
	if _, off := t.Zone(); off%60 != 0 {
		return b, false
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), true
}

// appendJSONFloat appends f as encoding/json writes a float64; ok is false
// for NaN and the infinities, which it refuses.
func appendJSONFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-09 -> e-9, as encoding/json writes it
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}
