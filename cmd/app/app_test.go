package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/cmd/app"
	"github.com/socialmediamanager/smm/cmd/app/apptest"
	"github.com/socialmediamanager/smm/config"
	"github.com/socialmediamanager/smm/migrations"
	"github.com/socialmediamanager/smm/persistence/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

type envelope struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Code, Message, Field string
	} `json:"errors"`
	Meta struct {
		RequestID string            `json:"request_id"`
		Checks    map[string]string `json:"checks"`
	} `json:"meta"`
}

func get(t *testing.T, u string) (int, envelope, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env envelope
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &env); err != nil {
			t.Fatalf("GET %s: %v: %s", u, err, raw)
		}
	}
	return resp.StatusCode, env, string(raw)
}

func TestServiceIsReadyOnRealDependencies(t *testing.T) {
	s := apptest.Start(t)
	s.WaitReady(t, 10*time.Second)
	status, env, _ := get(t, s.URL+"/health/ready")
	if status != 200 || env.Meta.RequestID == "" {
		t.Fatalf("got %d %+v, want 200 with a request id", status, env)
	}
	if status, _, _ := get(t, s.URL+"/health/startup"); status != 200 {
		t.Errorf("got startup %d, want 200 once migrations are verified", status)
	}
	_, _, metrics := get(t, s.URL+"/metrics")
	for _, want := range []string{
		`smm_http_requests_total{method="GET",route="/health/ready",status="200"}`,
		"smm_pgx_pool_max_conns",
		"go_goroutines",
		"process_resident_memory_bytes",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("got /metrics without %s", want)
		}
	}
	if lines := s.LogLines(`"route":"/health/ready"`, `"request_id"`, `"trace_id"`, `"correlation_id"`); len(lines) == 0 {
		t.Errorf("got no access log line for /health/ready with all three ids:\n%s", s.Logs())
	}
}

func withHost(t *testing.T, raw, hostport string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = hostport
	return u.String()
}

// TestDependencyOutageAndRecovery cuts PostgreSQL, then Redis, behind a
// proxy: readiness turns 503 naming the dependency, and the service recovers
// by itself once the dependency is back, without a restart.
func TestDependencyOutageAndRecovery(t *testing.T) {
	pgURL, _ := url.Parse(pgtest.AppURL(t))
	pgProxy := newFaultProxy(t, pgURL.Host)
	redisURL := os.Getenv("SMM_REDIS_URL")
	if redisURL == "" {
		redisURL = "redis://127.0.0.1:6379"
	}
	ru, _ := url.Parse(redisURL)
	redisProxy := newFaultProxy(t, ru.Host)

	s := apptest.Start(t, func(c *config.Config) {
		c.DatabaseURL = withHost(t, c.DatabaseURL, pgProxy.addr)
		c.RedisURL = withHost(t, c.RedisURL, redisProxy.addr)
	})
	s.WaitReady(t, 10*time.Second)

	for _, dep := range []struct {
		name  string
		proxy *faultProxy
	}{{"postgres", pgProxy}, {"redis", redisProxy}} {
		t.Run(dep.name, func(t *testing.T) {
			dep.proxy.down()
			status, env, raw := get(t, s.URL+"/health/ready")
			if status != 503 {
				t.Fatalf("got %d with %s down, want 503: %s", status, dep.name, raw)
			}
			if len(env.Errors) != 1 || env.Errors[0].Field != dep.name || env.Errors[0].Code != "unavailable" {
				t.Errorf("got errors %+v, want one unavailable naming %s", env.Errors, dep.name)
			}
			if env.Meta.Checks[dep.name] != "unavailable" {
				t.Errorf("got checks %v, want %s unavailable", env.Meta.Checks, dep.name)
			}
			if status, _, _ := get(t, s.URL+"/health/live"); status != 200 {
				t.Errorf("got live %d during an outage, want 200: the process itself is fine", status)
			}
			dep.proxy.up()
			s.WaitReady(t, 15*time.Second)
		})
	}
}

// TestStartupWaitsForMigrations starts the service on a database whose
// migrations are not applied: startup and ready answer 503 until they are,
// then 200 without a restart.
func TestStartupWaitsForMigrations(t *testing.T) {
	ctx := context.Background()
	appURL, ownerURL, drop, err := pgtest.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	owner, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	m := migrations.Embedded()
	if _, err := m.Down(ctx, owner, 0); err != nil {
		t.Fatalf("revert migrations: %v", err)
	}
	s := apptest.Start(t, func(c *config.Config) { c.DatabaseURL, c.DatabaseOwnerURL = appURL, ownerURL })
	for _, path := range []string{"/health/startup", "/health/ready"} {
		if status, _, raw := get(t, s.URL+path); status != 503 {
			t.Errorf("got %s %d before migrations, want 503: %s", path, status, raw)
		}
	}
	appCfg, _ := pgx.ParseConfig(appURL)
	if _, err := m.Up(ctx, owner, migrations.UpOptions{GrantTo: appCfg.User}); err != nil {
		t.Fatalf("apply migrations: %v", err)
	}
	s.WaitReady(t, 10*time.Second)
	if status, _, _ := get(t, s.URL+"/health/startup"); status != 200 {
		t.Errorf("got startup %d after migrations, want 200", status)
	}
}

// TestGracefulShutdown stops the service while a request is in flight: the
// request completes, Run returns nil, and new connections are refused.
func TestGracefulShutdown(t *testing.T) {
	started := make(chan struct{})
	s := apptest.StartWith(t, apptest.Config(t), func(a *app.App) {
		a.API().App().Get("/test/slow", func(c *fiber.Ctx) error {
			close(started)
			time.Sleep(400 * time.Millisecond)
			return c.SendString("finished")
		})
	})
	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get(s.URL + "/test/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- result{status: resp.StatusCode, body: string(b)}
	}()
	select {
	case <-started:
	case r := <-got:
		t.Fatalf("got %+v before the slow handler started, want it in flight", r)
	case <-time.After(10 * time.Second):
		t.Fatal("slow handler never started")
	}
	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop() }()
	r := <-got
	if r.err != nil || r.status != 200 || r.body != "finished" {
		t.Errorf("got in-flight request %+v, want it finished with 200", r)
	}
	if err := <-stopped; err != nil {
		t.Errorf("got Stop error %v, want a clean stop", err)
	}
	client := http.Client{Timeout: time.Second}
	if resp, err := client.Get(s.URL + "/health/live"); err == nil {
		resp.Body.Close()
		t.Errorf("got status %d after shutdown, want the connection refused", resp.StatusCode)
	}
}
