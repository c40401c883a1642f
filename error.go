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
	EBLOCKED      ErrorCode = "blocked"        // a guardrail refused the content; retrying the same content will not help
	EINTERNAL     ErrorCode = "internal"       // a bug or unexpected failure
)

// Valid reports whether c is one of the error codes.
func (c ErrorCode) Valid() bool {
	switch c {
	case EINVALID, EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, ECONFLICT, ETHROTTLED, EQUOTA, EUNAVAILABLE, EBLOCKED, EINTERNAL:
		return true
	}
	return false
}

// Error is an error a user can see: a code, a message that says what went
// wrong and what to do, and optionally the underlying cause (never shown to
// the user, only logged; a cause given to Withheldf is not logged either).
type Error struct {
	Code    ErrorCode
	Message string
	Err     error
	// Class overrides the failure class derived from Code (see ClassOf),
	// for the errors whose code alone says too little: a provider's
	// "invalid request" that a configuration change fixes, say.
	Class FailureClass
	// Shown makes the Message of an EINTERNAL error one a user sees (the
	// web and API bodies show "internal error" for the others). Set it only
	// when Message says what happened and what to do and names nothing of
	// the server (no paths, key files or library text); the cause is still
	// only logged.
	Shown bool
	// client is the message as API and web clients see it (ClientMessage),
	// set by Errorf and Withheldf; built reports that it was.
	client string
	built  bool
}

// Error returns the message, followed by the cause when there is one, its
// text is not withheld (Withheldf) and the message does not already end
// with it (as it does when made by Errorf).
func (e *Error) Error() string {
	if e.Err != nil {
		if cause := e.Err.Error(); cause != "" && !strings.HasSuffix(e.Message, cause) {
			return e.Message + ": " + cause
		}
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns a coded error with a formatted message. A %w verb in format
// becomes the cause as with fmt.Errorf. What clients see of it
// (ClientMessage) is the same text with every error argument, whatever its
// verb, replaced by what clients see of it: a path, SQL or a provider's text
// in an error reaches the log (Error), never a client. Pass a string, not an
// error, for text meant for the client.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	msg := err.Error()
	return &Error{Code: code, Message: msg, Err: errors.Unwrap(err), client: clientf(msg, format, args), built: true}
}

// Withheldf returns a coded error for a provider's failure: the message is
// the formatted text only, and cause (the provider's or SDK's error) stays
// reachable through errors.As and errors.Is, but its text is in neither the
// message nor Error(). A provider's error text can echo the request (a
// model container's message, a validation error quoting the prompt), so it
// must not reach the reasons that logs, River's job errors and failure
// records show: put the safe identifiers (an HTTP status, an AWS error code,
// a request id) in format instead. Use Errorf with %w for causes whose text
// is ours or the local library's (a timeout, an unreachable address). A nil
// cause makes an error without one.
func Withheldf(code ErrorCode, cause error, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	e := &Error{Code: code, Message: msg, client: clientf(msg, format, args), built: true}
	if cause != nil {
		e.Err = withheld{cause}
	}
	return e
}

// withheld hides the text of a provider's error while keeping it in the
// chain.
type withheld struct{ err error }

func (w withheld) Error() string { return "" }

func (w withheld) Unwrap() error { return w.err }

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

// clientf returns msg, the text format and args made, as a client may see
// it: format again with every error argument replaced by clientText of it,
// without the ": " or " " a withheld last argument leaves. It is msg itself when
// no argument is an error.
func clientf(msg, format string, args []any) string {
	var safe []any
	for i, a := range args {
		if err, ok := a.(error); ok {
			if safe == nil {
				safe = append([]any(nil), args...)
			}
			safe[i] = shownError(clientText(err))
		}
	}
	if safe == nil {
		return msg
	}
	return strings.TrimSuffix(strings.TrimRight(fmt.Errorf(format, safe...).Error(), " "), ":")
}

// shownError stands for an error argument in the client's text: an error
// (so that %w formats it) whose text is what the client may see.
type shownError string

func (s shownError) Error() string { return string(s) }

// clientText returns what a client may see of err: the client message of
// its first coded error (none for an internal one not marked Shown), or
// nothing for an uncoded error.
func clientText(err error) string {
	var e *Error
	if !errors.As(err, &e) || e == nil || (e.Code == EINTERNAL && !e.Shown) {
		return ""
	}
	return e.clientMessage()
}

// clientMessage returns the message clients see: the text Errorf or
// Withheldf built, or for an Error made as a literal its Message without
// the cause's text when it ends with it ("" when it is nothing else).
func (e *Error) clientMessage() string {
	if e.built {
		return e.client
	}
	if e.Err == nil {
		return e.Message
	}
	cause := e.Err.Error()
	if cause == "" {
		return e.Message
	}
	if e.Message == cause {
		return ""
	}
	if msg, ok := strings.CutSuffix(e.Message, ": "+cause); ok {
		return msg
	}
	return e.Message
}

// ClientMessage returns what an API or web client may see of err: the
// message of the first coded error in its chain, with the text of every
// error it was formatted from replaced by what a client may see of that
// error (see Errorf), so that a library's or provider's text never reaches
// a client. It returns "internal error" for an uncoded error or an internal
// one not marked Shown, and "" when the message is nothing but withheld
// text (the caller then says what the code means).
func ClientMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) || e == nil || (e.Code == EINTERNAL && !e.Shown) {
		return "internal error"
	}
	return e.clientMessage()
}

// WithheldCostUSD returns what the answers err withheld from its caller
// cost, in USD: a paid answer that could not be recorded
// (audit.ErrNotRecorded) is withheld, but was paid, and a budget charges
// it although the caller got no response. It is 0 when err withheld none.
func WithheldCostUSD(err error) float64 {
	var w interface{ WithheldCostUSD() float64 }
	if errors.As(err, &w) {
		return w.WithheldCostUSD()
	}
	return 0
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

// FailureClass is what whoever owns a ticket's work (the queue worker, the
// API, the Lambda) does with an error. All three apply the same table, so a
// ticket ends in a summary or a visible failed state, never in neither.
type FailureClass string

// Failure classes.
const (
	// ClassRetryable: throttling, 5xx, timeouts, a model not ready. Retry
	// with backoff or snooze; a ticket that exhausts its attempts is failed.
	ClassRetryable FailureClass = "retryable"
	// ClassConfig: fixable by configuration (credentials, access denied, a
	// model not found, not approved or not in the allow-list, a spent
	// budget). The ticket is failed with the fix named and retried by
	// `ticketsum failures retry` once the configuration changes.
	ClassConfig FailureClass = "config"
	// ClassBadTicket: the ticket cannot be summarised as it is. Failed with
	// the reason; retried when its thread changes.
	ClassBadTicket FailureClass = "bad_ticket"
	// ClassPolicy: a guardrail blocked the content. Failed with the
	// guardrail's reason (never the personal data it found).
	ClassPolicy FailureClass = "policy"
)

// Valid reports whether c is one of the failure classes.
func (c FailureClass) Valid() bool {
	return c == ClassRetryable || c == ClassConfig || c == ClassBadTicket || c == ClassPolicy
}

// ClassOf returns the failure class of err: the Class of the first coded
// error in its chain when set, otherwise the class of its code. Throttling,
// unavailability, conflicts and uncoded (internal) errors are retryable;
// credentials, access, not found and budget are configuration; invalid is a
// bad ticket; blocked is policy. It returns "" for a nil error.
func ClassOf(err error) FailureClass {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Class != "" {
		return e.Class
	}
	switch ErrorCodeOf(err) {
	case EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, EQUOTA:
		return ClassConfig
	case EINVALID:
		return ClassBadTicket
	case EBLOCKED:
		return ClassPolicy
	}
	return ClassRetryable
}

// WithClass returns err with its failure class set to c: the first coded
// error in its chain is copied with Class c, or err is wrapped as an
// internal error of class c when it carries no code.
func WithClass(err error, c FailureClass) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		cp := *e
		cp.Class = c
		if e == err {
			return &cp
		}
		return &classed{err: err, coded: &cp}
	}
	return &Error{Code: EINTERNAL, Message: "internal error", Err: err, Class: c}
}

// classed keeps the chain of an error whose first coded error was replaced
// by a copy with another class: Error reports the original text, As finds
// the copy first.
type classed struct {
	err   error
	coded *Error
}

func (c *classed) Error() string { return c.err.Error() }

func (c *classed) Unwrap() []error { return []error{c.coded, c.err} }
