package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/socialmediamanager/smm/domain"
)

type envelopeForTest struct {
	Data   json.RawMessage `json:"data"`
	Errors []ErrorBody     `json:"errors"`
	Meta   struct {
		RequestID   string            `json:"request_id"`
		NextCursor  *string           `json:"next_cursor"`
		HasMore     bool              `json:"has_more"`
		Limit       int               `json:"limit"`
		LimitCapped bool              `json:"limit_capped"`
		Checks      map[string]string `json:"checks"`
	} `json:"meta"`
}

// newTestAPI builds the edge with test routes that exercise decoding,
// panics and domain errors.
func newTestAPI(t *testing.T, opts Options) *API {
	t.Helper()
	if opts.CursorSecret == "" {
		opts.CursorSecret = strings.Repeat("k", 32)
	}
	a := New(opts)
	a.App().Post("/test/echo", func(c *fiber.Ctx) error {
		var in struct {
			Name  string `json:"name"`
			Count int    `json:"count"`
		}
		var out struct {
			Name  string `json:"name"`
			Count int    `json:"count"`
		}
		if err := DecodeJSON(c, &in); err != nil {
			return err
		}
		out.Name, out.Count = in.Name, in.Count
		return Respond(c, fiber.StatusCreated, out)
	})
	a.App().Get("/test/panic", func(c *fiber.Ctx) error { panic("boom: secret-detail") })
	a.App().Get("/test/conflict", func(c *fiber.Ctx) error {
		return domainErr(domain.CodeConflict)
	})
	a.App().Get("/test/many", func(c *fiber.Ctx) error {
		return domain.Errors{domain.Invalid("a", "bad a"), domain.Invalid("b.c", "bad b.c")}
	})
	a.App().Get("/test/plain", func(c *fiber.Ctx) error { return errors.New("database exploded: password=hunter2") })
	return a
}

func domainErr(code domain.Code) error { return domain.Errorf(code, "it is %s", code) }

func do(t *testing.T, a *API, req *http.Request) (*http.Response, envelopeForTest) {
	t.Helper()
	resp, err := a.App().Test(req, -1)
	if err != nil {
		t.Fatalf("request %s %s: %v", req.Method, req.URL, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var env envelopeForTest
	if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/json") {
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatalf("%s %s: body is not JSON: %v: %s", req.Method, req.URL, err, body)
		}
	}
	return resp, env
}

func TestEnvelopeOnEveryError(t *testing.T) {
	a := newTestAPI(t, Options{BodyLimit: 64})
	tests := []struct {
		name       string
		method     string
		path       string
		ctype      string
		body       string
		wantStatus int
		wantCode   string
		wantField  string
	}{
		{"unknown route", "GET", "/nope", "", "", 404, "not_found", ""},
		{"wrong method", "DELETE", "/health/live", "", "", 405, "method_not_allowed", ""},
		{"wrong content type", "POST", "/test/echo", "text/plain", `{"name":"a"}`, 415, "unsupported_media_type", ""},
		{"no content type", "POST", "/test/echo", "", `{"name":"a"}`, 415, "unsupported_media_type", ""},
		{"malformed json", "POST", "/test/echo", "application/json", `{"name":`, 400, "invalid", "body"},
		{"syntax error", "POST", "/test/echo", "application/json", `{"name" "a"}`, 400, "invalid", "body"},
		{"unknown field", "POST", "/test/echo", "application/json", `{"name":"a","colour":"red"}`, 400, "invalid", "colour"},
		{"wrong type", "POST", "/test/echo", "application/json", `{"count":"three"}`, 400, "invalid", "count"},
		{"empty body", "POST", "/test/echo", "application/json", ``, 400, "invalid", "body"},
		{"two values", "POST", "/test/echo", "application/json", `{"name":"a"}{"name":"b"}`, 400, "invalid", "body"},
		{"panic", "GET", "/test/panic", "", "", 500, "internal", ""},
		{"plain error", "GET", "/test/plain", "", "", 500, "internal", ""},
		{"domain error", "GET", "/test/conflict", "", "", 409, "conflict", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			resp, env := do(t, a, req)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("got status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, "application/json") {
				t.Fatalf("got content type %q, want JSON envelope", got)
			}
			if len(env.Errors) != 1 {
				t.Fatalf("got %d errors, want 1: %+v", len(env.Errors), env.Errors)
			}
			if got := env.Errors[0].Code; got != tt.wantCode {
				t.Errorf("got code %q, want %q", got, tt.wantCode)
			}
			if got := env.Errors[0].Field; got != tt.wantField {
				t.Errorf("got field %q, want %q", got, tt.wantField)
			}
			if env.Errors[0].Message == "" {
				t.Errorf("got empty message, want an explanation")
			}
			if env.Meta.RequestID == "" || env.Meta.RequestID != resp.Header.Get(HeaderRequestID) {
				t.Errorf("got meta.request_id %q and header %q, want the same non-empty id", env.Meta.RequestID, resp.Header.Get(HeaderRequestID))
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("got X-Content-Type-Options %q, want nosniff", got)
			}
		})
	}
}

func TestInternalErrorsHideTheirCause(t *testing.T) {
	var logs bytes.Buffer
	a := newTestAPI(t, Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	for _, path := range []string{"/test/panic", "/test/plain"} {
		req := httptest.NewRequest("GET", path, nil)
		resp, err := a.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		for _, secret := range []string{"secret-detail", "hunter2", "goroutine", ".go:"} {
			if bytes.Contains(body, []byte(secret)) {
				t.Errorf("%s: got %q in the response body, want the cause hidden: %s", path, secret, body)
			}
		}
	}
	if !strings.Contains(logs.String(), "secret-detail") || !strings.Contains(logs.String(), "goroutine") {
		t.Errorf("got logs without the panic and its stack, want both logged: %s", logs.String())
	}
}

func TestManyViolationsAreAllReported(t *testing.T) {
	a := newTestAPI(t, Options{})
	resp, env := do(t, a, httptest.NewRequest("GET", "/test/many", nil))
	if resp.StatusCode != 400 {
		t.Fatalf("got status %d, want 400", resp.StatusCode)
	}
	var fields []string
	for _, e := range env.Errors {
		fields = append(fields, e.Field)
	}
	if got, want := strings.Join(fields, ","), "a,b.c"; got != want {
		t.Errorf("got fields %q, want %q", got, want)
	}
}

func TestSuccessEnvelopeAndDecoding(t *testing.T) {
	a := newTestAPI(t, Options{})
	req := httptest.NewRequest("POST", "/test/echo", strings.NewReader(`{"name":"Ada","count":3}`))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, env := do(t, a, req)
	if resp.StatusCode != 201 {
		t.Fatalf("got status %d, want 201", resp.StatusCode)
	}
	if got, want := string(env.Data), `{"name":"Ada","count":3}`; got != want {
		t.Errorf("got data %s, want %s", got, want)
	}
	if env.Errors != nil {
		t.Errorf("got errors %+v on success, want none", env.Errors)
	}
}

func TestSecurityHeaders(t *testing.T) {
	a := newTestAPI(t, Options{})
	want := map[string]string{
		"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
		"X-Content-Type-Options":    "nosniff",
		"X-Frame-Options":           "DENY",
		"Referrer-Policy":           "no-referrer",
		"Content-Security-Policy":   "default-src 'none'; frame-ancestors 'none'",
		"Cache-Control":             "no-store",
	}
	for _, path := range []string{"/health/live", "/nope", "/test/panic"} {
		resp, _ := do(t, a, httptest.NewRequest("GET", path, nil))
		for h, v := range want {
			if got := resp.Header.Get(h); got != v {
				t.Errorf("%s: got %s %q, want %q", path, h, got, v)
			}
		}
	}
}

func TestRequestIDsAndTraceParent(t *testing.T) {
	var logs bytes.Buffer
	a := newTestAPI(t, Options{Logger: slog.New(testContextHandler(&logs))})
	tests := []struct {
		name          string
		reqID, corrID string
		traceparent   string
		wantReqID     string
		wantCorrID    string
		wantTraceID   string
		wantNewTrace  bool
	}{
		{"generated", "", "", "", "", "", "", true},
		{"client ids kept", "req-1", "corr-9", "", "req-1", "corr-9", "", true},
		{"correlation defaults to request", "req-2", "", "", "req-2", "req-2", "", true},
		{"unsafe ids replaced", "bad id\nwith newline", "", "", "", "", "", true},
		{"trace continued", "", "", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "", "", "4bf92f3577b34da6a3ce929d0e0e4736", false},
		{"malformed trace restarted", "", "", "00-zz-00f067aa0ba902b7-01", "", "", "", true},
		{"all-zero trace restarted", "", "", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs.Reset()
			req := httptest.NewRequest("GET", "/health/live", nil)
			if tt.reqID != "" {
				req.Header.Set(HeaderRequestID, tt.reqID)
			}
			if tt.corrID != "" {
				req.Header.Set(HeaderCorrelationID, tt.corrID)
			}
			if tt.traceparent != "" {
				req.Header.Set(HeaderTraceParent, tt.traceparent)
			}
			resp, env := do(t, a, req)
			gotReq, gotCorr := resp.Header.Get(HeaderRequestID), resp.Header.Get(HeaderCorrelationID)
			if gotReq == "" || gotReq == tt.reqID && tt.wantReqID == "" {
				t.Errorf("got request id %q, want a generated one", gotReq)
			}
			if tt.wantReqID != "" && gotReq != tt.wantReqID {
				t.Errorf("got request id %q, want %q", gotReq, tt.wantReqID)
			}
			if tt.wantCorrID != "" && gotCorr != tt.wantCorrID {
				t.Errorf("got correlation id %q, want %q", gotCorr, tt.wantCorrID)
			}
			if gotCorr == "" {
				t.Errorf("got no correlation id, want one")
			}
			if env.Meta.RequestID != gotReq {
				t.Errorf("got meta.request_id %q, want header value %q", env.Meta.RequestID, gotReq)
			}
			tp := resp.Header.Get(HeaderTraceParent)
			parts := strings.Split(tp, "-")
			if len(parts) != 4 || len(parts[1]) != 32 || len(parts[2]) != 16 {
				t.Fatalf("got traceparent %q, want a valid W3C traceparent", tp)
			}
			if tt.wantTraceID != "" && parts[1] != tt.wantTraceID {
				t.Errorf("got trace id %s, want the caller's %s", parts[1], tt.wantTraceID)
			}
			if tt.traceparent != "" && tt.wantNewTrace && strings.Contains(tt.traceparent, parts[1]) {
				t.Errorf("got trace id %s from a malformed header, want a fresh one", parts[1])
			}
			// The access log line carries all three ids and the route template.
			var line map[string]any
			if err := json.Unmarshal(bytes.TrimSpace(logs.Bytes()), &line); err != nil {
				t.Fatalf("access log is not one JSON line: %v: %s", err, logs.String())
			}
			for k, want := range map[string]string{"request_id": gotReq, "correlation_id": gotCorr, "trace_id": parts[1], "route": "/health/live", "method": "GET"} {
				if got, _ := line[k].(string); got != want {
					t.Errorf("log %s: got %q, want %q", k, got, want)
				}
			}
			if got, _ := line["status"].(float64); got != 200 {
				t.Errorf("log status: got %v, want 200", line["status"])
			}
		})
	}
}

func TestAccessLogUsesRouteTemplateAndRealStatus(t *testing.T) {
	var logs bytes.Buffer
	a := newTestAPI(t, Options{Logger: slog.New(testContextHandler(&logs))})
	a.App().Get("/test/items/:id", func(c *fiber.Ctx) error { return domain.Errorf(domain.CodeNotFound, "no item") })
	for _, tc := range []struct {
		path, route string
		status      float64
	}{
		{"/test/items/123", "/test/items/:id", 404},
		{"/no/such/path", "(unmatched)", 404},
		{"/test/conflict", "/test/conflict", 409},
	} {
		logs.Reset()
		do(t, a, httptest.NewRequest("GET", tc.path, nil))
		var line map[string]any
		if err := json.Unmarshal(bytes.TrimSpace(logs.Bytes()), &line); err != nil {
			t.Fatalf("%s: access log is not one JSON line: %v: %s", tc.path, err, logs.String())
		}
		if got := line["route"]; got != tc.route {
			t.Errorf("%s: got route %v, want %s", tc.path, got, tc.route)
		}
		if got := line["status"]; got != tc.status {
			t.Errorf("%s: got status %v, want %v", tc.path, got, tc.status)
		}
	}
}

func TestCORS(t *testing.T) {
	a := newTestAPI(t, Options{CORSOrigins: []string{"https://app.example.com"}})
	tests := []struct {
		name       string
		method     string
		origin     string
		preflight  bool
		wantStatus int
		wantAllow  string
	}{
		{"allowed simple", "GET", "https://app.example.com", false, 200, "https://app.example.com"},
		{"foreign simple", "GET", "https://evil.example", false, 200, ""},
		{"allowed preflight", "OPTIONS", "https://app.example.com", true, 204, "https://app.example.com"},
		{"foreign preflight", "OPTIONS", "https://evil.example", true, 204, ""},
		{"no origin", "GET", "", false, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/health/live", nil)
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.preflight {
				req.Header.Set("Access-Control-Request-Method", "POST")
			}
			resp, _ := do(t, a, req)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("got status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tt.wantAllow {
				t.Errorf("got Access-Control-Allow-Origin %q, want %q", got, tt.wantAllow)
			}
			if tt.preflight && tt.wantAllow != "" && resp.Header.Get("Access-Control-Allow-Methods") == "" {
				t.Errorf("got no Access-Control-Allow-Methods on an allowed preflight")
			}
			if tt.wantAllow == "" && resp.Header.Get("Access-Control-Allow-Methods") != "" {
				t.Errorf("got Access-Control-Allow-Methods for a foreign origin, want none")
			}
		})
	}
	// The default configuration allows no origin at all.
	def := newTestAPI(t, Options{})
	req := httptest.NewRequest("GET", "/health/live", nil)
	req.Header.Set("Origin", "https://app.example.com")
	resp, _ := do(t, def, req)
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("default config: got Access-Control-Allow-Origin %q, want none", got)
	}
}

func TestHealth(t *testing.T) {
	var pgDown, redisDown atomic.Bool
	var started atomic.Bool
	a := newTestAPI(t, Options{
		ReadyChecks: map[string]Check{
			"postgres": func(context.Context) error {
				if pgDown.Load() {
					return errors.New("connection refused")
				}
				return nil
			},
			"redis": func(context.Context) error {
				if redisDown.Load() {
					return errors.New("connection refused")
				}
				return nil
			},
		},
		Started: started.Load,
	})
	check := func(path string, wantStatus int, wantFailed ...string) {
		t.Helper()
		resp, env := do(t, a, httptest.NewRequest("GET", path, nil))
		if resp.StatusCode != wantStatus {
			t.Fatalf("%s: got status %d, want %d", path, resp.StatusCode, wantStatus)
		}
		var failed []string
		for _, e := range env.Errors {
			if e.Code != "unavailable" {
				t.Errorf("%s: got code %q, want unavailable", path, e.Code)
			}
			failed = append(failed, e.Field)
		}
		if got, want := strings.Join(failed, ","), strings.Join(wantFailed, ","); got != want {
			t.Errorf("%s: got failed %q, want %q", path, got, want)
		}
	}
	check("/health/live", 200)
	check("/health/startup", 503, "")
	check("/health/ready", 503, "startup")
	started.Store(true)
	check("/health/startup", 200)
	check("/health/ready", 200)
	pgDown.Store(true)
	check("/health/ready", 503, "postgres")
	redisDown.Store(true)
	check("/health/ready", 503, "postgres", "redis")
	check("/health/live", 200)
	pgDown.Store(false)
	redisDown.Store(false)
	check("/health/ready", 200)
}

func TestMetricsByRouteTemplate(t *testing.T) {
	a := newTestAPI(t, Options{})
	a.App().Get("/test/items/:id", func(c *fiber.Ctx) error { return Respond(c, 200, nil) })
	for _, p := range []string{"/test/items/1", "/test/items/2", "/nope/1", "/nope/2"} {
		do(t, a, httptest.NewRequest("GET", p, nil))
	}
	resp, err := a.App().Test(httptest.NewRequest("GET", "/metrics", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`smm_http_requests_total{method="GET",route="/test/items/:id",status="200"} 2`,
		`smm_http_requests_total{method="GET",route="(unmatched)",status="404"} 2`,
		`smm_http_request_duration_seconds_bucket{method="GET",route="/test/items/:id",status="200",le="+Inf"} 2`,
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("got metrics without %q:\n%s", want, body)
		}
	}
	if bytes.Contains(body, []byte("/test/items/1")) {
		t.Errorf("got a raw path in the metrics labels, want only the route template")
	}
}

// TestBodyLimitOverTheNetwork sends an oversized body through a real socket:
// the server refuses it before any handler runs, and the answer is still the
// 413 envelope with ids and security headers.
func TestBodyLimitOverTheNetwork(t *testing.T) {
	a := newTestAPI(t, Options{BodyLimit: 64})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.App().Listener(ln) }()
	t.Cleanup(func() { _ = a.App().Shutdown() })

	body := `{"name":"` + strings.Repeat("x", 500) + `"}`
	resp, err := http.Post("http://"+ln.Addr().String()+"/test/echo", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 {
		t.Fatalf("got status %d, want 413: %s", resp.StatusCode, raw)
	}
	var env envelopeForTest
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("got non-JSON body %q: %v", raw, err)
	}
	if len(env.Errors) != 1 || env.Errors[0].Code != "payload_too_large" {
		t.Errorf("got errors %+v, want one payload_too_large", env.Errors)
	}
	if env.Meta.RequestID == "" || resp.Header.Get(HeaderRequestID) != env.Meta.RequestID {
		t.Errorf("got request id %q / header %q, want the same non-empty id", env.Meta.RequestID, resp.Header.Get(HeaderRequestID))
	}
	if got := resp.Header.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("got X-Frame-Options %q, want DENY", got)
	}

	// A body within the limit still works on the same server.
	resp2, err := http.Post("http://"+ln.Addr().String()+"/test/echo", "application/json", strings.NewReader(`{"name":"ok"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != 201 {
		t.Errorf("got status %d for a small body, want 201", resp2.StatusCode)
	}
}
