// Package identity is the application service for people and their access:
// registration, sign-in, tokens, two-factor authentication, organizations,
// memberships, invitations and API keys. It is not organization-owned work,
// so it runs as plain use cases (DESIGN.md §1) over the stores; the HTTP
// edge decodes requests and calls it.
package identity

import (
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/encryption"
	"github.com/socialmediamanager/smm/identity/accesstoken"
	"github.com/socialmediamanager/smm/persistence/postgres"
	"github.com/socialmediamanager/smm/persistence/redisdb"
	"golang.org/x/crypto/bcrypt"
)

// Config holds the identity service's settings.
type Config struct {
	// BcryptCost is the cost of password hashes (at least 12 in production).
	BcryptCost int
	// RefreshTTL is how long a refresh token lives unused.
	RefreshTTL time.Duration
	// TOTPIssuer names the service in authenticator apps.
	TOTPIssuer string
	// MembershipCacheTTL bounds how long a cached role may be stale if an
	// invalidation is lost.
	MembershipCacheTTL time.Duration
	// LoginFailureLimit is how many failed sign-ins an account may have in
	// LoginFailureWindow before further attempts are refused.
	LoginFailureLimit  int
	LoginFailureWindow time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Invalidations, when set, lets the service keep roles, revoked token
	// ids and /me views in memory, kept in step across instances by the
	// bus (whose Run the caller starts).
	Invalidations *redisdb.Invalidations
}

// Service implements the identity use cases.
type Service struct {
	store     *postgres.Store
	tokens    *accesstoken.Issuer
	keyring   *encryption.Keyring
	blacklist *redisdb.Blacklist
	members   *redisdb.MembershipCache
	cfg       Config
	logger    *slog.Logger
	dummyHash []byte
	verified  *verifiedTokens
	local     *localAuth
}

// New assembles the service. It computes, once, a password hash used to
// spend the same time on unknown emails as on wrong passwords.
func New(store *postgres.Store, redis *redisdb.Clients, tokens *accesstoken.Issuer, keyring *encryption.Keyring, cfg Config, logger *slog.Logger) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = 12
	}
	if cfg.RefreshTTL == 0 {
		cfg.RefreshTTL = 30 * 24 * time.Hour
	}
	if cfg.TOTPIssuer == "" {
		cfg.TOTPIssuer = "Social Media Manager"
	}
	if cfg.MembershipCacheTTL == 0 {
		cfg.MembershipCacheTTL = time.Minute
	}
	if cfg.LoginFailureLimit == 0 {
		cfg.LoginFailureLimit = 10
	}
	if cfg.LoginFailureWindow == 0 {
		cfg.LoginFailureWindow = 15 * time.Minute
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte(uuid.NewString()), cfg.BcryptCost)
	if err != nil {
		return nil, err
	}
	s := &Service{
		store:     store,
		tokens:    tokens,
		keyring:   keyring,
		blacklist: redis.NewBlacklist(),
		members:   redis.NewMembershipCache(cfg.MembershipCacheTTL),
		cfg:       cfg,
		logger:    logger,
		dummyHash: dummy,
		verified:  newVerifiedTokens(100_000),
	}
	if cfg.Invalidations != nil {
		s.local = newLocalAuth(cfg.Invalidations, s.blacklist)
	}
	return s, nil
}

// Client describes where a request came from, for the audit.
type Client struct {
	IP        string
	UserAgent string
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

func newID() uuid.UUID {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.New()
	}
	return id
}

// Store returns the underlying store, for handlers that read
// organization-owned data through the organization-bound handle.
func (s *Service) Store() *postgres.Store { return s.store }
