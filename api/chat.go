package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// UseCaseChat is the CallMeta use case of /v1/chat/completions calls.
const UseCaseChat = "chat.completions"

// maxStop is the most stop sequences a request may give, as OpenAI allows.
const maxStop = 4

// serveChat handles POST /v1/chat/completions.
func (h *Handler) serveChat(w http.ResponseWriter, r *http.Request, c *caller) {
	var in chatRequest
	if err := decodeChatRequest(r.Body, &in, bodyLimit{h.cfg.MaxChatBodyBytes, h.cfg.ChatBodyLimitHint}); err != nil {
		h.fail(w, r, openAIShape, c, err)
		return
	}
	req, err := h.modelRequest(&in)
	if err != nil {
		h.fail(w, r, openAIShape, c, err)
		return
	}
	req.Meta = c.meta(UseCaseChat)
	// Authorised before the model is built: building a model may fail for
	// want of its settings (a Bedrock model on a server with no AWS
	// region), which a caller who may not use it is not told, and a built
	// model is kept for the server's life, so only approved names, a
	// finite set, are ever built.
	if err := h.cfg.Access.Authorize(r.Context(), c.Principal, in.Model); err != nil {
		if ticketsum.ErrorCodeOf(err) == ticketsum.EFORBIDDEN {
			h.recordDenial(r, c, nil, in.Model, err)
		}
		h.fail(w, r, openAIShape, c, err)
		return
	}
	m, err := h.cfg.Models(in.Model)
	if ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND {
		err = ticketsum.Errorf(ticketsum.ENOTFOUND, "model %s does not exist: GET /v1/models lists the models you may call", truncate(in.Model, 200))
	}
	if err != nil {
		h.fail(w, r, openAIShape, c, err)
		return
	}
	created := h.cfg.Clock.Now().Unix()
	resp, err := m.Generate(r.Context(), req)
	if err != nil {
		h.fail(w, r, openAIShape, c, err)
		return
	}
	model := resp.Model
	if model == "" {
		model = m.Name()
	}
	usage := chatUsage{
		PromptTokens:     resp.Usage.InputTokens + resp.Usage.CacheReadTokens + resp.Usage.CacheWriteTokens,
		CompletionTokens: resp.Usage.OutputTokens,
	}
	usage.TotalTokens = usage.PromptTokens + usage.CompletionTokens
	id := "chatcmpl-" + c.RequestID
	hd := w.Header()
	c.costHeader[0] = costUSD(resp.CostUSD)
	hd["X-Ticketsum-Cost-Usd"] = c.costHeader[:]
	if len(resp.Flags) > 0 {
		hd.Set("X-Ticketsum-Guardrails", strings.Join(resp.Flags, ","))
	}
	if in.Stream {
		includeUsage := in.StreamOptions != nil && in.StreamOptions.IncludeUsage
		writeStream(w, id, created, model, resp.Text, finishReason(resp.StopReason), usage, includeUsage, h.cfg.StreamWriteTimeout)
		return
	}
	writeChatCompletion(w, id, created, model, resp.Text, finishReason(resp.StopReason), usage)
}

// costUSD formats a call's cost for the X-Ticketsum-Cost-Usd header, as
// strconv.FormatFloat(usd, 'f', -1, 64) does, without an allocation for a
// free call.
func costUSD(usd float64) string {
	if usd == 0 && !math.Signbit(usd) {
		return "0"
	}
	return strconv.FormatFloat(usd, 'f', -1, 64)
}

// modelRequest checks an OpenAI request and maps it to a model request:
// system and developer messages become the system prompt, user and
// assistant messages the conversation.
func (h *Handler) modelRequest(in *chatRequest) (*ticketsum.ModelRequest, error) {
	bad := func(format string, args ...any) error { return ticketsum.Errorf(ticketsum.EINVALID, format, args...) }
	switch {
	case in.Model == "":
		return nil, bad("model is required")
	case checkModelName(in.Model) != nil:
		return nil, checkModelName(in.Model)
	case len(in.Messages) == 0:
		return nil, bad("messages is required: give at least one user message")
	case in.N != nil && *in.N != 1:
		return nil, bad("n must be 1: one choice per request is supported")
	case isSet(in.Tools) || isSet(in.Functions):
		return nil, bad("tools and functions are not supported")
	case in.Temperature != nil && (*in.Temperature < 0 || *in.Temperature > 2):
		return nil, bad("temperature must be between 0 and 2")
	}
	req := &ticketsum.ModelRequest{Temperature: in.Temperature}
	maxTokens := in.MaxTokens
	if in.MaxCompletionTokens != nil {
		maxTokens = in.MaxCompletionTokens
	}
	if maxTokens != nil {
		if *maxTokens < 1 || *maxTokens > h.cfg.MaxOutputTokens {
			return nil, bad("max_tokens must be between 1 and %d", h.cfg.MaxOutputTokens)
		}
		req.MaxTokens = *maxTokens
	}
	stop, err := stopSequences(in.Stop)
	if err != nil {
		return nil, err
	}
	req.StopSequences = stop
	var system []string
	for i := range in.Messages {
		m := &in.Messages[i]
		text, err := messageText(m, i)
		if err != nil {
			return nil, err
		}
		switch m.Role {
		case "system", "developer":
			system = append(system, text)
		case "user":
			req.Messages = append(req.Messages, ticketsum.ChatMessage{Role: ticketsum.ChatUser, Content: text})
		case "assistant":
			req.Messages = append(req.Messages, ticketsum.ChatMessage{Role: ticketsum.ChatAssistant, Content: text})
		case "tool", "function":
			return nil, bad("messages[%d]: role %q is not supported: tools are not available", i, m.Role)
		default:
			return nil, bad("messages[%d]: unknown role %q (want system, developer, user or assistant)", i, truncate(m.Role, 40))
		}
	}
	if len(req.Messages) == 0 {
		return nil, bad("messages has no user or assistant message")
	}
	req.System = strings.Join(system, "\n\n")
	return req, nil
}

// messageText returns a message's text: a string, null, or the
// concatenated text parts of an array.
func messageText(m *chatMessage, i int) (string, error) {
	if m.isText {
		return m.text, nil
	}
	raw := m.Content
	if !isSet(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var parts []contentPart
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", ticketsum.Errorf(ticketsum.EINVALID, "messages[%d].content must be a string or an array of text parts", i)
	}
	var b strings.Builder
	for j, p := range parts {
		if p.Type != "text" {
			return "", ticketsum.Errorf(ticketsum.EINVALID, "messages[%d].content[%d] has type %q: only text parts are supported", i, j, truncate(p.Type, 40))
		}
		b.WriteString(p.Text)
	}
	return b.String(), nil
}

// stopSequences reads stop: null, a string, or an array of at most 4
// strings.
func stopSequences(raw json.RawMessage) ([]string, error) {
	if !isSet(raw) {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "stop must be a string or an array of strings")
	}
	if len(many) > maxStop {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "stop has %d sequences, at most %d are allowed", len(many), maxStop)
	}
	return many, nil
}

// isSet reports whether a raw JSON field is present and not null.
func isSet(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// finishReason maps a provider stop reason to OpenAI's finish_reason.
func finishReason(stop string) string {
	switch stop {
	case "max_tokens", "length":
		return "length"
	case "content_filtered", "content_filter", "guardrail_intervened":
		return "content_filter"
	}
	return "stop"
}

// decodeJSON decodes one JSON object from body into v, or returns EINVALID
// with the specific problem.
func decodeJSON(body io.Reader, v any, limit bodyLimit) error {
	dec := json.NewDecoder(body)
	err := dec.Decode(v)
	if err == nil {
		if _, err2 := dec.Token(); !errors.Is(err2, io.EOF) {
			return ticketsum.Errorf(ticketsum.EINVALID, "request body holds more than one JSON value")
		}
		return nil
	}
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return slowBody()
	case errors.Is(err, io.EOF):
		return ticketsum.Errorf(ticketsum.EINVALID, "request body is empty: send a JSON object")
	case errors.As(err, &tooBig):
		return ticketsum.Errorf(ticketsum.EINVALID, "request body is above the limit of %d bytes%s", limit.bytes, limit.suffix())
	case errors.As(err, &syntax):
		return ticketsum.Errorf(ticketsum.EINVALID, "request body is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return ticketsum.Errorf(ticketsum.EINVALID, "request body is a JSON %s, want an object", typ.Value)
		}
		return ticketsum.Errorf(ticketsum.EINVALID, "field %s is a JSON %s, want %s", typ.Field, typ.Value, jsonType(typ.Type.Kind().String()))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return ticketsum.Errorf(ticketsum.EINVALID, "request body ends in the middle of a JSON value")
	}
	return ticketsum.Errorf(ticketsum.EINVALID, "request body cannot be read: %s", truncate(fmt.Sprint(err), 100))
}

// jsonType names a Go kind as a JSON type.
func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "int", "int64", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "another type"
}

// slowBody is the error for a body that did not arrive in time.
func slowBody() error {
	return ticketsum.Errorf(ticketsum.EINVALID, "request body did not arrive in time (rule: api body read timeout): send the whole body at once")
}
