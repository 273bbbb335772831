// Package app assembles one smm process from its configuration: database
// pool, Redis clients, metrics registry and HTTP edge. It is a Run/Close
// pair, so end-to-end tests start the real service on a free port exactly as
// main does.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/socialmediamanager/smm/actors"
	"github.com/socialmediamanager/smm/cluster"
	"github.com/socialmediamanager/smm/config"
	"github.com/socialmediamanager/smm/contents"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/http/api"
	"github.com/socialmediamanager/smm/http/ratelimit"
	"github.com/socialmediamanager/smm/identity"
	"github.com/socialmediamanager/smm/identity/accesstoken"
	"github.com/socialmediamanager/smm/migrations"
	"github.com/socialmediamanager/smm/persistence/postgres"
	"github.com/socialmediamanager/smm/persistence/redisdb"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/publications"
	"github.com/socialmediamanager/smm/socialaccounts"
)

// App is one running smm service.
type App struct {
	cfg      config.Config
	logger   *slog.Logger
	pool     *pgxpool.Pool
	redis    *redisdb.Clients
	registry *prometheus.Registry
	api      *api.API
	listener net.Listener
	started  atomic.Bool
	fatal    chan error
	limiter  *ratelimit.Limiter
	node     *cluster.Node
	// ownNode is whether this App started node (and so closes it).
	ownNode bool
	// accounts is the social-accounts service; sim the in-process provider
	// simulators of sandbox mode (nil otherwise).
	accounts *socialaccounts.Service
	sim      *simulator.Server
	// invalidations keeps in-memory caches in step across instances.
	invalidations *redisdb.Invalidations
	// publishObserver is told each publication's lateness (tests, bench).
	publishObserver func(org uuid.UUID, p domain.Publication, lateness time.Duration)
}

// WithPublishObserver tells f each publication's lateness at its first
// claim: benchmarks and tests measure firing precision with it.
func WithPublishObserver(f func(org uuid.UUID, p domain.Publication, lateness time.Duration)) Option {
	return func(a *App) { a.publishObserver = f }
}

// New builds the service and binds its listener, so Addr is known before Run
// (tests pass "127.0.0.1:0"). It does not wait for PostgreSQL or Redis: the
// service starts while they are down and reports not ready until they answer.
func New(ctx context.Context, cfg config.Config, logger *slog.Logger, opts ...Option) (*App, error) {
	a := &App{cfg: cfg, logger: logger, registry: prometheus.NewRegistry(), fatal: make(chan error, 1)}
	for _, o := range opts {
		o(a)
	}
	keys, err := loadSigningKeys(cfg, logger)
	if err != nil {
		return nil, err
	}
	keyring, err := loadKeyring(cfg, logger)
	if err != nil {
		return nil, err
	}
	if a.pool, err = postgres.Open(ctx, cfg.DatabaseURL, cfg.DatabaseMaxConns); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if a.redis, err = redisdb.Open(cfg.RedisURL); err != nil {
		a.pool.Close()
		return nil, fmt.Errorf("open redis: %w", err)
	}
	a.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		postgres.NewPoolCollector(a.pool),
	)
	store := postgres.NewStore(a.pool)
	issuer := accesstoken.NewIssuer(keys, accesstoken.Options{Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience, TTL: cfg.AccessTokenTTL})
	a.invalidations = a.redis.NewInvalidations(logger)
	ident, err := identity.New(store, a.redis, issuer, keyring, identity.Config{
		BcryptCost: cfg.BcryptCost, RefreshTTL: cfg.RefreshTokenTTL, Invalidations: a.invalidations,
	}, logger)
	if err != nil {
		a.closeStores()
		return nil, fmt.Errorf("identity service: %w", err)
	}
	a.limiter = ratelimit.New(a.redis.RateLimits, logger, ratelimit.WithMetrics(a.registry))
	clients, sim, err := providerClients(cfg, logger)
	if err != nil {
		a.closeStores()
		return nil, err
	}
	a.sim = sim
	a.accounts = socialaccounts.New(socialaccounts.Deps{
		Store: store, States: a.redis.NewOAuthStates(), Sealer: keyring, Clients: clients.byProvider(), StepUp: ident,
		Logger: logger.With(slog.String("component", "social_accounts")),
	}, socialaccounts.Config{
		CallbackBaseURL: cfg.Providers.PublicURL, RefreshMargin: cfg.Providers.RefreshMargin,
		HealthInterval: cfg.Providers.HealthInterval,
	})
	grainMetrics := actors.NewMetrics()
	a.registry.MustRegister(grainMetrics.Collectors()...)
	runtime := actors.NewRuntime(actors.Options{
		Store:       func(org uuid.UUID) actors.OrgStore { return store.Org(org) },
		Writer:      ident,
		Logger:      logger.With(slog.String("component", "actors")),
		IdleTimeout: cfg.Cluster.OrgIdleTimeout,
		Metrics:     grainMetrics,
		Accounts:    a.accounts,
		Publishing:  publishingOptions(cfg, store, a.redis, clients, a.accounts, a.publishObserver),
	})
	if a.node == nil {
		if a.node, err = cluster.Start(cluster.Options{Config: cfg.Cluster, Runtime: runtime, Logger: logger}); err != nil {
			a.closeStores()
			return nil, fmt.Errorf("actor cluster: %w", err)
		}
		a.ownNode = true
	}
	a.api = api.New(api.Options{
		Logger:       logger,
		BodyLimit:    cfg.HTTPBodyLimit,
		ReadTimeout:  cfg.HTTPReadTimeout,
		WriteTimeout: cfg.HTTPWriteTimeout,
		IdleTimeout:  cfg.HTTPIdleTimeout,
		CORSOrigins:  cfg.CORSOrigins,
		CursorSecret: cfg.CursorSecret,
		ReadyChecks: map[string]api.Check{
			"postgres": func(ctx context.Context) error { return postgres.Ping(ctx, a.pool) },
			"redis":    a.redis.Ping,
			"cluster":  a.node.Healthy,
		},
		Started:        a.started.Load,
		Registerer:     a.registry,
		Gatherer:       a.registry,
		Identity:       ident,
		Idempotency:    store,
		Sealer:         keyring,
		JWKS:           keys.JWKS(),
		Limiter:        a.limiter,
		RateLimits:     cfg.RateLimits,
		TrustedProxies: cfg.TrustedProxies,
		Organizations:  a.node.Organizations(),
		Cluster:        a.node,
		SocialAccounts: a.accounts,
		OAuthReturnURL: cfg.Providers.OAuthReturnURL,
		Campaigns:      contents.NewCampaigns(store),
		Contents:       contents.NewContents(store),
		Publications:   publications.New(store, a.node.Organizations()),
	})
	a.accounts.SetGrains(a.node.Organizations())
	if a.listener, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		a.closeStores()
		return nil, fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	return a, nil
}

// API returns the HTTP edge, so end-to-end tests can add probe routes.
func (a *App) API() *api.API { return a.api }

// Addr is the address the service listens on.
func (a *App) Addr() string { return a.listener.Addr().String() }

// Run serves until ctx is cancelled, then stops accepting connections and
// gives in-flight requests SMM_SHUTDOWN_TIMEOUT to finish.
func (a *App) Run(ctx context.Context) error {
	go a.startUp(ctx)
	go a.invalidations.Run(ctx)
	go sweepTokens(ctx, postgres.NewStore(a.pool), a.node.Organizations(), a.cfg.Providers.SweepInterval, a.cfg.Providers.RefreshMargin, a.logger)
	go a.scheduleSweeper().Run(ctx)
	a.logger.InfoContext(ctx, "smm serving", slog.String("addr", a.Addr()))

	served := make(chan error, 1)
	go func() { served <- a.api.App().Listener(a.listener) }()

	var fatal error
	select {
	case err := <-served:
		return fmt.Errorf("serve http: %w", err)
	case fatal = <-a.fatal:
		a.logger.Error("refusing to run", slog.Any("error", fatal))
	case <-ctx.Done():
	}
	a.logger.Info("shutting down", slog.Duration("timeout", a.cfg.ShutdownTimeout))
	if err := a.api.App().ShutdownWithTimeout(a.cfg.ShutdownTimeout); err != nil {
		return fmt.Errorf("shut down http: %w", err)
	}
	if err := <-served; err != nil {
		return fmt.Errorf("serve http: %w", err)
	}
	a.logger.Info("http stopped")
	return fatal
}

// startUp marks start-up complete once the database role is checked (it
// must be subject to row-level security: a role that is owner, superuser or
// BYPASSRLS stops the service) and every embedded migration is applied with
// its checksum. Until then /health/startup and /health/ready answer 503; it
// keeps trying, so a database that comes up late is fine.
func (a *App) startUp(ctx context.Context) {
	m := migrations.Embedded()
	var last string
	for {
		err := postgres.RoleCheck(ctx, a.pool)
		if err != nil && domain.ErrorCode(err) != domain.CodeUnavailable {
			a.fatal <- err
			return
		}
		if err == nil {
			err = m.Verify(ctx, a.pool)
		}
		if err == nil {
			a.started.Store(true)
			a.logger.InfoContext(ctx, "start-up complete: database role checked, migrations verified")
			return
		}
		if msg := err.Error(); msg != last {
			a.logger.WarnContext(ctx, "migrations not verified yet", slog.Any("error", err))
			last = msg
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// Option changes how New builds the service.
type Option func(*App)

// WithNode makes the service an HTTP edge of a cluster member that another
// App started and closes: it sends its organization commands to that
// member's cluster and starts none of its own. Tests use it to run two
// edges in one process, which two protoactor members cannot share (their
// remotes race on gRPC's global logger).
func WithNode(n *cluster.Node) Option { return func(a *App) { a.node = n } }

// Simulator is the in-process provider simulators of sandbox mode (nil
// when the service uses SMM_SIMULATOR_URL or live providers); tests drive
// OAuth through it and inspect what reached the "network".
func (a *App) Simulator() *simulator.Server { return a.sim }

// Node is the cluster member the service sends organization commands
// through.
func (a *App) Node() *cluster.Node { return a.node }

// Close releases the listener, the database pool and the Redis clients.
func (a *App) Close() error {
	var errs []error
	if a.listener != nil {
		if err := a.listener.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	errs = append(errs, a.closeStores())
	return errors.Join(errs...)
}

func (a *App) closeStores() error {
	if a.node != nil && a.ownNode {
		_ = a.node.Close()
	}
	a.node = nil
	if a.limiter != nil {
		a.limiter.Close()
	}
	if a.sim != nil {
		_ = a.sim.Close()
		a.sim = nil
	}
	a.pool.Close()
	return a.redis.Close()
}
