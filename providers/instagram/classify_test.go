package instagram

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// TestFailClassifies checks every row of PROVIDERS.md's error table, the
// token endpoint's flat shape, answers that are not Instagram's, and the
// waits read from Retry-After and X-Business-Use-Case-Usage.
func TestFailClassifies(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := New(Config{ClientSecret: "s3cret", Now: func() time.Time { return now }})
	graph := func(code, sub int, transient bool) string {
		s := `{"error":{"message":"m","type":"OAuthException","code":` + strconv.Itoa(code)
		if sub != 0 {
			s += `,"error_subcode":` + strconv.Itoa(sub)
		}
		if transient {
			s += `,"is_transient":true`
		}
		return s + `,"fbtrace_id":"Atrace"}}`
	}
	cases := []struct {
		name          string
		status        int
		body          string
		header        http.Header
		class         providers.Class
		code, subcode string
		retryAfter    time.Duration
	}{
		{"4 throttled", 400, graph(4, 0, true), nil, providers.RateLimited, "4", "", 0},
		{"17 throttled", 400, graph(17, 0, false), nil, providers.RateLimited, "17", "", 0},
		{"32 throttled", 400, graph(32, 0, false), nil, providers.RateLimited, "32", "", 0},
		{"613 throttled", 400, graph(613, 0, false), nil, providers.RateLimited, "613", "", 0},
		{"80002 throttled", 400, graph(80002, 0, false), nil, providers.RateLimited, "80002", "", 0},
		{"1 unknown", 500, graph(1, 0, false), nil, providers.Retryable, "1", "", 0},
		{"2 service", 503, graph(2, 0, false), nil, providers.Retryable, "2", "", 0},
		{"-1/2207001 server", 400, graph(-1, 2207001, false), nil, providers.Retryable, "-1", "2207001", 0},
		{"-1/2207032 create failed", 400, graph(-1, 2207032, false), nil, providers.Retryable, "-1", "2207032", 0},
		{"190 token", 400, graph(190, 463, false), nil, providers.AuthExpired, "190", "463", 0},
		{"10 permission", 403, graph(10, 0, false), nil, providers.Permanent, "10", "", 0},
		{"200 permission", 403, graph(200, 0, false), nil, providers.Permanent, "200", "", 0},
		{"299 permission", 403, graph(299, 0, false), nil, providers.Permanent, "299", "", 0},
		{"9/2207042 daily cap", 400, graph(9, 2207042, false), nil, providers.QuotaExhausted, "9", "2207042", 0},
		{"4/2207051 spam", 400, graph(4, 2207051, true), nil, providers.Permanent, "4", "2207051", 0},
		{"-2/2207003 download timeout", 400, graph(-2, 2207003, false), nil, providers.Retryable, "-2", "2207003", 0},
		{"-2/2207020 expired", 400, graph(-2, 2207020, false), nil, providers.Permanent, "-2", "2207020", 0},
		{"36000/2207004 too large", 400, graph(36000, 2207004, false), nil, providers.Permanent, "36000", "2207004", 0},
		{"9007/2207027 not ready", 400, graph(9007, 2207027, false), nil, providers.Retryable, "9007", "2207027", 0},
		{"unlisted, transient", 400, graph(12345, 0, true), nil, providers.Retryable, "12345", "", 0},
		{"100 invalid parameter", 400, graph(100, 0, false), nil, providers.Permanent, "100", "", 0},
		{"codes as strings", 400, `{"error":{"message":"m","code":"190","error_subcode":"460"}}`, nil, providers.AuthExpired, "190", "460", 0},
		{"token endpoint", 400, `{"error_type":"OAuthException","code":400,"error_message":"Invalid authorization code"}`, nil, providers.Permanent, "400", "", 0},
		{"proxy 502 page", 502, `<html>Bad Gateway</html>`, nil, providers.Retryable, "", "", 0},
		{"bare 429", 429, ``, http.Header{"Retry-After": {"30"}}, providers.RateLimited, "", "", 30 * time.Second},
		{"business use case wait", 400, graph(80002, 0, false),
			http.Header{"X-Business-Use-Case-Usage": {`{"178":[{"type":"instagram","call_count":100,"estimated_time_to_regain_access":7}],"179":[{"type":"instagram","estimated_time_to_regain_access":3}]}`}},
			providers.RateLimited, "80002", "", 7 * time.Minute},
		{"Retry-After date", 400, graph(4, 0, false), http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}},
			providers.RateLimited, "4", "", 90 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.header
			if h == nil {
				h = http.Header{}
			}
			e := c.fail("op", &providers.Response{Status: tc.status, Header: h, Body: []byte(tc.body)})
			if e.Class != tc.class || e.Code != tc.code || e.Subcode != tc.subcode || e.RetryAfter != tc.retryAfter || e.Status != tc.status {
				t.Errorf("got class %s code %q/%q retry after %s status %d, want %s %q/%q %s %d",
					e.Class, e.Code, e.Subcode, e.RetryAfter, e.Status, tc.class, tc.code, tc.subcode, tc.retryAfter, tc.status)
			}
		})
	}
}

// TestFailScrubs checks a provider message quoting secrets or URLs loses
// them.
func TestFailScrubs(t *testing.T) {
	c := New(Config{ClientSecret: "s3cret-value"})
	body := `{"error":{"message":"bad https://graph.instagram.com/v23.0/me?access_token=IGQtoken&x=1 and s3cret-value","code":100,"error_user_title":"T","error_user_msg":"IGQtoken"}}`
	e := c.fail("op", &providers.Response{Status: 400, Header: http.Header{}, Body: []byte(body)}, "IGQtoken")
	for _, s := range []string{"IGQtoken", "s3cret-value", "x=1"} {
		if strings.Contains(e.Error(), s) {
			t.Errorf("got %q, want no %q", e.Error(), s)
		}
	}
	if !strings.Contains(e.Error(), "https://graph.instagram.com/v23.0/me") {
		t.Errorf("got %q, want the URL without its query", e.Error())
	}
}
