package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/socialmediamanager/smm/cmd/app"
	"github.com/socialmediamanager/smm/config"
	"github.com/socialmediamanager/smm/http/ratelimit"
	"github.com/socialmediamanager/smm/telemetry"
)

// baselinePath is the one route of the baseline app.
const baselinePath = "/"

// readyTimeout bounds the wait for the service's /health/ready.
const readyTimeout = 15 * time.Second

// server is a running HTTP server of this process and how to stop it.
type server struct {
	url  string
	stop func() error
}

// Stop shuts the server down and reports how it ended.
func (s *server) Stop() error {
	if s == nil || s.stop == nil {
		return nil
	}
	return s.stop()
}

// startBaseline serves the bare fiber app on a free loopback port.
func startBaseline() (*server, error) {
	f := fiber.New(fiber.Config{DisableStartupMessage: true})
	f.Get(baselinePath, func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"status": "ok"})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("baseline: listen: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- f.Listener(ln) }()
	return &server{
		url: "http://" + ln.Addr().String(),
		stop: func() error {
			err := f.ShutdownWithTimeout(5 * time.Second)
			return errors.Join(err, <-done)
		},
	}, nil
}

// startService runs the real service, configured from the environment as
// `smm serve` is, on a free loopback port, logging at level to io.Discard
// (an access log written anywhere would be measured too), and waits until
// it is ready.
func startService(ctx context.Context, level slog.Level, client *http.Client) (*server, error) {
	cfg, err := config.FromEnv()
	if err != nil {
		return nil, fmt.Errorf("service configuration: %w", err)
	}
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.Cluster.Addr = "127.0.0.1:0"
	cfg.Providers.SimulatorAddr = "127.0.0.1:0"
	cfg.LogLevel = level
	cfg.ShutdownTimeout = 5 * time.Second
	// The load comes from one client IP and one principal per scenario: the
	// rate limits would measure themselves. They are raised to the top (the
	// limiter still runs on every request, so its cost is measured).
	rl := &cfg.RateLimits
	for _, l := range []*ratelimit.Limit{&rl.IP, &rl.Token, &rl.Login, &rl.TwoFactor, &rl.Invitations} {
		l.Rate, l.Burst, l.Period = ratelimit.MaxRate, ratelimit.MaxBurst, time.Second
	}
	logger := telemetry.NewLogger(io.Discard, cfg.LogFormat, cfg.LogLevel)

	runCtx, cancel := context.WithCancel(ctx)
	a, err := app.New(runCtx, cfg, logger)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("start service: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	s := &server{
		url: "http://" + a.Addr(),
		stop: func() error {
			cancel()
			return errors.Join(<-done, a.Close())
		},
	}
	if err := waitReady(ctx, client, s.url+"/health/ready", readyTimeout); err != nil {
		return nil, errors.Join(err, s.Stop())
	}
	return s, nil
}

// waitReady polls url until it answers 200, failing after timeout with the
// last answer, which names what is not ready.
func waitReady(ctx context.Context, client *http.Client, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last := "no answer"
	for {
		status, body, err := get(ctx, client, url)
		switch {
		case err == nil && status == http.StatusOK:
			return nil
		case err == nil:
			last = fmt.Sprintf("%d %s", status, strings.TrimSpace(body))
		case ctx.Err() == nil:
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			hint := ""
			if strings.Contains(last, `"startup"`) {
				hint = " (start-up pending: are the migrations applied? `go run ./cmd/smm migrate up`, which make bench runs first)"
			}
			return fmt.Errorf("service not ready after %s%s: GET %s: %s", timeout, hint, url, last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// get sends one GET and returns the status and (at most 64 KiB of) body.
func get(ctx context.Context, client *http.Client, url string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, string(body), err
}
