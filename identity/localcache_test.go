package identity

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/postgres"
)

// TestLocalAuthInvalidations checks each invalidation drops what it must
// and that a value read before an invalidation is not stored after it.
func TestLocalAuthInvalidations(t *testing.T) {
	l := &localAuth{}
	l.clear()
	now := time.Now()
	org, other, user, key := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	put := func() {
		e := l.snapshot()
		l.putRole(org, user, domain.RoleAdmin, e, now)
		l.putRole(other, user, domain.RoleViewer, e, now)
		l.putMe(org, user, Me{Role: domain.RoleAdmin}, e, now)
		l.putMe(org, key, Me{Role: domain.RoleAdmin}, e, now)
		rec := postgres.APIKeyRecord{}
		rec.ID, rec.OrganizationID = key, org
		l.putAPIKey("prefix", rec, e, now)
	}
	tests := []struct {
		kind                        string
		args                        []string
		wantRole, wantOther, wantMe bool
		wantKey                     bool
	}{
		{invMembership, []string{org.String(), user.String()}, false, true, false, true},
		{invUser, []string{user.String()}, true, true, false, true},
		{invOrg, []string{org.String()}, false, true, false, false},
		{invAPIKey, []string{org.String(), key.String()}, true, true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			l.clear()
			put()
			l.apply(tt.kind, tt.args)
			_, role := l.role(org, user, now)
			_, otherRole := l.role(other, user, now)
			_, me := l.getMe(org, user, now)
			_, k := l.apiKey("prefix", now)
			if role != tt.wantRole || otherRole != tt.wantOther || me != tt.wantMe || k != tt.wantKey {
				t.Errorf("got role %v other %v me %v key %v, want %v %v %v %v", role, otherRole, me, k, tt.wantRole, tt.wantOther, tt.wantMe, tt.wantKey)
			}
		})
	}
	// A read that started before an invalidation is dropped.
	l.clear()
	e := l.snapshot()
	l.apply(invMembership, []string{org.String(), user.String()})
	l.putRole(org, user, domain.RoleAdmin, e, now)
	if _, ok := l.role(org, user, now); ok {
		t.Errorf("got a role stored from a read older than an invalidation, want it dropped")
	}
}
