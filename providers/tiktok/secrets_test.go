package tiktok_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/providers/tiktok"
)

// No failed call's error quotes a token, a code, a PKCE verifier or the
// client secret, whatever went wrong.
func TestErrorsHoldNoSecrets(t *testing.T) {
	e := newEnv(t, simulator.Config{}, func(c *tiktok.Config) { c.HTTP.Timeout = 200 * time.Millisecond })
	tok := e.connect("secretive")
	pkce := providers.NewPKCE()
	code := e.authorize(pkce, nil).Get("code")
	if _, err := e.c.Exchange(bg, code, redirectURI, pkce); err != nil {
		t.Fatal(err)
	}
	fault := func(f simulator.FaultRequest) { e.sim.SetFaults(simulator.TikTok, f) }
	var errs []error
	collect := func(err error) {
		if err == nil {
			t.Errorf("call %d: got no error, want one", len(errs)+1)
		}
		errs = append(errs, err)
	}
	post := tiktok.Post{Title: "t", PrivacyLevel: tiktok.SelfOnly}

	_, err := e.c.Exchange(bg, code, redirectURI, pkce) // used code
	collect(err)
	_, err = e.c.Exchange(bg, code, redirectURI, providers.NewPKCE())
	collect(err)
	fault(simulator.FaultRequest{Faults: simulator.Faults{Timeouts: 1}})
	_, err = e.c.Profile(bg, tok.AccessToken)
	collect(err)
	fault(simulator.FaultRequest{Faults: simulator.Faults{ServerErrors: 1}})
	_, err = e.c.Refresh(bg, tok)
	collect(err)
	fault(simulator.FaultRequest{Faults: simulator.Faults{LoseResponses: 1}})
	_, err = e.c.PublishVideoFromURL(bg, tok.AccessToken, post, "https://media.smm.test/v.mp4")
	collect(err)
	fault(simulator.FaultRequest{ExpireTokens: true})
	_, err = e.c.CreatorInfo(bg, tok.AccessToken)
	collect(err)
	fault(simulator.FaultRequest{RevokeRefresh: true})
	_, err = e.c.Refresh(bg, tok)
	collect(err)
	collect(e.c.Revoke(bg, providers.Token{AccessToken: "act.a-not-issued-secret"}))

	// A provider echoing what it was sent does not get it into the error.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":"invalid_request","error_description":"bad %s %s %s","log_id":"x"}`,
			r.PostForm.Get("refresh_token"), r.PostForm.Get("client_secret"), r.Header.Get("Authorization"))
	}))
	defer echo.Close()
	cfg := tiktok.SandboxConfig(echo.URL)
	cfg.ClientKey, cfg.ClientSecret = clientKey, clientSecret
	echoing := tiktok.New(cfg)
	_, err = echoing.Refresh(bg, tok)
	collect(err)
	apiEcho := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"data":{},"error":{"code":"access_token_invalid","message":"token %s is bad","log_id":"y"}}`,
			strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}))
	defer apiEcho.Close()
	_, err = tiktok.New(tiktok.SandboxConfig(apiEcho.URL)).Profile(bg, tok.AccessToken)
	collect(err)

	secrets := append(e.sim.IssuedSecrets(), clientSecret, pkce.Verifier, "act.a-not-issued-secret")
	for i, err := range errs {
		if err == nil {
			continue
		}
		text := err.Error() + " " + fmt.Sprintf("%+v", err)
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("error %d (%s) holds a secret", i+1, strings.ReplaceAll(text, s, "<SECRET>"))
			}
		}
	}
	if len(errs) != 10 {
		t.Errorf("got %d errors checked, want 10", len(errs))
	}
}
