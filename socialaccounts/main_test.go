package socialaccounts_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/encryption"
	"github.com/socialmediamanager/smm/identity"
	"github.com/socialmediamanager/smm/identity/accesstoken"
	"github.com/socialmediamanager/smm/persistence/pgtest"
	"github.com/socialmediamanager/smm/persistence/postgres"
	"github.com/socialmediamanager/smm/persistence/redisdb"
	"github.com/socialmediamanager/smm/providers/instagram"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/providers/tiktok"
	"github.com/socialmediamanager/smm/providers/youtube"
	"github.com/socialmediamanager/smm/socialaccounts"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// clock is a settable time shared by the simulator and the service.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is the service on the package database and Redis, its clients
// talking to an in-process simulator.
type env struct {
	t     *testing.T
	clock *clock
	sim   *simulator.Simulator
	store *postgres.Store
	svc   *socialaccounts.Service
	cfg   socialaccounts.Config
}

const (
	refreshMargin  = 15 * time.Minute
	healthInterval = 6 * time.Hour
	retryMin       = 30 * time.Second
)

func newEnv(t *testing.T, simCfg simulator.Config) *env {
	t.Helper()
	e := &env{t: t, clock: &clock{now: time.Now().UTC().Truncate(time.Second)}}
	simCfg.Now = e.clock.Now
	e.sim = simulator.New(simCfg)
	srv := httptest.NewServer(e.sim.Handler())
	t.Cleanup(srv.Close)
	e.store = postgres.NewStore(pgtest.Pool(t))
	redisURL := os.Getenv("SMM_REDIS_URL")
	if redisURL == "" {
		redisURL = "redis://127.0.0.1:6379"
	}
	clients, err := redisdb.Open(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = clients.Close() })
	keys, ring := testKeys()
	issuer := accesstoken.NewIssuer(keys, accesstoken.Options{Issuer: "smm-test", Audience: "smm-test"})
	ident, err := identity.New(e.store, clients, issuer, ring, identity.Config{BcryptCost: 4}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ig := instagram.SandboxConfig(srv.URL)
	ig.ClientID, ig.ClientSecret, ig.Now = "test-ig", "test-ig-secret", e.clock.Now
	tt := tiktok.SandboxConfig(srv.URL)
	tt.ClientKey, tt.ClientSecret, tt.Now = "test-tt", "test-tt-secret", e.clock.Now
	yt := youtube.SandboxConfig(srv.URL)
	yt.ClientID, yt.ClientSecret = "test-yt", "test-yt-secret"
	e.cfg = socialaccounts.Config{CallbackBaseURL: "http://smm.test", RefreshMargin: refreshMargin,
		HealthInterval: healthInterval, RetryMin: retryMin, RetryMax: 8 * retryMin, Now: e.clock.Now}
	e.svc = socialaccounts.New(socialaccounts.Deps{
		Store: e.store, States: clients.NewOAuthStates(), Sealer: ring, StepUp: ident,
		Clients: map[domain.Provider]socialaccounts.Client{
			domain.ProviderInstagram: instagram.New(ig),
			domain.ProviderTikTok:    tiktok.New(tt),
			domain.ProviderYouTube:   youtube.New(yt),
		},
	}, e.cfg)
	return e
}

var testKeys = sync.OnceValues(func() (*accesstoken.Keys, *encryption.Keyring) {
	keys, err := accesstoken.EphemeralKeys()
	if err != nil {
		panic(err)
	}
	spec, err := encryption.GenerateKeySpec("k1")
	if err != nil {
		panic(err)
	}
	ring, err := encryption.ParseKeys(spec)
	if err != nil {
		panic(err)
	}
	return keys, ring
})

// tenant registers a user and their organization.
func (e *env) tenant() domain.Principal {
	e.t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	u := domain.User{ID: uuid.Must(uuid.NewV7()), Email: "owner." + uuid.NewString()[:12] + "@example.com", Name: "Owner", CreatedAt: now}
	o := domain.Organization{ID: uuid.Must(uuid.NewV7()), Name: "Org", Settings: map[string]any{}, CreatedAt: now}
	if err := e.store.Register(context.Background(), u, "not-a-real-hash", o); err != nil {
		e.t.Fatalf("register: %v", err)
	}
	return domain.Principal{UserID: u.ID, OrganizationID: o.ID, Role: domain.RoleOwner}
}

// authorize starts a connection and follows the simulator's authorize
// page as a browser would, up to (not into) the redirect to the callback;
// it returns the callback's query.
func (e *env) authorize(p domain.Principal, provider domain.Provider, extra url.Values) url.Values {
	e.t.Helper()
	start, err := e.svc.Connect(context.Background(), p, provider)
	if err != nil {
		e.t.Fatalf("connect %s: %v", provider, err)
	}
	u, err := url.Parse(start.AuthorizeURL)
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
	if resp.StatusCode/100 != 3 || err != nil {
		e.t.Fatalf("authorize page answered %d, Location %q; want a redirect to the callback", resp.StatusCode, resp.Header.Get("Location"))
	}
	if want := "/api/v1/oauth/" + string(provider) + "/callback"; loc.Path != want {
		e.t.Fatalf("got redirect to %s, want %s", loc.Path, want)
	}
	return loc.Query()
}

// callback hands the provider's answer to the service.
func (e *env) callback(provider domain.Provider, q url.Values) (domain.SocialAccount, error) {
	return e.svc.Callback(context.Background(), provider, socialaccounts.CallbackQuery{
		State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error"), ErrorDescription: q.Get("error_description"),
	})
}

// connect connects the simulator's user named user.
func (e *env) connect(p domain.Principal, provider domain.Provider, user string) domain.SocialAccount {
	e.t.Helper()
	a, err := e.callback(provider, e.authorize(p, provider, url.Values{"sim_user": {user}}))
	if err != nil {
		e.t.Fatalf("callback %s: %v", provider, err)
	}
	return a
}
