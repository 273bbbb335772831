package socialaccounts_test

import (
	"context"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/providers/simulator"
)

// TikTok rotates refresh tokens: each refresh must store the new one, or
// the next refresh fails.
func TestTikTokRotationStoresTheNewRefreshToken(t *testing.T) {
	e := newEnv(t, simulator.Config{TikTokAccessTTL: 2 * time.Hour})
	p := e.tenant()
	a := e.connect(p, domain.ProviderTikTok, "frank")
	ctx := context.Background()
	before, _ := e.store.Org(p.OrganizationID).SocialAccountTokens(ctx, a.ID)

	wait, err := e.svc.Maintain(ctx, p.OrganizationID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2*time.Hour - refreshMargin; wait < want-time.Minute || wait > want+time.Minute {
		t.Errorf("first maintain: got next in %v, want about %v (refresh due at expiry minus the margin)", wait, want)
	}
	for round := 1; round <= 3; round++ {
		e.clock.advance(wait)
		if wait, err = e.svc.Maintain(ctx, p.OrganizationID, a.ID); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		got, _ := e.svc.Get(ctx, p, a.ID)
		if got.Status != domain.AccountConnected || got.LastRefreshAt == nil || !got.LastRefreshAt.Equal(e.clock.Now()) {
			t.Fatalf("round %d: got status %s, last refresh %v; want refreshed now", round, got.Status, got.LastRefreshAt)
		}
	}
	after, _ := e.store.Org(p.OrganizationID).SocialAccountTokens(ctx, a.ID)
	if string(after.Refresh) == string(before.Refresh) {
		t.Errorf("the sealed refresh token did not change across refreshes")
	}
}

// Only a definitive refusal marks needs_reauth, once, with its event.
func TestRevokedRefreshMarksNeedsReauth(t *testing.T) {
	e := newEnv(t, simulator.Config{TikTokAccessTTL: time.Hour})
	p := e.tenant()
	a := e.connect(p, domain.ProviderTikTok, "grace")
	ctx := context.Background()
	e.sim.SetFaults(simulator.TikTok, simulator.FaultRequest{RevokeRefresh: true})
	e.clock.advance(time.Hour - refreshMargin + time.Minute)
	for range 2 {
		if _, err := e.svc.Maintain(ctx, p.OrganizationID, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := e.svc.Get(ctx, p, a.ID)
	if got.Status != domain.AccountNeedsReauth {
		t.Fatalf("got status %s, want needs_reauth", got.Status)
	}
	events, _ := e.store.Org(p.OrganizationID).Events(ctx, domain.EventAccountNeedsReauth)
	if len(events) != 1 || events[0].SubjectID != a.ID {
		t.Errorf("got %d %s events, want 1 for the account", len(events), domain.EventAccountNeedsReauth)
	}
}

// Transient failures are retried with a growing backoff; the account turns
// expiring (one event) and recovers when the provider does.
func TestTransientRefreshFailuresBackOff(t *testing.T) {
	e := newEnv(t, simulator.Config{TikTokAccessTTL: time.Hour})
	p := e.tenant()
	a := e.connect(p, domain.ProviderTikTok, "heidi")
	ctx := context.Background()
	e.clock.advance(time.Hour - refreshMargin + time.Minute)
	e.sim.SetFaults(simulator.TikTok, simulator.FaultRequest{Faults: simulator.Faults{ServerErrors: 2}})
	var waits []time.Duration
	for range 2 {
		wait, err := e.svc.Maintain(ctx, p.OrganizationID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		waits = append(waits, wait)
		got, _ := e.svc.Get(ctx, p, a.ID)
		if got.Status != domain.AccountExpiring {
			t.Fatalf("after a 5xx: got status %s, want expiring", got.Status)
		}
		e.clock.advance(wait)
	}
	if waits[0] != retryMin || waits[1] != 2*retryMin {
		t.Errorf("got waits %v, want %v then %v", waits, retryMin, 2*retryMin)
	}
	if _, err := e.svc.Maintain(ctx, p.OrganizationID, a.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := e.svc.Get(ctx, p, a.ID)
	if got.Status != domain.AccountConnected {
		t.Errorf("after the provider recovered: got status %s, want connected", got.Status)
	}
	events, _ := e.store.Org(p.OrganizationID).Events(ctx, domain.EventAccountTokenExpiring)
	if len(events) != 1 {
		t.Errorf("got %d %s events, want 1", len(events), domain.EventAccountTokenExpiring)
	}
}

// The connection is checked every health interval.
func TestHealthCheck(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	p := e.tenant()
	a := e.connect(p, domain.ProviderYouTube, "ivan")
	ctx := context.Background()
	if _, err := e.svc.Maintain(ctx, p.OrganizationID, a.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := e.svc.Get(ctx, p, a.ID)
	if got.LastHealthCheckAt == nil || got.LastHealthError != "" {
		t.Fatalf("got last check %v, error %q; want a healthy check", got.LastHealthCheckAt, got.LastHealthError)
	}
}

// Disconnecting revokes at the provider, forgets the tokens, writes the
// event.
func TestDisconnect(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	p := e.tenant()
	a := e.connect(p, domain.ProviderTikTok, "judy")
	ctx := context.Background()
	if err := e.svc.Disconnect(ctx, p, a.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Get(ctx, p, a.ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("after disconnect: got %v, want not_found", err)
	}
	revoked := false
	for _, tok := range e.sim.State().Tokens {
		if tok.Provider == simulator.TikTok && tok.ExternalID == a.ExternalID && tok.Revoked {
			revoked = true
		}
	}
	if !revoked {
		t.Errorf("no token of the account revoked at the simulated TikTok")
	}
	events, _ := e.store.Org(p.OrganizationID).Events(ctx, domain.EventAccountDisconnected)
	if len(events) != 1 {
		t.Errorf("got %d %s events, want 1", len(events), domain.EventAccountDisconnected)
	}
}
