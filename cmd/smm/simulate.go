package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/socialmediamanager/smm/providers/simulator"
)

// simulate serves the Instagram, TikTok and YouTube simulators until the
// context ends: a sandbox for the service (SMM_SIMULATOR_URL) or for any
// client of those APIs. Faults can be set at start-up with flags and later
// through POST /_sim/faults/{provider}.
func simulate(ctx context.Context, args []string, stdout io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	fl := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	addr := fl.String("addr", cfg.Providers.SimulatorAddr, "host:port to listen on")
	var sc simulator.Config
	fl.IntVar(&sc.InstagramPublishCap, "instagram-publish-cap", 0, "Instagram publishes per account per rolling 24 h (0: 50)")
	fl.IntVar(&sc.InstagramCallsPerHour, "instagram-calls-per-hour", 0, "Instagram Graph calls per token per hour (0: 200)")
	fl.IntVar(&sc.TikTokPostsPerDay, "tiktok-posts-per-day", 0, "TikTok posts per user per 24 h (0: 15)")
	fl.IntVar(&sc.YouTubeQuota, "youtube-quota", 0, "YouTube project quota units per day (0: 10000)")
	fl.IntVar(&sc.YouTubeUploadCost, "youtube-upload-cost", 0, "units a YouTube upload costs (0: 100)")
	fl.DurationVar(&sc.ProcessingDelay, "processing-delay", 0, "how long media stays in processing before it can be published")
	fl.DurationVar(&sc.InstagramLongTTL, "instagram-token-ttl", 0, "lifetime of Instagram long-lived tokens (0: 60 days)")
	fl.DurationVar(&sc.TikTokAccessTTL, "tiktok-token-ttl", 0, "lifetime of TikTok access tokens (0: 24h)")
	fl.DurationVar(&sc.GoogleAccessTTL, "google-token-ttl", 0, "lifetime of Google access tokens (0: 1h)")
	latency := fl.Duration("latency", 0, "delay every answer of every provider")
	outage := fl.String("outage", "", "provider (instagram, tiktok, youtube) that fails every call until cleared")
	if err := fl.Parse(args); err != nil {
		return usageError{fmt.Errorf("simulate: %w", err)}
	}
	sim := simulator.New(sc)
	for _, p := range []string{simulator.Instagram, simulator.TikTok, simulator.YouTube} {
		f := simulator.FaultRequest{Faults: simulator.Faults{LatencyMS: int(*latency / time.Millisecond), Outage: *outage == p}}
		sim.SetFaults(p, f)
	}
	srv, err := simulator.Listen(sim, *addr)
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "smm simulate: Instagram, TikTok and YouTube simulators on %s\n", srv.URL)
	fmt.Fprintf(stdout, "  state:  GET %s/_sim/state\n  faults: POST %s/_sim/faults/{provider}\n", srv.URL, srv.URL)
	<-ctx.Done()
	return nil
}
