package simulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// ttEnv is a simulator serving in-process, spoken to in raw HTTP: the
// client in providers/tiktok refuses much of what is tested here before
// sending it.
type ttEnv struct {
	t   *testing.T
	sim *Simulator
	url string
}

func newTTEnv(t *testing.T, cfg Config) *ttEnv {
	t.Helper()
	sim := New(cfg)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return &ttEnv{t: t, sim: sim, url: srv.URL}
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// authorize opens the authorize page with q and returns its status and
// the redirect's query.
func (e *ttEnv) authorize(q url.Values) (int, url.Values) {
	e.t.Helper()
	resp, err := noRedirect.Get(e.url + "/tiktok/www/v2/auth/authorize/?" + q.Encode())
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	return resp.StatusCode, loc.Query()
}

func ttAuthorizeQuery(user string) url.Values {
	return url.Values{"client_key": {"ck"}, "scope": {"user.info.basic,video.publish,video.upload,video.list"},
		"response_type": {"code"}, "redirect_uri": {"https://app.test/cb"}, "state": {"s"}, "sim_user": {user}}
}

// form posts a form to the token host and decodes the JSON answer.
func (e *ttEnv) form(path string, f url.Values) (int, map[string]any) {
	e.t.Helper()
	resp, err := http.PostForm(e.url+"/tiktok/open"+path, f)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// token signs user in and returns an access token.
func (e *ttEnv) token(user string) string {
	e.t.Helper()
	_, q := e.authorize(ttAuthorizeQuery(user))
	status, out := e.form("/v2/oauth/token/", url.Values{"client_key": {"ck"}, "client_secret": {"cs"},
		"code": {q.Get("code")}, "grant_type": {"authorization_code"}, "redirect_uri": {"https://app.test/cb"}})
	if status != 200 {
		e.t.Fatalf("token: got %d %v", status, out)
	}
	return out["access_token"].(string)
}

// api calls the API with a bearer token and returns the status, the
// envelope's error code and its data.
func (e *ttEnv) api(method, path, token string, body any) (int, string, map[string]any) {
	e.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, e.url+"/tiktok/open"+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Data  map[string]any `json:"data"`
		Error struct {
			Code  string `json:"code"`
			LogID string `json:"log_id"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		e.t.Fatalf("%s %s: answer not in the envelope: %v", method, path, err)
	}
	if env.Error.LogID == "" {
		e.t.Errorf("%s %s: got no log_id", method, path)
	}
	return resp.StatusCode, env.Error.Code, env.Data
}

func TestTikTokChunkPlan(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		size, chunk int64
		count       int
		ok          bool
	}{
		{1 * mib, 1 * mib, 1, true},
		{1 * mib, 5 * mib, 1, false},
		{12 * mib, 5 * mib, 2, true},
		{12 * mib, 5 * mib, 3, false},
		{12 * mib, 4 * mib, 3, false},
		{64 * mib, 64 * mib, 1, true},
		{70 * mib, 70 * mib, 1, false},
		{200 * mib, 64 * mib, 3, true},
		{0, 0, 0, false},
		{5 << 30, 64 * mib, 80, false},
	}
	for _, tt := range tests {
		if got := ttChunkPlan(tt.size, tt.chunk, tt.count) == ""; got != tt.ok {
			t.Errorf("size %d, chunk %d, count %d: got ok %v, want %v", tt.size, tt.chunk, tt.count, got, tt.ok)
		}
	}
}

// Chunks go in order, with the plan's exact ranges, one at a time.
func TestTikTokUploadRules(t *testing.T) {
	e := newTTEnv(t, Config{})
	tok := e.token("up")
	const chunk, size = 5 << 20, 11 << 20
	status, code, data := e.api("POST", "/v2/post/publish/video/init/", tok, map[string]any{
		"post_info":   map[string]any{"title": "file", "privacy_level": "SELF_ONLY"},
		"source_info": map[string]any{"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk, "total_chunk_count": 2},
	})
	if status != 200 || code != "ok" {
		t.Fatalf("init: got %d %s", status, code)
	}
	uploadURL := data["upload_url"].(string)
	put := func(target, ctype, crange string, n int) int {
		req, _ := http.NewRequest("PUT", target, bytes.NewReader(make([]byte, n)))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if crange != "" {
			req.Header.Set("Content-Range", crange)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	first := fmt.Sprintf("bytes 0-%d/%d", chunk-1, size)
	second := fmt.Sprintf("bytes %d-%d/%d", chunk, size-1, size)
	steps := []struct {
		name   string
		target string
		ctype  string
		crange string
		n      int
		want   int
	}{
		{"unknown upload", e.url + "/tiktok/upload/nope", "video/mp4", first, chunk, 404},
		{"no content type", uploadURL, "", first, chunk, 400},
		{"no range", uploadURL, "video/mp4", "", chunk, 400},
		{"second chunk first", uploadURL, "video/mp4", second, size - chunk, 416},
		{"wrong total", uploadURL, "video/mp4", fmt.Sprintf("bytes 0-%d/%d", chunk-1, size+1), chunk, 416},
		{"first chunk", uploadURL, "video/mp4", first, chunk, 206},
		{"first chunk again", uploadURL, "video/mp4", first, chunk, 416},
		{"last chunk", uploadURL, "video/mp4", second, size - chunk, 201},
		{"after the last", uploadURL, "video/mp4", second, size - chunk, 416},
	}
	for _, s := range steps {
		if got := put(s.target, s.ctype, s.crange, s.n); got != s.want {
			t.Errorf("%s: got %d, want %d", s.name, got, s.want)
		}
	}
	pubs := e.sim.Published(TikTok)
	if len(pubs) != 1 || pubs[0].Media[0] != fmt.Sprintf("upload:%d bytes", size) {
		t.Fatalf("got publications %+v, want the upload", pubs)
	}
}

// What the client checks first, the simulator refuses too.
func TestTikTokInitRefusals(t *testing.T) {
	e := newTTEnv(t, Config{TikTokPostsPerDay: 1})
	pull := func(privacy, title string) map[string]any {
		return map[string]any{"post_info": map[string]any{"title": title, "privacy_level": privacy},
			"source_info": map[string]any{"source": "PULL_FROM_URL", "video_url": "https://m.test/v.mp4"}}
	}
	tok := e.token("strict")
	var openID string
	for _, u := range e.sim.State().Users {
		if u.Username == "strict" {
			openID = u.ExternalID
		}
	}
	e.sim.SetTikTokCreator(openID, TikTokCreator{PrivacyLevelOptions: []string{"SELF_ONLY"}})
	tests := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"privacy level not offered", pull("PUBLIC_TO_EVERYONE", ""), 403, "privacy_level_option_mismatch"},
		{"unknown privacy level", pull("EVERYONE", ""), 400, "invalid_params"},
		{"title over 2200 UTF-16 units", pull("SELF_ONLY", strings.Repeat("😀", 1101)), 400, "invalid_params"},
		{"unknown source", map[string]any{"post_info": map[string]any{"privacy_level": "SELF_ONLY"},
			"source_info": map[string]any{"source": "CARRIER_PIGEON"}}, 400, "invalid_params"},
		{"first post", pull("SELF_ONLY", "ok"), 200, "ok"},
		{"over the daily cap", pull("SELF_ONLY", "again"), 403, "spam_risk_too_many_posts"},
	}
	for _, tt := range tests {
		status, code, _ := e.api("POST", "/v2/post/publish/video/init/", tok, tt.body)
		if status != tt.status || code != tt.code {
			t.Errorf("%s: got %d %s, want %d %s", tt.name, status, code, tt.status, tt.code)
		}
	}
	if status, code, _ := e.api("POST", "/v2/post/publish/creator_info/query/", tok, map[string]any{}); status != 403 || code != "spam_risk_too_many_posts" {
		t.Errorf("creator info past the cap: got %d %s, want 403 spam_risk_too_many_posts", status, code)
	}
}

func TestTikTokOAuthRefusals(t *testing.T) {
	e := newTTEnv(t, Config{})
	q := ttAuthorizeQuery("x")
	q.Del("redirect_uri")
	if status, _ := e.authorize(q); status != 400 {
		t.Errorf("no redirect_uri: got %d, want 400", status)
	}
	q = ttAuthorizeQuery("x")
	q.Set("code_challenge", "abc")
	q.Set("code_challenge_method", "plain")
	if _, back := e.authorize(q); back.Get("error") != "invalid_request" || back.Get("state") != "s" {
		t.Errorf("plain PKCE: got %v, want error=invalid_request with the state", back)
	}
	// TikTok's desktop kit sends the challenge in hex: accepted too.
	q = ttAuthorizeQuery("x")
	verifier := "hex-verifier"
	sum := sha256.Sum256([]byte(verifier))
	q.Set("code_challenge", hex.EncodeToString(sum[:]))
	q.Set("code_challenge_method", "S256")
	_, back := e.authorize(q)
	status, out := e.form("/v2/oauth/token/", url.Values{"client_key": {"ck"}, "client_secret": {"cs"}, "code": {back.Get("code")},
		"grant_type": {"authorization_code"}, "redirect_uri": {"https://app.test/cb"}, "code_verifier": {verifier}})
	if status != 200 {
		t.Fatalf("hex challenge: got %d %v, want tokens", status, out)
	}
	refresh := out["refresh_token"].(string)
	tests := []struct {
		name   string
		form   url.Values
		status int
		code   string
	}{
		{"no client secret", url.Values{"client_key": {"ck"}, "grant_type": {"refresh_token"}, "refresh_token": {refresh}}, 401, "invalid_client"},
		{"unknown grant", url.Values{"client_key": {"ck"}, "client_secret": {"cs"}, "grant_type": {"password"}}, 400, "unsupported_grant_type"},
		{"another client's refresh token", url.Values{"client_key": {"other"}, "client_secret": {"cs"}, "grant_type": {"refresh_token"}, "refresh_token": {refresh}}, 400, "invalid_grant"},
		{"rotation", url.Values{"client_key": {"ck"}, "client_secret": {"cs"}, "grant_type": {"refresh_token"}, "refresh_token": {refresh}}, 200, ""},
		{"rotated-away token", url.Values{"client_key": {"ck"}, "client_secret": {"cs"}, "grant_type": {"refresh_token"}, "refresh_token": {refresh}}, 400, "invalid_grant"},
	}
	for _, tt := range tests {
		status, out := e.form("/v2/oauth/token/", tt.form)
		code, _ := out["error"].(string)
		if status != tt.status || code != tt.code {
			t.Errorf("%s: got %d %v, want %d %s", tt.name, status, out, tt.status, tt.code)
		}
		if tt.code != "" && (out["log_id"] == nil || out["error_description"] == nil) {
			t.Errorf("%s: got %v, want TikTok's OAuth error shape", tt.name, out)
		}
	}
}

func TestTikTokFieldsAndDialect(t *testing.T) {
	e := newTTEnv(t, Config{})
	tok := e.token("fields")
	if status, code, _ := e.api("GET", "/v2/user/info/", tok, nil); status != 400 || code != "invalid_params" {
		t.Errorf("no fields: got %d %s, want 400 invalid_params", status, code)
	}
	if status, code, _ := e.api("GET", "/v2/user/info/?fields=open_id,shoe_size", tok, nil); status != 400 || code != "invalid_params" {
		t.Errorf("unknown field: got %d %s, want 400 invalid_params", status, code)
	}
	status, code, data := e.api("GET", "/v2/user/info/?fields=open_id", tok, nil)
	if user, _ := data["user"].(map[string]any); status != 200 || code != "ok" || len(user) != 1 || user["open_id"] == "" {
		t.Errorf("open_id only: got %d %s %v, want the open_id alone", status, code, data)
	}
	if status, code, _ := e.api("POST", "/v2/video/query/?fields=id", tok, map[string]any{"filters": map[string]any{"video_ids": make([]string, 21)}}); status != 400 || code != "invalid_params" {
		t.Errorf("21 ids: got %d %s, want 400 invalid_params", status, code)
	}
	if status, code, _ := e.api("POST", "/v2/video/list/?fields=id", tok, map[string]any{"max_count": 21}); status != 400 || code != "invalid_params" {
		t.Errorf("max_count 21: got %d %s, want 400 invalid_params", status, code)
	}
	e.sim.SetFaults(TikTok, FaultRequest{Faults: Faults{RateLimited: 1, RetryAfterSeconds: 4}})
	req, _ := http.NewRequest("POST", e.url+"/tiktok/open/v2/post/publish/creator_info/query/", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "4" || !strings.Contains(string(body), `"code":"rate_limit_exceeded"`) {
		t.Errorf("throttled: got %d, Retry-After %q, %s; want 429 rate_limit_exceeded in the envelope after 4 s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}
