package keyrotation_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/google/uuid"
)

// TestStoreFindsWorkAcrossTenants checks the two definer functions the job
// starts from: outside any organization's scope they must name the
// organization holding tokens under an old key and the user holding a TOTP
// secret, and nothing already under the primary key. If the first fails,
// every social token test fails with it: the function runs as the owner
// role, to which the FORCEd row-level security of social_accounts applies
// too, so without a policy letting the owner read it sees no row.
func TestStoreFindsWorkAcrossTenants(t *testing.T) {
	f := newFixture(t)
	old, next := ring(t, "k1"), ring(t, "k2", "k1")
	withOld, withNew := f.org(), f.org()
	f.account(withOld, old, true)
	f.account(withNew, next, true)
	user := f.totpUser(old)

	orgs, err := f.store.OrganizationsWithSealedTokens(f.ctx, "k2")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(orgs, withOld) || slices.Contains(orgs, withNew) {
		t.Errorf("got organizations %v from smm_orgs_with_sealed_tokens('k2'), want %s (tokens under k1) and not %s (under k2); "+
			"if none at all, the definer function cannot see social_accounts through its forced row-level security", orgs, withOld, withNew)
	}
	var users []uuid.UUID
	for after := uuid.Nil; ; {
		page, err := f.store.UsersWithTOTP(f.ctx, after, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		users, after = append(users, page...), page[len(page)-1]
	}
	byID := func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }
	if !slices.Contains(users, user.ID) || !slices.IsSortedFunc(users, byID) {
		t.Errorf("got users %v from smm_users_with_totp() a page at a time, want %s among them, in id order", users, user.ID)
	}
}
