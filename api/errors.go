package api

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/web"
)

// errorShape is the JSON shape of a route's error bodies.
type errorShape int

const (
	nativeShape errorShape = iota // {"error": {"code", "message"}}, as web writes it
	openAIShape                   // {"error": {"message", "type", "param", "code"}}
)

// openAIError is OpenAI's error body, which OpenAI SDKs parse.
type openAIError struct {
	Error openAIErrorDetail `json:"error"`
}

type openAIErrorDetail struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    string  `json:"code"`
	// Reference is ours, not OpenAI's: where the server logged what
	// Message leaves out (web.ReportError).
	Reference string `json:"reference,omitempty"`
}

// openAIType returns OpenAI's error type for a code.
func openAIType(code ticketsum.ErrorCode) string {
	switch code {
	case ticketsum.EINVALID, ticketsum.ECONFLICT, ticketsum.EBLOCKED:
		return "invalid_request_error"
	case ticketsum.EUNAUTHORIZED:
		return "authentication_error"
	case ticketsum.EFORBIDDEN:
		return "permission_error"
	case ticketsum.ENOTFOUND:
		return "not_found_error"
	case ticketsum.ETHROTTLED:
		return "rate_limit_error"
	case ticketsum.EQUOTA:
		return "insufficient_quota"
	}
	return "server_error"
}

// fail answers a request with err: the status of web.HTTPStatus, the
// headers that go with it (WWW-Authenticate on 401, Retry-After on 429) and
// the route's error body. Denials are logged at info, internal failures at
// error level.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, shape errorShape, c *caller, err error) {
	code := ticketsum.ErrorCodeOf(err)
	switch code {
	case ticketsum.EUNAUTHORIZED:
		w.Header().Set("WWW-Authenticate", `Bearer realm="ticketsum"`)
	case ticketsum.ETHROTTLED, ticketsum.EQUOTA:
		w.Header().Set("Retry-After", strconv.Itoa(h.retryAfter(code, c)))
	}
	switch code {
	case ticketsum.EINTERNAL, ticketsum.EUNAVAILABLE:
	default:
		h.logDenial(r, c, err)
	}
	if shape == nativeShape {
		web.WriteJSONError(w, r, h.cfg.Logger, err)
		return
	}
	d := web.ReportError(h.cfg.Logger, r, err)
	writeJSON(w, web.HTTPStatus(d.Code), openAIError{Error: openAIErrorDetail{Message: d.Message, Type: openAIType(d.Code), Code: string(d.Code), Reference: d.Reference}})
}

// retryAfter returns the seconds a caller should wait: until the next
// month (UTC) for a spent budget; for throttling, the time one request of
// the principal's per-minute limit takes to come back, or
// Config.ThrottleRetryAfter.
func (h *Handler) retryAfter(code ticketsum.ErrorCode, c *caller) int {
	now := h.cfg.Clock.Now().UTC()
	if code == ticketsum.EQUOTA {
		next := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		return int(math.Ceil(next.Sub(now).Seconds()))
	}
	if c != nil && c.Principal != nil && c.Principal.RequestsPerMinute > 0 {
		return int(math.Ceil(60 / float64(c.Principal.RequestsPerMinute)))
	}
	return max(1, int(math.Ceil(h.cfg.ThrottleRetryAfter.Seconds())))
}

// writeJSON writes v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // only our own types are encoded; failing is a bug
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
