package tiktok_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/providers/tiktok"
)

func TestAuthorizeURL(t *testing.T) {
	c := tiktok.New(tiktok.Config{ClientKey: "ck"})
	pkce := providers.PKCE{Verifier: "v", Challenge: "chal"}
	u, err := url.Parse(c.AuthorizeURL("st", redirectURI, pkce))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := u.Scheme+"://"+u.Host+u.Path, "https://www.tiktok.com/v2/auth/authorize/"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	want := map[string]string{
		"client_key": "ck", "scope": "user.info.basic,video.publish,video.upload,video.list",
		"response_type": "code", "redirect_uri": redirectURI, "state": "st",
		"code_challenge": "chal", "code_challenge_method": "S256",
	}
	q := u.Query()
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s: got %q, want %q", k, q.Get(k), v)
		}
	}
	if len(q) != len(want) {
		t.Errorf("got parameters %v, want exactly %v", q, want)
	}
	noPKCE, _ := url.Parse(c.AuthorizeURL("st", redirectURI, providers.PKCE{}))
	if noPKCE.Query().Has("code_challenge") || noPKCE.Query().Has("code_challenge_method") {
		t.Errorf("without a challenge: got %v, want no code_challenge", noPKCE.Query())
	}
}

func TestSandboxConfig(t *testing.T) {
	cfg := tiktok.SandboxConfig("http://127.0.0.1:9")
	if cfg.AuthorizeBaseURL != "http://127.0.0.1:9/tiktok/www" || cfg.APIBaseURL != "http://127.0.0.1:9/tiktok/open" {
		t.Errorf("got %q and %q, want the simulator's /tiktok/www and /tiktok/open", cfg.AuthorizeBaseURL, cfg.APIBaseURL)
	}
}

// The whole connection: authorize page, exchange, profile, refresh (which
// rotates the refresh token), revoke.
func TestOAuthRoundTrip(t *testing.T) {
	e := newEnv(t, simulator.Config{TikTokAccessTTL: 2 * time.Hour, TikTokRefreshTTL: 180 * 24 * time.Hour})
	pkce := providers.NewPKCE()
	q := e.authorize(pkce, url.Values{"sim_user": {"alice"}})
	if q.Get("state") != "state-1" || q.Get("code") == "" {
		t.Fatalf("got callback query %v, want the state back and a code", q)
	}
	before := time.Now()
	tok, err := e.c.Exchange(bg, q.Get("code"), redirectURI, pkce)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.UserID == "" {
		t.Fatalf("got token %+v, want access and refresh tokens and the open_id", tok)
	}
	if d := tok.ExpiresAt.Sub(before); d < 2*time.Hour-time.Minute || d > 2*time.Hour+time.Minute {
		t.Errorf("got access expiry in %v, want about 2h (expires_in)", d)
	}
	if d := tok.RefreshExpiresAt.Sub(before); d < 180*24*time.Hour-time.Minute || d > 180*24*time.Hour+time.Minute {
		t.Errorf("got refresh expiry in %v, want about 180 days (refresh_expires_in)", d)
	}
	if !slices.Equal(tok.Scopes, tiktok.DefaultScopes()) {
		t.Errorf("got scopes %v, want %v", tok.Scopes, tiktok.DefaultScopes())
	}

	prof, err := e.c.Profile(bg, tok.AccessToken)
	if err != nil {
		t.Fatalf("profile: %v", err)
	}
	if prof.ExternalID != tok.UserID || prof.Username != "alice" || prof.Name != "alice" {
		t.Errorf("got profile %+v, want alice with external id %s", prof, tok.UserID)
	}
	again := e.connect("alice")
	if again.UserID != tok.UserID {
		t.Errorf("same sim_user: got open_id %s, want %s", again.UserID, tok.UserID)
	}

	fresh, err := e.c.Refresh(bg, tok)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken || fresh.UserID != tok.UserID {
		t.Errorf("refresh: got %+v, want new access and refresh tokens for the same user", fresh)
	}
	// Rotation: the old refresh token died when the new one was issued.
	_, err = e.c.Refresh(bg, tok)
	wantClass(t, "refresh with the rotated-away token", err, providers.AuthExpired, "invalid_grant")
	if _, err := e.c.Refresh(bg, fresh); err != nil {
		t.Errorf("refresh with the new token: %v", err)
	}

	if err := e.c.Revoke(bg, fresh); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	_, err = e.c.Profile(bg, fresh.AccessToken)
	wantClass(t, "profile after revoke", err, providers.AuthExpired, "access_token_invalid")
	revoked := 0
	for _, st := range e.sim.State().Tokens {
		if st.ExternalID == tok.UserID && st.Kind != "code" && !st.Revoked {
			t.Errorf("a %s token of the user is not revoked", st.Kind)
		}
		if st.Revoked {
			revoked++
		}
	}
	if revoked == 0 {
		t.Errorf("got no revoked token at the simulator, want the grant's")
	}
}

func TestAuthorizeDenied(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	q := e.authorize(providers.NewPKCE(), url.Values{"sim_deny": {"1"}})
	if q.Get("error") != "access_denied" || q.Get("state") != "state-1" || q.Has("code") {
		t.Errorf("got callback query %v, want error=access_denied with the state and no code", q)
	}
}

// A code is single use and bound to its redirect_uri and PKCE challenge;
// a refused exchange is Permanent (the user starts again).
func TestExchangeRefusals(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	tests := []struct {
		name  string
		pkce  providers.PKCE // sent at authorize
		twice bool
		call  func(code string, pkce providers.PKCE) error
		code  string
	}{
		{name: "code used twice", pkce: providers.NewPKCE(), twice: true,
			call: func(code string, p providers.PKCE) error {
				_, err := e.c.Exchange(bg, code, redirectURI, p)
				return err
			},
			code: "invalid_grant"},
		{name: "another redirect_uri", pkce: providers.NewPKCE(),
			call: func(code string, p providers.PKCE) error {
				_, err := e.c.Exchange(bg, code, "https://evil.test/cb", p)
				return err
			}, code: "invalid_grant"},
		{name: "wrong verifier", pkce: providers.NewPKCE(),
			call: func(code string, p providers.PKCE) error {
				_, err := e.c.Exchange(bg, code, redirectURI, providers.NewPKCE())
				return err
			}, code: "invalid_grant"},
		{name: "no verifier", pkce: providers.NewPKCE(),
			call: func(code string, p providers.PKCE) error {
				_, err := e.c.Exchange(bg, code, redirectURI, providers.PKCE{})
				return err
			}, code: "invalid_grant"},
		{name: "made-up code",
			call: func(string, providers.PKCE) error {
				_, err := e.c.Exchange(bg, "act.c-made-up", redirectURI, providers.PKCE{})
				return err
			}, code: "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := e.authorize(tt.pkce, nil).Get("code")
			if tt.twice {
				if _, err := e.c.Exchange(bg, code, redirectURI, tt.pkce); err != nil {
					t.Fatalf("first exchange: %v", err)
				}
			}
			pe := wantClass(t, tt.name, tt.call(code, tt.pkce), providers.Permanent, tt.code)
			if pe.Status != 400 || pe.TraceID == "" {
				t.Errorf("got status %d, log id %q; want 400 with TikTok's log_id", pe.Status, pe.TraceID)
			}
		})
	}
	// Without PKCE the flow still works (web apps).
	q := e.authorize(providers.PKCE{}, nil)
	if _, err := e.c.Exchange(bg, q.Get("code"), redirectURI, providers.PKCE{}); err != nil {
		t.Errorf("exchange without PKCE: %v", err)
	}
}

// A refresh token revoked at TikTok is refused for good: auth_expired.
func TestRefreshRevoked(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	tok := e.connect("bob")
	e.sim.SetFaults(simulator.TikTok, simulator.FaultRequest{RevokeRefresh: true})
	_, err := e.c.Refresh(bg, tok)
	wantClass(t, "refresh after revocation", err, providers.AuthExpired, "invalid_grant")
	_, err = e.c.Refresh(bg, providers.Token{AccessToken: tok.AccessToken})
	wantClass(t, "refresh without a refresh token", err, providers.AuthExpired, "")
}

// An expired access token is auth_expired (refresh it); the refresh then
// works.
func TestExpiredAccessToken(t *testing.T) {
	clk := newClock()
	e := newEnv(t, simulator.Config{TikTokAccessTTL: time.Hour, Now: clk.Now})
	tok := e.connect("carol")
	clk.advance(time.Hour)
	_, err := e.c.Profile(bg, tok.AccessToken)
	pe := wantClass(t, "profile with an expired token", err, providers.AuthExpired, "access_token_invalid")
	if pe.Status != 401 {
		t.Errorf("got status %d, want 401", pe.Status)
	}
	fresh, err := e.c.Refresh(bg, tok)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if _, err := e.c.Profile(bg, fresh.AccessToken); err != nil {
		t.Errorf("profile with the refreshed token: %v", err)
	}

	e.sim.SetFaults(simulator.TikTok, simulator.FaultRequest{ExpireTokens: true})
	_, err = e.c.CreatorInfo(bg, fresh.AccessToken)
	wantClass(t, "creator info after ExpireTokens", err, providers.AuthExpired, "access_token_invalid")
}

func TestRevokeRefusals(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	err := e.c.Revoke(bg, providers.Token{AccessToken: "act.a-unknown"})
	wantClass(t, "revoke an unknown token", err, providers.Permanent, "invalid_request")
	err = e.c.Revoke(bg, providers.Token{})
	wantClass(t, "revoke without a token", err, providers.Permanent, "")
	tok := e.connect("dave")
	if err := e.c.Revoke(bg, tok); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if err := e.c.Revoke(bg, tok); err != nil {
		t.Errorf("revoke twice: got %v, want success (already revoked)", err)
	}
	if !strings.HasPrefix(tok.AccessToken, "act.") {
		t.Errorf("got access token of another shape, want TikTok's act. prefix")
	}
}

// A token without the scope an endpoint needs is refused for good.
func TestScopeNotAuthorized(t *testing.T) {
	e := newEnv(t, simulator.Config{}, func(c *tiktok.Config) { c.Scopes = []string{tiktok.ScopeUserInfoBasic} })
	tok := e.connect("erin")
	if _, err := e.c.Profile(bg, tok.AccessToken); err != nil {
		t.Fatalf("profile: %v", err)
	}
	_, err := e.c.CreatorInfo(bg, tok.AccessToken)
	pe := wantClass(t, "creator info without video.publish", err, providers.Permanent, "scope_not_authorized")
	if pe.Status != 401 {
		t.Errorf("got status %d, want 401", pe.Status)
	}
	_, err = e.c.RecentVideos(bg, tok.AccessToken, 0, 10)
	wantClass(t, "video list without video.list", err, providers.Permanent, "scope_not_authorized")
}
