package app_test

import (
	"sort"
	"testing"

	"github.com/socialmediamanager/smm/cmd/app/apptest"
	"github.com/socialmediamanager/smm/http/openapi"
)

// TestOpenAPIMatchesRoutes fails when a route registered by the assembled
// service is missing from the OpenAPI document, or the document lists a
// route that does not exist: the document is the public contract and must
// not drift. It runs the full service (identity included), so every route
// the service really serves is compared, not only the operations routes.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s := apptest.Start(t)
	doc, err := openapi.Document()
	if err != nil {
		t.Fatalf("got invalid OpenAPI document: %v", err)
	}
	documented := map[string]bool{}
	for _, op := range openapi.Operations(doc) {
		documented[op] = true
	}
	registered := map[string]bool{}
	for _, r := range s.App.API().App().GetRoutes(true) {
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
	for _, want := range []string{"GET /health/ready", "GET /.well-known/jwks.json", "POST /api/v1/auth/login", "GET /api/v1/me"} {
		if !registered[want] {
			t.Errorf("got no %s among the registered routes, want the identity routes served", want)
		}
	}
}
