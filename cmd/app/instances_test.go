package app_test

import (
	"testing"
	"time"

	"github.com/socialmediamanager/smm/cmd/app/apptest"
)

// eventually retries check until it passes or a second runs out: another
// instance learns of a change through Redis pub/sub, within milliseconds.
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true within 1s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTwoInstancesStayInStep runs two instances on one database and one
// Redis. Each keeps roles, revoked tokens, API keys and /me views in memory;
// a change made through one instance reaches the other's memory.
func TestTwoInstancesStayInStep(t *testing.T) {
	a := apptest.Start(t)
	b := apptest.StartBeside(t, a)
	ca, cb := apiClient{t: t, base: a.URL}, apiClient{t: t, base: b.URL}
	owner := register(t, ca, uniqueEmail(t))
	ownerAuth := bearer(owner.Tokens.AccessToken)

	// A member, known to both instances' caches.
	email := uniqueEmail(t)
	var inv struct{ Token string }
	ca.do("POST", "/api/v1/invitations", map[string]string{"email": email, "role": "admin"}, ownerAuth).into(t, 201, &inv)
	var member registered
	ca.do("POST", "/api/v1/invitations/"+inv.Token+"/accept", map[string]string{"email": email, "password": "correct horse battery", "name": "M"}).into(t, 201, &member)
	memberAuth := bearer(member.Tokens.AccessToken)
	cb.do("PATCH", "/api/v1/organization", map[string]string{"name": "Renamed by admin"}, memberAuth).into(t, 200, nil)

	// Demoted through A: B refuses the admin-only call.
	ca.do("PATCH", "/api/v1/members/"+member.User.ID, map[string]string{"role": "viewer"}, ownerAuth).into(t, 200, nil)
	eventually(t, "demotion seen by B", func() bool {
		return cb.do("PATCH", "/api/v1/organization", map[string]string{"name": "x"}, memberAuth).Status == 403
	})

	// Renamed through A: B's cached /me shows the new name.
	ca.do("PATCH", "/api/v1/organization", map[string]string{"name": "Second name"}, ownerAuth).into(t, 200, nil)
	eventually(t, "rename seen in B's /me", func() bool {
		var me struct {
			ActiveOrganization struct{ Name string } `json:"active_organization"`
		}
		cb.do("GET", "/api/v1/me", nil, memberAuth).into(t, 200, &me)
		return me.ActiveOrganization.Name == "Second name"
	})

	// An API key used on B, revoked through A.
	var key struct {
		ID  string
		Key string
	}
	ca.do("POST", "/api/v1/api-keys", map[string]any{"name": "k", "scopes": []string{"read"}}, ownerAuth).into(t, 201, &key)
	cb.do("GET", "/api/v1/me", nil, bearer(key.Key)).into(t, 200, nil)
	ca.do("DELETE", "/api/v1/api-keys/"+key.ID, nil, ownerAuth).into(t, 200, nil)
	eventually(t, "key revocation seen by B", func() bool {
		return cb.do("GET", "/api/v1/me", nil, bearer(key.Key)).Status == 401
	})

	// Logged out through A: B refuses the token.
	cb.do("GET", "/api/v1/me", nil, memberAuth).into(t, 200, nil)
	ca.do("POST", "/api/v1/auth/logout", nil, memberAuth).into(t, 200, nil)
	eventually(t, "logout seen by B", func() bool {
		return cb.do("GET", "/api/v1/me", nil, memberAuth).Status == 401
	})
}

// TestInstanceStartedAfterLogoutKnowsIt: a token logged out before an
// instance started is refused by it (the instance loads the blacklist when
// its subscription starts).
func TestInstanceStartedAfterLogoutKnowsIt(t *testing.T) {
	a := apptest.Start(t)
	ca := apiClient{t: t, base: a.URL}
	reg := register(t, ca, uniqueEmail(t))
	ca.do("POST", "/api/v1/auth/logout", nil, bearer(reg.Tokens.AccessToken)).into(t, 200, nil)
	b := apptest.StartBeside(t, a)
	cb0 := apiClient{t: t, base: b.URL}
	other := register(t, cb0, uniqueEmail(t))
	cb0.do("GET", "/api/v1/me", nil, bearer(other.Tokens.AccessToken)).into(t, 200, nil) // the keys are shared indeed
	b.WaitReady(t, 10*time.Second)
	cb := apiClient{t: t, base: b.URL}
	if r := cb.do("GET", "/api/v1/me", nil, bearer(reg.Tokens.AccessToken)); r.Status != 401 {
		t.Errorf("got %d from an instance started after the logout, want 401", r.Status)
	}
}
