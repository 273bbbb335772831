package youtube_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/providers/youtube"
)

// The authorize URL carries what Google needs for a refresh token and
// PKCE.
func TestAuthorizeURL(t *testing.T) {
	c := youtube.New(youtube.Config{ClientID: "cid"})
	pkce := providers.NewPKCE()
	u, err := url.Parse(c.AuthorizeURL("the-state", testRedirect, pkce))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := u.Scheme+"://"+u.Host+u.Path, "https://accounts.google.com/o/oauth2/v2/auth"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	q := u.Query()
	for _, tc := range []struct{ param, want string }{
		{"client_id", "cid"},
		{"redirect_uri", testRedirect},
		{"response_type", "code"},
		{"state", "the-state"},
		{"access_type", "offline"},
		{"prompt", "consent"},
		{"code_challenge", pkce.Challenge},
		{"code_challenge_method", "S256"},
		{"scope", strings.Join([]string{youtube.ScopeUpload, youtube.ScopeReadonly, youtube.ScopeForceSSL, youtube.ScopeAnalytics}, " ")},
	} {
		if got := q.Get(tc.param); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.param, got, tc.want)
		}
	}
	if got := youtube.New(youtube.Config{}).AuthorizeURL("s", testRedirect, providers.PKCE{}); strings.Contains(got, "code_challenge") {
		t.Errorf("without PKCE: got %s, want no code_challenge", got)
	}
}

// The whole round trip: consent, exchange, profile, refresh, revoke.
func TestOAuthRoundTrip(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	ctx := context.Background()
	pkce := providers.NewPKCE()
	q := e.authorize("s1", pkce, url.Values{"sim_user": {"carol"}})
	if q.Get("state") != "s1" || q.Get("code") == "" {
		t.Fatalf("got redirect query %v, want state s1 and a code", q)
	}
	before := time.Now()
	tok, err := e.client.Exchange(ctx, q.Get("code"), testRedirect, pkce)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("got access %t, refresh %t; want both", tok.AccessToken != "", tok.RefreshToken != "")
	}
	if d := tok.ExpiresAt.Sub(before); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("got expiry in %v, want about an hour", d)
	}
	if !slices.Contains(tok.Scopes, youtube.ScopeUpload) || len(tok.Scopes) != 4 {
		t.Errorf("got scopes %v, want the four asked for", tok.Scopes)
	}

	p, err := e.client.Profile(ctx, tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.ExternalID, "UC") || p.Username != "@carol" || p.Name != "carol" {
		t.Errorf("got profile %+v, want channel UC…, @carol, carol", p)
	}
	again, err := e.client.Profile(ctx, e.connect("carol").AccessToken)
	if err != nil || again.ExternalID != p.ExternalID {
		t.Errorf("reconnecting carol: got %+v, %v; want channel %s", again, err, p.ExternalID)
	}

	refreshed, err := e.client.Refresh(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if refreshed.AccessToken == tok.AccessToken || refreshed.RefreshToken != tok.RefreshToken {
		t.Errorf("refresh: got new access %t, same refresh %t; want a new access token and the refresh token kept",
			refreshed.AccessToken != tok.AccessToken, refreshed.RefreshToken == tok.RefreshToken)
	}
	if len(refreshed.Scopes) != 4 || refreshed.ExpiresAt.Before(tok.ExpiresAt) {
		t.Errorf("refresh: got scopes %v, expiry %v; want 4 scopes and a later expiry than %v", refreshed.Scopes, refreshed.ExpiresAt, tok.ExpiresAt)
	}
	if _, err := e.client.Profile(ctx, refreshed.AccessToken); err != nil {
		t.Errorf("profile with the refreshed token: %v", err)
	}

	if err := e.client.Revoke(ctx, refreshed); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	_, err = e.client.Profile(ctx, refreshed.AccessToken)
	wantClass(t, "profile after revoke", err, providers.AuthExpired, "authError")
	_, err = e.client.Refresh(ctx, refreshed)
	wantClass(t, "refresh after revoke", err, providers.AuthExpired, "invalid_grant")
	if err := e.client.Revoke(ctx, refreshed); err != nil {
		t.Errorf("revoking again: got %v, want nil (already revoked)", err)
	}
}

// Denied consent comes back as Google's error on the redirect.
func TestAuthorizeDenied(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	q := e.authorize("s2", providers.PKCE{}, url.Values{"sim_deny": {"1"}})
	if q.Get("error") != "access_denied" || q.Get("state") != "s2" || q.Get("code") != "" {
		t.Errorf("got %v, want error=access_denied, state s2, no code", q)
	}
}

// The token endpoint refuses what Google refuses.
func TestExchangeRefusals(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	ctx := context.Background()
	fresh := func(pkce providers.PKCE) string { return e.authorize("s", pkce, nil).Get("code") }
	noSecret := youtube.SandboxConfig(e.url)
	noSecret.ClientID = testClientID
	for _, tc := range []struct {
		name   string
		call   func() error
		class  providers.Class
		code   string
		status int
	}{
		{"code used twice", func() error {
			pkce := providers.NewPKCE()
			code := fresh(pkce)
			if _, err := e.client.Exchange(ctx, code, testRedirect, pkce); err != nil {
				return err
			}
			_, err := e.client.Exchange(ctx, code, testRedirect, pkce)
			return err
		}, providers.AuthExpired, "invalid_grant", 400},
		{"unknown code", func() error {
			_, err := e.client.Exchange(ctx, "4/not-a-code", testRedirect, providers.PKCE{})
			return err
		}, providers.AuthExpired, "invalid_grant", 400},
		{"another redirect URI", func() error {
			pkce := providers.NewPKCE()
			_, err := e.client.Exchange(ctx, fresh(pkce), "https://evil.example/cb", pkce)
			return err
		}, providers.Permanent, "redirect_uri_mismatch", 400},
		{"missing PKCE verifier", func() error {
			_, err := e.client.Exchange(ctx, fresh(providers.NewPKCE()), testRedirect, providers.PKCE{})
			return err
		}, providers.AuthExpired, "invalid_grant", 400},
		{"wrong PKCE verifier", func() error {
			_, err := e.client.Exchange(ctx, fresh(providers.NewPKCE()), testRedirect, providers.NewPKCE())
			return err
		}, providers.AuthExpired, "invalid_grant", 400},
		{"no client secret", func() error {
			pkce := providers.NewPKCE()
			_, err := youtube.New(noSecret).Exchange(ctx, fresh(pkce), testRedirect, pkce)
			return err
		}, providers.Permanent, "invalid_client", 401},
		{"refresh without a refresh token", func() error {
			_, err := e.client.Refresh(ctx, providers.Token{AccessToken: "x"})
			return err
		}, providers.AuthExpired, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pe := wantClass(t, tc.name, tc.call(), tc.class, tc.code)
			if pe.Status != tc.status {
				t.Errorf("got status %d, want %d", pe.Status, tc.status)
			}
		})
	}
}

// An expired access token is refreshed; a revoked refresh token is the
// end of the connection.
func TestExpiryAndRevokedRefresh(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	ctx := context.Background()
	tok := e.connect("dave")
	e.sim.SetFaults(simulator.YouTube, simulator.FaultRequest{ExpireTokens: true})
	_, err := e.client.Profile(ctx, tok.AccessToken)
	pe := wantClass(t, "expired token", err, providers.AuthExpired, "authError")
	if pe.Status != 401 {
		t.Errorf("got status %d, want 401", pe.Status)
	}
	tok, err = e.client.Refresh(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Profile(ctx, tok.AccessToken); err != nil {
		t.Errorf("after refresh: %v", err)
	}
	e.sim.SetFaults(simulator.YouTube, simulator.FaultRequest{RevokeRefresh: true})
	_, err = e.client.Refresh(ctx, tok)
	pe = wantClass(t, "revoked refresh token", err, providers.AuthExpired, "invalid_grant")
	if pe.Message != "Token has been expired or revoked." {
		t.Errorf("got message %q, want Google's", pe.Message)
	}
}

// Access tokens age with the simulator's clock.
func TestAccessTokenLifetime(t *testing.T) {
	e := newEnv(t, simulator.Config{GoogleAccessTTL: 10 * time.Minute})
	tok := e.connect("erin")
	e.clock.Advance(11 * time.Minute)
	_, err := e.client.Profile(context.Background(), tok.AccessToken)
	wantClass(t, "token past its TTL", err, providers.AuthExpired, "authError")
}
