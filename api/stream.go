package api

import (
	"encoding/json"
	"net/http"
	"time"
)

// writeStream answers a streamed request with server-sent events in
// OpenAI's chunk format: the role, the content, the finish reason, the
// usage when asked for, then "data: [DONE]". Models answer whole, so the
// content comes in one chunk; clients that read streams work unchanged.
//
// Each event gets eventTimeout to be written (the deadline moves with the
// stream), so a client that stops reading is cut off.
func writeStream(w http.ResponseWriter, id string, created int64, model, text, finish string, usage chatUsage, includeUsage bool, eventTimeout time.Duration) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	chunk := func(delta chunkDelta, finish *string) chatChunk {
		return chatChunk{ID: id, Object: "chat.completion.chunk", Created: created, Model: model,
			Choices: []chunkChoice{{Delta: delta, FinishReason: finish}}}
	}
	events := []chatChunk{
		chunk(chunkDelta{Role: "assistant", Content: new(string)}, nil),
		chunk(chunkDelta{Content: &text}, nil),
		chunk(chunkDelta{}, &finish),
	}
	if includeUsage {
		events = append(events, chatChunk{ID: id, Object: "chat.completion.chunk", Created: created, Model: model,
			Choices: []chunkChoice{}, Usage: &usage})
	}
	for _, e := range events {
		rc.SetWriteDeadline(time.Now().Add(eventTimeout))
		b, _ := json.Marshal(e) // our own types: cannot fail
		w.Write([]byte("data: "))
		w.Write(b)
		w.Write([]byte("\n\n"))
		rc.Flush()
	}
	rc.SetWriteDeadline(time.Now().Add(eventTimeout))
	w.Write([]byte("data: [DONE]\n\n"))
	rc.Flush()
}
