// Package domain holds the business types and rules of Social Media Manager.
// It performs no I/O: adapters (persistence, providers, http) depend on it,
// never the other way round.
package domain

import (
	"errors"
	"fmt"
	"time"
)

// Code is a stable, machine-readable error code. Clients branch on it, so a
// code, once published, never changes meaning.
type Code string

// The stable error codes of the API. The HTTP edge maps each to one status in
// exactly one place.
const (
	CodeInvalid              Code = "invalid"
	CodeInvalidCursor        Code = "invalid_cursor"
	CodeNotFound             Code = "not_found"
	CodeMethodNotAllowed     Code = "method_not_allowed"
	CodeConflict             Code = "conflict"
	CodeUnauthorized         Code = "unauthorized"
	CodeForbidden            Code = "forbidden"
	CodePayloadTooLarge      Code = "payload_too_large"
	CodeUnsupportedMediaType Code = "unsupported_media_type"
	CodeRateLimited          Code = "rate_limited"
	CodeUnavailable          Code = "unavailable"
	CodeInternal             Code = "internal"
	// CodeMFARequired asks for a TOTP code: at login when 2FA is on, and as
	// step-up (X-TOTP-Code) before sensitive operations.
	CodeMFARequired Code = "mfa_required"
	// CodeInsufficientScope refuses an API key acting outside its scopes.
	CodeInsufficientScope Code = "insufficient_scope"
	// CodeIdempotencyKeyReused refuses an Idempotency-Key sent again with a
	// different body.
	CodeIdempotencyKeyReused Code = "idempotency_key_reused"
)

// Codes lists every code, so code that maps them (to HTTP statuses, to the
// reasons errors cross the actor cluster with) can be checked for gaps.
var Codes = []Code{
	CodeInvalid, CodeInvalidCursor, CodeNotFound, CodeMethodNotAllowed, CodeConflict,
	CodeUnauthorized, CodeForbidden, CodePayloadTooLarge, CodeUnsupportedMediaType,
	CodeRateLimited, CodeUnavailable, CodeInternal, CodeMFARequired, CodeInsufficientScope,
	CodeIdempotencyKeyReused,
}

// Error is the one error type of the project. It carries a stable code, a
// message safe to show to the API client, the request field at fault when
// there is one, and the underlying cause, which is never shown to clients.
type Error struct {
	Code    Code
	Message string
	Field   string
	// Network names the social network whose rule the input breaks, for
	// content validation; empty otherwise.
	Network string
	Err     error
	// RetryAfter, when positive, tells the client when trying again may
	// succeed (rate limits, maintenance, a dependency coming back).
	RetryAfter time.Duration
}

// Error renders the code, the field and the message, then the cause, so that
// logs read well; clients only ever see Code, Message and Field.
func (e *Error) Error() string {
	s := string(e.Code)
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// RateLimited reports a refused request and when the client may try again.
func RateLimited(retryAfter time.Duration, format string, args ...any) *Error {
	return &Error{Code: CodeRateLimited, Message: fmt.Sprintf(format, args...), RetryAfter: retryAfter}
}

// Errorf builds an Error with a formatted client-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid reports bad input in one named field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Unavailable reports that a dependency is down; the cause is kept for the
// logs and hidden from the client.
func Unavailable(what string, cause error) *Error {
	return &Error{Code: CodeUnavailable, Message: what + " is unavailable, try again shortly", Err: cause}
}

// Internal wraps an unexpected failure; its cause is logged, never shown.
func Internal(cause error) *Error {
	return &Error{Code: CodeInternal, Message: "internal error", Err: cause}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// CodeInternal when there is none: an unclassified error is a bug.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// AsError returns the first *Error in err's chain, or an internal Error that
// wraps err, so callers always have a code, a message and a cause.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

// Errors is a list of violations reported together, such as every invalid
// field of one request; it is itself an error with the first violation's code.
type Errors []*Error

// Error joins the violations' messages.
func (es Errors) Error() string {
	s := ""
	for i, e := range es {
		if i > 0 {
			s += "; "
		}
		s += e.Error()
	}
	return s
}
