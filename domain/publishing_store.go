package domain

import (
	"time"

	"github.com/google/uuid"
)

// The types below are what the publishing engine asks of its store: the
// schedule, claims and attempts (package postgres implements them).

// PublicationFilter narrows a publication listing; zero fields do not filter.
type PublicationFilter struct {
	Status    PublicationStatus
	AccountID uuid.UUID
	ContentID uuid.UUID
	// From and To bound publish_at: From ≤ publish_at < To.
	From, To *time.Time
}

// PublishTarget is an account a content is scheduled to, as the validation
// needs it.
type PublishTarget struct {
	AccountID uuid.UUID
	Provider  Provider
	Status    AccountStatus
	Options   *PostingOptions
}

// ScheduleInput creates one publication of a content per account.
type ScheduleInput struct {
	ContentID  uuid.UUID
	AccountIDs []uuid.UUID
	PublishAt  time.Time
	CreatedBy  *uuid.UUID
	// Validate checks the content against the targets inside the
	// transaction, so what is validated is what is scheduled.
	Validate func(Content, []PublishTarget) error
}

// DuePublication is a publication the grain must act on, and when.
type DuePublication struct {
	ID        uuid.UUID
	AccountID uuid.UUID
	Status    PublicationStatus
	DueAt     time.Time
	// ClaimedBy is the member holding a claim in flight (status publishing).
	ClaimedBy string
}

// ClaimRequest asks to claim one publication for a call to its provider.
type ClaimRequest struct {
	ID uuid.UUID
	// Token identifies this claim; only its holder can finish the attempt.
	Token  uuid.UUID
	Member string
	Lease  time.Duration
	// LiveMembers are the cluster's members now: a claim held by any other
	// member is taken over (its node is gone) without waiting for its lease.
	// Empty trusts leases alone.
	LiveMembers []string
	// Early lets a publication due within this margin be claimed (the
	// grain's timer and the database clock differ by a few milliseconds).
	Early time.Duration
}

// Claim is a publication claimed for one attempt, with what the call needs.
type Claim struct {
	Publication Publication
	Content     Content
	// ExternalAccountID, AccountStatus and Options describe the target
	// account.
	ExternalAccountID string
	AccountStatus     AccountStatus
	Options           *PostingOptions
	Attempt           int
	// Reconcile says an earlier call's outcome is unknown: ask the provider
	// (Marker, since FirstCallAt, leaving out Exclude) before calling again.
	Reconcile   bool
	Marker      string
	FirstCallAt time.Time
	// LastCallAt is when the previous attempt (the one whose outcome is
	// unknown) started.
	LastCallAt time.Time
	Exclude    []string
}

// ClaimOutcome says why a publication was not claimed.
type ClaimOutcome int

// AttemptResult is how an attempt ends and what the publication becomes.
type AttemptResult struct {
	ID    uuid.UUID
	Token uuid.UUID
	// Outcome is recorded on the attempt; Status is the publication's next
	// state, due again at DueAt when it still has work.
	Outcome AttemptOutcome
	Status  PublicationStatus
	DueAt   *time.Time
	// SpendRetry counts a retry of RetryDelays.
	SpendRetry bool
	Published  *PublishResult
	Error      *AttemptError
	// Reason explains the transition (the dead letter's reason on failed).
	Reason string
	// Event, written to the outbox in the same transaction, when set.
	Event *Event
}

// Claim outcomes: claimed; not due yet (DueAt says when); held by a live
// claim (DueAt is its lease's end); nothing left to do.
const (
	Claimed ClaimOutcome = iota
	ClaimNotDue
	ClaimHeld
	ClaimDone
)

// ClaimantGone reports whether a claim held by claimant may be taken over
// at once by member, whose cluster's live members are live: the claimant is
// of member's cluster ("cluster/member-id") and no longer among its
// members. With no membership known, or a claimant of another cluster, only
// the claim's lease decides.
func ClaimantGone(claimant, member string, live []string) bool {
	if claimant == "" || len(live) == 0 || clusterOf(claimant) != clusterOf(member) {
		return false
	}
	for _, m := range live {
		if m == claimant {
			return false
		}
	}
	return true
}

func clusterOf(member string) string {
	for i := len(member) - 1; i >= 0; i-- {
		if member[i] == '/' {
			return member[:i]
		}
	}
	return ""
}
