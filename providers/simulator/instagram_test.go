package simulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// igEnv is the Instagram simulator over HTTP, spoken to raw.
type igEnv struct {
	t   *testing.T
	sim *Simulator
	url string
}

func newIGEnv(t *testing.T, cfg Config) *igEnv {
	t.Helper()
	sim := New(cfg)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return &igEnv{t: t, sim: sim, url: srv.URL}
}

// do sends a request and decodes the JSON answer.
func (e *igEnv) do(method, path string, header http.Header, body string) (*http.Response, map[string]any) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp, out
}

var igForm = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}

// code runs the authorize page for user with extra parameters and returns
// the code.
func (e *igEnv) code(user string, extra url.Values) string {
	e.t.Helper()
	q := url.Values{"client_id": {"app"}, "redirect_uri": {"https://cb.example/cb"}, "response_type": {"code"},
		"scope": {"instagram_business_basic"}, "state": {"s"}, "sim_user": {user}}
	for k, v := range extra {
		q[k] = v
	}
	resp, _ := e.do("GET", "/instagram/www/oauth/authorize?"+q.Encode(), nil, "")
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Query().Get("code") == "" {
		e.t.Fatalf("authorize: got %d %q, want a redirect with a code", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

// token returns a long-lived token of user.
func (e *igEnv) token(user string) string {
	e.t.Helper()
	f := url.Values{"client_id": {"app"}, "client_secret": {"x"}, "grant_type": {"authorization_code"},
		"redirect_uri": {"https://cb.example/cb"}, "code": {e.code(user, nil)}}
	resp, ans := e.do("POST", "/instagram/api/oauth/access_token", igForm, f.Encode())
	data, _ := ans["data"].([]any)
	if resp.StatusCode != 200 || len(data) != 1 {
		e.t.Fatalf("exchange: got %d %v, want the documented {data:[…]}", resp.StatusCode, ans)
	}
	short := data[0].(map[string]any)
	if perms, _ := short["permissions"].(string); perms != "instagram_business_basic" {
		e.t.Errorf("got permissions %v, want the comma-separated string", short["permissions"])
	}
	q := url.Values{"grant_type": {"ig_exchange_token"}, "client_secret": {"x"}, "access_token": {short["access_token"].(string)}}
	resp, ans = e.do("GET", "/instagram/graph/access_token?"+q.Encode(), nil, "")
	if resp.StatusCode != 200 || ans["token_type"] != "bearer" || ans["expires_in"] != float64(e.sim.Config().InstagramLongTTL/time.Second) {
		e.t.Fatalf("long-lived exchange (unversioned path): got %d %v", resp.StatusCode, ans)
	}
	return ans["access_token"].(string)
}

// igErrorOf checks ans is the Graph API's error envelope and returns its
// code and subcode.
func igErrorOf(t *testing.T, ans map[string]any) (int, int) {
	t.Helper()
	e, ok := ans["error"].(map[string]any)
	if !ok {
		t.Fatalf("got %v, want {\"error\":{…}}", ans)
	}
	for _, k := range []string{"message", "type", "code", "is_transient", "fbtrace_id"} {
		if _, ok := e[k]; !ok {
			t.Errorf("got error %v, want %s", e, k)
		}
	}
	if e["type"] != "OAuthException" {
		t.Errorf("got type %v, want OAuthException", e["type"])
	}
	sub, _ := e["error_subcode"].(float64)
	return int(e["code"].(float64)), int(sub)
}

// TestInstagramTokenTransport checks the Graph API takes the token as a
// bearer header, a query parameter or a form field, answers code 190 for
// a bad one and 104 for none, and sends the usage headers.
func TestInstagramTokenTransport(t *testing.T) {
	e := newIGEnv(t, Config{InstagramCallsPerHour: 10})
	tok := e.token("uma")
	resp, me := e.do("GET", "/instagram/graph/v23.0/me?fields=user_id,username", http.Header{"Authorization": {"Bearer " + tok}}, "")
	if resp.StatusCode != 200 || me["username"] != "uma" || me["user_id"] == nil || me["id"] == nil || me["name"] != nil {
		t.Fatalf("got %d %v, want id, user_id and username only", resp.StatusCode, me)
	}
	var app map[string]int
	if err := json.Unmarshal([]byte(resp.Header.Get("X-App-Usage")), &app); err != nil || app["call_count"] != 10 {
		t.Errorf("got X-App-Usage %q, want call_count 10 (1 call of 10)", resp.Header.Get("X-App-Usage"))
	}
	var buc map[string][]map[string]any
	if err := json.Unmarshal([]byte(resp.Header.Get("X-Business-Use-Case-Usage")), &buc); err != nil || len(buc[me["user_id"].(string)]) != 1 {
		t.Errorf("got X-Business-Use-Case-Usage %q, want an entry for the user", resp.Header.Get("X-Business-Use-Case-Usage"))
	}
	if resp, _ := e.do("GET", "/instagram/graph/v23.0/me?access_token="+url.QueryEscape(tok), nil, ""); resp.StatusCode != 200 {
		t.Errorf("token in the query: got %d, want 200", resp.StatusCode)
	}
	body := url.Values{"access_token": {tok}, "image_url": {"https://cdn.example/a.jpg"}}.Encode()
	if resp, ans := e.do("POST", "/instagram/graph/v23.0/me/media", igForm, body); resp.StatusCode != 200 || ans["id"] == nil {
		t.Errorf("token in the form: got %d %v, want a container", resp.StatusCode, ans)
	}
	cases := []struct {
		name   string
		header http.Header
		code   int
	}{
		{"no token", nil, 104},
		{"unknown token", http.Header{"Authorization": {"Bearer IGAa-nope"}}, 190},
	}
	for _, tc := range cases {
		resp, ans := e.do("GET", "/instagram/graph/v23.0/me", tc.header, "")
		if code, _ := igErrorOf(t, ans); resp.StatusCode != 400 || code != tc.code {
			t.Errorf("%s: got %d code %d, want 400 code %d", tc.name, resp.StatusCode, code, tc.code)
		}
	}
	if resp, ans := e.do("GET", "/instagram/graph/23/me", http.Header{"Authorization": {"Bearer " + tok}}, ""); resp.StatusCode != 400 {
		t.Errorf("bad version: got %d, want 400", resp.StatusCode)
	} else if code, _ := igErrorOf(t, ans); code != 2500 {
		t.Errorf("bad version: got code %d, want 2500", code)
	}
}

// TestInstagramAuthorizeAndExchangeChecks checks the authorize page's
// refusals and the token endpoint's checks, in api.instagram.com's shape.
func TestInstagramAuthorizeAndExchangeChecks(t *testing.T) {
	e := newIGEnv(t, Config{})
	for name, q := range map[string]url.Values{
		"no client_id":         {"redirect_uri": {"https://cb.example/cb"}, "response_type": {"code"}},
		"relative redirect":    {"client_id": {"app"}, "redirect_uri": {"/cb"}, "response_type": {"code"}},
		"response_type=token":  {"client_id": {"app"}, "redirect_uri": {"https://cb.example/cb"}, "response_type": {"token"}},
		"javascript: redirect": {"client_id": {"app"}, "redirect_uri": {"javascript:alert(1)"}, "response_type": {"code"}},
	} {
		resp, ans := e.do("GET", "/instagram/www/oauth/authorize?"+q.Encode(), nil, "")
		if resp.StatusCode != 400 || ans["error_type"] != "OAuthException" || ans["error_message"] == nil {
			t.Errorf("%s: got %d %v, want 400 with error_type and error_message", name, resp.StatusCode, ans)
		}
	}

	verifier := "a-verifier-of-enough-length-0123456789abcdefgh"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	exchange := func(code, verifier, clientID string) (int, map[string]any) {
		f := url.Values{"client_id": {clientID}, "client_secret": {"x"}, "grant_type": {"authorization_code"},
			"redirect_uri": {"https://cb.example/cb"}, "code": {code}}
		if verifier != "" {
			f.Set("code_verifier", verifier)
		}
		resp, ans := e.do("POST", "/instagram/api/oauth/access_token", igForm, f.Encode())
		return resp.StatusCode, ans
	}
	pkce := e.code("vic", url.Values{"code_challenge": {challenge}, "code_challenge_method": {"S256"}})
	if status, ans := exchange(pkce, "wrong-verifier", "app"); status != 400 || ans["error_type"] != "OAuthException" {
		t.Errorf("wrong verifier: got %d %v, want 400", status, ans)
	}
	if status, ans := exchange(pkce, verifier, "app"); status != 200 {
		t.Errorf("right verifier: got %d %v, want 200", status, ans)
	}
	if status, _ := exchange(e.code("vic", nil), "", "another-app"); status != 400 {
		t.Errorf("another client_id: got %d, want 400", status)
	}
}

// TestInstagramRefreshAgeWithShortLifetimes checks a sandbox with tokens
// shorter than two days can refresh them after half their life.
func TestInstagramRefreshAgeWithShortLifetimes(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e := newIGEnv(t, Config{InstagramLongTTL: 2 * time.Hour, Now: func() time.Time { return now }})
	tok := e.token("wes")
	refresh := func() (int, map[string]any) {
		q := url.Values{"grant_type": {"ig_refresh_token"}, "access_token": {tok}}
		resp, ans := e.do("GET", "/instagram/graph/v23.0/refresh_access_token?"+q.Encode(), nil, "")
		return resp.StatusCode, ans
	}
	if status, ans := refresh(); status != 400 {
		t.Errorf("fresh token: got %d %v, want 400", status, ans)
	} else if code, _ := igErrorOf(t, ans); code != 100 {
		t.Errorf("fresh token: got code %d, want 100 (not 190: the token still works)", code)
	}
	now = now.Add(61 * time.Minute)
	if status, ans := refresh(); status != 200 || ans["expires_in"] != float64(7200) {
		t.Errorf("after half its life: got %d %v, want a new 2 h token", status, ans)
	}
}

// TestInstagramJSONBodyAndPaging checks a container created from a JSON
// body (as Meta's examples send it) and the cursor paging of comments.
func TestInstagramJSONBodyAndPaging(t *testing.T) {
	e := newIGEnv(t, Config{})
	tok := e.token("xia")
	auth := http.Header{"Authorization": {"Bearer " + tok}, "Content-Type": {"application/json"}}
	body, _ := json.Marshal(map[string]any{"image_url": "https://cdn.example/j.jpg", "caption": "json", "user_tags": []map[string]any{{"username": "a", "x": 0.1, "y": 0.2}}})
	resp, ans := e.do("POST", "/instagram/graph/v23.0/me/media", auth, string(body))
	if resp.StatusCode != 200 || ans["id"] == nil {
		t.Fatalf("JSON container: got %d %v", resp.StatusCode, ans)
	}
	resp, pub := e.do("POST", "/instagram/graph/v23.0/me/media_publish?creation_id="+ans["id"].(string), auth, "{}")
	if resp.StatusCode != 200 {
		t.Fatalf("publish: got %d %v", resp.StatusCode, pub)
	}
	p := e.sim.Published(Instagram)
	if len(p) != 1 || p[0].Caption != "json" || p[0].Options["user_tags"] != `[{"username":"a","x":0.1,"y":0.2}]` {
		t.Errorf("got %+v, want the JSON caption and user tags", p)
	}
	path := "/instagram/graph/v23.0/" + pub["id"].(string) + "/comments?limit=2"
	_, page := e.do("GET", path, auth, "")
	data, _ := page["data"].([]any)
	paging, _ := page["paging"].(map[string]any)
	if len(data) != 2 || paging["next"] == nil {
		t.Fatalf("got %v, want 2 comments and a next link", page)
	}
	if next := paging["next"].(string); strings.Contains(next, tok) {
		t.Errorf("got next link %q, want no token in it", next)
	}
	after := paging["cursors"].(map[string]any)["after"].(string)
	_, page = e.do("GET", path+"&after="+after, auth, "")
	if data, _ := page["data"].([]any); len(data) != 1 || page["paging"].(map[string]any)["next"] != nil {
		t.Errorf("got %v, want the last comment and no next link", page)
	}
	first := data[0].(map[string]any)
	if len(first) != 3 || first["text"] == nil || first["timestamp"] == nil {
		t.Errorf("got %v, want the default fields id, text, timestamp", first)
	}
}

// TestInstagramDialect checks injected failures are written in the Graph
// API's envelope, with the usage headers on throttling.
func TestInstagramDialect(t *testing.T) {
	cases := []struct {
		name   string
		faults Faults
		status int
		code   int
	}{
		{"throttled", Faults{RateLimited: 1, RetryAfterSeconds: 90}, 400, 80002},
		{"server error", Faults{ServerErrors: 1}, 500, 1},
		{"outage", Faults{Outage: true}, 503, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newIGEnv(t, Config{})
			tok := e.token("yan")
			e.sim.SetFaults(Instagram, FaultRequest{Faults: tc.faults})
			resp, ans := e.do("GET", "/instagram/graph/v23.0/me", http.Header{"Authorization": {"Bearer " + tok}}, "")
			code, _ := igErrorOf(t, ans)
			if resp.StatusCode != tc.status || code != tc.code || ans["error"].(map[string]any)["is_transient"] != true {
				t.Errorf("got %d code %d %v, want %d code %d, transient", resp.StatusCode, code, ans, tc.status, tc.code)
			}
			if tc.code == 80002 && !bytes.Contains([]byte(resp.Header.Get("X-Business-Use-Case-Usage")), []byte(`"estimated_time_to_regain_access":2`)) {
				t.Errorf("got X-Business-Use-Case-Usage %q, want 2 minutes to regain access", resp.Header.Get("X-Business-Use-Case-Usage"))
			}
		})
	}
}
