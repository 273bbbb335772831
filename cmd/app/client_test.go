package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// apiClient is a minimal JSON client for end-to-end tests.
type apiClient struct {
	t    *testing.T
	base string
}

type apiResponse struct {
	Status int
	Header http.Header
	Raw    []byte
	Data   json.RawMessage
	Errors []struct {
		Code, Message, Field string
	}
	Meta map[string]any
}

// do sends method path with body (marshalled unless a string) and headers
// given as "Name: value" strings.
func (c apiClient) do(method, path string, body any, headers ...string) apiResponse {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out := apiResponse{Status: resp.StatusCode, Header: resp.Header}
	out.Raw, _ = io.ReadAll(resp.Body)
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(out.Raw, &out); err != nil {
			c.t.Fatalf("%s %s: invalid JSON %q: %v", method, path, out.Raw, err)
		}
	}
	return out
}

// into decodes the response's data into v, failing the test on a status
// other than want.
func (r apiResponse) into(t *testing.T, want int, v any) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("got status %d, want %d: %s", r.Status, want, r.Raw)
	}
	if v != nil {
		if err := json.Unmarshal(r.Data, v); err != nil {
			t.Fatalf("decode data %s: %v", r.Data, err)
		}
	}
}

func (r apiResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Code
}

func bearer(token string) string { return "Authorization: Bearer " + token }

// syncWriter serialises writes to a strings.Builder shared with a server.
type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
