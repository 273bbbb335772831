// Package instagram is the client of the Instagram API with Instagram
// Login: OAuth (code, long-lived token, refresh), content publishing
// through media containers, the publishing quota, recent media, insights
// and comments, in the shapes of PROVIDERS.md. Every error it returns is a
// *providers.Error classified from Instagram's documented codes.
package instagram

import (
	"strings"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// Provider is the provider's name in errors and logs.
const Provider = "instagram"

// The scopes the service asks for: profile, publishing, comments and
// insights.
var defaultScopes = []string{
	"instagram_business_basic",
	"instagram_business_content_publish",
	"instagram_business_manage_comments",
	"instagram_business_manage_insights",
}

// Config is how the client reaches Instagram; zero fields take the real
// hosts and the defaults below, and SandboxConfig points everything at the
// simulator.
type Config struct {
	ClientID     string
	ClientSecret string
	// AuthorizeBaseURL serves the consent page (https://www.instagram.com).
	AuthorizeBaseURL string
	// APIBaseURL serves the code exchange (https://api.instagram.com).
	APIBaseURL string
	// GraphBaseURL serves the Graph API (https://graph.instagram.com).
	GraphBaseURL string
	// Version is the Graph API version ("v23.0"); Meta retires versions
	// about two years after release, so it is configuration.
	Version string
	// Scopes are asked for at authorization (default: the four of
	// PROVIDERS.md).
	Scopes []string
	HTTP   providers.HTTPConfig
	// PollInterval is the wait between two container status polls
	// (default 5s; Meta advises up to a minute).
	PollInterval time.Duration
	// PollTimeout bounds the wait for a container to finish processing
	// (default 5m, Meta's advice).
	PollTimeout time.Duration
	// Now is the clock that turns expires_in into ExpiresAt (time.Now).
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.AuthorizeBaseURL, "https://www.instagram.com")
	def(&c.APIBaseURL, "https://api.instagram.com")
	def(&c.GraphBaseURL, "https://graph.instagram.com")
	def(&c.Version, "v23.0")
	if !strings.HasPrefix(c.Version, "v") {
		c.Version = "v" + c.Version
	}
	for _, s := range []*string{&c.AuthorizeBaseURL, &c.APIBaseURL, &c.GraphBaseURL} {
		*s = strings.TrimRight(*s, "/")
	}
	if len(c.Scopes) == 0 {
		c.Scopes = append([]string(nil), defaultScopes...)
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 5 * time.Second
	}
	if c.PollTimeout <= 0 {
		c.PollTimeout = 5 * time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// SandboxConfig points every base URL at the simulator served at
// simulatorURL (package simulator), for sandbox mode and tests.
func SandboxConfig(simulatorURL string) Config {
	base := strings.TrimRight(simulatorURL, "/")
	return Config{
		AuthorizeBaseURL: base + "/instagram/www",
		APIBaseURL:       base + "/instagram/api",
		GraphBaseURL:     base + "/instagram/graph",
	}
}

// Client calls Instagram. It is safe for concurrent use; it keeps no
// token: every call takes the account's.
type Client struct {
	cfg    Config
	caller *providers.Caller
}

// New returns a client of cfg (defaults applied).
func New(cfg Config) *Client {
	cfg = cfg.withDefaults()
	return &Client{cfg: cfg, caller: providers.NewCaller(Provider, cfg.HTTP)}
}
