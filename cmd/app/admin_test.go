package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/cmd/app/apptest"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/pgtest"
	"github.com/socialmediamanager/smm/persistence/postgres"
)

// TestPlatformAdminRoutes: the cluster view and the grain lookup answer only
// a signed-in platform admin; an organization owner, an API key (even of a
// platform admin's organization) and an anonymous caller are refused.
func TestPlatformAdminRoutes(t *testing.T) {
	s := apptest.Start(t)
	c := apiClient{t: t, base: s.URL}
	operator := register(t, c, uniqueEmail(t))
	owner := register(t, c, uniqueEmail(t))
	key := mxCreateKey(t, c, operator.Tokens.AccessToken, domain.ScopeAdmin)
	if _, err := postgres.NewStore(pgtest.Pool(t)).SetPlatformAdmin(context.Background(), operator.User.Email, true); err != nil {
		t.Fatal(err)
	}

	refused := []struct {
		name, auth string
		want       int
		code       string
	}{
		{"anonymous", "", 401, "unauthorized"},
		{"organization owner", bearer(owner.Tokens.AccessToken), 403, "forbidden"},
		{"API key of a platform admin's organization", bearer(key.secret), 403, "forbidden"},
	}
	for _, path := range []string{"/api/v1/admin/cluster", "/api/v1/admin/cluster/organizations/" + owner.Organization.ID} {
		for _, tt := range refused {
			var r apiResponse
			if tt.auth == "" {
				r = c.do("GET", path, nil)
			} else {
				r = c.do("GET", path, nil, tt.auth)
			}
			if r.Status != tt.want || r.code() != tt.code {
				t.Errorf("GET %s as %s: got %d %q, want %d %q", path, tt.name, r.Status, r.code(), tt.want, tt.code)
			}
		}
	}

	admin := bearer(operator.Tokens.AccessToken)
	var view domain.ClusterView
	c.do("GET", "/api/v1/admin/cluster", nil, admin).into(t, 200, &view)
	if len(view.Members) != 1 || view.Members[0].Status != "up" || view.Members[0].ID != view.AnsweredBy {
		t.Fatalf("got cluster view %+v, want this one member, up", view)
	}
	member := view.Members[0]

	// Looking an organization up activates its grain on the one member.
	var act domain.GrainActivation
	c.do("GET", "/api/v1/admin/cluster/organizations/"+owner.Organization.ID, nil, admin).into(t, 200, &act)
	if act.OrganizationID.String() != owner.Organization.ID || act.MemberID != member.ID || act.Loads != 1 || act.Name != owner.Organization.Name {
		t.Errorf("got activation %+v, want organization %s on member %s, loaded once", act, owner.Organization.ID, member.ID)
	}
	c.do("GET", "/api/v1/admin/cluster", nil, admin).into(t, 200, &view)
	if got := view.Members[0].ActiveGrains; got < 1 {
		t.Errorf("got %d active grains after an activation, want at least 1", got)
	}

	// An unknown organization is a 404 from inside the grain; a malformed
	// id is refused at the edge.
	if r := c.do("GET", "/api/v1/admin/cluster/organizations/"+uuid.NewString(), nil, admin); r.Status != 404 || r.code() != "not_found" {
		t.Errorf("unknown organization: got %d %q, want 404 not_found", r.Status, r.code())
	}
	if r := c.do("GET", "/api/v1/admin/cluster/organizations/nope", nil, admin); r.Status != 400 || r.code() != "invalid" {
		t.Errorf("malformed id: got %d %q, want 400 invalid", r.Status, r.code())
	}

	// The settings write goes through the grain: the grain holds the new
	// name without reloading.
	c.do("PATCH", "/api/v1/organization", map[string]any{"name": "Renamed through the grain"}, bearer(owner.Tokens.AccessToken)).into(t, 200, nil)
	c.do("GET", "/api/v1/admin/cluster/organizations/"+owner.Organization.ID, nil, admin).into(t, 200, &act)
	if act.Name != "Renamed through the grain" || act.Loads != 1 {
		t.Errorf("got grain name %q after %d loads, want the new name held by the same activation", act.Name, act.Loads)
	}

	// Withdrawn rights take effect on the next request.
	if _, err := postgres.NewStore(pgtest.Pool(t)).SetPlatformAdmin(context.Background(), operator.User.Email, false); err != nil {
		t.Fatal(err)
	}
	if r := c.do("GET", "/api/v1/admin/cluster", nil, admin); r.Status != 403 {
		t.Errorf("after revoke: got %d, want 403", r.Status)
	}
}

// TestGrainTimeoutAnswers503: a command the organization's grain cannot
// answer within SMM_CLUSTER_REQUEST_TIMEOUT is 503 unavailable at the edge
// (retryable: the change is idempotent), while reads, which do not go
// through the grain, still answer.
func TestGrainTimeoutAnswers503(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.Cluster.RequestTimeout = time.Microsecond
	s := apptest.StartWith(t, cfg)
	c := apiClient{t: t, base: s.URL}
	owner := register(t, c, uniqueEmail(t))
	auth := bearer(owner.Tokens.AccessToken)
	r := c.do("PATCH", "/api/v1/organization", map[string]any{"name": "Maybe applied"}, auth)
	if r.Status != 503 || r.code() != "unavailable" {
		t.Fatalf("got %d %q, want 503 unavailable: %s", r.Status, r.code(), r.Raw)
	}
	c.do("GET", "/api/v1/organization", nil, auth).into(t, 200, nil)
}
