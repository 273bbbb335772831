package app_test

// End-to-end authorization tests on the real service (HTTP, PostgreSQL,
// Redis): the role matrix (every authenticated route × every kind of
// principal), the membership rules, and the cross-organization matrix
// (another organization's ids answer 404 and change nothing).
//
// Registering and signing in cost a bcrypt hash (~0.3 s at cost 12), so each
// test function builds its principals once (newMxFixture) and every subtest
// that needs a fresh member recycles one "spare" user: a user with an
// organization of their own, who joins org A by accepting an invitation
// while signed in (no password hash) with exactly the role a case needs.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/cmd/app/apptest"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/pgtest"
	"github.com/socialmediamanager/smm/persistence/postgres"
)

const mxPassword = "correct horse battery"

// mxUser is a person of the fixture with an access token for org A (or,
// for spares and org B's people, for their own organization).
type mxUser struct {
	label string
	id    string
	email string
	token string
}

type mxKey struct {
	id     string
	secret string
	scopes []domain.Scope
}

// mxFixture is org A with one member of each role and one API key of each
// scope, plus a spare user to recycle as a fresh member.
type mxFixture struct {
	base                         string
	orgA                         string
	owner, admin, editor, viewer mxUser
	keys                         map[domain.Scope]mxKey
	spare                        mxUser // owns an organization of their own; not in A unless a case puts them there
}

func (f *mxFixture) client(t *testing.T) apiClient { return apiClient{t: t, base: f.base} }

func newMxFixture(t *testing.T, base string) *mxFixture {
	t.Helper()
	f := &mxFixture{base: base, keys: map[domain.Scope]mxKey{}}
	c := f.client(t)
	reg := register(t, c, uniqueEmail(t))
	f.orgA = reg.Organization.ID
	f.owner = mxUser{label: "owner", id: reg.User.ID, email: reg.User.Email, token: reg.Tokens.AccessToken}
	f.admin = mxInviteNew(t, c, f.owner.token, f.orgA, domain.RoleAdmin)
	f.editor = mxInviteNew(t, c, f.owner.token, f.orgA, domain.RoleEditor)
	f.viewer = mxInviteNew(t, c, f.owner.token, f.orgA, domain.RoleViewer)
	for _, sc := range domain.Scopes {
		f.keys[sc] = mxCreateKey(t, c, f.owner.token, sc)
	}
	sp := register(t, c, uniqueEmail(t))
	f.spare = mxUser{label: "spare", id: sp.User.ID, email: sp.User.Email, token: sp.Tokens.AccessToken}
	return f
}

// mxInviteNew invites a new address to orgID with role, has it accept by
// registering (no Authorization), signs it in, and switches to orgID if the
// sign-in landed elsewhere.
func mxInviteNew(t *testing.T, c apiClient, inviter, orgID string, role domain.Role) mxUser {
	t.Helper()
	email := uniqueEmail(t)
	inv := mxInvite(t, c, inviter, email, role)
	var reg registered
	c.do("POST", "/api/v1/invitations/"+inv+"/accept", map[string]string{"email": email, "password": mxPassword, "name": "The " + string(role)}).into(t, 201, &reg)
	if reg.Organization.ID != orgID {
		t.Fatalf("accepting an invitation to %s: got organization %s, want %s", role, reg.Organization.ID, orgID)
	}
	var pair tokens
	c.do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": mxPassword}).into(t, 200, &pair)
	u := mxUser{label: string(role), id: reg.User.ID, email: email, token: pair.AccessToken}
	if me := mxMe(t, c, u.token); me.ActiveOrganization.ID != orgID {
		u.token = mxSwitch(t, c, u.token, orgID).AccessToken
	}
	if me := mxMe(t, c, u.token); me.ActiveOrganization.ID != orgID || me.Role != role {
		t.Fatalf("%s signed in: got %s in %s, want %s in %s", email, me.Role, me.ActiveOrganization.ID, role, orgID)
	}
	return u
}

// mxInvite invites email with role and returns the invitation token.
func mxInvite(t *testing.T, c apiClient, inviter, email string, role domain.Role) string {
	t.Helper()
	var inv struct {
		Token string `json:"token"`
	}
	c.do("POST", "/api/v1/invitations", map[string]any{"email": email, "role": role}, bearer(inviter)).into(t, 201, &inv)
	return inv.Token
}

func mxCreateKey(t *testing.T, c apiClient, token string, scopes ...domain.Scope) mxKey {
	t.Helper()
	var k struct {
		ID  string `json:"id"`
		Key string `json:"key"`
	}
	c.do("POST", "/api/v1/api-keys", map[string]any{"name": fmt.Sprintf("key %v", scopes), "scopes": scopes}, bearer(token)).into(t, 201, &k)
	return mxKey{id: k.ID, secret: k.Key, scopes: scopes}
}

type mxMeView struct {
	User *struct {
		ID string `json:"id"`
	} `json:"user"`
	APIKey *struct {
		ID string `json:"id"`
	} `json:"api_key"`
	ActiveOrganization struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"active_organization"`
	Role             domain.Role `json:"role"`
	TwoFactorEnabled bool        `json:"two_factor_enabled"`
}

func mxMe(t *testing.T, c apiClient, auth string) mxMeView {
	t.Helper()
	var me mxMeView
	c.do("GET", "/api/v1/me", nil, bearer(auth)).into(t, 200, &me)
	return me
}

func mxSwitch(t *testing.T, c apiClient, token, orgID string) tokens {
	t.Helper()
	var pair tokens
	c.do("POST", "/api/v1/auth/switch-organization", map[string]string{"organization_id": orgID}, bearer(token)).into(t, 200, &pair)
	return pair
}

// mxMembers returns the organization's members as user id → role, as seen
// with token.
func mxMembers(t *testing.T, c apiClient, token string) map[string]domain.Role {
	t.Helper()
	var ms []domain.Membership
	c.do("GET", "/api/v1/members?limit=100", nil, bearer(token)).into(t, 200, &ms)
	out := map[string]domain.Role{}
	for _, m := range ms {
		out[m.UserID.String()] = m.Role
	}
	return out
}

// mxKeyIDs lists the organization's live API key ids, as seen with token.
func mxKeyIDs(t *testing.T, c apiClient, token string) []string {
	t.Helper()
	var ks []domain.APIKey
	c.do("GET", "/api/v1/api-keys?limit=100", nil, bearer(token)).into(t, 200, &ks)
	ids := make([]string, len(ks))
	for i, k := range ks {
		ids[i] = k.ID.String()
	}
	sort.Strings(ids)
	return ids
}

// roleInA is the user's role in org A, "" when not a member.
func (f *mxFixture) roleInA(t *testing.T, userID string) domain.Role {
	t.Helper()
	return mxMembers(t, f.client(t), f.owner.token)[userID]
}

// mxJoin makes u a member of the organization orgID (whose owner's token is
// ownerTok) with exactly role, from a clean start (removed first if still a
// member), accepting the invitation with u's own token; it returns u's
// token pair for orgID.
func mxJoin(t *testing.T, c apiClient, ownerTok, orgID string, u mxUser, role domain.Role) tokens {
	t.Helper()
	if r := c.do("DELETE", "/api/v1/members/"+u.id, nil, bearer(ownerTok)); r.Status != 200 && r.Status != 404 {
		t.Fatalf("removing %s before a case: got %d, want 200 or 404: %s", u.label, r.Status, r.Raw)
	}
	inv := mxInvite(t, c, ownerTok, u.email, role)
	var m domain.Membership
	c.do("POST", "/api/v1/invitations/"+inv+"/accept", nil, bearer(u.token)).into(t, 200, &m)
	if m.Role != role || m.OrganizationID.String() != orgID {
		t.Fatalf("%s accepted: got %s in %s, want %s in %s", u.label, m.Role, m.OrganizationID, role, orgID)
	}
	return mxSwitch(t, c, u.token, orgID)
}

// joinA puts the spare in org A with role and returns its token for A.
func (f *mxFixture) joinA(t *testing.T, role domain.Role) string {
	t.Helper()
	return mxJoin(t, f.client(t), f.owner.token, f.orgA, f.spare, role).AccessToken
}

// leaveA takes the spare out of org A if it is there.
func (f *mxFixture) leaveA(t *testing.T) {
	t.Helper()
	if r := f.client(t).do("DELETE", "/api/v1/members/"+f.spare.id, nil, bearer(f.owner.token)); r.Status != 200 && r.Status != 404 {
		t.Fatalf("removing the spare: got %d, want 200 or 404: %s", r.Status, r.Raw)
	}
}

// ---------------------------------------------------------------------------
// Role matrix

// mxPrincipal is one column of the role matrix: a member of A with a role,
// or an API key of A with one scope.
type mxPrincipal struct {
	label  string
	role   domain.Role    // people
	scopes []domain.Scope // API keys
	auth   string         // bearer credential
	userID string         // people
	keyID  string         // API keys
}

func (p mxPrincipal) isKey() bool { return p.keyID != "" }

func (f *mxFixture) principals() []mxPrincipal {
	var ps []mxPrincipal
	for _, u := range []mxUser{f.owner, f.admin, f.editor, f.viewer} {
		ps = append(ps, mxPrincipal{label: u.label, role: domain.Role(u.label), auth: u.token, userID: u.id})
	}
	for _, sc := range domain.Scopes {
		k := f.keys[sc]
		ps = append(ps, mxPrincipal{label: "key:" + string(sc), scopes: k.scopes, auth: k.secret, keyID: k.id})
	}
	return ps
}

// Outcomes of the role matrix.
const (
	mxAllowed = "ok"                                 // the route's success status
	mxNoRole  = string(domain.CodeForbidden)         // 403 forbidden
	mxNoScope = string(domain.CodeInsufficientScope) // 403 insufficient_scope
)

// mxRule is how the service decides a route, stated with the domain's own
// rules so the test follows domain.PermissionMatrix.
type mxRule struct {
	perm   domain.Permission                     // the permission of the matrix the route needs, if any
	person bool                                  // for people only: an API key is refused (forbidden) whatever its scopes
	rules  func(actor domain.Role) *domain.Error // membership rules applied to people on top of perm
}

func (r mxRule) outcome(p mxPrincipal) string {
	if p.isKey() {
		if r.person {
			return mxNoRole
		}
		if r.perm != "" && !domain.ScopesCan(p.scopes, r.perm) {
			return mxNoScope
		}
		return mxAllowed
	}
	if r.perm != "" && !domain.RoleCan(p.role, r.perm) {
		return mxNoRole
	}
	if r.rules != nil {
		if err := r.rules(p.role); err != nil {
			return string(err.Code)
		}
	}
	return mxAllowed
}

// mxRoute is one row of the matrix: how to call it as a principal, on fresh
// targets where it changes state, and how to check the state afterwards.
type mxRoute struct {
	route string
	rule  mxRule
	ok    int
	call  func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(t *testing.T, allowed bool))
}

func mxNothing(*testing.T, bool) {}

func mxRoutes() []mxRoute {
	person := mxRule{person: true}
	return []mxRoute{
		{"GET /me", mxRule{}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			r := f.client(t).do("GET", "/api/v1/me", nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				var me mxMeView
				r.into(t, 200, &me)
				if me.ActiveOrganization.ID != f.orgA {
					t.Errorf("got active organization %s, want A %s", me.ActiveOrganization.ID, f.orgA)
				}
				switch {
				case p.isKey() && (me.APIKey == nil || me.APIKey.ID != p.keyID || me.User != nil):
					t.Errorf("got %s, want the API key %s and no user", r.Data, p.keyID)
				case !p.isKey() && (me.User == nil || me.User.ID != p.userID || me.Role != p.role):
					t.Errorf("got %s, want user %s with role %s", r.Data, p.userID, p.role)
				}
			}
		}},
		{"GET /me/logins", person, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			return f.client(t).do("GET", "/api/v1/me/logins", nil, bearer(p.auth)), mxNothing
		}},
		{"GET /organizations", person, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			r := f.client(t).do("GET", "/api/v1/organizations?limit=100", nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				if !allowed {
					return
				}
				var ms []domain.Membership
				r.into(t, 200, &ms)
				if !slices.ContainsFunc(ms, func(m domain.Membership) bool { return m.OrganizationID.String() == f.orgA && m.Role == p.role }) {
					t.Errorf("got %s, want org A with role %s listed", r.Data, p.role)
				}
			}
		}},
		{"POST /organizations", person, 201, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			return f.client(t).do("POST", "/api/v1/organizations", map[string]string{"name": "Created by " + p.label}, bearer(p.auth)), mxNothing
		}},
		{"GET /organization", mxRule{perm: domain.PermOrgRead}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			r := f.client(t).do("GET", "/api/v1/organization", nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				var org domain.Organization
				if allowed {
					if r.into(t, 200, &org); org.ID.String() != f.orgA {
						t.Errorf("got organization %s, want A %s", org.ID, f.orgA)
					}
				}
			}
		}},
		{"PATCH /organization", mxRule{perm: domain.PermOrgUpdate}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			before := mxMe(t, c, f.owner.token).ActiveOrganization.Name
			name := "Org A renamed by " + p.label
			r := c.do("PATCH", "/api/v1/organization", map[string]string{"name": name}, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				want := before
				if allowed {
					want = name
				}
				if got := mxMe(t, c, f.owner.token).ActiveOrganization.Name; got != want {
					t.Errorf("got organization name %q afterwards, want %q", got, want)
				}
			}
		}},
		{"GET /members", mxRule{perm: domain.PermMembersRead}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			r := f.client(t).do("GET", "/api/v1/members?limit=100", nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				if !allowed {
					return
				}
				var ms []domain.Membership
				r.into(t, 200, &ms)
				got := map[string]domain.Role{}
				for _, m := range ms {
					got[m.UserID.String()] = m.Role
				}
				for _, u := range []mxUser{f.owner, f.admin, f.editor, f.viewer} {
					if got[u.id] != domain.Role(u.label) {
						t.Errorf("got %s listed as %q, want %q", u.label, got[u.id], u.label)
					}
				}
			}
		}},
		{"PATCH /members/{user_id}", mxRule{perm: domain.PermMembersManage, rules: func(actor domain.Role) *domain.Error {
			return domain.CheckRoleChange(actor, domain.RoleEditor, domain.RoleViewer, 1)
		}}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			f.joinA(t, domain.RoleEditor) // a fresh editor, demoted to viewer
			r := f.client(t).do("PATCH", "/api/v1/members/"+f.spare.id, map[string]string{"role": "viewer"}, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				want := domain.RoleEditor
				if allowed {
					want = domain.RoleViewer
				}
				if got := f.roleInA(t, f.spare.id); got != want {
					t.Errorf("got the member's role %q afterwards, want %q", got, want)
				}
			}
		}},
		{"DELETE /members/{user_id}", mxRule{perm: domain.PermMembersManage, rules: func(actor domain.Role) *domain.Error {
			return domain.CheckRemoval(actor, domain.RoleEditor, false, 1)
		}}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			f.joinA(t, domain.RoleEditor) // a fresh editor, removed
			r := f.client(t).do("DELETE", "/api/v1/members/"+f.spare.id, nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				want := domain.RoleEditor
				if allowed {
					want = ""
				}
				if got := f.roleInA(t, f.spare.id); got != want {
					t.Errorf("got the member's role %q afterwards, want %q", got, want)
				}
			}
		}},
		{"POST /invitations", mxRule{perm: domain.PermInvitationsCreate, rules: func(actor domain.Role) *domain.Error {
			return domain.CheckInvite(actor, domain.RoleViewer)
		}}, 201, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			r := f.client(t).do("POST", "/api/v1/invitations", map[string]string{"email": uniqueEmail(t), "role": "viewer"}, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				var inv struct {
					Token          string      `json:"token"`
					OrganizationID string      `json:"organization_id"`
					Role           domain.Role `json:"role"`
				}
				if allowed {
					if r.into(t, 201, &inv); inv.Token == "" || inv.OrganizationID != f.orgA || inv.Role != domain.RoleViewer {
						t.Errorf("got invitation %s, want a viewer invitation to A with a token", r.Data)
					}
				}
			}
		}},
		{"GET /api-keys", mxRule{perm: domain.PermAPIKeysManage}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			r := f.client(t).do("GET", "/api/v1/api-keys?limit=100", nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				if !allowed {
					return
				}
				var ks []domain.APIKey
				r.into(t, 200, &ks)
				for sc, k := range f.keys {
					if !slices.ContainsFunc(ks, func(x domain.APIKey) bool { return x.ID.String() == k.id }) {
						t.Errorf("got no %s key in %s", sc, r.Data)
					}
				}
				if strings.Contains(string(r.Raw), f.keys[domain.ScopeRead].secret) {
					t.Errorf("got a key's secret in the list")
				}
			}
		}},
		{"POST /api-keys", mxRule{perm: domain.PermAPIKeysManage}, 201, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			before := mxKeyIDs(t, c, f.owner.token)
			r := c.do("POST", "/api/v1/api-keys", map[string]any{"name": "by " + p.label, "scopes": []string{"read"}}, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				want := len(before)
				if allowed {
					want++
				}
				if got := len(mxKeyIDs(t, c, f.owner.token)); got != want {
					t.Errorf("got %d live keys afterwards, want %d", got, want)
				}
			}
		}},
		{"DELETE /api-keys/{id}", mxRule{perm: domain.PermAPIKeysManage}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			k := mxCreateKey(t, c, f.owner.token, domain.ScopeRead) // a throwaway key
			c.do("GET", "/api/v1/me", nil, bearer(k.secret)).into(t, 200, nil)
			r := c.do("DELETE", "/api/v1/api-keys/"+k.id, nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				want := 200
				if allowed {
					want = 401
				}
				if got := c.do("GET", "/api/v1/me", nil, bearer(k.secret)).Status; got != want {
					t.Errorf("got %d with the key afterwards, want %d", got, want)
				}
				if listed := slices.Contains(mxKeyIDs(t, c, f.owner.token), k.id); listed == allowed {
					t.Errorf("got key listed=%v afterwards, want %v", listed, !allowed)
				}
			}
		}},
		{"POST /social-accounts/{provider}/connect", mxRule{perm: domain.PermSocialAccountsEdit}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			r := f.client(t).do("POST", "/api/v1/social-accounts/tiktok/connect", nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				var start struct {
					AuthorizeURL string `json:"authorize_url"`
				}
				if allowed {
					if r.into(t, 200, &start); !strings.Contains(start.AuthorizeURL, "state=") {
						t.Errorf("got authorize URL %q, want one with a state", start.AuthorizeURL)
					}
				}
			}
		}},
		{"GET /social-accounts", mxRule{perm: domain.PermSocialAccountsRead}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			id := mxCreateAccount(t, f)
			r := f.client(t).do("GET", "/api/v1/social-accounts?limit=100", nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				var list []domain.SocialAccount
				if allowed {
					if r.into(t, 200, &list); !slices.ContainsFunc(list, func(a domain.SocialAccount) bool { return a.ID.String() == id }) {
						t.Errorf("got %s, want account %s listed", r.Data, id)
					}
				}
			}
		}},
		{"GET /social-accounts/{id}", mxRule{perm: domain.PermSocialAccountsRead}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			id := mxCreateAccount(t, f)
			return f.client(t).do("GET", "/api/v1/social-accounts/"+id, nil, bearer(p.auth)), mxNothing
		}},
		{"DELETE /social-accounts/{id}", mxRule{perm: domain.PermSocialAccountsEdit}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			id := mxCreateAccount(t, f)
			r := c.do("DELETE", "/api/v1/social-accounts/"+id, nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				want := 200
				if allowed {
					want = 404
				}
				if got := c.do("GET", "/api/v1/social-accounts/"+id, nil, bearer(f.owner.token)).Status; got != want {
					t.Errorf("got %d reading the account afterwards, want %d", got, want)
				}
			}
		}},
		{"GET /campaigns", mxRule{perm: domain.PermContentRead}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			name := "mx list " + uuid.NewString()
			id := mxCampaign(t, f, name)
			r := f.client(t).do("GET", "/api/v1/campaigns?q="+url.QueryEscape(name), nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				var list []domain.Campaign
				if allowed {
					if r.into(t, 200, &list); len(list) != 1 || list[0].ID.String() != id {
						t.Errorf("got %s, want campaign %s alone", r.Data, id)
					}
				}
			}
		}},
		{"POST /campaigns", mxRule{perm: domain.PermContentWrite}, 201, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			name := "mx created " + uuid.NewString()
			r := c.do("POST", "/api/v1/campaigns", map[string]string{"name": name}, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				var list []domain.Campaign
				c.do("GET", "/api/v1/campaigns?q="+url.QueryEscape(name), nil, bearer(f.owner.token)).into(t, 200, &list)
				if (len(list) == 1) != allowed {
					t.Errorf("got %d campaigns named %q afterwards, want created=%v", len(list), name, allowed)
				}
			}
		}},
		{"GET /campaigns/{id}", mxRule{perm: domain.PermContentRead}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			id := mxCampaign(t, f, "mx get")
			return f.client(t).do("GET", "/api/v1/campaigns/"+id, nil, bearer(p.auth)), mxNothing
		}},
		{"PATCH /campaigns/{id}", mxRule{perm: domain.PermContentWrite}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			id := mxCampaign(t, f, "mx patch")
			r := c.do("PATCH", "/api/v1/campaigns/"+id, map[string]string{"name": "renamed by " + p.label}, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				var got domain.Campaign
				c.do("GET", "/api/v1/campaigns/"+id, nil, bearer(f.owner.token)).into(t, 200, &got)
				if renamed := got.Name == "renamed by "+p.label; renamed != allowed {
					t.Errorf("got name %q afterwards, want renamed=%v", got.Name, allowed)
				}
			}
		}},
		{"DELETE /campaigns/{id}", mxRule{perm: domain.PermContentWrite}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			id := mxCampaign(t, f, "mx delete")
			r := c.do("DELETE", "/api/v1/campaigns/"+id, nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				want := 200
				if allowed {
					want = 404
				}
				if got := c.do("GET", "/api/v1/campaigns/"+id, nil, bearer(f.owner.token)).Status; got != want {
					t.Errorf("got %d reading the campaign afterwards, want %d", got, want)
				}
			}
		}},
		{"GET /contents", mxRule{perm: domain.PermContentRead}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			campaign := mxCampaign(t, f, "mx contents")
			id := mxContent(t, f, campaign)
			r := f.client(t).do("GET", "/api/v1/contents?campaign_id="+campaign, nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				var list []domain.Content
				if allowed {
					if r.into(t, 200, &list); len(list) != 1 || list[0].ID.String() != id {
						t.Errorf("got %s, want content %s alone", r.Data, id)
					}
				}
			}
		}},
		{"POST /contents", mxRule{perm: domain.PermContentWrite}, 201, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			campaign := mxCampaign(t, f, "mx create content")
			r := c.do("POST", "/api/v1/contents", map[string]string{"title": "by " + p.label, "campaign_id": campaign}, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				var list []domain.Content
				c.do("GET", "/api/v1/contents?campaign_id="+campaign, nil, bearer(f.owner.token)).into(t, 200, &list)
				if (len(list) == 1) != allowed {
					t.Errorf("got %d contents in the campaign afterwards, want created=%v", len(list), allowed)
				}
			}
		}},
		{"POST /contents/validate", mxRule{perm: domain.PermContentRead}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			r := f.client(t).do("POST", "/api/v1/contents/validate", map[string]any{"content": map[string]string{"title": "no media"}, "networks": []string{"youtube"}}, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				var v struct {
					Valid bool `json:"valid"`
				}
				if allowed {
					if r.into(t, 200, &v); v.Valid {
						t.Errorf("got %s, want a YouTube content without a video invalid", r.Data)
					}
				}
			}
		}},
		{"GET /contents/{id}", mxRule{perm: domain.PermContentRead}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			id := mxContent(t, f, "")
			return f.client(t).do("GET", "/api/v1/contents/"+id, nil, bearer(p.auth)), mxNothing
		}},
		{"PATCH /contents/{id}", mxRule{perm: domain.PermContentWrite}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			id := mxContent(t, f, "")
			r := c.do("PATCH", "/api/v1/contents/"+id, map[string]string{"title": "by " + p.label}, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				var got domain.Content
				c.do("GET", "/api/v1/contents/"+id, nil, bearer(f.owner.token)).into(t, 200, &got)
				if changed := got.Title == "by "+p.label; changed != allowed {
					t.Errorf("got title %q afterwards, want changed=%v", got.Title, allowed)
				}
			}
		}},
		{"DELETE /contents/{id}", mxRule{perm: domain.PermContentWrite}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			id := mxContent(t, f, "")
			r := c.do("DELETE", "/api/v1/contents/"+id, nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				want := 200
				if allowed {
					want = 404
				}
				if got := c.do("GET", "/api/v1/contents/"+id, nil, bearer(f.owner.token)).Status; got != want {
					t.Errorf("got %d reading the content afterwards, want %d", got, want)
				}
			}
		}},
		{"POST /contents/{id}/schedule", mxRule{perm: domain.PermContentPublish}, 201, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			content, account := mxPublishable(t, f), mxCreateAccount(t, f)
			r := c.do("POST", "/api/v1/contents/"+content+"/schedule", map[string]any{
				"publish_at": time.Now().Add(time.Hour).Format(time.RFC3339), "social_account_ids": []string{account}}, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				if got := len(mxPublications(t, f, content)); (got == 1) != allowed {
					t.Errorf("got %d publications afterwards, want scheduled=%v", got, allowed)
				}
			}
		}},
		{"POST /contents/{id}/publish-now", mxRule{perm: domain.PermContentPublish}, 202, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			content, account := mxPublishable(t, f), mxCreateAccount(t, f)
			r := c.do("POST", "/api/v1/contents/"+content+"/publish-now", map[string]any{"social_account_ids": []string{account}}, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				if got := len(mxPublications(t, f, content)); (got == 1) != allowed {
					t.Errorf("got %d publications afterwards, want created=%v", got, allowed)
				}
			}
		}},
		{"POST /contents/{id}/unschedule", mxRule{perm: domain.PermContentPublish}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			content, _ := mxScheduled(t, f)
			r := c.do("POST", "/api/v1/contents/"+content+"/unschedule", nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				list := mxPublications(t, f, content)
				if cancelled := len(list) == 1 && list[0].Status == domain.PublicationCancelled; cancelled != allowed {
					t.Errorf("got %+v afterwards, want cancelled=%v", list, allowed)
				}
			}
		}},
		{"GET /publications", mxRule{perm: domain.PermContentRead}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			content, id := mxScheduled(t, f)
			r := f.client(t).do("GET", "/api/v1/publications?content_id="+content, nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				var list []domain.Publication
				if allowed {
					if r.into(t, 200, &list); len(list) != 1 || list[0].ID.String() != id {
						t.Errorf("got %s, want publication %s listed", r.Data, id)
					}
				}
			}
		}},
		{"GET /publications/{id}", mxRule{perm: domain.PermContentRead}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			_, id := mxScheduled(t, f)
			return f.client(t).do("GET", "/api/v1/publications/"+id, nil, bearer(p.auth)), mxNothing
		}},
		{"PATCH /publications/{id}", mxRule{perm: domain.PermContentPublish}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			_, id := mxScheduled(t, f)
			at := time.Now().Add(3 * time.Hour).Truncate(time.Second).UTC()
			r := c.do("PATCH", "/api/v1/publications/"+id, map[string]string{"publish_at": at.Format(time.RFC3339)}, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				var got domain.Publication
				c.do("GET", "/api/v1/publications/"+id, nil, bearer(f.owner.token)).into(t, 200, &got)
				if moved := got.PublishAt.Equal(at); moved != allowed {
					t.Errorf("got publish_at %s afterwards, want moved=%v", got.PublishAt, allowed)
				}
			}
		}},
		{"POST /publications/{id}/retry", mxRule{perm: domain.PermContentPublish}, 202, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			_, id := mxScheduled(t, f)
			mxFail(t, f, id)
			r := c.do("POST", "/api/v1/publications/"+id+"/retry", nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				var got domain.Publication
				c.do("GET", "/api/v1/publications/"+id, nil, bearer(f.owner.token)).into(t, 200, &got)
				if redriven := got.Status != domain.PublicationFailed; redriven != allowed {
					t.Errorf("got %s afterwards, want re-driven=%v", got.Status, allowed)
				}
			}
		}},
		{"POST /auth/2fa/setup", person, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			r := c.do("POST", "/api/v1/auth/2fa/setup", nil, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				if !allowed {
					return
				}
				var s struct {
					Secret string `json:"secret"`
				}
				if r.into(t, 200, &s); s.Secret == "" {
					t.Errorf("got no secret in %s", r.Data)
				}
				if mxMe(t, c, p.auth).TwoFactorEnabled {
					t.Errorf("got 2FA on after setup alone, want it off until confirmed")
				}
			}
		}},
		{"POST /auth/switch-organization", person, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			r := c.do("POST", "/api/v1/auth/switch-organization", map[string]string{"organization_id": f.orgA}, bearer(p.auth))
			return r, func(t *testing.T, allowed bool) {
				if !allowed {
					return
				}
				var pair tokens
				r.into(t, 200, &pair)
				if me := mxMe(t, c, pair.AccessToken); me.ActiveOrganization.ID != f.orgA || me.Role != p.role {
					t.Errorf("got %s in %s with the new token, want %s in A", me.Role, me.ActiveOrganization.ID, p.role)
				}
			}
		}},
		{"POST /auth/logout", person, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			auth := p.auth
			if !p.isKey() {
				auth = mxSwitch(t, c, p.auth, f.orgA).AccessToken // a session of its own to log out
			}
			r := c.do("POST", "/api/v1/auth/logout", nil, bearer(auth))
			return r, func(t *testing.T, allowed bool) {
				want := 200
				if allowed {
					want = 401
				}
				if got := c.do("GET", "/api/v1/me", nil, bearer(auth)).Status; got != want {
					t.Errorf("got %d with the logged-out credential, want %d", got, want)
				}
				if got := c.do("GET", "/api/v1/me", nil, bearer(p.auth)).Status; got != 200 {
					t.Errorf("got %d with the principal's other credential, want 200", got)
				}
			}
		}},
		// Last: a wrong answer here would take org A away from the rows after.
		{"DELETE /organization", mxRule{perm: domain.PermOrgDelete}, 200, func(t *testing.T, f *mxFixture, p mxPrincipal) (apiResponse, func(*testing.T, bool)) {
			c := f.client(t)
			auth := p.auth
			if !p.isKey() && p.role == domain.RoleOwner {
				// The owner deletes a throwaway organization it owns, never A.
				var org domain.Organization
				c.do("POST", "/api/v1/organizations", map[string]string{"name": "Throwaway"}, bearer(p.auth)).into(t, 201, &org)
				auth = mxSwitch(t, c, p.auth, org.ID.String()).AccessToken
			}
			r := c.do("DELETE", "/api/v1/organization", nil, bearer(auth))
			return r, func(t *testing.T, allowed bool) {
				if allowed {
					if got := c.do("GET", "/api/v1/me", nil, bearer(auth)).Status; got != 401 {
						t.Errorf("got %d with the deleted organization's token, want 401", got)
					}
				}
				// A is alive, and so is the caller's credential for it.
				if got := mxMe(t, c, f.owner.token).ActiveOrganization.ID; got != f.orgA {
					t.Errorf("got org A answering as %q afterwards, want it alive", got)
				}
				if got := c.do("GET", "/api/v1/me", nil, bearer(p.auth)).Status; got != 200 {
					t.Errorf("got %d with the caller's credential afterwards, want 200", got)
				}
			}
		}},
	}
}

// mxParam matches a fiber path parameter (":user_id"), named in the matrix
// as "{user_id}".
var mxParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// TestRoleMatrix calls every authenticated identity route as every kind of
// principal of org A (each role, and an API key of each scope) and checks
// the answer: the route's 2xx, or 403 with the code forbidden (a role that
// may not) or insufficient_scope (a key whose scopes do not allow it), and
// that a refused call changed nothing.
func TestRoleMatrix(t *testing.T) {
	// The expected outcome of each route for each principal, to be read
	// against DESIGN.md and domain.PermissionMatrix: ok is the route's
	// success status, role is 403 forbidden (the role may not), scope is 403
	// insufficient_scope (the key's scopes do not allow it). The first
	// subtest checks that this table is what domain.PermissionMatrix and the
	// membership rules (domain/identity.go) derive, so the two cannot drift
	// apart silently.
	table := []string{
		//                                 people                    | API keys (one scope each)
		//                                 owner admin editor viewer | read  write publish admin
		"GET /me                         | ok    ok    ok     ok     | ok    ok    ok      ok",
		"GET /me/logins                  | ok    ok    ok     ok     | role  role  role    role",
		"GET /organizations              | ok    ok    ok     ok     | role  role  role    role",
		"POST /organizations             | ok    ok    ok     ok     | role  role  role    role",
		"GET /organization               | ok    ok    ok     ok     | ok    scope scope   ok",
		"PATCH /organization             | ok    ok    role   role   | scope scope scope   ok",
		"GET /members                    | ok    ok    ok     ok     | ok    scope scope   ok",
		"PATCH /members/{user_id}        | ok    ok    role   role   | scope scope scope   scope",
		"DELETE /members/{user_id}       | ok    ok    role   role   | scope scope scope   scope",
		"POST /invitations               | ok    ok    role   role   | scope scope scope   scope",
		"GET /api-keys                   | ok    ok    role   role   | scope scope scope   scope",
		"POST /api-keys                  | ok    ok    role   role   | scope scope scope   scope",
		"DELETE /api-keys/{id}           | ok    ok    role   role   | scope scope scope   scope",
		"POST /social-accounts/{provider}/connect | ok ok role role | scope scope scope scope",
		"GET /social-accounts            | ok    ok    ok     ok     | ok    scope scope   ok",
		"GET /social-accounts/{id}       | ok    ok    ok     ok     | ok    scope scope   ok",
		"DELETE /social-accounts/{id}    | ok    ok    role   role   | scope scope scope   scope",
		"GET /campaigns                  | ok    ok    ok     ok     | ok    scope scope   ok",
		"POST /campaigns                 | ok    ok    ok     role   | scope ok    scope   ok",
		"GET /campaigns/{id}             | ok    ok    ok     ok     | ok    scope scope   ok",
		"PATCH /campaigns/{id}           | ok    ok    ok     role   | scope ok    scope   ok",
		"DELETE /campaigns/{id}          | ok    ok    ok     role   | scope ok    scope   ok",
		"GET /contents                   | ok    ok    ok     ok     | ok    scope scope   ok",
		"POST /contents                  | ok    ok    ok     role   | scope ok    scope   ok",
		"POST /contents/validate         | ok    ok    ok     ok     | ok    scope scope   ok",
		"GET /contents/{id}              | ok    ok    ok     ok     | ok    scope scope   ok",
		"PATCH /contents/{id}            | ok    ok    ok     role   | scope ok    scope   ok",
		"DELETE /contents/{id}           | ok    ok    ok     role   | scope ok    scope   ok",
		"POST /contents/{id}/schedule    | ok    ok    ok     role   | scope scope ok      ok",
		"POST /contents/{id}/publish-now | ok    ok    ok     role   | scope scope ok      ok",
		"POST /contents/{id}/unschedule  | ok    ok    ok     role   | scope scope ok      ok",
		"GET /publications               | ok    ok    ok     ok     | ok    scope scope   ok",
		"GET /publications/{id}          | ok    ok    ok     ok     | ok    scope scope   ok",
		"PATCH /publications/{id}        | ok    ok    ok     role   | scope scope ok      ok",
		"POST /publications/{id}/retry   | ok    ok    ok     role   | scope scope ok      ok",
		"POST /auth/2fa/setup            | ok    ok    ok     ok     | role  role  role    role",
		"POST /auth/switch-organization  | ok    ok    ok     ok     | role  role  role    role",
		"POST /auth/logout               | ok    ok    ok     ok     | role  role  role    role",
		"DELETE /organization            | ok    role  role   role   | scope scope scope   scope",
	}
	type row struct {
		route string
		out   []string
	}
	word := map[string]string{"ok": mxAllowed, "role": mxNoRole, "scope": mxNoScope}
	var want []row
	for _, line := range table {
		cells := strings.Split(line, "|")
		r := row{route: strings.TrimSpace(cells[0])}
		for _, w := range strings.Fields(cells[1] + " " + cells[2]) {
			r.out = append(r.out, word[w])
		}
		if len(r.out) != 8 || slices.Contains(r.out, "") {
			t.Fatalf("table row %q: got %d known outcomes, want 8", line, len(r.out))
		}
		want = append(want, r)
	}
	// Authenticated routes deliberately outside this matrix.
	excluded := map[string]string{
		"POST /auth/2fa/enable":  "needs a TOTP code from a pending secret (TestTwoFactor)",
		"POST /auth/2fa/disable": "needs 2FA on and a TOTP code (TestTwoFactor)",
		// No organization role opens these: TestPlatformAdminRoutes covers them.
		"GET /admin/cluster":                    "platform admins only (TestPlatformAdminRoutes)",
		"GET /admin/cluster/organizations/{id}": "platform admins only (TestPlatformAdminRoutes)",
	}

	s := apptest.Start(t)
	f := newMxFixture(t, s.URL)
	principals := f.principals()
	routes := mxRoutes()
	if len(routes) != len(want) {
		t.Fatalf("got %d routes and %d table rows, want one row per route", len(routes), len(want))
	}

	t.Run("table agrees with domain rules", func(t *testing.T) {
		for i, rt := range routes {
			if want[i].route != rt.route {
				t.Fatalf("row %d: got table route %q, want %q (same order as mxRoutes)", i, want[i].route, rt.route)
			}
			for j, p := range principals {
				if got := rt.rule.outcome(p); got != want[i].out[j] {
					t.Errorf("%s as %s: table says %s, domain.PermissionMatrix and the membership rules say %s", rt.route, p.label, want[i].out[j], got)
				}
			}
		}
	})

	t.Run("every authenticated route has a row", func(t *testing.T) {
		inTable := map[string]bool{}
		for _, w := range want {
			inTable[w.route] = true
		}
		c := f.client(t)
		seen := map[string]bool{}
		for _, r := range s.App.API().App().GetRoutes(true) {
			if !strings.HasPrefix(r.Path, "/api/v1/") || r.Method == "HEAD" || r.Method == "CONNECT" || r.Method == "TRACE" {
				continue
			}
			name := r.Method + " " + mxParam.ReplaceAllString(strings.TrimPrefix(r.Path, "/api/v1"), "{$1}")
			if seen[name] {
				continue
			}
			seen[name] = true
			path := mxParam.ReplaceAllString(r.Path, uuid.NewString())
			if got := c.do(r.Method, path, nil); got.Status != http.StatusUnauthorized {
				if inTable[name] {
					t.Errorf("%s without credentials: got %d, want 401", name, got.Status)
				}
				continue // a public route
			}
			if !inTable[name] && excluded[name] == "" {
				t.Errorf("got authenticated route %s with no row in the role matrix", name)
			}
			delete(inTable, name)
		}
		for name := range inTable {
			t.Errorf("got table row %s for no registered route", name)
		}
	})

	for i, rt := range routes {
		t.Run(rt.route, func(t *testing.T) {
			for j, p := range principals {
				t.Run(p.label, func(t *testing.T) {
					out := want[i].out[j]
					r, after := rt.call(t, f, p)
					allowed := out == mxAllowed
					switch {
					case allowed && r.Status != rt.ok:
						t.Errorf("got %d %s, want %d", r.Status, r.Raw, rt.ok)
					case !allowed && (r.Status != 403 || r.code() != out):
						t.Errorf("got %d %s, want 403 %s", r.Status, r.Raw, out)
					}
					after(t, allowed)
				})
			}
		})
	}
}

// ---------------------------------------------------------------------------
// Membership rules

// TestMembershipRules checks the rules of domain/identity.go through HTTP:
// only an owner grants or removes owner; admins manage editors and viewers;
// the last owner can neither leave nor be demoted; a member may leave; and a
// role change is effective on the member's very next request.
func TestMembershipRules(t *testing.T) {
	s := apptest.Start(t)
	f := newMxFixture(t, s.URL)

	// target is the role a fresh member (the spare) joins A with before the
	// case; "" targets the fixture's owner, then A's only owner. actor
	// "self" is that member acting on itself.
	cases := []struct {
		name   string
		actor  string
		target domain.Role
		op     string // change, remove, invite
		to     domain.Role
		want   int
		code   domain.Code
	}{
		{"owner grants owner", "owner", domain.RoleEditor, "change", domain.RoleOwner, 200, ""},
		{"owner grants admin", "owner", domain.RoleViewer, "change", domain.RoleAdmin, 200, ""},
		{"owner demotes another owner", "owner", domain.RoleOwner, "change", domain.RoleEditor, 200, ""},
		{"owner removes another owner", "owner", domain.RoleOwner, "remove", "", 200, ""},
		{"owner removes an admin", "owner", domain.RoleAdmin, "remove", "", 200, ""},
		{"owner invites an owner", "owner", "", "invite", domain.RoleOwner, 201, ""},
		{"admin demotes an editor to viewer", "admin", domain.RoleEditor, "change", domain.RoleViewer, 200, ""},
		{"admin promotes a viewer to editor", "admin", domain.RoleViewer, "change", domain.RoleEditor, 200, ""},
		{"admin removes an editor", "admin", domain.RoleEditor, "remove", "", 200, ""},
		{"admin removes a viewer", "admin", domain.RoleViewer, "remove", "", 200, ""},
		{"admin invites an editor", "admin", "", "invite", domain.RoleEditor, 201, ""},
		{"admin cannot grant admin", "admin", domain.RoleEditor, "change", domain.RoleAdmin, 403, domain.CodeForbidden},
		{"admin cannot grant owner", "admin", domain.RoleEditor, "change", domain.RoleOwner, 403, domain.CodeForbidden},
		{"admin cannot demote an admin", "admin", domain.RoleAdmin, "change", domain.RoleEditor, 403, domain.CodeForbidden},
		{"admin cannot demote an owner", "admin", domain.RoleOwner, "change", domain.RoleAdmin, 403, domain.CodeForbidden},
		{"admin cannot demote the last owner", "admin", "", "change", domain.RoleAdmin, 403, domain.CodeForbidden},
		{"admin cannot remove an admin", "admin", domain.RoleAdmin, "remove", "", 403, domain.CodeForbidden},
		{"admin cannot remove an owner", "admin", domain.RoleOwner, "remove", "", 403, domain.CodeForbidden},
		{"admin cannot remove the last owner", "admin", "", "remove", "", 403, domain.CodeForbidden},
		{"admin cannot invite an admin", "admin", "", "invite", domain.RoleAdmin, 403, domain.CodeForbidden},
		{"admin cannot invite an owner", "admin", "", "invite", domain.RoleOwner, 403, domain.CodeForbidden},
		{"admin cannot demote themselves", "self", domain.RoleAdmin, "change", domain.RoleEditor, 403, domain.CodeForbidden},
		{"editor cannot change a viewer", "editor", domain.RoleViewer, "change", domain.RoleEditor, 403, domain.CodeForbidden},
		{"editor cannot remove a viewer", "editor", domain.RoleViewer, "remove", "", 403, domain.CodeForbidden},
		{"editor cannot invite", "editor", "", "invite", domain.RoleViewer, 403, domain.CodeForbidden},
		{"viewer cannot remove an editor", "viewer", domain.RoleEditor, "remove", "", 403, domain.CodeForbidden},
		{"viewer cannot promote themselves", "self", domain.RoleViewer, "change", domain.RoleAdmin, 403, domain.CodeForbidden},
		{"last owner cannot be demoted", "owner", "", "change", domain.RoleAdmin, 409, domain.CodeConflict},
		{"last owner cannot leave", "owner", "", "remove", "", 409, domain.CodeConflict},
		{"an owner may step down when another owner remains", "self", domain.RoleOwner, "change", domain.RoleAdmin, 200, ""},
		{"an owner may leave when another owner remains", "self", domain.RoleOwner, "remove", "", 200, ""},
		{"an admin may leave", "self", domain.RoleAdmin, "remove", "", 200, ""},
		{"an editor may leave", "self", domain.RoleEditor, "remove", "", 200, ""},
		{"a viewer may leave", "self", domain.RoleViewer, "remove", "", 200, ""},
		{"an unknown role is invalid", "owner", domain.RoleEditor, "change", "superuser", 400, domain.CodeInvalid},
	}
	actors := map[string]mxUser{"owner": f.owner, "admin": f.admin, "editor": f.editor, "viewer": f.viewer}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := f.client(t)
			f.leaveA(t) // A has one owner and no spare
			target, targetTok, before := f.owner, "", domain.RoleOwner
			if tc.target != "" {
				target, targetTok, before = f.spare, f.joinA(t, tc.target), tc.target
			}
			actorTok := actors[tc.actor].token
			if tc.actor == "self" {
				actorTok = targetTok
			}
			var r apiResponse
			switch tc.op {
			case "change":
				r = c.do("PATCH", "/api/v1/members/"+target.id, map[string]string{"role": string(tc.to)}, bearer(actorTok))
			case "remove":
				r = c.do("DELETE", "/api/v1/members/"+target.id, nil, bearer(actorTok))
			case "invite":
				r = c.do("POST", "/api/v1/invitations", map[string]string{"email": uniqueEmail(t), "role": string(tc.to)}, bearer(actorTok))
			}
			if r.Status != tc.want || r.code() != string(tc.code) {
				t.Errorf("got %d %s, want %d %q", r.Status, r.Raw, tc.want, tc.code)
			}
			if tc.op == "invite" {
				return
			}
			after := before // refused: nothing changed
			if tc.want/100 == 2 {
				after = tc.to // "" for a removal
			}
			if got := f.roleInA(t, target.id); got != after {
				t.Errorf("got %s's role %q afterwards, want %q", target.label, got, after)
			}
			if tc.actor == "self" && tc.op == "remove" && r.Status == 200 {
				if got := c.do("GET", "/api/v1/me", nil, bearer(targetTok)).Status; got != 401 {
					t.Errorf("got %d with the departed member's token, want 401", got)
				}
				if got := c.do("GET", "/api/v1/me", nil, bearer(target.token)).Status; got != 200 {
					t.Errorf("got %d with the departed member's token for their own organization, want 200", got)
				}
			}
		})
	}

	// Every change is effective on the member's next request: the same
	// access token, its role cached by the request before, answers with the
	// new role.
	t.Run("role change is effective on the next request", func(t *testing.T) {
		c := f.client(t)
		f.leaveA(t)
		tok := f.joinA(t, domain.RoleAdmin)
		steps := []struct {
			do       string      // "use" (PATCH /organization with the member's token) or "set" (the owner changes the role)
			role     domain.Role // for set: the new role; for use: the role /me reports
			want     int
			wantCode domain.Code
		}{
			{"use", domain.RoleAdmin, 200, ""},
			{"set", domain.RoleEditor, 200, ""},
			{"use", domain.RoleEditor, 403, domain.CodeForbidden},
			{"set", domain.RoleAdmin, 200, ""},
			{"use", domain.RoleAdmin, 200, ""},
			{"set", domain.RoleViewer, 200, ""},
			{"use", domain.RoleViewer, 403, domain.CodeForbidden},
		}
		for i, st := range steps {
			switch st.do {
			case "set":
				c.do("PATCH", "/api/v1/members/"+f.spare.id, map[string]string{"role": string(st.role)}, bearer(f.owner.token)).into(t, st.want, nil)
			case "use":
				r := c.do("PATCH", "/api/v1/organization", map[string]any{"settings": map[string]any{"step": i}}, bearer(tok))
				if r.Status != st.want || r.code() != string(st.wantCode) {
					t.Errorf("step %d: PATCH /organization got %d %s, want %d %q", i, r.Status, r.Raw, st.want, st.wantCode)
				}
				if got := mxMe(t, c, tok).Role; got != st.role {
					t.Errorf("step %d: /me got role %s, want %s", i, got, st.role)
				}
			}
		}
		c.do("DELETE", "/api/v1/members/"+f.spare.id, nil, bearer(f.owner.token)).into(t, 200, nil)
		if got := c.do("GET", "/api/v1/me", nil, bearer(tok)); got.Status != 401 {
			t.Errorf("removed member's token: got %d %s, want 401", got.Status, got.Raw)
		}
	})
}

// ---------------------------------------------------------------------------
// Cross-organization matrix

// mxOrgB is a second organization: an owner, a member and a key, a
// campaign, a content and a social account.
type mxOrgB struct {
	id                         string
	owner, member              mxUser
	key                        mxKey
	campaign, content, account string
}

func newMxOrgB(t *testing.T, c apiClient) mxOrgB {
	t.Helper()
	reg := register(t, c, uniqueEmail(t))
	b := mxOrgB{id: reg.Organization.ID, owner: mxUser{label: "B owner", id: reg.User.ID, email: reg.User.Email, token: reg.Tokens.AccessToken}}
	b.member = mxInviteNew(t, c, b.owner.token, b.id, domain.RoleEditor)
	b.key = mxCreateKey(t, c, b.owner.token, domain.ScopeAdmin)
	var x struct {
		ID string `json:"id"`
	}
	c.do("POST", "/api/v1/campaigns", map[string]string{"name": "B's campaign"}, bearer(b.owner.token)).into(t, 201, &x)
	b.campaign = x.ID
	c.do("POST", "/api/v1/contents", map[string]string{"title": "B's content", "campaign_id": b.campaign}, bearer(b.owner.token)).into(t, 201, &x)
	b.content = x.ID
	b.account = mxCreateAccountIn(t, b.id)
	return b
}

// snapshot is everything B's owner sees of B, to compare before and after.
func (b mxOrgB) snapshot(t *testing.T, c apiClient) string {
	t.Helper()
	var org domain.Organization
	c.do("GET", "/api/v1/organization", nil, bearer(b.owner.token)).into(t, 200, &org)
	ms := mxMembers(t, c, b.owner.token)
	var members []string
	for id, r := range ms {
		members = append(members, id+"="+string(r))
	}
	sort.Strings(members)
	var campaign domain.Campaign
	c.do("GET", "/api/v1/campaigns/"+b.campaign, nil, bearer(b.owner.token)).into(t, 200, &campaign)
	var content domain.Content
	c.do("GET", "/api/v1/contents/"+b.content, nil, bearer(b.owner.token)).into(t, 200, &content)
	return fmt.Sprintf("org %s %q %v updated %s; members %v; keys %v; campaign %q updated %s; content %q updated %s",
		org.ID, org.Name, org.Settings, org.UpdatedAt, members, mxKeyIDs(t, c, b.owner.token),
		campaign.Name, campaign.UpdatedAt, content.Title, content.UpdatedAt)
}

// TestCrossOrgMatrix calls every organization-scoped route that takes an id
// as members of org A with org B's ids: 404, the same answer as for an id
// that exists nowhere, and nothing changed in B. It also checks that A's
// keys see only A, that a member removed from A is refused at once, and that
// a deleted organization's tokens and keys stop at once.
func TestCrossOrgMatrix(t *testing.T) {
	s := apptest.Start(t)
	f := newMxFixture(t, s.URL)
	c := f.client(t)
	b := newMxOrgB(t, c)
	before := b.snapshot(t, c)

	nowhere := uuid.NewString()
	cases := []struct {
		name         string
		method, path string
		body         any
		// the same request with an id that exists nowhere
		pathNowhere string
		bodyNowhere any
	}{
		{"PATCH /members/{B's member}", "PATCH", "/api/v1/members/" + b.member.id, map[string]string{"role": "viewer"}, "/api/v1/members/" + nowhere, map[string]string{"role": "viewer"}},
		{"PATCH /members/{B's owner}", "PATCH", "/api/v1/members/" + b.owner.id, map[string]string{"role": "viewer"}, "/api/v1/members/" + nowhere, map[string]string{"role": "viewer"}},
		{"DELETE /members/{B's member}", "DELETE", "/api/v1/members/" + b.member.id, nil, "/api/v1/members/" + nowhere, nil},
		{"DELETE /members/{B's owner}", "DELETE", "/api/v1/members/" + b.owner.id, nil, "/api/v1/members/" + nowhere, nil},
		{"DELETE /api-keys/{B's key}", "DELETE", "/api/v1/api-keys/" + b.key.id, nil, "/api/v1/api-keys/" + nowhere, nil},
		{"POST /auth/switch-organization {B}", "POST", "/api/v1/auth/switch-organization", map[string]string{"organization_id": b.id}, "/api/v1/auth/switch-organization", map[string]string{"organization_id": nowhere}},
		{"GET /campaigns/{B's campaign}", "GET", "/api/v1/campaigns/" + b.campaign, nil, "/api/v1/campaigns/" + nowhere, nil},
		{"PATCH /campaigns/{B's campaign}", "PATCH", "/api/v1/campaigns/" + b.campaign, map[string]string{"name": "hacked"}, "/api/v1/campaigns/" + nowhere, map[string]string{"name": "hacked"}},
		{"DELETE /campaigns/{B's campaign}", "DELETE", "/api/v1/campaigns/" + b.campaign, nil, "/api/v1/campaigns/" + nowhere, nil},
		{"GET /contents/{B's content}", "GET", "/api/v1/contents/" + b.content, nil, "/api/v1/contents/" + nowhere, nil},
		{"PATCH /contents/{B's content}", "PATCH", "/api/v1/contents/" + b.content, map[string]string{"title": "hacked"}, "/api/v1/contents/" + nowhere, map[string]string{"title": "hacked"}},
		{"DELETE /contents/{B's content}", "DELETE", "/api/v1/contents/" + b.content, nil, "/api/v1/contents/" + nowhere, nil},
		{"POST /contents/validate {B's content}", "POST", "/api/v1/contents/validate", map[string]string{"content_id": b.content}, "/api/v1/contents/validate", map[string]string{"content_id": nowhere}},
		{"POST /contents/validate {B's account}", "POST", "/api/v1/contents/validate", map[string]any{"content": map[string]string{"title": "x"}, "social_account_ids": []string{b.account}},
			"/api/v1/contents/validate", map[string]any{"content": map[string]string{"title": "x"}, "social_account_ids": []string{nowhere}}},
	}
	for _, actor := range []mxUser{f.owner, f.admin} {
		for _, tc := range cases {
			t.Run(actor.label+"/"+tc.name, func(t *testing.T) {
				c := f.client(t)
				r := c.do(tc.method, tc.path, tc.body, bearer(actor.token))
				if r.Status != 404 || r.code() != string(domain.CodeNotFound) {
					t.Errorf("got %d %s, want 404 not_found", r.Status, r.Raw)
				}
				if n := c.do(tc.method, tc.pathNowhere, tc.bodyNowhere, bearer(actor.token)); n.Status != r.Status || n.code() != r.code() || len(n.Errors) != len(r.Errors) || (len(n.Errors) > 0 && n.Errors[0].Message != r.Errors[0].Message) {
					t.Errorf("got %d %s for B's id and %d %s for an id of no organization, want the same answer", r.Status, r.Raw, n.Status, n.Raw)
				}
				if after := b.snapshot(t, c); after != before {
					t.Errorf("got B changed:\n  before %s\n  after  %s", before, after)
				}
			})
		}
	}

	t.Run("B's key still works and sees B", func(t *testing.T) {
		c := f.client(t)
		if me := mxMe(t, c, b.key.secret); me.ActiveOrganization.ID != b.id {
			t.Errorf("got B's key in %s, want B %s", me.ActiveOrganization.ID, b.id)
		}
		if m := mxMe(t, c, b.member.token); m.Role != domain.RoleEditor || m.ActiveOrganization.ID != b.id {
			t.Errorf("got B's member %s in %s, want editor in B", m.Role, m.ActiveOrganization.ID)
		}
	})

	t.Run("A's keys see only A", func(t *testing.T) {
		c := f.client(t)
		bUsers := []string{b.owner.id, b.member.id}
		for sc, k := range f.keys {
			if me := mxMe(t, c, k.secret); me.ActiveOrganization.ID != f.orgA {
				t.Errorf("key:%s: /me got organization %s, want A %s", sc, me.ActiveOrganization.ID, f.orgA)
			}
			if r := c.do("GET", "/api/v1/organization", nil, bearer(k.secret)); r.Status == 200 {
				var org domain.Organization
				if r.into(t, 200, &org); org.ID.String() != f.orgA {
					t.Errorf("key:%s: GET /organization got %s, want A %s", sc, org.ID, f.orgA)
				}
			}
			if r := c.do("GET", "/api/v1/members?limit=100", nil, bearer(k.secret)); r.Status == 200 {
				for _, id := range bUsers {
					if strings.Contains(string(r.Data), id) {
						t.Errorf("key:%s: GET /members lists B's user %s", sc, id)
					}
				}
			}
			// A key cannot be pointed at B either.
			if r := c.do("POST", "/api/v1/auth/switch-organization", map[string]string{"organization_id": b.id}, bearer(k.secret)); r.Status != 403 {
				t.Errorf("key:%s: switch to B got %d %s, want 403", sc, r.Status, r.Raw)
			}
		}
		if r := c.do("DELETE", "/api/v1/api-keys/"+b.key.id, nil, bearer(f.keys[domain.ScopeAdmin].secret)); r.Status == 200 {
			t.Errorf("A's admin key revoked B's key: got %d %s", r.Status, r.Raw)
		}
		if after := b.snapshot(t, c); after != before {
			t.Errorf("got B changed:\n  before %s\n  after  %s", before, after)
		}
	})

	t.Run("a member of both: A's changes leave B alone", func(t *testing.T) {
		c := f.client(t)
		inB := mxJoin(t, c, b.owner.token, b.id, f.spare, domain.RoleEditor)
		inA := mxJoin(t, c, f.owner.token, f.orgA, f.spare, domain.RoleEditor)
		bBefore := b.snapshot(t, c)
		c.do("PATCH", "/api/v1/members/"+f.spare.id, map[string]string{"role": "viewer"}, bearer(f.owner.token)).into(t, 200, nil)
		if got := b.snapshot(t, c); got != bBefore {
			t.Errorf("A's role change touched B:\n  before %s\n  after  %s", bBefore, got)
		}
		if me := mxMe(t, c, inB.AccessToken); me.Role != domain.RoleEditor {
			t.Errorf("got role %s in B after A's change, want editor", me.Role)
		}
		if me := mxMe(t, c, inA.AccessToken); me.Role != domain.RoleViewer {
			t.Errorf("got role %s in A after A's change, want viewer", me.Role)
		}

		// Removed from A: refused at once in A (token and refresh), still
		// fine in B.
		c.do("DELETE", "/api/v1/members/"+f.spare.id, nil, bearer(f.owner.token)).into(t, 200, nil)
		if r := c.do("GET", "/api/v1/me", nil, bearer(inA.AccessToken)); r.Status != 401 {
			t.Errorf("removed member's A token: got %d %s, want 401", r.Status, r.Raw)
		}
		if r := c.do("POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": inA.RefreshToken}); r.Status != 401 {
			t.Errorf("removed member's A refresh token: got %d %s, want 401", r.Status, r.Raw)
		}
		if r := c.do("POST", "/api/v1/auth/switch-organization", map[string]string{"organization_id": f.orgA}, bearer(inB.AccessToken)); r.Status != 404 {
			t.Errorf("removed member switching back to A: got %d %s, want 404", r.Status, r.Raw)
		}
		if me := mxMe(t, c, inB.AccessToken); me.Role != domain.RoleEditor || me.ActiveOrganization.ID != b.id {
			t.Errorf("got %s in %s with the B token after removal from A, want editor in B", me.Role, me.ActiveOrganization.ID)
		}
		c.do("DELETE", "/api/v1/members/"+f.spare.id, nil, bearer(b.owner.token)).into(t, 200, nil)
	})

	t.Run("a deleted organization's tokens and keys stop at once", func(t *testing.T) {
		c := f.client(t)
		var org domain.Organization
		c.do("POST", "/api/v1/organizations", map[string]string{"name": "Doomed"}, bearer(f.owner.token)).into(t, 201, &org)
		d := org.ID.String()
		owner := mxSwitch(t, c, f.owner.token, d)
		key := mxCreateKey(t, c, owner.AccessToken, domain.ScopeAdmin)
		member := mxJoin(t, c, owner.AccessToken, d, f.spare, domain.RoleEditor)
		creds := map[string]string{"owner's token": owner.AccessToken, "member's token": member.AccessToken, "admin key": key.secret}
		for name, cred := range creds { // warm every cache
			if me := mxMe(t, c, cred); me.ActiveOrganization.ID != d {
				t.Fatalf("%s: got organization %s, want %s", name, me.ActiveOrganization.ID, d)
			}
		}
		c.do("DELETE", "/api/v1/organization", nil, bearer(owner.AccessToken)).into(t, 200, nil)
		for name, cred := range creds {
			for _, path := range []string{"/api/v1/me", "/api/v1/organization"} {
				if r := c.do("GET", path, nil, bearer(cred)); r.Status != 401 {
					t.Errorf("%s on GET %s after deletion: got %d %s, want 401", name, path, r.Status, r.Raw)
				}
			}
		}
		for name, rt := range map[string]string{"owner's": owner.RefreshToken, "member's": member.RefreshToken} {
			if r := c.do("POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": rt}); r.Status != 401 {
				t.Errorf("%s refresh token after deletion: got %d %s, want 401", name, r.Status, r.Raw)
			}
		}
		if r := c.do("POST", "/api/v1/auth/switch-organization", map[string]string{"organization_id": d}, bearer(f.owner.token)); r.Status != 404 {
			t.Errorf("switching to the deleted organization: got %d %s, want 404", r.Status, r.Raw)
		}
		var ms []domain.Membership
		c.do("GET", "/api/v1/organizations?limit=100", nil, bearer(f.owner.token)).into(t, 200, &ms)
		if slices.ContainsFunc(ms, func(m domain.Membership) bool { return m.OrganizationID == org.ID }) {
			t.Errorf("got the deleted organization in GET /organizations")
		}
		// Everyone's other organizations are untouched.
		if me := mxMe(t, c, f.owner.token); me.ActiveOrganization.ID != f.orgA || me.Role != domain.RoleOwner {
			t.Errorf("got the owner as %s in %s, want owner of A", me.Role, me.ActiveOrganization.ID)
		}
		if r := c.do("GET", "/api/v1/me", nil, bearer(f.spare.token)); r.Status != 200 {
			t.Errorf("got %d for the member's own organization, want 200", r.Status)
		}
	})
}

// TestMembershipCacheRace removes a member while their token is in use,
// right after their cached role was dropped (by any membership change, or
// by the cache entry's TTL running out): a request that read the role from
// PostgreSQL before the removal committed must not put it back in the cache
// after the removal forgot it (the cache's generation check drops such a
// write). Before that check existed this failed in 2–7% of trials; 60 trials
// keep it quick while failing a regression almost surely.
func TestMembershipCacheRace(t *testing.T) {
	s := apptest.Start(t)
	f := newMxFixture(t, s.URL)
	c := f.client(t)
	const trials, workers = 60, 8
	for trial := range trials {
		tok := f.joinA(t, domain.RoleAdmin)
		// The next requests find no cached role and read PostgreSQL.
		c.do("PATCH", "/api/v1/members/"+f.spare.id, map[string]string{"role": "admin"}, bearer(f.owner.token)).into(t, 200, nil)
		stop, done := make(chan struct{}), make(chan struct{})
		for range workers {
			go func() {
				defer func() { done <- struct{}{} }()
				for {
					select {
					case <-stop:
						return
					default:
					}
					req, _ := http.NewRequest("GET", s.URL+"/api/v1/me", nil)
					req.Header.Set("Authorization", "Bearer "+tok)
					if resp, err := http.DefaultClient.Do(req); err == nil {
						resp.Body.Close()
					}
				}
			}()
		}
		c.do("DELETE", "/api/v1/members/"+f.spare.id, nil, bearer(f.owner.token)).into(t, 200, nil)
		close(stop)
		for range workers {
			<-done
		}
		if r := c.do("GET", "/api/v1/me", nil, bearer(tok)); r.Status != 401 {
			time.Sleep(time.Second)
			later := c.do("PATCH", "/api/v1/organization", map[string]string{"name": "renamed by a removed admin"}, bearer(tok))
			t.Fatalf("trial %d: got %d for the removed member's token after DELETE /members returned, want 401; a second later PATCH /organization got %d (the stale role is cached until its TTL)", trial, r.Status, later.Status)
		}
	}
}

// mxCreateAccount stores a social account (without tokens) in org A.
func mxCreateAccount(t *testing.T, f *mxFixture) string {
	t.Helper()
	return mxCreateAccountIn(t, f.orgA)
}

// mxCreateAccountIn stores a social account (without tokens) in org.
func mxCreateAccountIn(t *testing.T, org string) string {
	t.Helper()
	a := domain.SocialAccount{ID: uuid.Must(uuid.NewV7()), Provider: domain.ProviderInstagram,
		ExternalID: "mx-" + uuid.NewString(), Username: "mx", Status: domain.AccountConnected, CreatedAt: time.Now().UTC()}
	if err := postgres.NewStore(pgtest.Pool(t)).Org(uuid.MustParse(org)).CreateSocialAccount(context.Background(), a); err != nil {
		t.Fatalf("create social account: %v", err)
	}
	return a.ID.String()
}

// mxCampaign creates a campaign named name in org A as its owner.
func mxCampaign(t *testing.T, f *mxFixture, name string) string {
	t.Helper()
	var c struct {
		ID string `json:"id"`
	}
	f.client(t).do("POST", "/api/v1/campaigns", map[string]string{"name": name}, bearer(f.owner.token)).into(t, 201, &c)
	return c.ID
}

// mxContent creates a content in org A as its owner, in campaign unless
// it is "".
func mxContent(t *testing.T, f *mxFixture, campaign string) string {
	t.Helper()
	body := map[string]any{"title": "mx content"}
	if campaign != "" {
		body["campaign_id"] = campaign
	}
	var c struct {
		ID string `json:"id"`
	}
	f.client(t).do("POST", "/api/v1/contents", body, bearer(f.owner.token)).into(t, 201, &c)
	return c.ID
}

// mxPublishable creates, in org A as its owner, a content valid for
// Instagram (one JPEG image).
func mxPublishable(t *testing.T, f *mxFixture) string {
	t.Helper()
	var c struct {
		ID string `json:"id"`
	}
	f.client(t).do("POST", "/api/v1/contents", map[string]any{"title": "mx publish", "body": "mx",
		"media": []map[string]string{{"url": "https://media.example.com/mx.jpg", "kind": "image"}}}, bearer(f.owner.token)).into(t, 201, &c)
	return c.ID
}

// mxScheduled schedules a new content an hour ahead to a new account of
// org A, as its owner, and returns the content and publication ids.
func mxScheduled(t *testing.T, f *mxFixture) (content, publication string) {
	t.Helper()
	content, account := mxPublishable(t, f), mxCreateAccount(t, f)
	var list []domain.Publication
	f.client(t).do("POST", "/api/v1/contents/"+content+"/schedule", map[string]any{
		"publish_at": time.Now().Add(time.Hour).Format(time.RFC3339), "social_account_ids": []string{account}}, bearer(f.owner.token)).into(t, 201, &list)
	return content, list[0].ID.String()
}

// mxPublications lists a content's publications as org A's owner.
func mxPublications(t *testing.T, f *mxFixture, content string) []domain.Publication {
	t.Helper()
	var list []domain.Publication
	f.client(t).do("GET", "/api/v1/publications?content_id="+content, nil, bearer(f.owner.token)).into(t, 200, &list)
	return list
}

// mxFail dead-letters a publication directly in the database, as three
// failed retries would.
func mxFail(t *testing.T, f *mxFixture, id string) {
	t.Helper()
	ctx := context.Background()
	tx, err := pgtest.Pool(t).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `SELECT set_config('smm.organization_id', $1, true)`, f.orgA); err != nil {
		t.Fatal(err)
	}
	tag, err := tx.Exec(ctx, `UPDATE publications SET status = 'failed', due_at = NULL, failure_reason = 'gave up' WHERE id = $1`, id)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("fail publication: %v (%d rows)", err, tag.RowsAffected())
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}
