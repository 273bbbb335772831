package domain

import "testing"

func TestRoleCan(t *testing.T) {
	tests := []struct {
		role Role
		perm Permission
		want bool
	}{
		{RoleViewer, PermContentRead, true},
		{RoleViewer, PermContentWrite, false},
		{RoleEditor, PermContentWrite, true},
		{RoleEditor, PermContentPublish, true},
		{RoleEditor, PermMembersManage, false},
		{RoleAdmin, PermMembersManage, true},
		{RoleAdmin, PermOrgDelete, false},
		{RoleAdmin, PermBillingManage, false},
		{RoleOwner, PermOrgDelete, true},
		{RoleOwner, PermBillingManage, true},
		{Role("root"), PermContentRead, false},
		{RoleOwner, Permission("unknown"), false},
	}
	for _, tt := range tests {
		if got := RoleCan(tt.role, tt.perm); got != tt.want {
			t.Errorf("RoleCan(%s, %s): got %v, want %v", tt.role, tt.perm, got, tt.want)
		}
	}
}

func TestScopesCan(t *testing.T) {
	tests := []struct {
		scopes []Scope
		perm   Permission
		want   bool
	}{
		{[]Scope{ScopeRead}, PermContentRead, true},
		{[]Scope{ScopeRead}, PermContentWrite, false},
		{[]Scope{ScopeWrite}, PermContentRead, false},
		{[]Scope{ScopeRead, ScopeWrite}, PermContentWrite, true},
		{[]Scope{ScopePublish}, PermContentPublish, true},
		{[]Scope{ScopeAdmin}, PermContentRead, true},
		{[]Scope{ScopeAdmin}, PermOrgUpdate, true},
		{[]Scope{ScopeAdmin}, PermAPIKeysManage, false}, // keys never manage keys
		{[]Scope{ScopeAdmin}, PermMembersManage, false},
		{nil, PermContentRead, false},
	}
	for _, tt := range tests {
		if got := ScopesCan(tt.scopes, tt.perm); got != tt.want {
			t.Errorf("ScopesCan(%v, %s): got %v, want %v", tt.scopes, tt.perm, got, tt.want)
		}
	}
}

func TestMatrixIsComplete(t *testing.T) {
	seen := map[Permission]bool{}
	for _, g := range PermissionMatrix {
		if seen[g.Permission] {
			t.Errorf("got %s twice in the matrix, want once", g.Permission)
		}
		seen[g.Permission] = true
		if !g.MinRole.Valid() || !g.Scope.Valid() {
			t.Errorf("got %+v with an unknown role or scope", g)
		}
	}
}
