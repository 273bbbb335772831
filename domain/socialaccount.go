package domain

import (
	"time"

	"github.com/google/uuid"
)

// Provider names a social network the product publishes to.
type Provider string

// The networks supported; the names are those used in paths and payloads.
const (
	ProviderInstagram Provider = "instagram"
	ProviderTikTok    Provider = "tiktok"
	ProviderYouTube   Provider = "youtube"
)

// AccountStatus is where a social account's connection stands.
type AccountStatus string

// Connection states: connected and usable; its token expires soon; the user
// must connect it again; disconnected on purpose.
const (
	AccountConnected    AccountStatus = "connected"
	AccountExpiring     AccountStatus = "expiring"
	AccountNeedsReauth  AccountStatus = "needs_reauth"
	AccountDisconnected AccountStatus = "disconnected"
)

// SocialAccount is an organization's connected account on one network. The
// organization grain supervises one account actor and one sync actor for
// each live social account.
type SocialAccount struct {
	ID             uuid.UUID     `json:"id"`
	OrganizationID uuid.UUID     `json:"organization_id"`
	Provider       Provider      `json:"provider"`
	ExternalID     string        `json:"external_id"`
	Username       string        `json:"username"`
	Status         AccountStatus `json:"status"`
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
}
