package domain

import (
	"errors"
	"time"

	"github.com/google/uuid"
)

// PublishRequest is one post to send to one account: what the account actor
// hands the provider publisher.
type PublishRequest struct {
	OrganizationID uuid.UUID
	AccountID      uuid.UUID
	PublicationID  uuid.UUID
	Provider       Provider
	// ExternalAccountID is the account's id at the provider (Instagram
	// user id, TikTok open_id, YouTube channel id).
	ExternalAccountID string
	Post              Post
	// Options are the account's posting options when known.
	Options *PostingOptions
}

// PublishResult is what the provider answered for a published post.
type PublishResult struct {
	ExternalID  string
	ExternalURL string
	PublishedAt time.Time
	// Options are the account's posting options the provider told while
	// publishing (TikTok creator_info), to keep for validation; nil if none.
	Options *PostingOptions
}

// ErrOutcomeUnknown marks a publish call whose answer was lost after the
// provider may have acted on it (a timeout, a dropped connection on the
// call that creates the post): the publication must be reconciled with the
// provider before any new attempt.
var ErrOutcomeUnknown = errors.New("the provider's answer was lost; the post may have been published")
