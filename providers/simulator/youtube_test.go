package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// ytFixture is a simulator serving in-process with one YouTube user and
// an access token with every scope.
type ytFixture struct {
	sim   *Simulator
	url   string
	token string
}

func newYTFixture(t *testing.T, cfg Config) *ytFixture {
	t.Helper()
	sim := New(cfg)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	u := sim.user(YouTube, "fixture")
	tok := sim.issue(YouTube, "access", u, []string{ytScopeUpload, ytScopeReadonly, ytScopeForceSSL, ytScopeAnalytics}, time.Hour, nil)
	return &ytFixture{sim: sim, url: srv.URL, token: tok.Value}
}

// do sends a request and returns the status, headers and body.
func (f *ytFixture) do(t *testing.T, method, path string, header map[string]string, body []byte) (int, http.Header, string) {
	t.Helper()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = f.url + path
	}
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// session opens an upload session for size bytes.
func (f *ytFixture) session(t *testing.T, size int) string {
	t.Helper()
	status, h, body := f.do(t, "POST", "/google/www/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status",
		map[string]string{"Authorization": "Bearer " + f.token, "X-Upload-Content-Length": fmt.Sprint(size), "X-Upload-Content-Type": "video/mp4"},
		[]byte(`{"snippet":{"title":"Raw"},"status":{"privacyStatus":"private"}}`))
	if status != 200 || h.Get("Location") == "" {
		t.Fatalf("start: got %d %s, want 200 and a Location", status, body)
	}
	return h.Get("Location")
}

// ytReason is the reason of Google's error envelope.
func ytReason(body string) string {
	var e struct {
		Error struct {
			Errors []struct{ Reason string } `json:"errors"`
		} `json:"error"`
	}
	if json.Unmarshal([]byte(body), &e) != nil || len(e.Error.Errors) == 0 {
		return ""
	}
	return e.Error.Errors[0].Reason
}

// The resumable protocol, request by request.
func TestYouTubeResumableProtocol(t *testing.T) {
	f := newYTFixture(t, Config{})
	const unit = 256 << 10
	size := 2*unit + 100
	data := bytes.Repeat([]byte{7}, size)
	uri := f.session(t, size)
	put := func(cr string, body []byte) (int, http.Header, string) {
		return f.do(t, "PUT", uri, map[string]string{"Content-Range": cr}, body)
	}
	steps := []struct {
		name      string
		cr        string
		body      []byte
		status    int
		wantRange string
		reason    string
	}{
		{"nothing yet", fmt.Sprintf("bytes */%d", size), nil, 308, "", ""},
		{"not a 256 KiB multiple", fmt.Sprintf("bytes 0-999/%d", size), data[:1000], 400, "", "badRequest"},
		{"wrong total", fmt.Sprintf("bytes 0-%d/%d", unit-1, size+1), data[:unit], 400, "", "badRequest"},
		{"first chunk", fmt.Sprintf("bytes 0-%d/%d", unit-1, size), data[:unit], 308, fmt.Sprintf("bytes=0-%d", unit-1), ""},
		{"a gap", fmt.Sprintf("bytes %d-%d/%d", 2*unit, size-1, size), data[2*unit:], 400, "", "badRequest"},
		{"overlap resent", fmt.Sprintf("bytes 0-%d/%d", 2*unit-1, size), data[:2*unit], 308, fmt.Sprintf("bytes=0-%d", 2*unit-1), ""},
		{"status", fmt.Sprintf("bytes */%d", size), nil, 308, fmt.Sprintf("bytes=0-%d", 2*unit-1), ""},
		{"last chunk", fmt.Sprintf("bytes %d-%d/%d", 2*unit, size-1, size), data[2*unit:], 201, "", ""},
		{"status when done", fmt.Sprintf("bytes */%d", size), nil, 201, "", ""},
		{"garbage range", "bytes 5-2/10", nil, 400, "", "badRequest"},
	}
	for _, s := range steps {
		status, h, body := put(s.cr, s.body)
		if status != s.status || h.Get("Range") != s.wantRange || (s.reason != "" && ytReason(body) != s.reason) {
			t.Errorf("%s: got %d, Range %q, %s; want %d, Range %q, reason %q", s.name, status, h.Get("Range"), body, s.status, s.wantRange, s.reason)
		}
	}
	pubs := f.sim.Published(YouTube)
	if len(pubs) != 1 || pubs[0].Media[0] != fmt.Sprintf("upload:%d bytes", size) || pubs[0].Options["privacy"] != "private" || pubs[0].Caption != "Raw" {
		t.Errorf("got %+v, want one private publication of %d bytes titled Raw", pubs, size)
	}
	if status, _, _ := f.do(t, "PUT", strings.Replace(uri, "upload_id=", "upload_id=x", 1), map[string]string{"Content-Range": "bytes */1"}, nil); status != 404 {
		t.Errorf("unknown session: got %d, want 404", status)
	}
}

// Refusals of the hosts' other endpoints, in Google's shapes.
func TestYouTubeRefusals(t *testing.T) {
	f := newYTFixture(t, Config{})
	auth := map[string]string{"Authorization": "Bearer " + f.token}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for _, tc := range []struct {
		name, method, path string
		header             map[string]string
		body               string
		status             int
		want               string // reason, OAuth error, or text of the page
	}{
		{"no token", "GET", "/google/www/youtube/v3/channels?part=snippet&mine=true", nil, "", 401, "authError"},
		{"no part", "GET", "/google/www/youtube/v3/channels?mine=true", auth, "", 400, "required"},
		{"no filter", "GET", "/google/www/youtube/v3/channels?part=id", auth, "", 400, "missingRequiredParameter"},
		{"unknown playlist", "GET", "/google/www/youtube/v3/playlistItems?part=snippet&playlistId=UUnope", auth, "", 404, "playlistNotFound"},
		{"maxResults over 50", "GET", "/google/www/youtube/v3/playlistItems?part=snippet&maxResults=51&playlistId=" +
			ytUploadsPlaylist(f.sim.user(YouTube, "fixture").ExternalID), auth, "", 400, "invalidParameter"},
		{"simple upload", "POST", "/google/www/upload/youtube/v3/videos?uploadType=media&part=snippet", auth, "{}", 400, "badRequest"},
		{"bad metadata JSON", "POST", "/google/www/upload/youtube/v3/videos?uploadType=resumable&part=snippet", auth, "{", 400, "parseError"},
		{"title with <", "POST", "/google/www/upload/youtube/v3/videos?uploadType=resumable&part=snippet", auth, `{"snippet":{"title":"a<b"}}`, 400, "invalidTitle"},
		{"publishAt when public", "POST", "/google/www/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status", auth,
			`{"snippet":{"title":"a"},"status":{"privacyStatus":"public","publishAt":"2099-01-01T00:00:00Z"}}`, 400, "invalidPublishAt"},
		{"not a video", "POST", "/google/www/upload/youtube/v3/videos?uploadType=resumable&part=snippet",
			map[string]string{"Authorization": "Bearer " + f.token, "X-Upload-Content-Type": "text/plain"}, `{"snippet":{"title":"a"}}`, 400, "badContent"},
		{"top-level comment", "POST", "/google/www/youtube/v3/comments?part=snippet", auth, `{"snippet":{"textOriginal":"hi"}}`, 400, "operationNotSupported"},
		{"ban without reject", "POST", "/google/www/youtube/v3/comments/setModerationStatus?id=x&moderationStatus=published&banAuthor=true", auth, "", 400, "banWithoutReject"},
		{"report of another channel", "GET", "/google/analytics/v2/reports?ids=channel==UCother&startDate=2026-01-01&endDate=2026-01-02&metrics=views", auth, "", 403, "forbidden"},
		{"report dimension", "GET", "/google/analytics/v2/reports?ids=channel==MINE&startDate=2026-01-01&endDate=2026-01-02&metrics=views&dimensions=country", auth, "", 400, "badRequest"},
		{"unknown grant", "POST", "/google/oauth2/token", form, "grant_type=password&client_id=a&client_secret=b", 400, "unsupported_grant_type"},
		{"no client", "POST", "/google/oauth2/token", form, "grant_type=refresh_token&refresh_token=x", 401, "invalid_client"},
		{"unknown refresh token", "POST", "/google/oauth2/token", form, "grant_type=refresh_token&refresh_token=x&client_id=a&client_secret=b", 400, "invalid_grant"},
		{"revoke unknown", "POST", "/google/oauth2/revoke?token=nope", form, "", 400, "invalid_token"},
		{"authorize without client", "GET", "/google/accounts/o/oauth2/v2/auth?redirect_uri=https://a.example/cb&response_type=code&scope=s", nil, "", 400, "Error 400: invalid_request"},
		{"authorize with a relative redirect", "GET", "/google/accounts/o/oauth2/v2/auth?client_id=c&redirect_uri=/cb&response_type=code&scope=s", nil, "", 400, "redirect_uri"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := f.do(t, tc.method, tc.path, tc.header, []byte(tc.body))
			var oauth struct {
				Error any `json:"error"`
			}
			_ = json.Unmarshal([]byte(body), &oauth)
			code, _ := oauth.Error.(string)
			if status != tc.status || (ytReason(body) != tc.want && code != tc.want && !strings.Contains(body, tc.want)) {
				t.Errorf("got %d %s, want %d %s", status, body, tc.status, tc.want)
			}
		})
	}
}

// Injected faults are written in Google's shape, Retry-After included.
func TestYouTubeDialect(t *testing.T) {
	f := newYTFixture(t, Config{})
	for _, tc := range []struct {
		faults Faults
		status int
		reason string
	}{
		{Faults{RateLimited: 1, RetryAfterSeconds: 9}, 429, "rateLimitExceeded"},
		{Faults{ServerErrors: 1}, 500, "backendError"},
		{Faults{Outage: true}, 503, "backendError"},
	} {
		f.sim.SetFaults(YouTube, FaultRequest{Faults: tc.faults})
		status, h, body := f.do(t, "GET", "/google/www/youtube/v3/videos?part=id&id=x", map[string]string{"Authorization": "Bearer " + f.token}, nil)
		if status != tc.status || ytReason(body) != tc.reason {
			t.Errorf("%+v: got %d %s, want %d %s", tc.faults, status, body, tc.status, tc.reason)
		}
		if tc.faults.RetryAfterSeconds > 0 && h.Get("Retry-After") != "9" {
			t.Errorf("got Retry-After %q, want 9", h.Get("Retry-After"))
		}
	}
	f.sim.SetFaults(YouTube, FaultRequest{})
	// The authorize page is no API call: faults leave it alone.
	f.sim.SetFaults(YouTube, FaultRequest{Faults: Faults{Outage: true}})
	q := url.Values{"client_id": {"c"}, "redirect_uri": {"https://a.example/cb"}, "response_type": {"code"}, "scope": {ytScopeReadonly}, "state": {"s"}}
	if status, h, _ := f.do(t, "GET", "/google/accounts/o/oauth2/v2/auth?"+q.Encode(), nil, nil); status != 302 || !strings.Contains(h.Get("Location"), "code=") {
		t.Errorf("authorize during an outage: got %d %q, want a 302 with a code", status, h.Get("Location"))
	}
}

// Comment inserts and moderation cost 50 units, list calls 1, uploads
// YouTubeUploadCost.
func TestYouTubeQuotaCosts(t *testing.T) {
	f := newYTFixture(t, Config{YouTubeQuota: 160, YouTubeUploadCost: 100})
	auth := map[string]string{"Authorization": "Bearer " + f.token}
	uri := f.session(t, 10) // 100
	if status, _, body := f.do(t, "PUT", uri, map[string]string{"Content-Range": "bytes 0-9/10"}, make([]byte, 10)); status != 201 {
		t.Fatalf("upload: got %d %s", status, body)
	}
	var threads struct {
		Items []struct{ ID string } `json:"items"`
	}
	video := f.sim.Published(YouTube)[0].ID
	_, _, body := f.do(t, "GET", "/google/www/youtube/v3/commentThreads?part=snippet&videoId="+video, auth, nil) // 101
	if err := json.Unmarshal([]byte(body), &threads); err != nil || len(threads.Items) == 0 {
		t.Fatalf("threads: %s", body)
	}
	reply := []byte(`{"snippet":{"parentId":"` + threads.Items[0].ID + `","textOriginal":"hi"}}`)
	if status, _, body := f.do(t, "POST", "/google/www/youtube/v3/comments?part=snippet", auth, reply); status != 200 { // 151
		t.Fatalf("reply: got %d %s", status, body)
	}
	for i := range 9 { // 160
		if status, _, body := f.do(t, "GET", "/google/www/youtube/v3/videos?part=id&id="+video, auth, nil); status != 200 {
			t.Fatalf("list %d: got %d %s", i, status, body)
		}
	}
	if status, _, body := f.do(t, "GET", "/google/www/youtube/v3/videos?part=id&id="+video, auth, nil); status != 403 || ytReason(body) != "quotaExceeded" {
		t.Errorf("over the quota: got %d %s, want 403 quotaExceeded", status, body)
	}
	// The Analytics API has its own quota.
	if status, _, body := f.do(t, "GET", "/google/analytics/v2/reports?ids=channel==MINE&startDate=2026-01-01&endDate=2026-01-02&metrics=views", auth, nil); status != 200 {
		t.Errorf("analytics: got %d %s, want 200", status, body)
	}
}
