package web

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"

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

// ErrorDetail is the code and user-facing message of an API error, and the
// reference under which the server logged what the message leaves out.
type ErrorDetail struct {
	Code      ticketsum.ErrorCode `json:"code"`
	Message   string              `json:"message"`
	Reference string              `json:"reference,omitempty"`
}

// errorDetail returns what the user may see of err: its code and
// ticketsum.ClientMessage (the status text when that is empty), and whether
// the message leaves out something of err the operator may need: always for
// internal and unavailable errors, otherwise when the text of a cause was
// cut from the message.
func errorDetail(err error) (d ErrorDetail, withheld bool) {
	d = ErrorDetail{Code: ticketsum.ErrorCodeOf(err), Message: ticketsum.ClientMessage(err)}
	if d.Message == "" {
		d.Message = http.StatusText(HTTPStatus(d.Code))
	}
	switch d.Code {
	case ticketsum.EINTERNAL, ticketsum.EUNAVAILABLE:
		return d, true
	}
	return d, d.Message != ticketsum.ErrorMessage(err)
}

// reportError returns what the user may see of err, and logs err under a
// fresh reference, which the detail carries, when the detail leaves
// something out: at error level for internal and unavailable errors (the
// operator must see them), at info level for the others (a user's mistake,
// looked up when the user quotes the reference).
func reportError(logger *slog.Logger, r *http.Request, err error) ErrorDetail {
	d, withheld := errorDetail(err)
	if !withheld {
		return d
	}
	d.Reference = newReference()
	level := slog.LevelInfo
	if d.Code == ticketsum.EINTERNAL || d.Code == ticketsum.EUNAVAILABLE {
		level = slog.LevelError
	}
	logger.Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path, "reference", d.Reference, "err", err)
	return d
}

// newReference returns a short random reference that ties an error shown
// to a user to its line in the log.
func newReference() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// WriteJSONError writes err as a JSON error body with the status its code
// maps to, logging what the body leaves out to logger (see ReportError). Mounted API handlers can use it
// to answer like the built-in ones.
func WriteJSONError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	d := reportError(logger, r, err)
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
