package publisher_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/instagram"
	"github.com/socialmediamanager/smm/providers/publisher"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/providers/tiktok"
	"github.com/socialmediamanager/smm/providers/youtube"
)

const redirectURI = "https://smm.test/api/v1/oauth/callback"

// tokens is a map-backed stand-in for our token store (the provider side
// is the real simulator).
type tokens struct {
	mu   sync.Mutex
	byID map[uuid.UUID]account
	err  error
}

func (ts *tokens) AccessToken(_ context.Context, _, acc uuid.UUID) (string, domain.Provider, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.err != nil {
		return "", "", ts.err
	}
	a, ok := ts.byID[acc]
	if !ok {
		return "", "", domain.Errorf(domain.CodeNotFound, "social account %s not found", acc)
	}
	return a.token, a.provider, nil
}

// account is a connected account of the simulator.
type account struct {
	id         uuid.UUID
	provider   domain.Provider
	token      string
	externalID string
	username   string
}

// env is a simulator listening on loopback, the three clients in sandbox
// mode pointed at it, and a publisher of them.
type env struct {
	t      *testing.T
	sim    *simulator.Server
	org    uuid.UUID
	tokens *tokens
	ig     *instagram.Client
	tt     *tiktok.Client
	yt     *youtube.Client
	pub    *publisher.Publisher
}

// newEnv starts the simulator with simCfg (the first one, when given).
func newEnv(t *testing.T, simCfg ...simulator.Config) *env {
	t.Helper()
	cfg := simulator.Config{TikTokPostsPerDay: 100}
	if len(simCfg) > 0 {
		cfg = simCfg[0]
	}
	srv, err := simulator.Listen(simulator.New(cfg), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	e := &env{t: t, sim: srv, org: uuid.New(), tokens: &tokens{byID: map[uuid.UUID]account{}}}

	igCfg := instagram.SandboxConfig(srv.URL)
	igCfg.ClientID, igCfg.ClientSecret = "test-ig", "test-ig-secret-0123456789"
	igCfg.PollInterval, igCfg.PollTimeout = 5*time.Millisecond, 2*time.Second
	e.ig = instagram.New(igCfg)

	e.tt = e.tiktokClient(5 * time.Second)

	e.yt = e.youtubeClient(time.Millisecond)
	e.pub = e.publisher(nil)
	return e
}

// tiktokClient is a TikTok client of the simulator that waits at most
// pollTimeout for a post to be processed.
func (e *env) tiktokClient(pollTimeout time.Duration) *tiktok.Client {
	cfg := tiktok.SandboxConfig(e.sim.URL)
	cfg.ClientKey, cfg.ClientSecret = "test-tt-key", "test-tt-secret-3f9a1c"
	cfg.PollInterval, cfg.PollTimeout = 10*time.Millisecond, pollTimeout
	return tiktok.New(cfg)
}

// youtubeClient is a YouTube client of the simulator whose upload waits
// backoff before resuming an interrupted transfer.
func (e *env) youtubeClient(backoff time.Duration) *youtube.Client {
	cfg := youtube.SandboxConfig(e.sim.URL)
	cfg.ClientID, cfg.ClientSecret = "test-yt", "test-yt-secret-7f3a9c"
	cfg.HTTP = providers.HTTPConfig{Timeout: 10 * time.Second}
	cfg.ChunkSize = 256 << 10
	cfg.RetryBackoff = backoff
	return youtube.New(cfg)
}

// publisher is a publisher of the env's clients, adjusted by tweak.
func (e *env) publisher(tweak func(*publisher.Config)) *publisher.Publisher {
	cfg := publisher.Config{Instagram: e.ig, TikTok: e.tt, YouTube: e.yt, Tokens: e.tokens,
		HTTPClient: &http.Client{Timeout: 10 * time.Second}}
	if tweak != nil {
		tweak(&cfg)
	}
	return publisher.New(cfg)
}

// consent opens an authorize URL as a browser would, signing in the
// simulator's user named user, and returns the code of the redirect.
func (e *env) consent(authorizeURL, user string) string {
	e.t.Helper()
	u, err := url.Parse(authorizeURL)
	if err != nil {
		e.t.Fatal(err)
	}
	q := u.Query()
	q.Set("sim_user", user)
	u.RawQuery = q.Encode()
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(u.String())
	if err != nil {
		e.t.Fatalf("authorize page: %v", err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Query().Get("code") == "" {
		e.t.Fatalf("authorize page: got %d, Location %q; want 302 with a code", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

// connect runs provider's OAuth flow for the user named user and registers
// the account in the token store.
func (e *env) connect(provider domain.Provider, user string) account {
	e.t.Helper()
	ctx := e.t.Context()
	pkce := providers.NewPKCE()
	var tok providers.Token
	var err error
	a := account{id: uuid.New(), provider: provider, username: user}
	switch provider {
	case domain.ProviderInstagram:
		tok, err = e.ig.Exchange(ctx, e.consent(e.ig.AuthorizeURL("st", redirectURI, pkce), user), redirectURI, pkce)
		a.externalID = tok.UserID
	case domain.ProviderTikTok:
		tok, err = e.tt.Exchange(ctx, e.consent(e.tt.AuthorizeURL("st", redirectURI, pkce), user), redirectURI, pkce)
		a.externalID = tok.UserID
	case domain.ProviderYouTube:
		tok, err = e.yt.Exchange(ctx, e.consent(e.yt.AuthorizeURL("st", redirectURI, pkce), user), redirectURI, pkce)
		if err == nil {
			var prof providers.Profile
			prof, err = e.yt.Profile(ctx, tok.AccessToken)
			a.externalID = prof.ExternalID
		}
	}
	if err != nil {
		e.t.Fatalf("connect %s user %s: %v", provider, user, err)
	}
	a.token = tok.AccessToken
	e.tokens.mu.Lock()
	e.tokens.byID[a.id] = a
	e.tokens.mu.Unlock()
	return a
}

// media is the URL of the simulator's sample media name.
func (e *env) media(name string) string { return e.sim.URL + "/_sim/media/" + name }

func (e *env) image(name string) domain.MediaRef {
	return domain.MediaRef{URL: e.media(name), Kind: domain.MediaImage}
}

func (e *env) video(name string) domain.MediaRef {
	return domain.MediaRef{URL: e.media(name), Kind: domain.MediaVideo}
}

// request is a publish request of post to a.
func (e *env) request(a account, post domain.Post) domain.PublishRequest {
	post.Provider = a.provider
	return domain.PublishRequest{OrganizationID: e.org, AccountID: a.id, PublicationID: uuid.New(),
		Provider: a.provider, ExternalAccountID: a.externalID, Post: post}
}

// published lists what reached provider's simulated network.
func (e *env) published(provider domain.Provider) []simulator.Publication {
	return e.sim.Published(string(provider))
}

// recordedID is the id Publish and Reconcile should report for what the
// simulator recorded: TikTok records the publish id and keeps the post id
// aside.
func recordedID(p simulator.Publication) string {
	if p.Provider == simulator.TikTok {
		return p.Options["post_id"]
	}
	return p.ID
}

// wantProviderError checks err is a *providers.Error of class and
// provider, and tells whether it is an unknown outcome as wanted.
func wantProviderError(t *testing.T, err error, class providers.Class, provider string, unknown bool) *providers.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", class)
	}
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("got error %v (%T), want a *providers.Error", err, err)
	}
	if got := providers.ClassOf(err); got != class {
		t.Errorf("got class %s (%v), want %s", got, err, class)
	}
	if pe.Provider != provider {
		t.Errorf("got provider %q (%v), want %q", pe.Provider, err, provider)
	}
	if got := errors.Is(err, domain.ErrOutcomeUnknown); got != unknown {
		t.Errorf("got unknown outcome %v (%v), want %v", got, err, unknown)
	}
	return pe
}
