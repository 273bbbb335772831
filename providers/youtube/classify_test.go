package youtube

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// Google's answers map to the documented classes, whatever the shape.
func TestClassify(t *testing.T) {
	now := time.Date(2026, 1, 15, 20, 0, 0, 0, time.UTC) // 12:00 PST
	c := New(Config{})
	c.now = func() time.Time { return now }
	api := func(code int, reason string) string {
		return `{"error":{"code":` + strconv.Itoa(code) + `,"message":"m","errors":[{"message":"m","domain":"youtube.quota","reason":"` + reason + `"}]}}`
	}
	for _, tc := range []struct {
		name       string
		status     int
		body       string
		retryAfter string
		class      providers.Class
		code       string
		wait       time.Duration
	}{
		{"quota", 403, api(403, "quotaExceeded"), "", providers.QuotaExhausted, "quotaExceeded", 12 * time.Hour},
		{"rate limit 403", 403, api(403, "rateLimitExceeded"), "", providers.RateLimited, "rateLimitExceeded", 0},
		{"rate limit 429 with Retry-After", 429, api(429, "rateLimitExceeded"), "30", providers.RateLimited, "rateLimitExceeded", 30 * time.Second},
		{"upload cap", 400, api(400, "uploadLimitExceeded"), "", providers.QuotaExhausted, "uploadLimitExceeded", 24 * time.Hour},
		{"forbidden", 403, api(403, "forbidden"), "", providers.Permanent, "forbidden", 0},
		{"bad request", 400, api(400, "badRequest"), "", providers.Permanent, "badRequest", 0},
		{"invalid title", 400, api(400, "invalidTitle"), "", providers.Permanent, "invalidTitle", 0},
		{"backend error", 500, api(500, "backendError"), "", providers.Retryable, "backendError", 0},
		{"backend error as 503", 503, api(503, "backendError"), "5", providers.Retryable, "backendError", 5 * time.Second},
		{"401", 401, api(401, "authError"), "", providers.AuthExpired, "authError", 0},
		{"401 without a body", 401, "", "", providers.AuthExpired, "", 0},
		{"status only", 403, `{"error":{"code":403,"message":"no","status":"PERMISSION_DENIED"}}`, "", providers.Permanent, "PERMISSION_DENIED", 0},
		{"invalid_grant", 400, `{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`, "", providers.AuthExpired, "invalid_grant", 0},
		{"invalid_client", 401, `{"error":"invalid_client","error_description":"The OAuth client was not found."}`, "", providers.Permanent, "invalid_client", 0},
		{"429 plain", 429, "slow down", "", providers.RateLimited, "", 0},
		{"502 page", 502, "<html>" + strings.Repeat("x", 1000) + "</html>", "", providers.Retryable, "", 0},
		{"404 plain", 404, "Not Found", "", providers.Permanent, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.retryAfter != "" {
				h.Set("Retry-After", tc.retryAfter)
			}
			e := c.classify("op", &providers.Response{Status: tc.status, Header: h, Body: []byte(tc.body)})
			if e.Class != tc.class || e.Code != tc.code || e.RetryAfter != tc.wait || e.Status != tc.status {
				t.Errorf("got %s %q wait %v status %d, want %s %q wait %v status %d", e.Class, e.Code, e.RetryAfter, e.Status,
					tc.class, tc.code, tc.wait, tc.status)
			}
			if len(e.Message) > maxMessage+len("…") {
				t.Errorf("got a %d-byte message, want at most %d", len(e.Message), maxMessage)
			}
		})
	}
}

// The project quota comes back at midnight Pacific, daylight saving time
// included.
func TestUntilPacificMidnight(t *testing.T) {
	for _, tc := range []struct {
		now  string
		want time.Duration
	}{
		{"2026-01-15T08:00:00Z", 24 * time.Hour}, // midnight PST
		{"2026-01-15T07:59:00Z", time.Minute},
		{"2026-07-15T06:30:00Z", 30 * time.Minute}, // 23:30 PDT
		{"2026-03-08T08:00:00Z", 23 * time.Hour},   // the day clocks spring forward
		{"2026-11-01T07:00:00Z", 25 * time.Hour},   // the day they fall back
	} {
		now, err := time.Parse(time.RFC3339, tc.now)
		if err != nil {
			t.Fatal(err)
		}
		if got := untilPacificMidnight(now); got != tc.want {
			t.Errorf("at %s: got %v, want %v", tc.now, got, tc.want)
		}
	}
}

// Chunk sizes are multiples of 256 KiB; live defaults are Google's hosts.
func TestConfigDefaults(t *testing.T) {
	for _, tc := range []struct{ in, want int64 }{{0, 8 << 20}, {1000, 8 << 20}, {300 << 10, 256 << 10}, {5 << 20, 5 << 20}} {
		if got := (Config{ChunkSize: tc.in}).withDefaults().ChunkSize; got != tc.want {
			t.Errorf("ChunkSize %d: got %d, want %d", tc.in, got, tc.want)
		}
	}
	cfg := Config{}.withDefaults()
	if cfg.APIBaseURL != "https://www.googleapis.com" || cfg.TokenBaseURL != "https://oauth2.googleapis.com" ||
		cfg.AnalyticsBaseURL != "https://youtubeanalytics.googleapis.com" || cfg.AuthorizeBaseURL != "https://accounts.google.com" || len(cfg.Scopes) != 4 {
		t.Errorf("got %+v, want Google's hosts and the four scopes", cfg)
	}
	sb := SandboxConfig("http://127.0.0.1:9/")
	if sb.APIBaseURL != "http://127.0.0.1:9/google/www" || sb.AuthorizeBaseURL != "http://127.0.0.1:9/google/accounts" ||
		sb.TokenBaseURL != "http://127.0.0.1:9/google/oauth2" || sb.AnalyticsBaseURL != "http://127.0.0.1:9/google/analytics" {
		t.Errorf("got %+v, want the simulator's prefixes", sb)
	}
}
