// Package simulator serves offline stand-ins of the Instagram, TikTok and
// YouTube APIs (and their OAuth pages and token endpoints), in the shapes,
// limits and error codes of PROVIDERS.md. `smm simulate` runs it; sandbox
// mode wires the service to it; tests start it in-process and inspect what
// reached the "network" (State), and inject faults (SetFaults, or
// POST /_sim/faults/{provider}).
//
// Paths stand for the real hosts, under one listener:
//
//	/instagram/www/…      www.instagram.com (authorize page)
//	/instagram/api/…      api.instagram.com (code exchange)
//	/instagram/graph/…    graph.instagram.com
//	/tiktok/www/…         www.tiktok.com (authorize page)
//	/tiktok/open/…        open.tiktokapis.com
//	/tiktok/upload/…      TikTok's upload URLs
//	/google/accounts/…    accounts.google.com (authorize page)
//	/google/oauth2/…      oauth2.googleapis.com (token, revoke)
//	/google/www/…         www.googleapis.com (YouTube Data API, uploads)
//	/google/analytics/…   youtubeanalytics.googleapis.com
//	/_sim/…               control: state, faults, reset
package simulator

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Providers, as in paths and the control endpoint.
const (
	Instagram = "instagram"
	TikTok    = "tiktok"
	YouTube   = "youtube"
)

// Config holds the limits the simulators enforce; zero values take the
// defaults of PROVIDERS.md.
type Config struct {
	// Access and refresh token lifetimes.
	InstagramShortTTL time.Duration // 1h
	InstagramLongTTL  time.Duration // 60 days
	TikTokAccessTTL   time.Duration // 24h
	TikTokRefreshTTL  time.Duration // 365 days
	GoogleAccessTTL   time.Duration // 1h
	// InstagramPublishCap is the publishes per account per rolling 24 h (50).
	InstagramPublishCap int
	// InstagramCallsPerHour is the Graph API calls per token per hour (200).
	InstagramCallsPerHour int
	// TikTokPostsPerDay caps video/photo inits per user per 24 h (15).
	TikTokPostsPerDay int
	// YouTubeQuota is the project's daily units (10000); YouTubeUploadCost
	// what videos.insert costs (100).
	YouTubeQuota      int
	YouTubeUploadCost int
	// ContainerDelay is how long an Instagram container, a TikTok publish
	// or a YouTube video stays in processing (0: ready at the first poll).
	ProcessingDelay time.Duration
	// Now is the clock (time.Now).
	Now func() time.Time
}

func (c *Config) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defInt := func(n *int, v int) {
		if *n <= 0 {
			*n = v
		}
	}
	def(&c.InstagramShortTTL, time.Hour)
	def(&c.InstagramLongTTL, 60*24*time.Hour)
	def(&c.TikTokAccessTTL, 24*time.Hour)
	def(&c.TikTokRefreshTTL, 365*24*time.Hour)
	def(&c.GoogleAccessTTL, time.Hour)
	defInt(&c.InstagramPublishCap, 50)
	defInt(&c.InstagramCallsPerHour, 200)
	defInt(&c.TikTokPostsPerDay, 15)
	defInt(&c.YouTubeQuota, 10000)
	defInt(&c.YouTubeUploadCost, 100)
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Simulator is the three providers' stand-in. It is safe for concurrent
// use.
type Simulator struct {
	cfg Config
	mux *http.ServeMux

	mu        sync.Mutex
	users     map[string]*User   // provider + "/" + external id
	tokens    map[string]*Token  // token value
	published []Publication      // in order
	faults    map[string]*Faults // provider
	windows   map[string][]time.Time
	quota     map[string]int // provider/key → units used today
	quotaDay  string
	objects   map[string]any // provider-specific state by id (containers, uploads…)
	dialects  map[string]Dialect
}

// New returns a simulator with cfg's limits.
func New(cfg Config) *Simulator {
	cfg.defaults()
	s := &Simulator{cfg: cfg, mux: http.NewServeMux()}
	s.reset()
	s.dialects = map[string]Dialect{}
	s.controlRoutes()
	s.instagramRoutes()
	s.tiktokRoutes()
	s.youtubeRoutes()
	return s
}

func (s *Simulator) reset() {
	s.users = map[string]*User{}
	s.tokens = map[string]*Token{}
	s.published = nil
	s.faults = map[string]*Faults{}
	s.windows = map[string][]time.Time{}
	s.quota = map[string]int{}
	s.objects = map[string]any{}
}

// Handler serves every simulated host and the control endpoint.
func (s *Simulator) Handler() http.Handler { return s.mux }

// Config is the configuration in force (defaults applied).
func (s *Simulator) Config() Config { return s.cfg }

// Server is a simulator listening on a TCP address.
type Server struct {
	*Simulator
	// URL is the base URL of every path ("http://127.0.0.1:PORT").
	URL string
	srv *http.Server
	ln  net.Listener
}

// Listen serves sim on addr ("127.0.0.1:0" for a free port) until Close.
func Listen(sim *Simulator, addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &Server{Simulator: sim, URL: "http://" + ln.Addr().String(), srv: srv, ln: ln}, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// randomID returns n random bytes in hex, prefixed.
func randomID(prefix string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// baseURL is the scheme and host the request came to, for URLs the
// simulator hands out (TikTok upload URLs, YouTube upload sessions).
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// bearer is the token of an "Authorization: Bearer X" header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}
