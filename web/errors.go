package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// HTTPStatus returns the HTTP status for an error code: the one table that
// maps ticketsum's error codes to HTTP. Unknown codes map to 500.
func HTTPStatus(code ticketsum.ErrorCode) int {
	switch code {
	case ticketsum.EINVALID:
		return http.StatusBadRequest
	case ticketsum.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case ticketsum.EFORBIDDEN:
		return http.StatusForbidden
	case ticketsum.ENOTFOUND:
		return http.StatusNotFound
	case ticketsum.ECONFLICT:
		return http.StatusConflict
	case ticketsum.ETHROTTLED, ticketsum.EQUOTA:
		return http.StatusTooManyRequests
	case ticketsum.EBLOCKED:
		return http.StatusUnprocessableEntity
	case ticketsum.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// ErrorBody is the JSON body of every API error:
// {"error": {"code": "not_found", "message": "..."}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the code and user-facing message of an API error.
type ErrorDetail struct {
	Code    ticketsum.ErrorCode `json:"code"`
	Message string              `json:"message"`
}

// errorDetail returns what the user may see of err: its code and message, or
// "internal" and "internal error" for an internal or uncoded one, unless the
// internal error's message is marked ticketsum.Error.Shown.
func errorDetail(err error) ErrorDetail {
	code := ticketsum.ErrorCodeOf(err)
	var e *ticketsum.Error
	if code == ticketsum.EINTERNAL && !(errors.As(err, &e) && e.Shown) {
		return ErrorDetail{Code: code, Message: "internal error"}
	}
	return ErrorDetail{Code: code, Message: userMessage(err)}
}

// userMessage returns the message of the first coded error in err's chain
// without the text of its cause. ticketsum.Errorf copies a %w cause's text
// into Message, and a library's error text (host names, SQL, file paths) is
// for the log, not the user; a cause that is itself coded is user-facing and
// kept.
func userMessage(err error) string {
	var e *ticketsum.Error
	if !errors.As(err, &e) {
		return "internal error"
	}
	if e.Err == nil {
		return e.Message
	}
	var inner *ticketsum.Error
	if errors.As(e.Err, &inner) {
		return e.Message
	}
	if msg, ok := strings.CutSuffix(e.Message, ": "+e.Err.Error()); ok && msg != "" {
		return msg
	}
	if e.Message == e.Err.Error() {
		return http.StatusText(HTTPStatus(e.Code))
	}
	return e.Message
}

// logError logs err when it is one the operator must see: internal and
// unavailable errors. The cause is logged, never sent to the user.
func logError(logger *slog.Logger, r *http.Request, err error) {
	switch ticketsum.ErrorCodeOf(err) {
	case ticketsum.EINTERNAL, ticketsum.EUNAVAILABLE:
		logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}

// WriteJSONError writes err as a JSON error body with the status its code
// maps to, logging internal errors to logger. Mounted API handlers can use it
// to answer like the built-in ones.
func WriteJSONError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	logError(logger, r, err)
	d := errorDetail(err)
	writeJSON(w, HTTPStatus(d.Code), ErrorBody{Error: d})
}

// writeJSON writes v as indented JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		// Only our own types are encoded; failing here is a bug.
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
