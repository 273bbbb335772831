package providers

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Class says what to do about a failed provider call. Every error a client
// returns is an *Error carrying one.
type Class string

// The classes, from the providers' documented codes (PROVIDERS.md).
const (
	// Retryable: transient (network, 5xx, the provider says so); retry
	// with backoff.
	Retryable Class = "retryable"
	// RateLimited: throttled; retry after RetryAfter (or a backoff).
	RateLimited Class = "rate_limited"
	// AuthExpired: the access token is invalid or expired; refresh it, and
	// when the refresh itself answers so, the account needs re-auth.
	AuthExpired Class = "auth_expired"
	// QuotaExhausted: a daily cap or project quota is used up; wait for
	// its window (RetryAfter when known), do not retry before.
	QuotaExhausted Class = "quota_exhausted"
	// Permanent: the request cannot succeed as it is (bad media,
	// permission missing, policy); do not retry.
	Permanent Class = "permanent"
)

// Error is a failed provider call: what was attempted, the class, and what
// the provider said. It never holds a token: messages come from the
// provider's error body, and URLs are reduced to their path.
type Error struct {
	Provider string
	// Op is what was attempted ("exchange code", "create container").
	Op    string
	Class Class
	// Status is the HTTP status (0 when no answer arrived).
	Status int
	// Code and Subcode are the provider's ("190", "access_token_invalid",
	// "quotaExceeded"; Instagram's error_subcode).
	Code    string
	Subcode string
	Message string
	// RetryAfter is the wait the provider asked for, when it said.
	RetryAfter time.Duration
	// TraceID is the provider's request id (fbtrace_id, log_id).
	TraceID string
	// Err is the underlying cause (a network error), if any.
	Err error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %s: %s", e.Provider, e.Op, e.Class)
	if e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d", e.Status)
		if e.Code != "" {
			s += " " + e.Code
			if e.Subcode != "" {
				s += "/" + e.Subcode
			}
		}
		s += ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// ClassOf is the class of err: that of the *Error it wraps, Retryable for
// a context deadline (the call may be retried), Permanent otherwise.
func ClassOf(err error) Class {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Class
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return Retryable
	}
	return Permanent
}

// RetryAfterOf is the wait err's provider asked for, or 0.
func RetryAfterOf(err error) time.Duration {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.RetryAfter
	}
	return 0
}

// ErrNotSupported is returned by an operation the provider does not offer
// (revoking an Instagram token, reading TikTok comments).
var ErrNotSupported = errors.New("not supported by this provider")
