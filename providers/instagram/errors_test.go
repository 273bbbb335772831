package instagram_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/instagram"
	"github.com/socialmediamanager/smm/providers/simulator"
)

// TestInjectedFaultsClassified checks the simulator's injected failures
// reach the caller classified, with the wait Instagram asks for.
func TestInjectedFaultsClassified(t *testing.T) {
	cases := []struct {
		name       string
		faults     simulator.Faults
		class      providers.Class
		code       string
		status     int
		retryAfter time.Duration
	}{
		{"throttled", simulator.Faults{RateLimited: 1, RetryAfterSeconds: 120}, providers.RateLimited, "80002", 400, 2 * time.Minute},
		{"server error", simulator.Faults{ServerErrors: 1}, providers.Retryable, "1", 500, 0},
		{"outage", simulator.Faults{Outage: true}, providers.Retryable, "2", 503, 0},
		{"timeout", simulator.Faults{Timeouts: 1}, providers.Retryable, "", 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, simulator.Config{}, func(c *instagram.Config) { c.HTTP.Timeout = 300 * time.Millisecond })
			a := e.connect("max")
			e.sim.SetFaults(simulator.Instagram, simulator.FaultRequest{Faults: tc.faults})
			_, err := e.client.Profile(t.Context(), a.token.AccessToken)
			pe := wantErr(t, err, tc.class, tc.code, "")
			if pe.Status != tc.status || pe.RetryAfter != tc.retryAfter {
				t.Errorf("got status %d retry after %s, want %d and %s", pe.Status, pe.RetryAfter, tc.status, tc.retryAfter)
			}
			if tc.status != 0 && pe.TraceID == "" {
				t.Errorf("got no trace id in %v, want the fbtrace_id", err)
			}
			if !tc.faults.Outage {
				if _, err := e.client.Profile(t.Context(), a.token.AccessToken); err != nil {
					t.Errorf("the call after a one-off fault: %v", err)
				}
			}
		})
	}
}

// TestInjectedFaultsOnTokenEndpoints checks the code exchange and the
// refresh go through fault injection too.
func TestInjectedFaultsOnTokenEndpoints(t *testing.T) {
	e := newEnv(t, simulator.Config{}, nil)
	a := e.connect("ned")
	code := e.authorize("s", nil).Query().Get("code")
	e.sim.SetFaults(simulator.Instagram, simulator.FaultRequest{Faults: simulator.Faults{ServerErrors: 1}})
	_, err := e.client.Exchange(t.Context(), code, redirectURI, providers.PKCE{})
	wantErr(t, err, providers.Retryable, "1", "")
	if _, err := e.client.Exchange(t.Context(), code, redirectURI, providers.PKCE{}); err != nil {
		t.Errorf("exchange after the fault: %v (the failed attempt must not have spent the code)", err)
	}
	e.clock.Advance(25 * time.Hour)
	e.sim.SetFaults(simulator.Instagram, simulator.FaultRequest{Faults: simulator.Faults{RateLimited: 1}})
	_, err = e.client.Refresh(t.Context(), a.token)
	wantErr(t, err, providers.RateLimited, "80002", "")
	if _, err := e.client.Refresh(t.Context(), a.token); err != nil {
		t.Errorf("refresh after the fault: %v", err)
	}
}

// TestCallLimitPerToken checks the hourly call limit: over it, code 4
// with the wait from X-Business-Use-Case-Usage.
func TestCallLimitPerToken(t *testing.T) {
	e := newEnv(t, simulator.Config{InstagramCallsPerHour: 3}, nil)
	a := e.connect("ola")
	for i := range 3 {
		if _, err := e.client.Profile(t.Context(), a.token.AccessToken); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	e.clock.Advance(10 * time.Minute)
	_, err := e.client.Profile(t.Context(), a.token.AccessToken)
	pe := wantErr(t, err, providers.RateLimited, "4", "")
	if pe.RetryAfter != 50*time.Minute {
		t.Errorf("got RetryAfter %s, want 50m (the first call leaves the hour then)", pe.RetryAfter)
	}
	e.clock.Advance(50 * time.Minute)
	if _, err := e.client.Profile(t.Context(), a.token.AccessToken); err != nil {
		t.Errorf("call once the hour rolled: %v", err)
	}
}

// TestNoSecretInErrors fails calls every way the client can fail and
// checks no error text holds a token, a code or the client secret.
func TestNoSecretInErrors(t *testing.T) {
	e := newEnv(t, simulator.Config{InstagramCallsPerHour: 50}, func(c *instagram.Config) { c.HTTP.Timeout = 200 * time.Millisecond })
	ctx := t.Context()
	a := e.connect("pat")
	tok := a.token.AccessToken
	code := e.authorize("s", nil).Query().Get("code")
	var errs []error
	collect := func(_ any, err error) {
		if err == nil {
			t.Errorf("call %d: got no error, want one", len(errs)+1)
		}
		errs = append(errs, err)
	}
	collect(e.client.Exchange(ctx, code, "https://other.example/cb", providers.PKCE{}))
	collect(e.client.Refresh(ctx, a.token))
	collect(e.client.PublishImage(ctx, tok, a.id, instagram.Image{URL: cdn + "a.png"}))
	for _, f := range []simulator.Faults{{Timeouts: 1}, {RateLimited: 1}, {ServerErrors: 1}} {
		e.sim.SetFaults(simulator.Instagram, simulator.FaultRequest{Faults: f})
		e.clock.Advance(25 * time.Hour)
		collect(e.client.Refresh(ctx, a.token)) // the token travels in the query
		e.sim.SetFaults(simulator.Instagram, simulator.FaultRequest{Faults: f})
		collect(e.client.Exchange(ctx, code, redirectURI, providers.PKCE{}))
	}
	e.sim.SetFaults(simulator.Instagram, simulator.FaultRequest{ExpireTokens: true})
	collect(e.client.Profile(ctx, tok))
	collect(e.client.Refresh(ctx, a.token))

	// A provider (or a proxy) quoting the request back.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":{"message":"bad request %s?%s with %s","type":"OAuthException","code":100,"error_user_msg":"token %s"}}`,
			r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.URL.Query().Get("access_token"))
	}))
	defer echo.Close()
	cfg := instagram.SandboxConfig(echo.URL)
	cfg.ClientID, cfg.ClientSecret = "id", clientSecret
	bad := instagram.New(cfg)
	collect(bad.Refresh(ctx, a.token))
	collect(bad.Exchange(ctx, code, redirectURI, providers.PKCE{}))
	collect(bad.Profile(ctx, tok))
	// A base URL that does not parse, with the token in the query.
	cfg.GraphBaseURL = "http://bad host" + "/x?access_token=" + tok
	collect(instagram.New(cfg).Refresh(ctx, a.token))

	secrets := append(e.sim.IssuedSecrets(), clientSecret, code)
	for i, err := range errs {
		if err == nil {
			continue
		}
		for _, s := range secrets {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error %d %q holds a secret", i+1, err)
			}
		}
	}
}
