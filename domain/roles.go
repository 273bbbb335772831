package domain

// Role is a user's role in one organization. A user may hold different roles
// in different organizations; the active organization's role applies.
type Role string

// The roles, from most to least powerful.
const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleEditor Role = "editor"
	RoleViewer Role = "viewer"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleOwner, RoleAdmin, RoleEditor, RoleViewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleOwner, RoleAdmin, RoleEditor, RoleViewer:
		return true
	}
	return false
}

// rank orders roles so that "at least editor" is a comparison.
func (r Role) rank() int {
	switch r {
	case RoleOwner:
		return 4
	case RoleAdmin:
		return 3
	case RoleEditor:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}

// AtLeast reports whether r is as powerful as other or more.
func (r Role) AtLeast(other Role) bool { return r.rank() >= other.rank() }

// Permission is one thing a member may be allowed to do in an organization.
type Permission string

// The permissions of the organization domain. Each is granted to a minimum
// role and, for API keys, requires one scope.
const (
	PermOrgRead            Permission = "organization.read"
	PermOrgUpdate          Permission = "organization.update"
	PermOrgDelete          Permission = "organization.delete"
	PermMembersRead        Permission = "members.read"
	PermMembersManage      Permission = "members.manage"
	PermInvitationsCreate  Permission = "invitations.create"
	PermAPIKeysManage      Permission = "api_keys.manage"
	PermContentRead        Permission = "content.read"
	PermContentWrite       Permission = "content.write"
	PermContentPublish     Permission = "content.publish"
	PermSocialAccountsRead Permission = "social_accounts.read"
	PermSocialAccountsEdit Permission = "social_accounts.manage"
	PermAnalyticsRead      Permission = "analytics.read"
	PermWebhooksManage     Permission = "webhooks.manage"
	PermBillingRead        Permission = "billing.read"
	PermBillingManage      Permission = "billing.manage"
	PermAuditRead          Permission = "audit.read"
)

// Scope is what an API key may do; a key acts only within its scopes.
type Scope string

// The API key scopes.
const (
	ScopeRead    Scope = "read"
	ScopeWrite   Scope = "write"
	ScopePublish Scope = "publish"
	ScopeAdmin   Scope = "admin"
)

// Scopes lists every scope.
var Scopes = []Scope{ScopeRead, ScopeWrite, ScopePublish, ScopeAdmin}

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool {
	switch s {
	case ScopeRead, ScopeWrite, ScopePublish, ScopeAdmin:
		return true
	}
	return false
}

// Grant is one row of the permission matrix: the least role holding the
// permission, the scope an API key needs for it, and whether API keys may
// exercise it at all (managing keys, members and the organization itself is
// for people, who can be asked for a second factor).
type Grant struct {
	Permission Permission
	MinRole    Role
	Scope      Scope
	APIKeys    bool
}

// PermissionMatrix is the whole permission model, printed in the README.
var PermissionMatrix = []Grant{
	{PermOrgRead, RoleViewer, ScopeRead, true},
	{PermOrgUpdate, RoleAdmin, ScopeAdmin, true},
	{PermOrgDelete, RoleOwner, ScopeAdmin, false},
	{PermMembersRead, RoleViewer, ScopeRead, true},
	{PermMembersManage, RoleAdmin, ScopeAdmin, false},
	{PermInvitationsCreate, RoleAdmin, ScopeAdmin, false},
	{PermAPIKeysManage, RoleAdmin, ScopeAdmin, false},
	{PermContentRead, RoleViewer, ScopeRead, true},
	{PermContentWrite, RoleEditor, ScopeWrite, true},
	{PermContentPublish, RoleEditor, ScopePublish, true},
	{PermSocialAccountsRead, RoleViewer, ScopeRead, true},
	{PermSocialAccountsEdit, RoleAdmin, ScopeAdmin, false},
	{PermAnalyticsRead, RoleViewer, ScopeRead, true},
	{PermWebhooksManage, RoleAdmin, ScopeAdmin, true},
	{PermBillingRead, RoleAdmin, ScopeAdmin, true},
	{PermBillingManage, RoleOwner, ScopeAdmin, false},
	{PermAuditRead, RoleAdmin, ScopeAdmin, true},
}

func grantOf(p Permission) (Grant, bool) {
	for _, g := range PermissionMatrix {
		if g.Permission == p {
			return g, true
		}
	}
	return Grant{}, false
}

// RoleCan reports whether a member with role r holds permission p.
func RoleCan(r Role, p Permission) bool {
	g, ok := grantOf(p)
	return ok && r.AtLeast(g.MinRole)
}

// ScopesCan reports whether an API key with scopes holds permission p. The
// admin scope includes every other scope.
func ScopesCan(scopes []Scope, p Permission) bool {
	g, ok := grantOf(p)
	if !ok || !g.APIKeys {
		return false
	}
	for _, s := range scopes {
		if s == g.Scope || s == ScopeAdmin {
			return true
		}
	}
	return false
}
