package api

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestOpenAPIServedAsJSON checks the document is served as JSON. The
// comparison of the document with the registered routes needs the identity
// routes, so it runs on the assembled service: cmd/app/contract_test.go.
func TestOpenAPIServedAsJSON(t *testing.T) {
	a := New(Options{CursorSecret: strings.Repeat("k", 32)})
	resp, err := a.App().Test(httptest.NewRequest("GET", "/api/v1/openapi.json", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("got status %d, want 200", resp.StatusCode)
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("got invalid JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") || doc.Paths["/health/ready"] == nil {
		t.Errorf("got openapi %q with paths %v, want a 3.x document listing /health/ready", doc.OpenAPI, len(doc.Paths))
	}
}
