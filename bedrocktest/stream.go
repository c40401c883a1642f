package bedrocktest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// event is one event-stream message: its :event-type and JSON payload.
type event struct {
	typ     string
	payload any
}

// pieces splits an answer into stream deltas of up to four words each;
// joined, they give the text back. An empty text is one empty piece.
func pieces(text string) []string {
	words := strings.SplitAfter(text, " ")
	var out []string
	for i := 0; i < len(words); i += 4 {
		out = append(out, strings.Join(words[i:min(i+4, len(words))], ""))
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

// chunkEvents wraps model-native chunks as InvokeModelWithResponseStream
// "chunk" events: {"bytes": base64(JSON)}.
func chunkEvents(chunks []map[string]any) []event {
	evs := make([]event, len(chunks))
	for i, c := range chunks {
		b, _ := json.Marshal(c)
		evs[i] = event{"chunk", map[string]any{"bytes": b}} // []byte marshals as base64
	}
	return evs
}

// writeStream writes events in the application/vnd.amazon.eventstream
// framing, flushing after each; malformed corrupts the second frame's
// checksum so the client's decoder fails mid-stream, and a non-nil
// exception is sent as an exception message in place of the third event,
// ending the stream.
func (s *Server) writeStream(w http.ResponseWriter, r *http.Request, evs []event, malformed bool, exception *apiError) {
	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	enc := eventstream.NewEncoder()
	var buf bytes.Buffer
	for i, ev := range evs {
		payload, _ := json.Marshal(ev.payload)
		msg := eventstream.Message{Payload: payload}
		final := exception != nil && i == min(2, len(evs)-1)
		if final {
			payload, _ = json.Marshal(map[string]any{"message": exception.message})
			msg = eventstream.Message{Payload: payload}
			msg.Headers.Set(":message-type", eventstream.StringValue("exception"))
			msg.Headers.Set(":exception-type", eventstream.StringValue(exception.code))
			msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
		} else {
			msg.Headers.Set(":message-type", eventstream.StringValue("event"))
			msg.Headers.Set(":event-type", eventstream.StringValue(ev.typ))
			msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
		}
		buf.Reset()
		if err := enc.Encode(&buf, msg); err != nil {
			return
		}
		b := buf.Bytes()
		if malformed && i == 1 {
			b[len(b)-1] ^= 0xff
		}
		if _, err := w.Write(b); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
		if final || r.Context().Err() != nil {
			return
		}
	}
}
