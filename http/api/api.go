// Package api is the HTTP edge of the service, built on fiber: the
// middleware pipeline of DESIGN.md §4, the response envelope, the one
// mapping from domain error codes to HTTP statuses, strict JSON decoding,
// cursor pagination and the operations endpoints. Handlers decode, validate
// and call; business rules live in domain and the actors.
package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/socialmediamanager/smm/config"
	"github.com/socialmediamanager/smm/http/ratelimit"
	"github.com/socialmediamanager/smm/identity"
)

// Check reports whether one dependency answers; nil means healthy.
type Check func(ctx context.Context) error

// Options configures the edge. Every field but the checks has a usable zero
// value in tests.
type Options struct {
	Logger       *slog.Logger
	BodyLimit    int
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	IdleTimeout  time.Duration
	CORSOrigins  []string
	CursorSecret string

	// ReadyChecks are the dependencies /health/ready checks, by name.
	ReadyChecks map[string]Check
	// Started reports whether start-up finished (migrations verified).
	Started func() bool
	// Registerer receives the HTTP metrics; Gatherer serves /metrics.
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer

	// Identity runs the identity and tenancy use cases; nil serves only the
	// operations routes (tests of the edge itself).
	Identity *identity.Service
	// Idempotency stores Idempotency-Key records, sealed by Sealer.
	Idempotency IdempotencyStore
	Sealer      Sealer
	// JWKS is the JSON Web Key Set of the access-token verification keys.
	JWKS []byte
	// Limiter enforces RateLimits; nil disables rate limiting.
	Limiter        *ratelimit.Limiter
	RateLimits     config.RateLimits
	TrustedProxies ratelimit.TrustedProxies
	// Organizations sends organization-domain commands to the organization
	// grains; with Identity set it must be too.
	Organizations OrganizationCommands
	// Cluster answers the operator view of the actor cluster.
	Cluster ClusterOperator
	// SocialAccounts connects and manages social accounts (nil: the
	// routes are not served).
	SocialAccounts SocialAccounts
	// OAuthReturnURL, when set, is where the OAuth callback sends the
	// browser back, with the outcome in the query.
	OAuthReturnURL string
	// Publications schedules contents and reads publications (nil: the
	// routes are not served).
	Publications Publications
	// Campaigns and Contents manage what the organization publishes (nil:
	// their routes are not served).
	Campaigns Campaigns
	Contents  Contents
}

// API is the assembled HTTP edge.
type API struct {
	app     *fiber.App
	logger  *slog.Logger
	opts    Options
	cors    corsPolicy
	metrics *httpMetrics
	Cursors Cursors

	limitPublic    fiber.Handler
	limitPrincipal fiber.Handler
	scoped         map[string]fiber.Handler
}

// New assembles the edge: configuration, middleware pipeline and routes.
func New(opts Options) *API {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.BodyLimit <= 0 {
		opts.BodyLimit = 1 << 20
	}
	if opts.Started == nil {
		opts.Started = func() bool { return true }
	}
	if opts.Registerer == nil || opts.Gatherer == nil {
		reg := prometheus.NewRegistry()
		opts.Registerer, opts.Gatherer = reg, reg
	}
	a := &API{
		logger:  opts.Logger,
		opts:    opts,
		cors:    newCORSPolicy(opts.CORSOrigins),
		metrics: newHTTPMetrics(opts.Registerer),
		Cursors: NewCursors(opts.CursorSecret),
	}
	a.app = fiber.New(fiber.Config{
		AppName:               "smm",
		BodyLimit:             opts.BodyLimit,
		ReadTimeout:           opts.ReadTimeout,
		WriteTimeout:          opts.WriteTimeout,
		IdleTimeout:           opts.IdleTimeout,
		ErrorHandler:          a.handleError,
		DisableStartupMessage: true,
		StrictRouting:         false,
		CaseSensitive:         true,
		ReadBufferSize:        16 << 10,
	})
	a.app.Use(a.requestIDs, a.accessLog, a.recoverPanics, a.securityHeaders, a.corsHandler)
	a.buildLimiters()
	a.routes()
	return a
}

// App returns the fiber application, for serving and for tests.
func (a *API) App() *fiber.App { return a.app }
