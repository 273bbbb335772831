// Package apptest runs the real service, as main does, on a free loopback
// port against the test package's own database, for end-to-end tests.
package apptest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/cmd/app"
	"github.com/socialmediamanager/smm/config"
	"github.com/socialmediamanager/smm/http/ratelimit"
	"github.com/socialmediamanager/smm/persistence/pgtest"
	"github.com/socialmediamanager/smm/telemetry"
)

// Server is one running service.
type Server struct {
	URL    string
	App    *app.App
	Config config.Config
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// Start runs the service with the test configuration (the package database
// of pgtest, Redis from SMM_REDIS_URL, a free port), after the mutators have
// changed it, and waits until /health/live answers. The service is stopped
// at the end of the test; a Run error fails the test.
func Start(t testing.TB, mutate ...func(*config.Config)) *Server {
	t.Helper()
	cfg := Config(t)
	for _, m := range mutate {
		m(&cfg)
	}
	return StartWith(t, cfg)
}

// StartBeside runs a second service as another HTTP edge of the cluster
// member of s, with the same signing and encryption keys: two instances of
// one deployment, as far as PostgreSQL, Redis and the grains can tell. (Two
// protoactor members in one process race inside gRPC, so the members
// themselves are tested as separate processes, in package cluster.)
func StartBeside(t testing.TB, s *Server, mutate ...func(*config.Config)) *Server {
	t.Helper()
	cfg := Config(t)
	cfg.DataDir = s.Config.DataDir
	for _, m := range mutate {
		m(&cfg)
	}
	return start(t, cfg, []app.Option{app.WithNode(s.App.Node())})
}

// Config is the test configuration Start uses: the package database of
// pgtest, Redis from SMM_REDIS_URL, a free port, debug logs kept in memory.
func Config(t testing.TB) config.Config {
	t.Helper()
	cfg, err := config.FromEnv()
	if err != nil {
		t.Fatalf("test configuration: %v", err)
	}
	cfg.Env = config.EnvTest
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.Cluster.Provider = config.ClusterSingle
	cfg.Cluster.Addr = "127.0.0.1:0"
	cfg.Providers.SimulatorAddr = "127.0.0.1:0"
	cfg.DatabaseURL = pgtest.AppURL(t)
	cfg.DatabaseOwnerURL = pgtest.OwnerURL(t)
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.LogLevel = slog.LevelDebug
	cfg.DataDir = t.TempDir()
	// Tests share one client IP and one Redis: limits are out of the way
	// unless a test sets its own (and then a unique client IP).
	unlimited := func(l ratelimit.Limit) ratelimit.Limit {
		l.Rate, l.Burst, l.Period = ratelimit.MaxRate, ratelimit.MaxBurst, time.Second
		return l
	}
	// The YouTube project quota is counted per day in the shared Redis:
	// out of the way too, unless a test sets its own (and a cluster name).
	cfg.Publishing.YouTubeDailyQuota = 1 << 40
	rl := &cfg.RateLimits
	rl.IP, rl.Token, rl.Login, rl.TwoFactor, rl.Invitations = unlimited(rl.IP), unlimited(rl.Token), unlimited(rl.Login), unlimited(rl.TwoFactor), unlimited(rl.Invitations)
	return cfg
}

// StartWith runs the service with exactly cfg; setup functions run after the
// service is built and before it serves (fiber fixes its routes when it
// starts serving, so test-only routes are added here).
func StartWith(t testing.TB, cfg config.Config, setup ...func(*app.App)) *Server {
	t.Helper()
	return start(t, cfg, nil, setup...)
}

func start(t testing.TB, cfg config.Config, opts []app.Option, setup ...func(*app.App)) *Server {
	t.Helper()
	s := &Server{Config: cfg, logs: &syncBuffer{}, done: make(chan error, 1)}
	var out io.Writer = s.logs
	if os.Getenv("SMM_TEST_LOG") != "" {
		out = io.MultiWriter(s.logs, os.Stderr)
	}
	logger := telemetry.NewLogger(out, "json", cfg.LogLevel)
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, logger, opts...)
	if err != nil {
		cancel()
		t.Fatalf("start service: %v", err)
	}
	s.App, s.cancel, s.URL = a, cancel, "http://"+a.Addr()
	for _, f := range setup {
		f(a)
	}
	go func() { s.done <- a.Run(ctx) }()
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("service stopped with %v, want a clean stop", err)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/health/live")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("service did not answer /health/live within 10s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s
}

// Stop cancels the service's context and waits for Run to return, then
// releases its resources. It is safe to call more than once.
func (s *Server) Stop() error {
	if s.cancel == nil {
		return nil
	}
	s.cancel()
	s.cancel = nil
	var err error
	select {
	case err = <-s.done:
	case <-time.After(s.Config.ShutdownTimeout + 5*time.Second):
		err = errors.New("service did not stop in time")
	}
	return errors.Join(err, s.App.Close())
}

// Done is closed with Run's result when the service stops.
func (s *Server) Done() <-chan error { return s.done }

// WaitReady waits until /health/ready answers 200.
func (s *Server) WaitReady(t testing.TB, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		resp, err := http.Get(s.URL + "/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("service not ready within %s (last: %v %v)", within, resp, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Logs returns everything the service logged so far, one JSON object a line.
func (s *Server) Logs() string { return s.logs.String() }

// LogLines returns the logged lines that contain every one of the words.
func (s *Server) LogLines(words ...string) []string {
	var out []string
	for _, line := range strings.Split(s.Logs(), "\n") {
		ok := line != ""
		for _, w := range words {
			ok = ok && strings.Contains(line, w)
		}
		if ok {
			out = append(out, line)
		}
	}
	return out
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
