package providers

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// Token is what a code exchange or a refresh returns. Tokens are secrets:
// they are stored sealed (AES-256-GCM) and never logged or returned by the
// API.
type Token struct {
	AccessToken string
	// RefreshToken is empty where the provider issues none (Instagram
	// refreshes the long-lived access token itself). TikTok rotates it:
	// the one a refresh returns replaces the old, which stops working.
	RefreshToken string
	// ExpiresAt is when the access token expires (zero: unknown).
	ExpiresAt time.Time
	// RefreshExpiresAt is when the refresh token expires (zero: unknown or
	// none).
	RefreshExpiresAt time.Time
	Scopes           []string
	// UserID is the provider's id of the user when the token answer holds
	// it (Instagram user_id, TikTok open_id); YouTube's channel comes from
	// Profile.
	UserID string
}

// Profile is the connected account as its provider describes it.
type Profile struct {
	// ExternalID is the account's stable id at the provider (Instagram
	// user id, TikTok open_id, YouTube channel id).
	ExternalID string
	Username   string
	Name       string
}

// PKCE is a proof key for a code exchange (RFC 7636, S256).
type PKCE struct {
	Verifier  string
	Challenge string
}

// NewPKCE makes a fresh verifier (43 characters of 32 random bytes) and its
// S256 challenge.
func NewPKCE() PKCE {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(v))
	return PKCE{Verifier: v, Challenge: base64.RawURLEncoding.EncodeToString(sum[:])}
}
