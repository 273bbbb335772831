package youtube_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/providers/youtube"
)

const (
	testClientID     = "test-yt"
	testClientSecret = "test-yt-secret-7f3a9c"
	testRedirect     = "https://app.example/api/v1/oauth/youtube/callback"
)

// clock is the simulator's clock, moved by the tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// recorder is the client's transport: it notes the Content-Range of every
// upload request and can act just before a request leaves.
type recorder struct {
	base   http.RoundTripper
	mu     sync.Mutex
	ranges []string
	before func(*http.Request)
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	if cr := req.Header.Get("Content-Range"); cr != "" {
		r.ranges = append(r.ranges, cr)
	}
	before := r.before
	r.mu.Unlock()
	if before != nil {
		before(req)
	}
	return r.base.RoundTrip(req)
}

func (r *recorder) setBefore(f func(*http.Request)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.before = f
}

func (r *recorder) contentRanges() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ranges...)
}

// env is a simulator serving in-process and a client pointed at it.
type env struct {
	t      *testing.T
	sim    *simulator.Simulator
	url    string
	clock  *clock
	rec    *recorder
	cfg    youtube.Config
	client *youtube.Client
}

func newEnv(t *testing.T, simCfg simulator.Config, tweaks ...func(*youtube.Config)) *env {
	t.Helper()
	e := &env{t: t, clock: &clock{t: time.Date(2026, 3, 10, 18, 0, 0, 0, time.UTC)}}
	simCfg.Now = e.clock.Now
	e.sim = simulator.New(simCfg)
	srv := httptest.NewServer(e.sim.Handler())
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.rec = &recorder{base: http.DefaultTransport.(*http.Transport).Clone()}
	e.cfg = youtube.SandboxConfig(srv.URL)
	e.cfg.ClientID, e.cfg.ClientSecret = testClientID, testClientSecret
	e.cfg.HTTP = providers.HTTPConfig{Timeout: 10 * time.Second, Transport: e.rec}
	e.cfg.ChunkSize = 256 << 10
	e.cfg.RetryBackoff = time.Millisecond
	for _, f := range tweaks {
		f(&e.cfg)
	}
	e.client = youtube.New(e.cfg)
	return e
}

// authorize opens the client's consent page at the simulator, as a
// browser would, and returns the query of the redirect to the redirect
// URI (which it does not follow).
func (e *env) authorize(state string, pkce providers.PKCE, extra url.Values) url.Values {
	e.t.Helper()
	u, err := url.Parse(e.client.AuthorizeURL(state, testRedirect, pkce))
	if err != nil {
		e.t.Fatal(err)
	}
	q := u.Query()
	for k, v := range extra {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(u.String())
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		e.t.Fatalf("authorize page: got %d, Location %q; want 302 to the redirect URI", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != testRedirect {
		e.t.Fatalf("got redirect to %s, want %s", got, testRedirect)
	}
	return loc.Query()
}

// connect runs the OAuth flow for the simulator's user named user.
func (e *env) connect(user string) providers.Token {
	e.t.Helper()
	pkce := providers.NewPKCE()
	q := e.authorize("st-"+user, pkce, url.Values{"sim_user": {user}})
	tok, err := e.client.Exchange(context.Background(), q.Get("code"), testRedirect, pkce)
	if err != nil {
		e.t.Fatalf("exchange for %s: %v", user, err)
	}
	return tok
}

// upload publishes a video of n bytes and returns it.
func (e *env) upload(tok providers.Token, title string, n int) youtube.Video {
	e.t.Helper()
	_, v, err := e.client.Upload(context.Background(), tok.AccessToken, youtube.Metadata{Title: title, Privacy: youtube.Public},
		bytes.NewReader(media(n)), int64(n), "video/mp4")
	if err != nil {
		e.t.Fatalf("upload %q: %v", title, err)
	}
	return v
}

// media is n deterministic bytes of a "video".
func media(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// providerError is err's *providers.Error, failing the test without one.
func providerError(t *testing.T, err error) *providers.Error {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("got error %v (%T), want a *providers.Error", err, err)
	}
	return pe
}

// published is the simulator's YouTube publications.
func (e *env) published() []simulator.Publication { return e.sim.Published(simulator.YouTube) }

// wantClass checks err's class and code.
func wantClass(t *testing.T, what string, err error, class providers.Class, code string) *providers.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want %s %s", what, class, code)
	}
	pe := providerError(t, err)
	if pe.Class != class || (code != "" && pe.Code != code) {
		t.Fatalf("%s: got %s %q (%v), want %s %q", what, pe.Class, pe.Code, err, class, code)
	}
	return pe
}
