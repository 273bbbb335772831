package tiktok_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/providers/tiktok"
)

const (
	clientKey    = "test-tt-key"
	clientSecret = "test-tt-secret-3f9a1c"
	redirectURI  = "https://smm.test/api/v1/oauth/tiktok/callback"
)

// bg is the context of calls that need no deadline of their own.
var bg = context.Background()

// env is a simulator serving in-process and a client pointed at it.
type env struct {
	t   *testing.T
	sim *simulator.Simulator
	url string
	cfg tiktok.Config
	c   *tiktok.Client
}

// newEnv starts a simulator with simCfg and a sandbox client; tweak
// adjusts the client's configuration.
func newEnv(t *testing.T, simCfg simulator.Config, tweak ...func(*tiktok.Config)) *env {
	t.Helper()
	sim := simulator.New(simCfg)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	cfg := tiktok.SandboxConfig(srv.URL)
	cfg.ClientKey, cfg.ClientSecret = clientKey, clientSecret
	cfg.PollInterval = 10 * time.Millisecond
	cfg.PollTimeout = 5 * time.Second
	for _, f := range tweak {
		f(&cfg)
	}
	return &env{t: t, sim: sim, url: srv.URL, cfg: cfg, c: tiktok.New(cfg)}
}

// authorize opens the client's authorize URL (plus extra) as a browser
// would and stops at the redirect to redirectURI, whose query it returns.
func (e *env) authorize(pkce providers.PKCE, extra url.Values) url.Values {
	e.t.Helper()
	u, err := url.Parse(e.c.AuthorizeURL("state-1", redirectURI, pkce))
	if err != nil {
		e.t.Fatal(err)
	}
	q := u.Query()
	for k, v := range extra {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(u.String())
	if err != nil {
		e.t.Fatalf("authorize page: %v", err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		e.t.Fatalf("authorize page: got %d, Location %q; want 302 to the redirect_uri", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURI {
		e.t.Fatalf("got redirect to %s, want %s", got, redirectURI)
	}
	return loc.Query()
}

// connect signs user in and returns their tokens.
func (e *env) connect(user string) providers.Token {
	e.t.Helper()
	pkce := providers.NewPKCE()
	q := e.authorize(pkce, url.Values{"sim_user": {user}})
	tok, err := e.c.Exchange(bg, q.Get("code"), redirectURI, pkce)
	if err != nil {
		e.t.Fatalf("exchange for %s: %v", user, err)
	}
	return tok
}

// asError is err's *providers.Error, failing the test when it is not one.
func asError(t *testing.T, err error) *providers.Error {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("got error %v (%T), want a *providers.Error", err, err)
	}
	return pe
}

// wantClass checks err's class and, when code is not empty, its code.
func wantClass(t *testing.T, what string, err error, class providers.Class, code string) *providers.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want %s", what, class)
	}
	pe := asError(t, err)
	if pe.Class != class || code != "" && pe.Code != code {
		t.Fatalf("%s: got %s/%q (%v), want %s/%q", what, pe.Class, pe.Code, err, class, code)
	}
	if pe.Provider != tiktok.Provider {
		t.Errorf("%s: got provider %q, want %q", what, pe.Provider, tiktok.Provider)
	}
	return pe
}

// clock is a simulator clock tests move forward.
type clock struct {
	start time.Time
	off   atomic.Int64
}

func newClock() *clock { return &clock{start: time.Now()} }

// Now is the clock's time.
func (c *clock) Now() time.Time { return c.start.Add(time.Duration(c.off.Load())) }

// advance moves the clock by d.
func (c *clock) advance(d time.Duration) { c.off.Add(int64(d)) }

// video is size bytes of a fake video (an ftyp box of brand, then a
// pattern), readable at any offset without holding it in memory.
type video struct {
	size  int64
	brand string // "mp42", "qt  "
}

func (v video) ReadAt(b []byte, off int64) (int, error) {
	if off >= v.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(b)), v.size-off))
	hdr := "\x00\x00\x00\x18ftyp" + v.brand
	for i := 0; i < n; i++ {
		p := off + int64(i)
		if p < int64(len(hdr)) {
			b[i] = hdr[p]
		} else {
			b[i] = byte(p*7 + p>>9)
		}
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

// sha256 is the hex digest of the whole video.
func (v video) sha256() string {
	h := sha256.New()
	_, _ = io.Copy(h, io.NewSectionReader(v, 0, v.size))
	return hex.EncodeToString(h.Sum(nil))
}

// recorder is a transport that keeps the method, path and Content-Range
// of each request, and runs before (when set) ahead of sending one.
type recorder struct {
	mu     sync.Mutex
	calls  []string
	before func(*http.Request)
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	call := req.Method + " " + req.URL.Path
	if cr := req.Header.Get("Content-Range"); cr != "" {
		call += " " + cr
	}
	r.calls = append(r.calls, call)
	before := r.before
	r.mu.Unlock()
	if before != nil {
		before(req)
	}
	return http.DefaultTransport.RoundTrip(req)
}

// matching are the recorded calls that start with prefix.
func (r *recorder) matching(prefix string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, c := range r.calls {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}
