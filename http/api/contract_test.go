package api

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/socialmediamanager/smm/http/openapi"
)

// TestOpenAPIMatchesRoutes fails when a registered route is missing from the
// OpenAPI document or the document lists a route that does not exist: the
// document is the public contract and must not drift.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	a := New(Options{CursorSecret: strings.Repeat("k", 32)})
	doc, err := openapi.Document()
	if err != nil {
		t.Fatalf("got invalid OpenAPI document: %v", err)
	}
	documented := map[string]bool{}
	for _, op := range openapi.Operations(doc) {
		documented[op] = true
	}
	registered := map[string]bool{}
	for _, r := range a.App().GetRoutes(true) {
		if r.Method == "HEAD" || r.Method == "CONNECT" || r.Method == "TRACE" {
			continue // fiber adds HEAD for every GET by itself
		}
		registered[r.Method+" "+openapi.FiberPath(r.Path)] = true
	}
	var missing, extra []string
	for op := range registered {
		if !documented[op] {
			missing = append(missing, op)
		}
	}
	for op := range documented {
		if !registered[op] {
			extra = append(extra, op)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("got routes missing from the OpenAPI document: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("got documented operations with no route: %v", extra)
	}
	if len(registered) < 5 {
		t.Errorf("got only %d routes, want the operations routes at least", len(registered))
	}
}

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
