package keyrotation_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/keyrotation"
	"github.com/socialmediamanager/smm/persistence/postgres"
)

// counts is what a test expects of one kind in a report.
type counts struct{ rotated, current, changed, failed int }

func gotCounts(c keyrotation.Counts) counts {
	return counts{c.Rotated, c.Current, c.Changed, len(c.Failed)}
}

func wantReport(t *testing.T, run string, r keyrotation.Report, tokens, totp counts) {
	t.Helper()
	if got := gotCounts(r.SocialTokens); got != tokens {
		t.Errorf("%s: got social tokens %+v, want %+v", run, got, tokens)
	}
	if got := gotCounts(r.TOTPSecrets); got != totp {
		t.Errorf("%s: got totp secrets %+v, want %+v", run, got, totp)
	}
}

// wantNoSecrets checks nothing the job wrote shows a plaintext.
func wantNoSecrets(t *testing.T, out string, accounts []account, users []totpUser) {
	t.Helper()
	for _, a := range accounts {
		if strings.Contains(out, a.Access) || (a.Refresh != "" && strings.Contains(out, a.Refresh)) {
			t.Errorf("got output with a token of account %s:\n%s", a.ID, out)
		}
	}
	for _, u := range users {
		if strings.Contains(out, u.Secret) {
			t.Errorf("got output with the totp secret of user %s:\n%s", u.ID, out)
		}
	}
}

// TestRotateResealsUnderPrimary rotates tokens and TOTP secrets sealed
// under k1 to the new primary k2; they open with their AAD under k2 alone,
// so k1 can be dropped, and a second run has nothing to do.
func TestRotateResealsUnderPrimary(t *testing.T) {
	f := newFixture(t)
	old, next := ring(t, "k1"), ring(t, "k2", "k1")
	org1, org2 := f.org(), f.org()
	accounts := []account{f.account(org1, old, true), f.account(org1, old, false), f.account(org2, old, true)}
	current := f.account(org1, next, true)
	users := []totpUser{f.totpUser(old), f.totpUser(old)}
	currentUser := f.totpUser(next)
	before := f.tokens(current)

	var progress bytes.Buffer
	r, err := keyrotation.Rotate(f.ctx, f.store, next, keyrotation.Options{Progress: &progress, BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	wantReport(t, "first run", r, counts{rotated: 3, current: 1}, counts{rotated: 2, current: 1})
	for _, a := range append(accounts, current) {
		f.wantAccountUnder(a, "k2")
	}
	for _, u := range append(users, currentUser) {
		f.wantTOTPUnder(u, "k2")
	}
	if got := f.tokens(current); !bytes.Equal(got.Access, before.Access) || !bytes.Equal(got.Refresh, before.Refresh) {
		t.Errorf("got the current account's tokens rewritten, want them left as they were")
	}
	var summary bytes.Buffer
	r.WriteSummary(&summary)
	wantNoSecrets(t, progress.String()+summary.String(), append(accounts, current), append(users, currentUser))
	if !strings.Contains(summary.String(), "social tokens: 3 rotated") || !strings.Contains(summary.String(), "totp secrets: 2 rotated") {
		t.Errorf("got summary %q, want it to count 3 social tokens and 2 totp secrets rotated", summary.String())
	}

	r, err = keyrotation.Rotate(f.ctx, f.store, next, keyrotation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantReport(t, "second run", r, counts{}, counts{current: 3})
}

// interruptingStore cancels the run's context once the store has re-sealed
// after rows, the way a crash or ^C between rows would stop it.
type interruptingStore struct {
	keyrotation.Store
	cancel      context.CancelFunc
	after       int
	tokens      bool // count token rows, else totp secrets
	written     int
	interrupted bool
}

func (s *interruptingStore) count(updated bool) {
	if updated {
		s.written++
	}
	if s.written >= s.after && !s.interrupted {
		s.interrupted = true
		s.cancel()
	}
}

func (s *interruptingStore) ResealTokens(ctx context.Context, org uuid.UUID, old postgres.SealedTokenRow, access, refresh []byte, keyID string) (bool, error) {
	updated, err := s.Store.ResealTokens(ctx, org, old, access, refresh, keyID)
	if s.tokens {
		s.count(updated)
	}
	return updated, err
}

func (s *interruptingStore) ResealTOTPSecret(ctx context.Context, user uuid.UUID, reseal func([]byte) ([]byte, error)) (bool, error) {
	updated, err := s.Store.ResealTOTPSecret(ctx, user, reseal)
	if !s.tokens {
		s.count(updated)
	}
	return updated, err
}

// TestRotateResumesAfterInterruption stops a run after some rows and
// checks that what was done is whole (no row half re-sealed) and that
// running again finishes the rest.
func TestRotateResumesAfterInterruption(t *testing.T) {
	tests := []struct {
		name          string
		tokens        bool
		after         int
		wantTokens    counts // of the interrupted run
		wantTOTP      counts
		resumedTokens counts
		resumedTOTP   counts
	}{
		{"after 2 token rows", true, 2, counts{rotated: 2}, counts{}, counts{rotated: 3, current: 2}, counts{rotated: 3}},
		{"after 1 totp secret", false, 1, counts{rotated: 5}, counts{rotated: 1}, counts{}, counts{rotated: 2, current: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			old, next := ring(t, "k1"), ring(t, "k2", "k1")
			org := f.org()
			var accounts []account
			for i := 0; i < 5; i++ {
				accounts = append(accounts, f.account(org, old, i%2 == 0))
			}
			var users []totpUser
			for i := 0; i < 3; i++ {
				users = append(users, f.totpUser(old))
			}
			ctx, cancel := context.WithCancel(f.ctx)
			defer cancel()
			store := &interruptingStore{Store: f.store, cancel: cancel, after: tt.after, tokens: tt.tokens}
			r, err := keyrotation.Rotate(ctx, store, next, keyrotation.Options{BatchSize: 2})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("got error %v from the interrupted run, want context.Canceled", err)
			}
			wantReport(t, "interrupted run", r, tt.wantTokens, tt.wantTOTP)
			// Every row is whole: under k1 or under k2, never a mix.
			underNew := 0
			for _, a := range accounts {
				got := f.tokens(a)
				id := got.KeyID
				if id == "k2" {
					underNew++
				}
				f.wantAccountUnder(a, id)
			}
			if underNew != tt.wantTokens.rotated {
				t.Errorf("got %d accounts under k2 after the interrupted run, want %d", underNew, tt.wantTokens.rotated)
			}

			r, err = keyrotation.Rotate(f.ctx, f.store, next, keyrotation.Options{BatchSize: 2})
			if err != nil {
				t.Fatal(err)
			}
			wantReport(t, "resumed run", r, tt.resumedTokens, tt.resumedTOTP)
			for _, a := range accounts {
				f.wantAccountUnder(a, "k2")
			}
			for _, u := range users {
				f.wantTOTPUnder(u, "k2")
			}
		})
	}
}

// TestRotateResumesWhenAKeyWasMissing runs with a ring that lacks the key
// one row was sealed with: that row fails and is left as it is, the rest
// rotate, and a run with the key restored finishes it.
func TestRotateResumesWhenAKeyWasMissing(t *testing.T) {
	f := newFixture(t)
	k0, k1 := ring(t, "k0"), ring(t, "k1")
	org := f.org()
	accounts := []account{f.account(org, k1, true), f.account(org, k0, true), f.account(org, k1, false)}
	users := []totpUser{f.totpUser(k0), f.totpUser(k1)}
	stuck, stuckBefore := accounts[1], f.tokens(accounts[1])
	stuckUserBefore := f.totp(users[0].ID)

	r, err := keyrotation.Rotate(f.ctx, f.store, ring(t, "k2", "k1"), keyrotation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantReport(t, "run without k0", r, counts{rotated: 2, failed: 1}, counts{rotated: 1, failed: 1})
	failures := r.Failures()
	if len(failures) != 2 || failures[0].ID != stuck.ID || failures[0].Org != org || failures[1].ID != users[0].ID ||
		!strings.Contains(failures[0].Reason, `unknown key id "k0"`) {
		t.Errorf("got failures %v, want account %s then user %s, for unknown key id k0", failures, stuck.ID, users[0].ID)
	}
	if got := f.tokens(stuck); !bytes.Equal(got.Access, stuckBefore.Access) || !bytes.Equal(got.Refresh, stuckBefore.Refresh) || got.KeyID != "k0" {
		t.Errorf("got the row that did not open changed, want it left as it was")
	}
	if got := f.totp(users[0].ID); !bytes.Equal(got, stuckUserBefore) {
		t.Errorf("got the totp secret that did not open changed, want it left as it was")
	}

	r, err = keyrotation.Rotate(f.ctx, f.store, ring(t, "k2", "k1", "k0"), keyrotation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantReport(t, "run with k0", r, counts{rotated: 1, current: 2}, counts{rotated: 1, current: 1})
	for _, a := range accounts {
		f.wantAccountUnder(a, "k2")
	}
	for _, u := range users {
		f.wantTOTPUnder(u, "k2")
	}
}

// TestCopiedCiphertextIsReportedNotOverwritten copies one account's tokens
// and one user's TOTP secret into other rows: they do not open there (their
// AAD binds them to their row), are reported, and stay as they were.
func TestCopiedCiphertextIsReportedNotOverwritten(t *testing.T) {
	f := newFixture(t)
	old, next := ring(t, "k1"), ring(t, "k2", "k1")
	org1, org2 := f.org(), f.org()
	source := f.account(org1, old, true)
	sameOrg, otherOrg := f.account(org1, old, true), f.account(org2, old, true)
	f.writeTokens(sameOrg, f.tokens(source))
	f.writeTokens(otherOrg, f.tokens(source))
	swapped := f.account(org2, old, true)
	sw := f.tokens(swapped)
	sw.Access, sw.Refresh = sw.Refresh, sw.Access
	f.writeTokens(swapped, sw)
	users := []totpUser{f.totpUser(old), f.totpUser(old)}
	f.setTOTP(users[1].ID, f.totp(users[0].ID))
	tampered := []account{sameOrg, otherOrg, swapped}
	var before []postgres.SealedTokenRow
	for _, a := range tampered {
		before = append(before, f.tokens(a))
	}
	userBefore := f.totp(users[1].ID)

	var progress bytes.Buffer
	r, err := keyrotation.Rotate(f.ctx, f.store, next, keyrotation.Options{Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	wantReport(t, "run", r, counts{rotated: 1, failed: 3}, counts{rotated: 1, failed: 1})
	f.wantAccountUnder(source, "k2")
	f.wantTOTPUnder(users[0], "k2")
	failed := map[uuid.UUID]string{}
	for _, fl := range r.Failures() {
		failed[fl.ID] = fl.Reason
	}
	for i, a := range tampered {
		if !strings.Contains(failed[a.ID], "authentication failed") {
			t.Errorf("account %s: got failure %q, want authentication failed", a.ID, failed[a.ID])
		}
		got := f.tokens(a)
		if !bytes.Equal(got.Access, before[i].Access) || !bytes.Equal(got.Refresh, before[i].Refresh) || got.KeyID != "k1" {
			t.Errorf("account %s: got the tampered row changed, want it left as it was", a.ID)
		}
	}
	if !strings.Contains(failed[users[1].ID], "authentication failed") {
		t.Errorf("user %s: got failure %q, want authentication failed", users[1].ID, failed[users[1].ID])
	}
	if !bytes.Equal(f.totp(users[1].ID), userBefore) {
		t.Errorf("got the copied totp secret changed, want it left as it was")
	}
	for _, id := range []uuid.UUID{sameOrg.ID, otherOrg.ID, swapped.ID, users[1].ID} {
		if !strings.Contains(progress.String(), id.String()) {
			t.Errorf("got progress without the failed row %s:\n%s", id, progress.String())
		}
	}
	wantNoSecrets(t, progress.String(), []account{source, sameOrg, otherOrg, swapped}, users)
}

// TestDryRunWritesNothing counts what a run would do, including what would
// fail, without changing a byte; a real run then does it.
func TestDryRunWritesNothing(t *testing.T) {
	f := newFixture(t)
	old, next := ring(t, "k1"), ring(t, "k2", "k1")
	org := f.org()
	accounts := []account{f.account(org, old, true), f.account(org, old, false), f.account(org, ring(t, "k0"), true)}
	users := []totpUser{f.totpUser(old), f.totpUser(next)}
	var before []postgres.SealedTokenRow
	for _, a := range accounts {
		before = append(before, f.tokens(a))
	}
	userBefore := f.totp(users[0].ID)

	r, err := keyrotation.Rotate(f.ctx, f.store, next, keyrotation.Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	wantReport(t, "dry run", r, counts{rotated: 2, failed: 1}, counts{rotated: 1, current: 1})
	for i, a := range accounts {
		got := f.tokens(a)
		if !bytes.Equal(got.Access, before[i].Access) || !bytes.Equal(got.Refresh, before[i].Refresh) || got.KeyID != before[i].KeyID {
			t.Errorf("account %s: got the row changed by a dry run, want it as it was", a.ID)
		}
	}
	if !bytes.Equal(f.totp(users[0].ID), userBefore) {
		t.Errorf("got the totp secret changed by a dry run, want it as it was")
	}
	var summary bytes.Buffer
	r.WriteSummary(&summary)
	if !strings.Contains(summary.String(), "dry run") {
		t.Errorf("got summary %q, want it to say dry run", summary.String())
	}

	r, err = keyrotation.Rotate(f.ctx, f.store, next, keyrotation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantReport(t, "real run", r, counts{rotated: 2, failed: 1}, counts{rotated: 1, current: 1})
	f.wantAccountUnder(accounts[0], "k2")
	f.wantAccountUnder(accounts[1], "k2")
	f.wantTOTPUnder(users[0], "k2")
}

// refreshingStore writes new tokens into an account between the job's
// read and its write, as a token refresh running at the same time would.
type refreshingStore struct {
	keyrotation.Store
	target  account
	refresh func(account)
}

func (s *refreshingStore) ResealTokens(ctx context.Context, org uuid.UUID, old postgres.SealedTokenRow, access, refresh []byte, keyID string) (bool, error) {
	if old.AccountID == s.target.ID {
		s.refresh(s.target)
	}
	return s.Store.ResealTokens(ctx, org, old, access, refresh, keyID)
}

// TestConcurrentRefreshIsNotOverwritten refreshes an account's tokens while
// the job re-seals them, under the new primary key (the service already
// restarted) or under the old one (an instance not yet restarted): the
// refreshed tokens stay, and a later run re-seals those still under k1.
func TestConcurrentRefreshIsNotOverwritten(t *testing.T) {
	tests := []struct {
		name       string
		refreshKey string
		wantLater  counts
	}{
		{"refresh under the new primary", "k2", counts{}},
		{"refresh under the old key", "k1", counts{rotated: 1, current: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			old, next := ring(t, "k1"), ring(t, "k2", "k1")
			org := f.org()
			other, target := f.account(org, old, true), f.account(org, old, true)
			refreshed := target
			refreshed.Access, refreshed.Refresh = "access-refreshed-"+uuid.NewString(), "refresh-refreshed-"+uuid.NewString()
			store := &refreshingStore{Store: f.store, target: target, refresh: func(a account) {
				r := ring(t, tt.refreshKey)
				access, err := r.Seal([]byte(refreshed.Access), a.accessAAD())
				if err != nil {
					t.Fatal(err)
				}
				refresh, err := r.Seal([]byte(refreshed.Refresh), a.refreshAAD())
				if err != nil {
					t.Fatal(err)
				}
				f.writeTokens(a, postgres.SealedTokenRow{Access: access, Refresh: refresh, KeyID: tt.refreshKey})
			}}
			r, err := keyrotation.Rotate(f.ctx, store, next, keyrotation.Options{})
			if err != nil {
				t.Fatal(err)
			}
			wantReport(t, "run", r, counts{rotated: 1, changed: 1}, counts{})
			f.wantAccountUnder(other, "k2")
			f.wantAccountUnder(refreshed, tt.refreshKey)

			r, err = keyrotation.Rotate(f.ctx, f.store, next, keyrotation.Options{})
			if err != nil {
				t.Fatal(err)
			}
			wantReport(t, "later run", r, tt.wantLater, counts{})
			f.wantAccountUnder(refreshed, "k2")
		})
	}
}
