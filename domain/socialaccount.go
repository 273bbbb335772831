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
// Its tokens are never part of it: they stay sealed in the store.
type SocialAccount struct {
	ID             uuid.UUID     `json:"id"`
	OrganizationID uuid.UUID     `json:"organization_id"`
	Provider       Provider      `json:"provider"`
	ExternalID     string        `json:"external_id"`
	Username       string        `json:"username"`
	DisplayName    string        `json:"display_name"`
	Scopes         []string      `json:"scopes"`
	Status         AccountStatus `json:"status"`
	// StatusReason says why the account needs re-auth or was disconnected.
	StatusReason      string     `json:"status_reason,omitempty"`
	ExpiresAt         *time.Time `json:"expires_at"`
	ConnectedBy       *uuid.UUID `json:"connected_by,omitempty"`
	ConnectedAt       *time.Time `json:"connected_at,omitempty"`
	LastRefreshAt     *time.Time `json:"last_refresh_at"`
	LastHealthCheckAt *time.Time `json:"last_health_check_at"`
	LastHealthError   string     `json:"last_health_error,omitempty"`
	// PostingOptions are what the provider told of the account's posting
	// options (TikTok's privacy levels and disabled interactions), once known.
	PostingOptions *PostingOptions `json:"posting_options,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

// ParseProvider reads a provider name from a path or a body, naming field
// when it is not one of the supported networks.
func ParseProvider(field, s string) (Provider, error) {
	switch p := Provider(s); p {
	case ProviderInstagram, ProviderTikTok, ProviderYouTube:
		return p, nil
	}
	return "", Invalid(field, "must be one of instagram, tiktok, youtube")
}

// Providers lists the supported networks.
var Providers = []Provider{ProviderInstagram, ProviderTikTok, ProviderYouTube}

// Event types of social accounts, written to the outbox.
const (
	EventAccountConnected     = "account.connected"
	EventAccountTokenExpiring = "account.token_expiring"
	EventAccountNeedsReauth   = "account.needs_reauth"
	EventAccountDisconnected  = "account.disconnected"
)

// Event is a domain event, stored in the outbox in the transaction of the
// change it describes, delivered later (webhooks, the queue).
type Event struct {
	ID             uuid.UUID      `json:"id"`
	OrganizationID uuid.UUID      `json:"organization_id"`
	Type           string         `json:"type"`
	SubjectID      uuid.UUID      `json:"subject_id"`
	Payload        map[string]any `json:"payload"`
	CreatedAt      time.Time      `json:"created_at"`
}
