package providers_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// Live mode refuses a redirect to plain HTTP; sandbox mode follows it.
func TestRedirectPolicy(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer plain.Close()
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/landed", http.StatusFound)
	}))
	defer tls.Close()
	for _, live := range []bool{true, false} {
		c := providers.NewCaller("test", providers.HTTPConfig{Live: live, Transport: tls.Client().Transport})
		req, _ := http.NewRequest("GET", tls.URL+"/start", nil)
		resp, err := c.Do(context.Background(), "follow", req)
		switch {
		case live && (err == nil || !strings.Contains(err.Error(), "https only")):
			t.Errorf("live: got %v, want the redirect to http refused", err)
		case !live && (err != nil || string(resp.Body) != "ok"):
			t.Errorf("sandbox: got %v, want the redirect followed", err)
		}
	}
}

// A body over the cap fails the call as retryable; one at the cap passes.
func TestBodyCap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("x", 100)))
	}))
	defer srv.Close()
	for _, tc := range []struct {
		max int64
		ok  bool
	}{{100, true}, {99, false}} {
		c := providers.NewCaller("test", providers.HTTPConfig{MaxBody: tc.max})
		req, _ := http.NewRequest("GET", srv.URL, nil)
		_, err := c.Do(context.Background(), "read", req)
		if (err == nil) != tc.ok || (err != nil && providers.ClassOf(err) != providers.Retryable) {
			t.Errorf("cap %d: got %v, want ok=%v (retryable when not)", tc.max, err, tc.ok)
		}
	}
}

// A transport failure is retryable and never quotes the URL's query,
// where Instagram's tokens travel.
func TestTransportErrorHidesTheQuery(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Millisecond)
	}))
	defer srv.Close()
	c := providers.NewCaller("test", providers.HTTPConfig{Timeout: 20 * time.Millisecond})
	req, _ := http.NewRequest("GET", srv.URL+"/refresh_access_token?access_token=SECRET-TOKEN", nil)
	_, err := c.Do(context.Background(), "refresh", req)
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Class != providers.Retryable {
		t.Fatalf("got %v, want a retryable *providers.Error", err)
	}
	if strings.Contains(err.Error(), "SECRET-TOKEN") {
		t.Errorf("got %q, which quotes the token", err)
	}
}

func TestRedactURLs(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`Get "https://graph.instagram.com/v23.0/me?access_token=abc": EOF`, `Get "https://graph.instagram.com/v23.0/me?…": EOF`},
		{"no url here", "no url here"},
		{"http://h/p without query", "http://h/p without query"},
	} {
		if got := providers.RedactURLs(tc.in); got != tc.want {
			t.Errorf("RedactURLs(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"30", 30 * time.Second},
		{now.Add(2 * time.Minute).Format(http.TimeFormat), 2 * time.Minute},
		{"soon", 0},
	} {
		h := http.Header{}
		if tc.v != "" {
			h.Set("Retry-After", tc.v)
		}
		if got := providers.RetryAfterHeader(h, now); got != tc.want {
			t.Errorf("Retry-After %q: got %v, want %v", tc.v, got, tc.want)
		}
	}
}
