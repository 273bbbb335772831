// Package socialaccounts connects organizations' Instagram, TikTok and
// YouTube accounts over OAuth, keeps their tokens sealed at rest, and keeps
// the tokens alive: refresh ahead of expiry, health checks, and the
// account.* events when a connection needs attention.
package socialaccounts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/postgres"
	"github.com/socialmediamanager/smm/providers"
)

// Client is what the service needs of a provider client (providers/…).
type Client interface {
	AuthorizeURL(state, redirectURI string, pkce providers.PKCE) string
	Exchange(ctx context.Context, code, redirectURI string, pkce providers.PKCE) (providers.Token, error)
	Refresh(ctx context.Context, t providers.Token) (providers.Token, error)
	Revoke(ctx context.Context, t providers.Token) error
	Profile(ctx context.Context, accessToken string) (providers.Profile, error)
}

// States keeps pending OAuth connections by state, each readable once.
type States interface {
	Put(ctx context.Context, state string, value []byte, ttl time.Duration) error
	Take(ctx context.Context, state string) ([]byte, bool, error)
}

// Sealer seals tokens at rest (package encryption).
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Open(ciphertext, aad []byte) ([]byte, error)
	PrimaryID() string
}

// StepUp checks a second factor before a sensitive operation (identity).
type StepUp interface {
	StepUp(ctx context.Context, p domain.Principal, code string) error
}

// Grains tells an organization's grain that its accounts changed, so its
// account and sync actors follow.
type Grains interface {
	AccountsChanged(ctx context.Context, p domain.Principal) (domain.GrainActivation, error)
}

// Config tunes the service.
type Config struct {
	// CallbackBaseURL is the public base URL providers redirect to: the
	// redirect URI is CallbackBaseURL + "/api/v1/oauth/{provider}/callback".
	CallbackBaseURL string
	// StateTTL bounds a pending connection (10 minutes).
	StateTTL time.Duration
	// RefreshMargin is how long before expiry a token is refreshed.
	RefreshMargin time.Duration
	// HealthInterval is how often a connection is checked.
	HealthInterval time.Duration
	// RetryMin and RetryMax bound the backoff of failed refreshes.
	RetryMin, RetryMax time.Duration
	Now                func() time.Time
}

func (c *Config) defaults() {
	if c.StateTTL <= 0 {
		c.StateTTL = 10 * time.Minute
	}
	if c.RefreshMargin <= 0 {
		c.RefreshMargin = 15 * time.Minute
	}
	if c.HealthInterval <= 0 {
		c.HealthInterval = 6 * time.Hour
	}
	if c.RetryMin <= 0 {
		c.RetryMin = 30 * time.Second
	}
	if c.RetryMax <= 0 {
		c.RetryMax = 15 * time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Service is the social-accounts use cases.
type Service struct {
	store   *postgres.Store
	states  States
	sealer  Sealer
	clients map[domain.Provider]Client
	stepUp  StepUp
	grains  Grains
	cfg     Config
	log     *slog.Logger
}

// Deps are the service's collaborators.
type Deps struct {
	Store   *postgres.Store
	States  States
	Sealer  Sealer
	Clients map[domain.Provider]Client
	StepUp  StepUp
	// Grains may be nil (then the grains learn of new accounts at their
	// next activation).
	Grains Grains
	Logger *slog.Logger
}

// New returns the service.
func New(d Deps, cfg Config) *Service {
	cfg.defaults()
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: d.Store, states: d.States, sealer: d.Sealer, clients: d.Clients, stepUp: d.StepUp,
		grains: d.Grains, cfg: cfg, log: d.Logger}
}

// SetGrains wires the grains after the cluster has started (the cluster's
// account actors need the service first).
func (s *Service) SetGrains(g Grains) { s.grains = g }

// client returns the provider's client, invalid (naming field) when the
// provider is not configured.
func (s *Service) client(field string, p domain.Provider) (Client, error) {
	c, ok := s.clients[p]
	if !ok {
		return nil, domain.Invalid(field, "provider %s is not configured on this service", p)
	}
	return c, nil
}

// redirectURI is the callback URL registered with the provider.
func (s *Service) redirectURI(p domain.Provider) string {
	return s.cfg.CallbackBaseURL + "/api/v1/oauth/" + string(p) + "/callback"
}

// notify tells the organization's grain its accounts changed. A failure is
// logged: the account is stored, and the grain reconciles at its next
// activation anyway.
func (s *Service) notify(ctx context.Context, org, user uuid.UUID) {
	if s.grains == nil {
		return
	}
	if _, err := s.grains.AccountsChanged(ctx, domain.Principal{OrganizationID: org, UserID: user}); err != nil {
		s.log.WarnContext(ctx, "organization grain not told of its accounts", slog.String("organization_id", org.String()), slog.Any("error", err))
	}
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// randomState is a 256-bit state parameter.
func randomState() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Service) event(org, subject uuid.UUID, typ string, payload map[string]any) domain.Event {
	return domain.Event{ID: newID(), OrganizationID: org, Type: typ, SubjectID: subject, Payload: payload, CreatedAt: s.cfg.Now().UTC()}
}
