package instagram_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/instagram"
	"github.com/socialmediamanager/smm/providers/simulator"
)

const (
	redirectURI  = "https://app.example/api/v1/oauth/instagram/callback"
	clientSecret = "test-ig-secret-0123456789"
)

// clock is a settable clock shared by the simulator and the client.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is a simulator served over HTTP and a client pointed at it.
type env struct {
	t      *testing.T
	sim    *simulator.Simulator
	clock  *clock
	url    string
	client *instagram.Client
}

// newEnv starts a simulator of simCfg on a settable clock (unless simCfg
// has its own) and a client of SandboxConfig, adjusted by tweak.
func newEnv(t *testing.T, simCfg simulator.Config, tweak func(*instagram.Config)) *env {
	t.Helper()
	e := &env{t: t, clock: &clock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}}
	if simCfg.Now == nil {
		simCfg.Now = e.clock.Now
	}
	e.sim = simulator.New(simCfg)
	srv := httptest.NewServer(e.sim.Handler())
	t.Cleanup(srv.Close)
	e.url = srv.URL
	cfg := instagram.SandboxConfig(srv.URL)
	cfg.ClientID, cfg.ClientSecret = "test-ig", clientSecret
	cfg.Now = simCfg.Now
	cfg.PollInterval = 5 * time.Millisecond
	cfg.PollTimeout = 2 * time.Second
	if tweak != nil {
		tweak(&cfg)
	}
	e.client = instagram.New(cfg)
	return e
}

// authorize opens the authorize URL as a browser would, up to (not into)
// the redirect to redirectURI, and returns that redirect.
func (e *env) authorize(state string, extra url.Values) *url.URL {
	e.t.Helper()
	u, err := url.Parse(e.client.AuthorizeURL(state, redirectURI, providers.NewPKCE()))
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
		e.t.Fatalf("authorize page: got %d, Location %q; want 302 to the redirect URI", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc
}

// account is a connected account: its token and user id.
type account struct {
	token providers.Token
	id    string
}

// connect runs the OAuth flow for the simulator's user named user.
func (e *env) connect(user string) account {
	e.t.Helper()
	loc := e.authorize("st-"+user, url.Values{"sim_user": {user}})
	tok, err := e.client.Exchange(e.t.Context(), loc.Query().Get("code"), redirectURI, providers.PKCE{})
	if err != nil {
		e.t.Fatalf("exchange for %s: %v", user, err)
	}
	return account{token: tok, id: tok.UserID}
}

// wantErr checks err is a *providers.Error of class, code and subcode
// ("" to skip the codes).
func wantErr(t *testing.T, err error, class providers.Class, code, subcode string) *providers.Error {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("got error %v (%T), want a *providers.Error of class %s", err, err, class)
	}
	if pe.Class != class {
		t.Errorf("got class %s (%v), want %s", pe.Class, err, class)
	}
	if code != "" && pe.Code != code {
		t.Errorf("got code %q (%v), want %q", pe.Code, err, code)
	}
	if subcode != "" && pe.Subcode != subcode {
		t.Errorf("got subcode %q (%v), want %q", pe.Subcode, err, subcode)
	}
	if pe.Provider != instagram.Provider || pe.Op == "" {
		t.Errorf("got provider %q op %q, want instagram and an op", pe.Provider, pe.Op)
	}
	return pe
}
