package domain

import (
	"time"

	"github.com/google/uuid"
)

// PublicationStatus is where one target of a content stands (DESIGN.md §11:
// nothing waits without a state and a deadline).
type PublicationStatus string

// Publication states.
const (
	PublicationScheduled      PublicationStatus = "scheduled"
	PublicationPublishing     PublicationStatus = "publishing"
	PublicationPublished      PublicationStatus = "published"
	PublicationRetryScheduled PublicationStatus = "retry_scheduled"
	PublicationFailed         PublicationStatus = "failed"
	PublicationUnknownOutcome PublicationStatus = "unknown_outcome"
	PublicationCancelled      PublicationStatus = "cancelled"
)

// PublicationStatuses lists every state, for validation and filters.
var PublicationStatuses = []PublicationStatus{PublicationScheduled, PublicationPublishing, PublicationPublished,
	PublicationRetryScheduled, PublicationFailed, PublicationUnknownOutcome, PublicationCancelled}

// Pending reports whether the publication still has work ahead of it.
func (s PublicationStatus) Pending() bool {
	switch s {
	case PublicationScheduled, PublicationPublishing, PublicationRetryScheduled, PublicationUnknownOutcome:
		return true
	}
	return false
}

// Publication is one content published (or to be) to one social account.
type Publication struct {
	ID              uuid.UUID         `json:"id"`
	OrganizationID  uuid.UUID         `json:"organization_id"`
	ContentID       uuid.UUID         `json:"content_id"`
	SocialAccountID uuid.UUID         `json:"social_account_id"`
	Provider        Provider          `json:"provider"`
	Status          PublicationStatus `json:"status"`
	PublishAt       time.Time         `json:"publish_at"`
	// NextAttemptAt is when the next attempt runs (retry_scheduled).
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	// RetriesUsed counts the retries spent of RetryDelays.
	RetriesUsed   int           `json:"retries_used"`
	ExternalID    string        `json:"external_id,omitempty"`
	ExternalURL   string        `json:"external_url,omitempty"`
	PublishedAt   *time.Time    `json:"published_at"`
	FailureReason string        `json:"failure_reason,omitempty"`
	LastError     *AttemptError `json:"last_error"`
	CreatedBy     *uuid.UUID    `json:"created_by,omitempty"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
	// Timeline and Attempts are filled by the single-publication read.
	Timeline []PublicationTransition `json:"timeline,omitempty"`
	Attempts []PublicationAttempt    `json:"attempts,omitempty"`
}

// AttemptError is a provider's error, as classified by providers.ClassOf.
type AttemptError struct {
	Class   string `json:"class"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

// PublicationTransition is one change of a publication's state.
type PublicationTransition struct {
	At     time.Time         `json:"at"`
	From   PublicationStatus `json:"from,omitempty"`
	To     PublicationStatus `json:"to"`
	Reason string            `json:"reason,omitempty"`
}

// AttemptOutcome is how one attempt ended.
type AttemptOutcome string

// Attempt outcomes.
const (
	AttemptPublished  AttemptOutcome = "published"
	AttemptFailed     AttemptOutcome = "failed"
	AttemptDeferred   AttemptOutcome = "deferred" // rate limited or out of quota: no retry spent
	AttemptRetry      AttemptOutcome = "retry"
	AttemptUnknown    AttemptOutcome = "unknown"
	AttemptReconciled AttemptOutcome = "reconciled" // found published at the provider
	AttemptInProgress AttemptOutcome = "in_progress"
)

// PublicationAttempt is one call to the provider for a publication.
type PublicationAttempt struct {
	Number     int            `json:"number"`
	StartedAt  time.Time      `json:"started_at"`
	FinishedAt *time.Time     `json:"finished_at"`
	Outcome    AttemptOutcome `json:"outcome"`
	Error      *AttemptError  `json:"error"`
	Member     string         `json:"member,omitempty"`
}

// RetryDelays are the waits before the first, second and third retry of a
// retryable failure; after the last, the publication fails (dead letter).
var RetryDelays = []time.Duration{60 * time.Second, 300 * time.Second, 900 * time.Second}

// Event types of publications, written to the outbox in the transaction of
// the state change.
const (
	EventPublicationPublished = "publication.published"
	EventPublicationFailed    = "publication.failed"
)

// MaxScheduleAhead is how far ahead a publication may be scheduled.
const MaxScheduleAhead = 366 * 24 * time.Hour

// CheckPublishAt refuses a publish time in the past or more than
// MaxScheduleAhead ahead, naming field.
func CheckPublishAt(field string, at, now time.Time) error {
	switch {
	case at.IsZero():
		return Invalid(field, "is required")
	case !at.After(now):
		return Invalid(field, "must be in the future (it is %s, now is %s)", at.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case at.After(now.Add(MaxScheduleAhead)):
		return Invalid(field, "must be at most one year ahead")
	}
	return nil
}
