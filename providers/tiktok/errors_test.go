package tiktok_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/providers/tiktok"
)

// Injected faults come back in TikTok's shape and are classified so.
func TestFaultClasses(t *testing.T) {
	tests := []struct {
		name       string
		faults     simulator.Faults
		call       func(e *env, tok providers.Token) error
		class      providers.Class
		status     int
		code       string
		retryAfter time.Duration
	}{
		{"throttled", simulator.Faults{RateLimited: 1, RetryAfterSeconds: 7},
			func(e *env, tok providers.Token) error { _, err := e.c.Profile(bg, tok.AccessToken); return err },
			providers.RateLimited, 429, "rate_limit_exceeded", 7 * time.Second},
		{"server error", simulator.Faults{ServerErrors: 1},
			func(e *env, tok providers.Token) error { _, err := e.c.CreatorInfo(bg, tok.AccessToken); return err },
			providers.Retryable, 500, "internal_error", 0},
		{"outage", simulator.Faults{Outage: true},
			func(e *env, tok providers.Token) error {
				_, err := e.c.RecentVideos(bg, tok.AccessToken, 0, 5)
				return err
			},
			providers.Retryable, 503, "internal_error", 0},
		{"timeout", simulator.Faults{Timeouts: 1},
			func(e *env, tok providers.Token) error { _, err := e.c.Profile(bg, tok.AccessToken); return err },
			providers.Retryable, 0, "", 0},
		{"token endpoint throttled", simulator.Faults{RateLimited: 1, RetryAfterSeconds: 3},
			func(e *env, tok providers.Token) error { _, err := e.c.Refresh(bg, tok); return err },
			providers.RateLimited, 429, "rate_limit_exceeded", 3 * time.Second},
		{"token endpoint server error", simulator.Faults{ServerErrors: 1},
			func(e *env, tok providers.Token) error { _, err := e.c.Refresh(bg, tok); return err },
			providers.Retryable, 500, "internal_error", 0},
		{"revoke in an outage", simulator.Faults{Outage: true},
			func(e *env, tok providers.Token) error { return e.c.Revoke(bg, tok) },
			providers.Retryable, 503, "internal_error", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, simulator.Config{}, func(c *tiktok.Config) { c.HTTP.Timeout = 200 * time.Millisecond })
			tok := e.connect("faulty")
			e.sim.SetFaults(simulator.TikTok, simulator.FaultRequest{Faults: tt.faults})
			pe := wantClass(t, tt.name, tt.call(e, tok), tt.class, tt.code)
			if pe.Status != tt.status || pe.RetryAfter != tt.retryAfter {
				t.Errorf("got status %d, retry after %v; want %d, %v", pe.Status, pe.RetryAfter, tt.status, tt.retryAfter)
			}
			if tt.status != 0 && pe.TraceID == "" {
				t.Errorf("got no trace id, want TikTok's log_id")
			}
		})
	}
}

// A chunk refused mid-upload fails the publish with the chunk's error.
func TestUploadChunkFault(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, simulator.Config{}, func(c *tiktok.Config) {
		c.ChunkSize = tiktok.MinChunkSize
		c.HTTP.Transport = rec
	})
	tok := e.connect("chunky")
	rec.before = func(r *http.Request) {
		if r.Method == http.MethodPut && r.Header.Get("Content-Range") != "bytes 0-5242879/11534336" {
			e.sim.SetFaults(simulator.TikTok, simulator.FaultRequest{Faults: simulator.Faults{ServerErrors: 1}})
		}
	}
	const size = 11 << 20
	id, err := e.c.PublishVideoFile(bg, tok.AccessToken, tiktok.Post{PrivacyLevel: tiktok.SelfOnly}, video{size, "mp42"}, size)
	pe := wantClass(t, "second chunk refused", err, providers.Retryable, "internal_error")
	if pe.Op != "upload chunk 2/2" || pe.Status != 500 || id == "" {
		t.Errorf("got op %q, status %d, publish id %q; want chunk 2/2 failing with 500 and the id", pe.Op, pe.Status, id)
	}
	if st, err := e.c.FetchStatus(bg, tok.AccessToken, id); err != nil || st.Status != tiktok.StatusProcessingUpload || st.UploadedBytes != 5<<20 {
		t.Errorf("got %+v, %v; want the post waiting for its second chunk", st, err)
	}
	if n := len(e.sim.Published(simulator.TikTok)); n != 0 {
		t.Errorf("got %d publications, want none", n)
	}
}

// The per-token per-minute limits of PROVIDERS.md answer 429
// rate_limit_exceeded past their count.
func TestRateLimits(t *testing.T) {
	tests := []struct {
		name  string
		limit int
		call  func(e *env, tok providers.Token) error
	}{
		{"creator_info", 20, func(e *env, tok providers.Token) error { _, err := e.c.CreatorInfo(bg, tok.AccessToken); return err }},
		{"video init", 6, func(e *env, tok providers.Token) error {
			_, err := e.c.PublishVideoFromURL(bg, tok.AccessToken, tiktok.Post{PrivacyLevel: tiktok.SelfOnly}, "https://media.smm.test/v.mp4")
			return err
		}},
		{"content init", 6, func(e *env, tok providers.Token) error {
			_, err := e.c.PublishPhotos(bg, tok.AccessToken, tiktok.Photos{PrivacyLevel: tiktok.SelfOnly, Images: []string{"https://media.smm.test/p.jpg"}})
			return err
		}},
		{"status", 30, func(e *env, tok providers.Token) error {
			_, err := e.c.FetchStatus(bg, tok.AccessToken, "v_pub_url~v2-1.0")
			if providers.ClassOf(err) == providers.Permanent {
				return nil // unknown id: the call counted all the same
			}
			return err
		}},
		{"user info", 600, func(e *env, tok providers.Token) error { _, err := e.c.Profile(bg, tok.AccessToken); return err }},
		{"video list", 600, func(e *env, tok providers.Token) error {
			_, err := e.c.RecentVideos(bg, tok.AccessToken, 0, 1)
			return err
		}},
		{"video query", 600, func(e *env, tok providers.Token) error {
			_, err := e.c.VideoMetrics(bg, tok.AccessToken, []string{"7000"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, simulator.Config{TikTokPostsPerDay: 100})
			tok := e.connect("busy")
			for i := 1; i <= tt.limit; i++ {
				if err := tt.call(e, tok); err != nil {
					t.Fatalf("call %d of %d: %v", i, tt.limit, err)
				}
			}
			pe := wantClass(t, "one call over the limit", tt.call(e, tok), providers.RateLimited, "rate_limit_exceeded")
			if pe.Status != 429 || pe.RetryAfter <= 0 || pe.RetryAfter > time.Minute {
				t.Errorf("got status %d, retry after %v; want 429 within the minute", pe.Status, pe.RetryAfter)
			}
			// The limit is per token: another token of the user is free.
			if err := tt.call(e, e.connect("busy")); err != nil {
				t.Errorf("another token: %v", err)
			}
		})
	}
}

// Past Config.TikTokPostsPerDay, TikTok answers spam_risk_too_many_posts:
// the quota is exhausted until the 24 hours have passed.
func TestDailyPostCap(t *testing.T) {
	clk := newClock()
	e := newEnv(t, simulator.Config{TikTokPostsPerDay: 2, Now: clk.Now})
	tok := e.connect("prolific")
	post := func() error {
		_, err := e.c.PublishVideoFromURL(bg, tok.AccessToken, tiktok.Post{PrivacyLevel: tiktok.SelfOnly}, "https://media.smm.test/v.mp4")
		return err
	}
	for i := 1; i <= 2; i++ {
		if err := post(); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
	pe := wantClass(t, "third post", post(), providers.QuotaExhausted, "spam_risk_too_many_posts")
	if pe.Status != 403 {
		t.Errorf("got status %d, want 403", pe.Status)
	}
	_, err := e.c.PublishPhotos(bg, tok.AccessToken, tiktok.Photos{PrivacyLevel: tiktok.SelfOnly, Images: []string{"https://media.smm.test/p.jpg"}})
	wantClass(t, "photos past the cap", err, providers.QuotaExhausted, "spam_risk_too_many_posts")
	clk.advance(24*time.Hour + time.Second)
	fresh, err := e.c.Refresh(bg, tok)
	if err != nil {
		t.Fatal(err)
	}
	tok = fresh
	if err := post(); err != nil {
		t.Errorf("a day later: %v", err)
	}
}

// Requests TikTok refuses for their content are Permanent.
func TestBadInput(t *testing.T) {
	e := newEnv(t, simulator.Config{TikTokPostsPerDay: 100})
	video := func(u string) func(providers.Token) error {
		return func(tok providers.Token) error {
			_, err := e.c.PublishVideoFromURL(bg, tok.AccessToken, tiktok.Post{PrivacyLevel: tiktok.SelfOnly}, u)
			return err
		}
	}
	photos := func(p tiktok.Photos) func(providers.Token) error {
		return func(tok providers.Token) error {
			p.PrivacyLevel = tiktok.SelfOnly
			_, err := e.c.PublishPhotos(bg, tok.AccessToken, p)
			return err
		}
	}
	img := "https://media.smm.test/p.jpg"
	tests := []struct {
		name   string
		call   func(providers.Token) error
		status int
		code   string
	}{
		{"not an http URL", video("ftp://media.smm.test/v.mp4"), 400, "invalid_params"},
		{"no video URL", video(""), 400, "invalid_params"},
		{"unverified domain", video("https://unverified.example.com/v.mp4"), 403, "url_ownership_unverified"},
		{"no photos", photos(tiktok.Photos{}), 400, "invalid_params"},
		{"cover out of range", photos(tiktok.Photos{Images: []string{img, img}, CoverIndex: 2}), 400, "invalid_params"},
		{"photos from an unverified domain", photos(tiktok.Photos{Images: []string{"https://unverified.cdn.test/p.jpg"}}), 403, "url_ownership_unverified"},
		{"unknown post mode", photos(tiktok.Photos{Images: []string{img}, Mode: "LATER"}), 400, "invalid_params"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := e.connect("sloppy")
			pe := wantClass(t, tt.name, tt.call(tok), providers.Permanent, tt.code)
			if pe.Status != tt.status {
				t.Errorf("got status %d, want %d", pe.Status, tt.status)
			}
		})
	}
	banned := e.connect("banned")
	e.sim.SetTikTokCreator(banned.UserID, simulator.TikTokCreator{BannedFromPosting: true})
	err := video("https://media.smm.test/v.mp4")(banned)
	wantClass(t, "banned creator", err, providers.Permanent, "spam_risk_user_banned_from_posting")
	if n := len(e.sim.Published(simulator.TikTok)); n != 0 {
		t.Errorf("got %d publications, want none", n)
	}
}

// Every documented code maps to its class, whatever the endpoint, and an
// answer that is not TikTok's JSON falls back on its status.
func TestDocumentedCodes(t *testing.T) {
	envelope := func(code string) string {
		return `{"data":{},"error":{"code":"` + code + `","message":"m","log_id":"L1"}}`
	}
	oauth := func(code string) string { return `{"error":"` + code + `","error_description":"d","log_id":"L2"}` }
	tests := []struct {
		status int
		body   string
		header http.Header
		token  bool // call the token endpoint (Refresh) instead of the API
		class  providers.Class
		code   string
	}{
		{401, envelope("access_token_invalid"), nil, false, providers.AuthExpired, "access_token_invalid"},
		{401, envelope("scope_not_authorized"), nil, false, providers.Permanent, "scope_not_authorized"},
		{403, envelope("scope_permission_missed"), nil, false, providers.Permanent, "scope_permission_missed"},
		{400, envelope("invalid_param"), nil, false, providers.Permanent, "invalid_param"},
		{400, envelope("invalid_params"), nil, false, providers.Permanent, "invalid_params"},
		{429, envelope("rate_limit_exceeded"), http.Header{"Retry-After": {"12"}}, false, providers.RateLimited, "rate_limit_exceeded"},
		{500, envelope("internal_error"), nil, false, providers.Retryable, "internal_error"},
		{403, envelope("spam_risk_too_many_posts"), nil, false, providers.QuotaExhausted, "spam_risk_too_many_posts"},
		{403, envelope("spam_risk_user_banned_from_posting"), nil, false, providers.Permanent, "spam_risk_user_banned_from_posting"},
		{403, envelope("spam_risk_something_new"), nil, false, providers.Permanent, "spam_risk_something_new"},
		{403, envelope("reached_active_user_cap"), nil, false, providers.Permanent, "reached_active_user_cap"},
		{403, envelope("unaudited_client_can_only_post_to_private_accounts"), nil, false, providers.Permanent, "unaudited_client_can_only_post_to_private_accounts"},
		{403, envelope("url_ownership_unverified"), nil, false, providers.Permanent, "url_ownership_unverified"},
		{403, envelope("privacy_level_option_mismatch"), nil, false, providers.Permanent, "privacy_level_option_mismatch"},
		{503, envelope("something_unheard_of"), nil, false, providers.Retryable, "something_unheard_of"},
		{502, "<html>bad gateway</html>", nil, false, providers.Retryable, ""},
		{200, "<html>captive portal</html>", nil, false, providers.Retryable, ""},
		{400, oauth("invalid_grant"), nil, true, providers.AuthExpired, "invalid_grant"},
		{200, oauth("invalid_grant"), nil, true, providers.AuthExpired, "invalid_grant"},
		{401, oauth("invalid_client"), nil, true, providers.Permanent, "invalid_client"},
		{400, oauth("invalid_request"), nil, true, providers.Permanent, "invalid_request"},
		{500, oauth("server_error"), nil, true, providers.Retryable, "server_error"},
		{429, "", http.Header{"Retry-After": {"5"}}, true, providers.RateLimited, ""},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status)+" "+tt.code, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header()[k] = v
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c := tiktok.New(tiktok.SandboxConfig(srv.URL))
			var err error
			if tt.token {
				_, err = c.Refresh(bg, providers.Token{RefreshToken: "rt"})
			} else {
				_, err = c.CreatorInfo(bg, "at")
			}
			pe := wantClass(t, "answer", err, tt.class, tt.code)
			if pe.Status != tt.status {
				t.Errorf("got status %d, want %d", pe.Status, tt.status)
			}
			if want := providers.RetryAfterHeader(tt.header, time.Now()); pe.RetryAfter != want {
				t.Errorf("got retry after %v, want %v", pe.RetryAfter, want)
			}
		})
	}
}
