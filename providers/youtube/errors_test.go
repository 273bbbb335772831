package youtube_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/providers/youtube"
)

// Every class, produced through the simulator: injected faults and the
// provider's own conditions.
func TestErrorClasses(t *testing.T) {
	ctx := context.Background()
	meta := youtube.Metadata{Title: "T"}
	faults := func(f simulator.Faults) func(*env) {
		return func(e *env) { e.sim.SetFaults(simulator.YouTube, simulator.FaultRequest{Faults: f}) }
	}
	profile := func(e *env, tok providers.Token) error {
		_, err := e.client.Profile(ctx, tok.AccessToken)
		return err
	}
	upload := func(e *env, tok providers.Token) error {
		_, _, err := e.client.Upload(ctx, tok.AccessToken, meta, bytes.NewReader(media(10)), 10, "video/mp4")
		return err
	}
	for _, tc := range []struct {
		name   string
		simCfg simulator.Config
		tweak  func(*youtube.Config)
		setup  func(*env)
		call   func(*env, providers.Token) error
		class  providers.Class
		code   string
		status int
		// retryAfter bounds the wait the error asks for.
		minWait, maxWait time.Duration
	}{
		{name: "rate limited", setup: faults(simulator.Faults{RateLimited: 1, RetryAfterSeconds: 7}), call: profile,
			class: providers.RateLimited, code: "rateLimitExceeded", status: 429, minWait: 7 * time.Second, maxWait: 7 * time.Second},
		{name: "rate limited at the token endpoint", setup: faults(simulator.Faults{RateLimited: 1}),
			call:  func(e *env, tok providers.Token) error { _, err := e.client.Refresh(ctx, tok); return err },
			class: providers.RateLimited, code: "rateLimitExceeded", status: 429},
		{name: "server error", setup: faults(simulator.Faults{ServerErrors: 1}), call: profile,
			class: providers.Retryable, code: "backendError", status: 500},
		{name: "outage", setup: faults(simulator.Faults{Outage: true}), call: profile,
			class: providers.Retryable, code: "backendError", status: 503},
		{name: "timeout", tweak: func(c *youtube.Config) { c.HTTP.Timeout = 200 * time.Millisecond },
			setup: faults(simulator.Faults{Timeouts: 1}), call: profile, class: providers.Retryable},
		{name: "expired token", setup: func(e *env) { e.sim.SetFaults(simulator.YouTube, simulator.FaultRequest{ExpireTokens: true}) },
			call: profile, class: providers.AuthExpired, code: "authError", status: 401},
		{name: "revoked refresh token", setup: func(e *env) { e.sim.SetFaults(simulator.YouTube, simulator.FaultRequest{RevokeRefresh: true}) },
			call:  func(e *env, tok providers.Token) error { _, err := e.client.Refresh(ctx, tok); return err },
			class: providers.AuthExpired, code: "invalid_grant", status: 400},
		{name: "project quota", simCfg: simulator.Config{YouTubeQuota: 150, YouTubeUploadCost: 100}, setup: nil,
			call: func(e *env, tok providers.Token) error {
				if err := upload(e, tok); err != nil {
					return err
				}
				return upload(e, tok)
			}, class: providers.QuotaExhausted, code: "quotaExceeded", status: 403, minWait: time.Second, maxWait: 25 * time.Hour},
		{name: "channel upload cap", setup: func(e *env) { e.sim.SetYouTubeUploadCap(1) },
			call: func(e *env, tok providers.Token) error {
				if err := upload(e, tok); err != nil {
					return err
				}
				return upload(e, tok)
			}, class: providers.QuotaExhausted, code: "uploadLimitExceeded", status: 400, minWait: 24 * time.Hour, maxWait: 24 * time.Hour},
		{name: "scope not granted", tweak: func(c *youtube.Config) { c.Scopes = []string{youtube.ScopeReadonly} }, call: upload,
			class: providers.Permanent, code: "insufficientPermissions", status: 403},
		{name: "bad request", call: func(e *env, tok providers.Token) error {
			_, err := e.client.Report(ctx, tok.AccessToken, youtube.ReportQuery{StartDate: time.Now(), EndDate: time.Now(), Metrics: []string{"nope"}})
			return err
		}, class: providers.Permanent, code: "badRequest", status: 400},
		{name: "forbidden", call: func(e *env, tok providers.Token) error {
			mine := e.upload(e.connect("owner"), "Theirs", 10)
			page, err := e.client.CommentThreads(ctx, tok.AccessToken, youtube.CommentQuery{VideoID: mine.ID})
			if err != nil {
				return err
			}
			return e.client.SetModerationStatus(ctx, tok.AccessToken, youtube.Rejected, page.Threads[0].ID)
		}, class: providers.Permanent, code: "forbidden", status: 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tweaks []func(*youtube.Config)
			if tc.tweak != nil {
				tweaks = append(tweaks, tc.tweak)
			}
			e := newEnv(t, tc.simCfg, tweaks...)
			tok := e.connect("xavier")
			if tc.setup != nil {
				tc.setup(e)
			}
			pe := wantClass(t, tc.name, tc.call(e, tok), tc.class, tc.code)
			if pe.Status != tc.status {
				t.Errorf("got status %d, want %d", pe.Status, tc.status)
			}
			if pe.RetryAfter < tc.minWait || pe.RetryAfter > tc.maxWait {
				t.Errorf("got RetryAfter %v, want within [%v, %v]", pe.RetryAfter, tc.minWait, tc.maxWait)
			}
		})
	}
}

// The quota is the project's: another user's calls spend it too, and it
// comes back the next Pacific day.
func TestQuotaSharedAndReset(t *testing.T) {
	e := newEnv(t, simulator.Config{YouTubeQuota: 2, GoogleAccessTTL: 48 * time.Hour})
	ctx := context.Background()
	a, b := e.connect("yara"), e.connect("zed")
	for _, tok := range []providers.Token{a, b} {
		if _, err := e.client.Profile(ctx, tok.AccessToken); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.client.Profile(ctx, a.AccessToken)
	wantClass(t, "third call of the day", err, providers.QuotaExhausted, "quotaExceeded")
	e.clock.Advance(24 * time.Hour)
	if _, err := e.client.Profile(ctx, a.AccessToken); err != nil {
		t.Errorf("the next day: got %v, want the quota back", err)
	}
}

// No error of a failed call quotes a token, a code, the client secret or
// an upload session.
func TestNoSecretsInErrors(t *testing.T) {
	e := newEnv(t, simulator.Config{}, func(c *youtube.Config) { c.UploadRetries = 1 })
	ctx := context.Background()
	tok := e.connect("secretive")
	var errs []error
	add := func(err error) {
		if err == nil {
			t.Fatal("a call meant to fail succeeded")
		}
		errs = append(errs, err)
	}
	code := e.authorize("s", providers.PKCE{}, nil).Get("code")
	_, err := e.client.Exchange(ctx, code, "https://other.example/cb", providers.PKCE{})
	add(err)
	e.sim.CutYouTubeUploads(10)
	uri, _, err := e.client.Upload(ctx, tok.AccessToken, youtube.Metadata{Title: "x"}, bytes.NewReader(media(1<<20)), 1<<20, "video/mp4")
	add(err)
	e.sim.CutYouTubeUploads(0)
	e.sim.SetFaults(simulator.YouTube, simulator.FaultRequest{ExpireTokens: true, RevokeRefresh: true})
	_, err = e.client.Profile(ctx, tok.AccessToken)
	add(err)
	_, err = e.client.Refresh(ctx, tok)
	add(err)
	_, err = e.client.ResumeUpload(ctx, tok.AccessToken, uri+"x", bytes.NewReader(media(1<<20)), 1<<20)
	add(err)
	// Transport failures, the token in the revoke URL's query included.
	dead := httptest.NewServer(e.sim.Handler())
	dead.Close()
	cfg := youtube.SandboxConfig(dead.URL)
	cfg.ClientID, cfg.ClientSecret = testClientID, testClientSecret
	cfg.RetryBackoff, cfg.UploadRetries = time.Millisecond, 1
	gone := youtube.New(cfg)
	add(gone.Revoke(ctx, tok))
	_, err = gone.Refresh(ctx, tok)
	add(err)
	_, err = gone.ResumeUpload(ctx, tok.AccessToken, strings.Replace(uri, e.url, dead.URL, 1), bytes.NewReader(media(10)), 10)
	add(err)

	secrets := append(e.sim.IssuedSecrets(), testClientSecret, tok.AccessToken, tok.RefreshToken)
	if i := strings.Index(uri, "upload_id="); i >= 0 {
		secrets = append(secrets, uri[i+len("upload_id="):])
	}
	if len(secrets) < 6 {
		t.Fatalf("got %d secrets to look for, want the tokens, the code, the secret and the session", len(secrets))
	}
	for _, err := range errs {
		for _, s := range secrets {
			if s != "" && strings.Contains(err.Error(), s) {
				t.Errorf("error %q quotes a secret", err)
			}
		}
	}
}
