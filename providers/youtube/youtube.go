// Package youtube is the client of YouTube: Google's OAuth 2.0 endpoints,
// the YouTube Data API v3 (channels, resumable video uploads, playlist
// items, statistics, comments) and the YouTube Analytics API v2, in the
// shapes of PROVIDERS.md. Every error it returns is a *providers.Error
// classified from Google's error reasons.
package youtube

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// provider names the client in errors.
const provider = "youtube"

// The scopes the service asks for: uploading, reading the channel and its
// videos, managing comments (force-ssl), and reading analytics.
const (
	ScopeUpload    = "https://www.googleapis.com/auth/youtube.upload"
	ScopeReadonly  = "https://www.googleapis.com/auth/youtube.readonly"
	ScopeForceSSL  = "https://www.googleapis.com/auth/youtube.force-ssl"
	ScopeAnalytics = "https://www.googleapis.com/auth/yt-analytics.readonly"
)

// chunkUnit is the granularity of resumable upload chunks: every chunk but
// the last must be a multiple of 256 KiB.
const chunkUnit = 256 << 10

// Config says where the client finds Google and with which credentials.
// Empty fields take the real defaults, so a live configuration only needs
// the OAuth client's id and secret.
type Config struct {
	// ClientID and ClientSecret are the Google Cloud project's OAuth
	// client. The secret never appears in an error or a log line.
	ClientID     string
	ClientSecret string
	// AuthorizeBaseURL is accounts.google.com (the consent page).
	AuthorizeBaseURL string
	// TokenBaseURL is oauth2.googleapis.com (token and revoke endpoints).
	TokenBaseURL string
	// APIBaseURL is www.googleapis.com (YouTube Data API and uploads).
	APIBaseURL string
	// AnalyticsBaseURL is youtubeanalytics.googleapis.com.
	AnalyticsBaseURL string
	// Scopes are asked for at authorization (the four Scope constants).
	Scopes []string
	// HTTP is how requests are sent (timeouts, body cap, live mode).
	HTTP providers.HTTPConfig
	// ChunkSize is the size of one upload request, rounded down to a
	// multiple of 256 KiB (default 8 MiB): larger chunks are faster,
	// smaller ones lose less to an interruption.
	ChunkSize int64
	// UploadRetries is how many failed chunk transfers in a row (a
	// transport error or a 5xx) an upload absorbs before it gives up and
	// returns, leaving the session resumable (default 5).
	UploadRetries int
	// RetryBackoff is the first wait before resuming after such a failure;
	// it doubles at each one up to 32 times itself (default 1 s).
	RetryBackoff time.Duration
}

// SandboxConfig points every base URL at the simulator serving at
// simulatorURL (its /google/... prefixes); set the credentials and HTTP on
// the result.
func SandboxConfig(simulatorURL string) Config {
	base := strings.TrimRight(simulatorURL, "/")
	return Config{
		AuthorizeBaseURL: base + "/google/accounts",
		TokenBaseURL:     base + "/google/oauth2",
		APIBaseURL:       base + "/google/www",
		AnalyticsBaseURL: base + "/google/analytics",
	}
}

func (c Config) withDefaults() Config {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
		*s = strings.TrimRight(*s, "/")
	}
	def(&c.AuthorizeBaseURL, "https://accounts.google.com")
	def(&c.TokenBaseURL, "https://oauth2.googleapis.com")
	def(&c.APIBaseURL, "https://www.googleapis.com")
	def(&c.AnalyticsBaseURL, "https://youtubeanalytics.googleapis.com")
	if len(c.Scopes) == 0 {
		c.Scopes = []string{ScopeUpload, ScopeReadonly, ScopeForceSSL, ScopeAnalytics}
	}
	c.ChunkSize = c.ChunkSize / chunkUnit * chunkUnit
	if c.ChunkSize <= 0 {
		c.ChunkSize = 8 << 20
	}
	if c.UploadRetries <= 0 {
		c.UploadRetries = 5
	}
	if c.RetryBackoff <= 0 {
		c.RetryBackoff = time.Second
	}
	return c
}

// Client talks to YouTube for every connected channel: the access token is
// an argument of each call, the client holds none. It is safe for
// concurrent use.
type Client struct {
	cfg    Config
	caller *providers.Caller
	now    func() time.Time
}

// New returns a client for cfg (defaults applied).
func New(cfg Config) *Client {
	cfg = cfg.withDefaults()
	return &Client{cfg: cfg, caller: providers.NewCaller(provider, cfg.HTTP), now: time.Now}
}

// apiGet reads a Data API (or Analytics API, with base) resource into out.
func (c *Client) apiGet(ctx context.Context, op, accessToken, base, path string, q url.Values, out any) error {
	req, err := http.NewRequest(http.MethodGet, base+path+"?"+q.Encode(), nil)
	if err != nil {
		return c.requestError(op, err)
	}
	return c.send(ctx, op, accessToken, req, out)
}

// apiSend sends a JSON body (when body is not nil) and reads the answer
// into out (when not nil).
func (c *Client) apiSend(ctx context.Context, op, accessToken, method, path string, q url.Values, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return c.requestError(op, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.cfg.APIBaseURL+path+"?"+q.Encode(), rd)
	if err != nil {
		return c.requestError(op, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	}
	return c.send(ctx, op, accessToken, req, out)
}

// send authorizes req, sends it and decodes a 2xx answer into out; any
// other answer is classified.
func (c *Client) send(ctx context.Context, op, accessToken string, req *http.Request, out any) error {
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := c.caller.Do(ctx, op, req)
	if err != nil {
		return err
	}
	if resp.Status/100 != 2 {
		return c.classify(op, resp)
	}
	if out == nil || len(resp.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return c.decodeError(op, resp, err)
	}
	return nil
}

// requestError is a request the client could not even build (a bad base
// URL in the configuration): nothing was sent, and retrying won't help.
// The cause is left out: it would quote the URL, whose query may hold a
// token (revoke) or an upload session id.
func (c *Client) requestError(op string, _ error) error {
	return &providers.Error{Provider: provider, Op: op, Class: providers.Permanent,
		Message: "cannot build the request: a configured base URL or the session URI is not a valid URL"}
}

// decodeError is a 2xx answer that is not the documented JSON: a proxy's
// page or a truncated body, worth another try.
func (c *Client) decodeError(op string, resp *providers.Response, err error) error {
	return &providers.Error{Provider: provider, Op: op, Class: providers.Retryable, Status: resp.Status,
		Message: "unexpected answer", Err: fmt.Errorf("decode the answer: %w", err)}
}
