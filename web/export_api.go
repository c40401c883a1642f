package web

import (
	"log/slog"
	"net/http"
)

// ReportError returns what a user may see of err, exactly as
// WriteJSONError writes it: the code, ticketsum.ClientMessage of err (no
// library, provider or path text; "internal error" for an internal or
// uncoded error not marked ticketsum.Error.Shown), and, when the message
// leaves something out, the reference under which err was logged to logger
// (internal and unavailable errors at error level). Handlers that answer
// in another shape (an HTML page, the api package's OpenAI-compatible
// routes) use it so that every route shows the same message for the same
// error.
func ReportError(logger *slog.Logger, r *http.Request, err error) ErrorDetail {
	return reportError(logger, r, err)
}
