package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/config"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/postgres"
	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/instagram"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/providers/tiktok"
	"github.com/socialmediamanager/smm/providers/youtube"
	"github.com/socialmediamanager/smm/socialaccounts"
)

// Sandbox credentials: the simulators accept any, and these say what they
// are in their state.
const (
	sandboxClientID     = "smm-sandbox"
	sandboxClientSecret = "smm-sandbox-secret"
)

// providerClients builds the three clients: against the simulators in
// sandbox mode (started in-process unless SMM_SIMULATOR_URL names running
// ones), against the real APIs in live mode. It returns the in-process
// simulator server, if it started one, for Close.
// providerSet is the provider clients of a node, built once.
type providerSet struct {
	instagram *instagram.Client
	tiktok    *tiktok.Client
	youtube   *youtube.Client
	// transport is the connection pool every provider call shares.
	transport http.RoundTripper
}

// providerTransport is the connection pool of provider calls: sized for
// SMM_PUBLISH_CONCURRENCY calls to one host at once, so a busy node reuses
// its connections instead of opening (and leaving in TIME_WAIT) one per
// call, which exhausts file descriptors under load.
func providerTransport(concurrency int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 4 * max(concurrency, 16)
	t.MaxIdleConnsPerHost = 2 * max(concurrency, 16)
	t.IdleConnTimeout = 90 * time.Second
	return t
}

// byProvider is the set as social accounts use it.
func (ps providerSet) byProvider() map[domain.Provider]socialaccounts.Client {
	return map[domain.Provider]socialaccounts.Client{
		domain.ProviderInstagram: ps.instagram, domain.ProviderTikTok: ps.tiktok, domain.ProviderYouTube: ps.youtube,
	}
}

func providerClients(cfg config.Config, logger *slog.Logger) (providerSet, *simulator.Server, error) {
	pc := cfg.Providers
	transport := providerTransport(cfg.Publishing.Concurrency)
	httpCfg := providers.HTTPConfig{Timeout: pc.Timeout, Live: pc.Mode == config.ProvidersLive, Transport: transport}
	ig := instagram.Config{ClientID: pc.InstagramClientID, ClientSecret: pc.InstagramClientSecret}
	tt := tiktok.Config{ClientKey: pc.TikTokClientKey, ClientSecret: pc.TikTokClientSecret}
	yt := youtube.Config{ClientID: pc.GoogleClientID, ClientSecret: pc.GoogleClientSecret}
	var sim *simulator.Server
	if pc.Mode != config.ProvidersLive {
		base := pc.SimulatorURL
		if base == "" {
			var err error
			if sim, err = simulator.Listen(simulator.New(simulator.Config{}), pc.SimulatorAddr); err != nil {
				return providerSet{}, nil, fmt.Errorf("start the provider simulators on %s (SMM_SIMULATOR_ADDR): %w", pc.SimulatorAddr, err)
			}
			base = sim.URL
			logger.Info("provider simulators serving (sandbox mode)", slog.String("url", base))
		}
		ig, tt, yt = instagram.SandboxConfig(base), tiktok.SandboxConfig(base), youtube.SandboxConfig(base)
		ig.ClientID, ig.ClientSecret = sandboxClientID, sandboxClientSecret
		tt.ClientKey, tt.ClientSecret = sandboxClientID, sandboxClientSecret
		yt.ClientID, yt.ClientSecret = sandboxClientID, sandboxClientSecret
	}
	ig.Version, ig.HTTP, tt.HTTP, yt.HTTP = pc.InstagramAPIVersion, httpCfg, httpCfg, httpCfg
	return providerSet{instagram: instagram.New(ig), tiktok: tiktok.New(tt), youtube: youtube.New(yt), transport: transport}, sim, nil
}

// organizationWaker wakes organization grains (Describe activates them).
type organizationWaker interface {
	Describe(ctx context.Context, org uuid.UUID) (domain.GrainActivation, error)
}

// sweepTokens wakes, every interval, the organizations with an account
// whose token is due for a refresh: a passivated grain keeps no timer, and
// its account actors refresh as they start. Several nodes sweeping the same
// organizations only wake grains that live on one node anyway.
func sweepTokens(ctx context.Context, store *postgres.Store, grains organizationWaker, interval, margin time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		due, err := store.AccountsExpiringBefore(ctx, time.Now().Add(margin+interval), 10000)
		if err != nil {
			if ctx.Err() == nil {
				logger.Warn("token sweep", slog.Any("error", err))
			}
			continue
		}
		woken := map[uuid.UUID]bool{}
		for _, d := range due {
			if woken[d.OrganizationID] {
				continue
			}
			woken[d.OrganizationID] = true
			if _, err := grains.Describe(ctx, d.OrganizationID); err != nil && ctx.Err() == nil {
				logger.Warn("token sweep: organization not woken", slog.String("organization_id", d.OrganizationID.String()), slog.Any("error", err))
			}
		}
	}
}
