package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/socialmediamanager/smm/cmd/app/apptest"
	"github.com/socialmediamanager/smm/config"
)

// socialAccount is the API's view of a social account.
type socialAccount struct {
	ID         string   `json:"id"`
	Provider   string   `json:"provider"`
	ExternalID string   `json:"external_id"`
	Username   string   `json:"username"`
	Status     string   `json:"status"`
	Scopes     []string `json:"scopes"`
	ExpiresAt  *string  `json:"expires_at"`
}

// browse follows the authorize URL as a browser would, up to the
// redirect to the callback, and returns that callback on this server.
func browse(t *testing.T, s *apptest.Server, authorizeURL string, extra url.Values) string {
	t.Helper()
	u, err := url.Parse(authorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, v := range extra {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode/100 != 3 || err != nil {
		t.Fatalf("authorize page: got %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return s.URL + loc.Path + "?" + loc.RawQuery
}

func getPage(t *testing.T, rawURL string, follow bool) (*http.Response, string) {
	t.Helper()
	c := http.DefaultClient
	if !follow {
		c = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	resp, err := c.Get(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, b.String()
}

// TestSocialAccountsOverHTTP connects an account of each provider in
// sandbox mode through the API, as a user with curl and a browser would,
// and checks what the API shows, the refusals, the disconnection, and that
// no token value reaches a response or the logs.
func TestSocialAccountsOverHTTP(t *testing.T) {
	s := apptest.Start(t)
	c := apiClient{t: t, base: s.URL}
	owner := register(t, c, uniqueEmail(t))
	auth := bearer(owner.Tokens.AccessToken)
	var bodies strings.Builder

	ids := map[string]string{}
	for _, provider := range []string{"instagram", "tiktok", "youtube"} {
		var start struct {
			AuthorizeURL string `json:"authorize_url"`
		}
		r := c.do("POST", "/api/v1/social-accounts/"+provider+"/connect", nil, auth)
		r.into(t, 200, &start)
		bodies.Write(r.Raw)
		callback := browse(t, s, start.AuthorizeURL, url.Values{"sim_user": {"http-" + provider}})
		resp, page := getPage(t, callback, true)
		bodies.WriteString(page)
		if resp.StatusCode != 200 || !strings.Contains(page, "is connected") {
			t.Fatalf("%s callback: got %d %q, want the connected page", provider, resp.StatusCode, page)
		}
		// The same callback again: the state is spent.
		if resp, page := getPage(t, callback, true); resp.StatusCode != 400 || !strings.Contains(page, "invalid_state") {
			t.Errorf("%s replayed callback: got %d %q, want 400 invalid_state", provider, resp.StatusCode, page)
		}
	}
	var list []socialAccount
	r := c.do("GET", "/api/v1/social-accounts", nil, auth)
	r.into(t, 200, &list)
	bodies.Write(r.Raw)
	if len(list) != 3 {
		t.Fatalf("got %d accounts, want 3", len(list))
	}
	for _, a := range list {
		if a.Status != "connected" || a.ExternalID == "" || a.Username == "" || a.ExpiresAt == nil {
			t.Errorf("got %+v, want a connected account with its external id, username and expiry", a)
		}
		ids[a.Provider] = a.ID
	}
	var one socialAccount
	r = c.do("GET", "/api/v1/social-accounts/"+ids["tiktok"], nil, auth)
	r.into(t, 200, &one)
	bodies.Write(r.Raw)
	if one.ID != ids["tiktok"] || one.Provider != "tiktok" {
		t.Errorf("got %+v, want the TikTok account", one)
	}

	// Denied at the provider: an explicit page, nothing stored.
	var start struct {
		AuthorizeURL string `json:"authorize_url"`
	}
	c.do("POST", "/api/v1/social-accounts/youtube/connect", nil, auth).into(t, 200, &start)
	if resp, page := getPage(t, browse(t, s, start.AuthorizeURL, url.Values{"sim_deny": {"1"}}), true); resp.StatusCode != 400 || !strings.Contains(page, "access_denied") {
		t.Errorf("denied: got %d %q, want 400 access_denied", resp.StatusCode, page)
	}

	// Bad input and other organizations.
	if r := c.do("POST", "/api/v1/social-accounts/myspace/connect", nil, auth); r.Status != 400 || r.code() != "invalid" {
		t.Errorf("unknown provider: got %d %s, want 400 invalid", r.Status, r.code())
	}
	other := register(t, c, uniqueEmail(t))
	if r := c.do("GET", "/api/v1/social-accounts/"+ids["tiktok"], nil, bearer(other.Tokens.AccessToken)); r.Status != 404 {
		t.Errorf("another organization's account: got %d, want 404", r.Status)
	}
	if r := c.do("GET", "/api/v1/social-accounts", nil); r.Status != 401 {
		t.Errorf("without credentials: got %d, want 401", r.Status)
	}

	// Disconnect.
	c.do("DELETE", "/api/v1/social-accounts/"+ids["tiktok"], nil, auth).into(t, 200, nil)
	if r := c.do("GET", "/api/v1/social-accounts/"+ids["tiktok"], nil, auth); r.Status != 404 {
		t.Errorf("after disconnect: got %d, want 404", r.Status)
	}

	// No token value anywhere in what the API answered or logged.
	secrets := s.App.Simulator().IssuedSecrets()
	if len(secrets) < 6 {
		t.Fatalf("got %d issued secrets, want the codes and tokens of three connections", len(secrets))
	}
	logs, answered := s.Logs(), bodies.String()
	for _, v := range secrets {
		if strings.Contains(logs, v) {
			t.Errorf("a token or code issued by the simulator appears in the service's logs")
		}
		if strings.Contains(answered, v) {
			t.Errorf("a token or code issued by the simulator appears in an API answer")
		}
	}
}

// With SMM_OAUTH_RETURN_URL the callback sends the browser back there with
// the outcome.
func TestOAuthReturnURL(t *testing.T) {
	s := apptest.Start(t, func(cfg *config.Config) { cfg.Providers.OAuthReturnURL = "https://app.example.com/connected?from=smm" })
	c := apiClient{t: t, base: s.URL}
	owner := register(t, c, uniqueEmail(t))
	var start struct {
		AuthorizeURL string `json:"authorize_url"`
	}
	c.do("POST", "/api/v1/social-accounts/instagram/connect", nil, bearer(owner.Tokens.AccessToken)).into(t, 200, &start)
	callback := browse(t, s, start.AuthorizeURL, nil)
	resp, _ := getPage(t, callback, false)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 303 || loc.Host != "app.example.com" || loc.Query().Get("status") != "connected" ||
		loc.Query().Get("account_id") == "" || loc.Query().Get("from") != "smm" {
		t.Fatalf("got %d to %q, want 303 to the return URL with status=connected and the account id", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = getPage(t, callback, false)
	loc, _ = url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 303 || loc.Query().Get("status") != "error" || loc.Query().Get("error") != "invalid_state" {
		t.Errorf("replay: got %d to %q, want status=error&error=invalid_state", resp.StatusCode, resp.Header.Get("Location"))
	}
}
