package domain

import (
	"time"

	"github.com/google/uuid"
)

// Campaign groups contents under one objective and period.
type Campaign struct {
	ID             uuid.UUID      `json:"id"`
	OrganizationID uuid.UUID      `json:"organization_id"`
	Name           string         `json:"name"`
	Objective      string         `json:"objective"`
	StartsAt       *time.Time     `json:"starts_at"`
	EndsAt         *time.Time     `json:"ends_at"`
	Status         CampaignStatus `json:"status"`
	CreatedBy      *uuid.UUID     `json:"created_by,omitempty"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

// CampaignStatus is where a campaign stands; it is set by its owners, not
// derived.
type CampaignStatus string

// Campaign states.
const (
	CampaignDraft     CampaignStatus = "draft"
	CampaignActive    CampaignStatus = "active"
	CampaignPaused    CampaignStatus = "paused"
	CampaignCompleted CampaignStatus = "completed"
	CampaignArchived  CampaignStatus = "archived"
)

// CampaignStatuses lists every campaign state, for validation and filters.
var CampaignStatuses = []CampaignStatus{CampaignDraft, CampaignActive, CampaignPaused, CampaignCompleted, CampaignArchived}

// MediaKind is what a media reference holds.
type MediaKind string

// Media kinds.
const (
	MediaImage MediaKind = "image"
	MediaVideo MediaKind = "video"
)

// MediaRef is one media item of a content: a URL the provider (or our
// publisher, for uploads) fetches. The media issue replaces URLs with
// uploaded, scanned media.
type MediaRef struct {
	URL     string    `json:"url"`
	Kind    MediaKind `json:"kind"`
	AltText string    `json:"alt_text,omitempty"`
}

// Instagram media types an override can ask for.
const (
	InstagramFeed     = "feed"
	InstagramReels    = "reels"
	InstagramStory    = "story"
	InstagramCarousel = "carousel"
)

// InstagramOverride is what a content says differently on Instagram.
type InstagramOverride struct {
	Caption  *string  `json:"caption,omitempty"`
	Hashtags []string `json:"hashtags,omitempty"`
	// MediaType is feed, reels, story or carousel; empty picks from the
	// media (one image: feed; one video: reels; several: carousel).
	MediaType string `json:"media_type,omitempty"`
}

// TikTokOverride is what a content says differently on TikTok.
type TikTokOverride struct {
	Caption  *string  `json:"caption,omitempty"`
	Hashtags []string `json:"hashtags,omitempty"`
	// PrivacyLevel must be one of the creator's privacy_level_options;
	// empty means PUBLIC_TO_EVERYONE when offered, else the first option.
	PrivacyLevel   string `json:"privacy_level,omitempty"`
	DisableDuet    bool   `json:"disable_duet,omitempty"`
	DisableStitch  bool   `json:"disable_stitch,omitempty"`
	DisableComment bool   `json:"disable_comment,omitempty"`
}

// YouTubeOverride is what a content says differently on YouTube.
type YouTubeOverride struct {
	Title *string `json:"title,omitempty"`
	// Description replaces the body (Caption is accepted as its synonym).
	Description *string  `json:"description,omitempty"`
	Caption     *string  `json:"caption,omitempty"`
	Hashtags    []string `json:"hashtags,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	// Privacy is public, unlisted or private (default public).
	Privacy string `json:"privacy,omitempty"`
}

// Overrides are a content's per-network differences.
type Overrides struct {
	Instagram *InstagramOverride `json:"instagram,omitempty"`
	TikTok    *TikTokOverride    `json:"tiktok,omitempty"`
	YouTube   *YouTubeOverride   `json:"youtube,omitempty"`
}

// ContentStatus is a content's state, derived from its publications.
type ContentStatus string

// Content states: no live publication; every target waiting; some being
// published; all published; some published and some failed; all failed.
const (
	ContentDraft              ContentStatus = "draft"
	ContentScheduled          ContentStatus = "scheduled"
	ContentPublishing         ContentStatus = "publishing"
	ContentPublished          ContentStatus = "published"
	ContentPartiallyPublished ContentStatus = "partially_published"
	ContentFailed             ContentStatus = "failed"
)

// Content is something to publish: a title, a body, media, and what differs
// per network. Publishing it to accounts creates one Publication per target.
type Content struct {
	ID             uuid.UUID     `json:"id"`
	OrganizationID uuid.UUID     `json:"organization_id"`
	CampaignID     *uuid.UUID    `json:"campaign_id"`
	Title          string        `json:"title"`
	Body           string        `json:"body"`
	Hashtags       []string      `json:"hashtags"`
	Media          []MediaRef    `json:"media"`
	Overrides      Overrides     `json:"overrides"`
	Status         ContentStatus `json:"status"`
	CreatedBy      *uuid.UUID    `json:"created_by,omitempty"`
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
}

// ContentStatusOf derives a content's status from its publications' states
// (cancelled ones left out).
func ContentStatusOf(states []PublicationStatus) ContentStatus {
	var live, published, failed, waiting int
	for _, s := range states {
		switch s {
		case PublicationCancelled:
			continue
		case PublicationPublished:
			published++
		case PublicationFailed:
			failed++
		case PublicationScheduled:
			waiting++
		}
		live++
	}
	switch {
	case live == 0:
		return ContentDraft
	case published == live:
		return ContentPublished
	case failed == live:
		return ContentFailed
	case published+failed == live && published > 0:
		return ContentPartiallyPublished
	case waiting == live:
		return ContentScheduled
	}
	return ContentPublishing
}

// CampaignFilter narrows a campaign listing; zero fields do not filter.
type CampaignFilter struct {
	Status CampaignStatus
	// Query keeps the campaigns whose name contains it, ignoring case.
	Query string
}

// ContentFilter narrows a content listing; zero fields do not filter.
type ContentFilter struct {
	CampaignID uuid.UUID
	// Status is the derived status (ContentStatusOf).
	Status ContentStatus
}
