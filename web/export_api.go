package web

import (
	"log/slog"
	"net/http"
)

// UserError returns what a user may see of err, exactly as WriteJSONError
// writes it: the code and the message of the first coded error in its
// chain, without a library cause's text, and "internal error" for an
// internal or uncoded error. Handlers that answer in another JSON shape
// (the api package's OpenAI-compatible routes) use it so that every route
// shows the same message for the same error.
func UserError(err error) ErrorDetail { return errorDetail(err) }

// LogError logs err when the operator must see it (internal and
// unavailable errors), as WriteJSONError does; the cause goes to the log,
// never to the user.
func LogError(logger *slog.Logger, r *http.Request, err error) { logError(logger, r, err) }
