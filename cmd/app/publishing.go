package app

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/actors"
	"github.com/socialmediamanager/smm/config"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/postgres"
	"github.com/socialmediamanager/smm/persistence/redisdb"
	"github.com/socialmediamanager/smm/providers/publisher"
	"github.com/socialmediamanager/smm/socialaccounts"
)

// publishingOptions wires the grains' publishing engine: the publications
// store, the provider publisher, token refresh on demand and YouTube's
// project quota in Redis db2 (one count per cluster name: a deployment is
// one Google project).
func publishingOptions(cfg config.Config, store *postgres.Store, redis *redisdb.Clients, clients providerSet,
	accounts *socialaccounts.Service, observe func(uuid.UUID, domain.Publication, time.Duration)) actors.PublishingOptions {
	pacific, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		pacific = time.FixedZone("PST", -8*3600)
	}
	pub := publisher.New(publisher.Config{
		Instagram: clients.instagram, TikTok: clients.tiktok, YouTube: clients.youtube, Tokens: accounts,
		HTTPClient: &http.Client{Timeout: cfg.Providers.Timeout, Transport: clients.transport},
	})
	return actors.PublishingOptions{
		Store:             func(org uuid.UUID) actors.PublicationStore { return store.Org(org) },
		Publisher:         pub,
		PostingOptions:    pub,
		Refresher:         accounts,
		YouTubeQuota:      redisdb.NewDailyQuota(redis.RateLimits, cfg.Cluster.Name+":youtube", int64(cfg.Publishing.YouTubeDailyQuota), pacific),
		YouTubeUploadCost: int64(cfg.Publishing.YouTubeUploadCost),
		Lease:             cfg.Publishing.Lease,
		RetryDelays:       cfg.Publishing.RetryDelays,
		MaxInFlight:       cfg.Publishing.Concurrency,
		UnknownGrace:      2 * cfg.Providers.Timeout,
		Horizon:           2 * cfg.Publishing.SweepEvery,
		Observe:           observe,
	}
}

// scheduleSweeper is the node's schedule sweep: every SMM_SCHEDULE_SWEEP
// and at every topology change it wakes the grains with work due.
func (a *App) scheduleSweeper() *actors.Sweeper {
	store := postgres.NewStore(a.pool)
	return &actors.Sweeper{
		Due:      store.OrgsWithDuePublications,
		Grains:   a.node.Organizations(),
		Every:    a.cfg.Publishing.SweepEvery,
		Changes:  a.node.TopologyChanged,
		Logger:   a.logger.With(slog.String("component", "schedule_sweep")),
		Parallel: 16,
		Local:    a.node.Runtime().IsHosted,
	}
}
