package domain

import (
	"fmt"
	"time"
)

// Provider error classes, as package providers classifies every failure;
// the publishing rules below branch on them.
const (
	ClassRetryable      = "retryable"
	ClassRateLimited    = "rate_limited"
	ClassAuthExpired    = "auth_expired"
	ClassQuotaExhausted = "quota_exhausted"
	ClassPermanent      = "permanent"
	// ClassCircuitOpen is ours: the organization's breaker for the provider
	// is open after repeated failures, so the call was not made.
	ClassCircuitOpen = "circuit_open"
)

// Waits used when the provider does not say how long to wait.
const (
	DefaultRateLimitWait = time.Minute
	DefaultQuotaWait     = time.Hour
)

// NextStep is what a failed attempt leads to.
type NextStep struct {
	Status PublicationStatus
	// Delay is the wait before the next attempt (when Status has one).
	Delay time.Duration
	// SpendRetry counts the attempt against RetryDelays.
	SpendRetry bool
	Outcome    AttemptOutcome
	Reason     string
}

// AfterFailure applies the publishing rules of DESIGN.md §6 to a failed
// attempt: rate limits, exhausted quotas and an open breaker wait as long as
// told without spending a retry; a retryable failure is retried after 60 s,
// 300 s, 900 s, then fails (the dead letter); anything else fails at once.
// An expired token reaches here only after its one refresh failed.
func AfterFailure(class string, retriesUsed int, retryAfter time.Duration, cause string, delays []time.Duration) NextStep {
	switch class {
	case ClassRateLimited, ClassQuotaExhausted, ClassCircuitOpen:
		wait := retryAfter
		if wait <= 0 {
			wait = DefaultRateLimitWait
			if class == ClassQuotaExhausted {
				wait = DefaultQuotaWait
			}
		}
		return NextStep{Status: PublicationRetryScheduled, Delay: wait, Outcome: AttemptDeferred,
			Reason: fmt.Sprintf("%s: waiting %s without spending a retry", class, wait.Round(time.Second))}
	case ClassRetryable:
		if retriesUsed < len(delays) {
			d := delays[retriesUsed]
			return NextStep{Status: PublicationRetryScheduled, Delay: d, SpendRetry: true, Outcome: AttemptRetry,
				Reason: fmt.Sprintf("retry %d of %d in %s: %s", retriesUsed+1, len(delays), d, cause)}
		}
		return NextStep{Status: PublicationFailed, Outcome: AttemptFailed,
			Reason: fmt.Sprintf("gave up after %d retries: %s", len(delays), cause)}
	case ClassAuthExpired:
		return NextStep{Status: PublicationFailed, Outcome: AttemptFailed,
			Reason: "the account needs re-authorization: " + cause}
	}
	return NextStep{Status: PublicationFailed, Outcome: AttemptFailed, Reason: "the provider refused the post: " + cause}
}
