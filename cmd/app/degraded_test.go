package app_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/cmd/app"
	"github.com/socialmediamanager/smm/cmd/app/apptest"
	"github.com/socialmediamanager/smm/config"
	"github.com/socialmediamanager/smm/persistence/pgtest"
	"github.com/socialmediamanager/smm/telemetry"
)

// TestRedisOutage cuts Redis: sign-in routes fail closed (503), while
// authenticated reads keep working from PostgreSQL (the blacklist falls back
// to the revoked refresh family, the role cache to the memberships table,
// the token limit to the in-process limiter), and a logged-out token stays
// refused. When Redis returns, sign-in works again.
func TestRedisOutage(t *testing.T) {
	redisURL := os.Getenv("SMM_REDIS_URL")
	if redisURL == "" {
		redisURL = "redis://127.0.0.1:6379"
	}
	ru, _ := url.Parse(redisURL)
	proxy := newFaultProxy(t, ru.Host)
	s := apptest.Start(t, func(c *config.Config) { c.RedisURL = withHost(t, c.RedisURL, proxy.addr) })
	c := apiClient{t: t, base: s.URL}
	email := uniqueEmail(t)
	reg := register(t, c, email)
	var other tokens
	login(t, c, email, "correct horse battery").into(t, 200, &other)
	c.do("POST", "/api/v1/auth/logout", nil, bearer(other.AccessToken)).into(t, 200, nil)

	proxy.down()
	if r := login(t, c, email, "correct horse battery"); r.Status != 503 || r.code() != "unavailable" {
		t.Errorf("got %d %s signing in without Redis, want 503 unavailable (fail closed)", r.Status, r.Raw)
	}
	if r := c.do("GET", "/api/v1/me", nil, bearer(reg.Tokens.AccessToken)); r.Status != 200 {
		t.Errorf("got %d %s reading /me without Redis, want 200 from PostgreSQL", r.Status, r.Raw)
	}
	if r := c.do("GET", "/api/v1/me", nil, bearer(other.AccessToken)); r.Status != 401 {
		t.Errorf("got %d for a logged-out token without Redis, want 401", r.Status)
	}
	proxy.up()
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := login(t, c, email, "correct horse battery")
		if r.Status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d %s after Redis returned, want sign-in to recover", r.Status, r.Raw)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestRefusesToRunAsOwner starts the service connected as the schema owner:
// row-level security would not bind it, so Run stops with an error.
func TestRefusesToRunAsOwner(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.DatabaseURL = pgtest.OwnerURL(t)
	var logs strings.Builder
	a, err := app.New(context.Background(), cfg, telemetry.NewLogger(&syncWriter{b: &logs}, "json", cfg.LogLevel))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = a.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Errorf("got %v, want Run to refuse the owner role", err)
	}
}
