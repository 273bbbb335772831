// Package tiktok is the client of TikTok's Login Kit v2 (OAuth), Content
// Posting API (direct posts of videos and photos) and Display API (the
// user's videos and their counts), in the shapes of PROVIDERS.md. Every
// error it returns is a *providers.Error classified from TikTok's codes.
package tiktok

import (
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// Provider is the name the client's errors carry.
const Provider = "tiktok"

// The scopes the service asks for: the profile (connection health),
// direct posting, uploads, and reading the user's videos (metrics,
// reconciling a publish whose answer was lost).
const (
	ScopeUserInfoBasic = "user.info.basic"
	ScopeVideoPublish  = "video.publish"
	ScopeVideoUpload   = "video.upload"
	ScopeVideoList     = "video.list"
)

// Chunk sizes of a file upload, as TikTok's media transfer guide sets
// them: a video under MinChunkSize goes whole; every other chunk is
// between MinChunkSize and MaxChunkSize, the last one taking the trailing
// bytes.
const (
	MinChunkSize     = 5 << 20
	MaxChunkSize     = 64 << 20
	DefaultChunkSize = 10 << 20
	maxChunks        = 1000
)

// Config is how the client reaches TikTok and as which app.
type Config struct {
	// ClientKey and ClientSecret are the app's credentials (the secret is
	// sent only in token-endpoint forms, never in an error).
	ClientKey    string
	ClientSecret string
	// AuthorizeBaseURL is where users sign in ("https://www.tiktok.com").
	AuthorizeBaseURL string
	// APIBaseURL is the API host ("https://open.tiktokapis.com").
	APIBaseURL string
	// Scopes are asked for on the authorize page (default: the four the
	// service needs).
	Scopes []string
	HTTP   providers.HTTPConfig
	// ChunkSize is the size of an upload chunk (default 10 MiB, kept
	// within 5–64 MiB).
	ChunkSize int64
	// PollInterval is the pause between two status fetches in Wait
	// (default 5 s: the endpoint allows 30 calls a minute), PollTimeout
	// how long Wait keeps polling (default 10 min).
	PollInterval time.Duration
	PollTimeout  time.Duration
	// Now is the clock turning expires_in into times (time.Now).
	Now func() time.Time
}

// DefaultScopes are the scopes asked for when Config.Scopes is empty.
func DefaultScopes() []string {
	return []string{ScopeUserInfoBasic, ScopeVideoPublish, ScopeVideoUpload, ScopeVideoList}
}

func (c Config) withDefaults() Config {
	if c.AuthorizeBaseURL == "" {
		c.AuthorizeBaseURL = "https://www.tiktok.com"
	}
	if c.APIBaseURL == "" {
		c.APIBaseURL = "https://open.tiktokapis.com"
	}
	if len(c.Scopes) == 0 {
		c.Scopes = DefaultScopes()
	}
	switch {
	case c.ChunkSize <= 0:
		c.ChunkSize = DefaultChunkSize
	case c.ChunkSize < MinChunkSize:
		c.ChunkSize = MinChunkSize
	case c.ChunkSize > MaxChunkSize:
		c.ChunkSize = MaxChunkSize
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 5 * time.Second
	}
	if c.PollTimeout <= 0 {
		c.PollTimeout = 10 * time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// SandboxConfig points every TikTok host at the simulator serving at
// simulatorURL (package providers/simulator); credentials are left for the
// caller to set (the simulator accepts any).
func SandboxConfig(simulatorURL string) Config {
	return Config{
		AuthorizeBaseURL: simulatorURL + "/tiktok/www",
		APIBaseURL:       simulatorURL + "/tiktok/open",
	}
}

// Client speaks to TikTok for one app. It is safe for concurrent use.
type Client struct {
	cfg  Config
	http *providers.Caller
}

// New returns a client with cfg (defaults applied).
func New(cfg Config) *Client {
	cfg = cfg.withDefaults()
	return &Client{cfg: cfg, http: providers.NewCaller(Provider, cfg.HTTP)}
}
