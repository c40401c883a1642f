package ticketsum

import (
	"errors"
	"fmt"
	"strings"
)

// ErrorCode classifies an error for the user and for the code that decides
// whether to retry it. The web package maps each code to one HTTP status.
type ErrorCode string

// Error codes. Anything that carries no code is reported as EINTERNAL.
const (
	EINVALID      ErrorCode = "invalid"        // bad input or configuration; do not retry
	EUNAUTHORIZED ErrorCode = "unauthorized"   // no or bad credentials
	EFORBIDDEN    ErrorCode = "forbidden"      // authenticated but not allowed (policy, allow-list, model access)
	ENOTFOUND     ErrorCode = "not_found"      // the thing asked for does not exist
	ECONFLICT     ErrorCode = "conflict"       // the request conflicts with current state
	ETHROTTLED    ErrorCode = "throttled"      // rate limit hit; retry after a pause
	EQUOTA        ErrorCode = "quota_exceeded" // budget or quota spent; do not retry until it resets
	EUNAVAILABLE  ErrorCode = "unavailable"    // a dependency is down, timed out or not ready; retry
	EINTERNAL     ErrorCode = "internal"       // a bug or unexpected failure
)

// Error is an error a user can see: a code, a message that says what went
// wrong and what to do, and optionally the underlying cause (never shown to
// the user, only logged).
type Error struct {
	Code    ErrorCode
	Message string
	Err     error
}

// Error returns the message, followed by the cause when there is one and the
// message does not already end with it (as it does when made by Errorf).
func (e *Error) Error() string {
	if e.Err != nil {
		if cause := e.Err.Error(); !strings.HasSuffix(e.Message, cause) {
			return e.Message + ": " + cause
		}
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns a coded error with a formatted message. A %w verb in format
// becomes the cause as with fmt.Errorf.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Message: err.Error(), Err: errors.Unwrap(err)}
}

// ErrorCodeOf returns the code of the first coded error in err's chain,
// EINTERNAL when there is none, and "" for a nil error.
func ErrorCodeOf(err error) ErrorCode {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the message of the
// first coded error in its chain, or "internal error" when it carries no code,
// so that internal details never reach a user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Retryable reports whether an error is worth retrying after a pause:
// throttling and unavailability are, everything else is not.
func Retryable(err error) bool {
	switch ErrorCodeOf(err) {
	case ETHROTTLED, EUNAVAILABLE:
		return true
	}
	return false
}
