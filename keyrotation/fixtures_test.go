package keyrotation_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/encryption"
	"github.com/socialmediamanager/smm/persistence/pgtest"
	"github.com/socialmediamanager/smm/persistence/postgres"
	"github.com/socialmediamanager/smm/socialaccounts"
)

// keySpecs holds one generated key per id, shared by the tests so that a
// ring built twice from the same ids holds the same keys.
var (
	keySpecsMu sync.Mutex
	keySpecs   = map[string]string{}
)

// ring builds a keyring of the named keys, the first primary.
func ring(t *testing.T, ids ...string) *encryption.Keyring {
	t.Helper()
	keySpecsMu.Lock()
	defer keySpecsMu.Unlock()
	specs := make([]string, len(ids))
	for i, id := range ids {
		if keySpecs[id] == "" {
			spec, err := encryption.GenerateKeySpec(id)
			if err != nil {
				t.Fatal(err)
			}
			keySpecs[id] = spec
		}
		specs[i] = keySpecs[id]
	}
	r, err := encryption.ParseKeys(strings.Join(specs, ","))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fixture makes organizations, accounts and users on the package database
// and, when the test ends, clears every secret it stored, so that the next
// test's run (which walks the whole database) sees only its own rows. Tests
// using it must not run in parallel.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	pool  *pgxpool.Pool
	store *postgres.Store
	orgs  []uuid.UUID
	users []uuid.UUID
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	pool := pgtest.Pool(t)
	f := &fixture{t: t, ctx: context.Background(), pool: pool, store: postgres.NewStore(pool)}
	t.Cleanup(f.clear)
	return f
}

// clear forgets every secret the fixture stored.
func (f *fixture) clear() {
	for _, org := range f.orgs {
		f.inOrg(org, func(tx pgx.Tx) error {
			_, err := tx.Exec(f.ctx, `UPDATE social_accounts SET access_token = NULL, refresh_token = NULL, token_key_id = NULL
				WHERE organization_id = $1`, org)
			return err
		})
	}
	for _, u := range f.users {
		if err := f.store.DisableTOTP(f.ctx, u); err != nil {
			f.t.Errorf("clear totp secret: %v", err)
		}
	}
}

// inOrg runs fn as the application role in a transaction scoped to org,
// the way the store does: how fixtures write and read raw ciphertexts.
func (f *fixture) inOrg(org uuid.UUID, fn func(pgx.Tx) error) {
	f.t.Helper()
	err := pgx.BeginFunc(f.ctx, f.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(f.ctx, `SELECT set_config('smm.organization_id', $1, true)`, org.String()); err != nil {
			return err
		}
		return fn(tx)
	})
	if err != nil {
		f.t.Fatalf("organization %s: %v", org, err)
	}
}

// registerUser registers a user with their own organization.
func (f *fixture) registerUser() (user, org uuid.UUID) {
	f.t.Helper()
	now := time.Now()
	user, org = uuid.New(), uuid.New()
	u := domain.User{ID: user, Email: fmt.Sprintf("rotate-%s@example.test", user.String()[:8]), Name: "Rotate", CreatedAt: now}
	o := domain.Organization{ID: org, Name: "Rotate", Settings: map[string]any{}, CreatedAt: now, UpdatedAt: now}
	if err := f.store.Register(f.ctx, u, "not-a-real-hash", o); err != nil {
		f.t.Fatal(err)
	}
	f.users = append(f.users, user)
	f.orgs = append(f.orgs, org)
	return user, org
}

// org makes an organization.
func (f *fixture) org() uuid.UUID {
	f.t.Helper()
	_, org := f.registerUser()
	return org
}

// account is a social account fixture and the plaintext tokens it holds.
type account struct {
	ID, Org  uuid.UUID
	Provider domain.Provider
	Access   string
	Refresh  string // "": none
}

// accessAAD and refreshAAD are the associated data of the account's tokens.
func (a account) accessAAD() []byte {
	return socialaccounts.TokenAAD(a.Org, a.ID, a.Provider, socialaccounts.AccessToken)
}

func (a account) refreshAAD() []byte {
	return socialaccounts.TokenAAD(a.Org, a.ID, a.Provider, socialaccounts.RefreshToken)
}

// account creates a social account in org whose tokens are sealed with r
// (no refresh token unless withRefresh).
func (f *fixture) account(org uuid.UUID, r *encryption.Keyring, withRefresh bool) account {
	f.t.Helper()
	a := account{ID: uuid.New(), Org: org, Provider: domain.ProviderTikTok, Access: "access-" + uuid.NewString()}
	if withRefresh {
		a.Refresh = "refresh-" + uuid.NewString()
	}
	err := f.store.Org(org).CreateSocialAccount(f.ctx, domain.SocialAccount{ID: a.ID, Provider: a.Provider,
		ExternalID: "ext-" + a.ID.String(), Username: "rotate", Status: domain.AccountConnected, CreatedAt: time.Now()})
	if err != nil {
		f.t.Fatal(err)
	}
	access, err := r.Seal([]byte(a.Access), a.accessAAD())
	if err != nil {
		f.t.Fatal(err)
	}
	var refresh []byte
	if withRefresh {
		if refresh, err = r.Seal([]byte(a.Refresh), a.refreshAAD()); err != nil {
			f.t.Fatal(err)
		}
	}
	f.writeTokens(a, postgres.SealedTokenRow{Access: access, Refresh: refresh, KeyID: r.PrimaryID()})
	return a
}

// writeTokens stores ciphertexts and key id in the account's row as they
// are, the way a connection or a refresh would.
func (f *fixture) writeTokens(a account, t postgres.SealedTokenRow) {
	f.t.Helper()
	f.inOrg(a.Org, func(tx pgx.Tx) error {
		_, err := tx.Exec(f.ctx, `UPDATE social_accounts SET access_token = $2, refresh_token = $3, token_key_id = $4 WHERE id = $1`,
			a.ID, t.Access, t.Refresh, t.KeyID)
		return err
	})
}

// tokens reads the account's row as stored.
func (f *fixture) tokens(a account) postgres.SealedTokenRow {
	f.t.Helper()
	t := postgres.SealedTokenRow{AccountID: a.ID, Provider: a.Provider}
	f.inOrg(a.Org, func(tx pgx.Tx) error {
		var key *string
		err := tx.QueryRow(f.ctx, `SELECT access_token, refresh_token, token_key_id FROM social_accounts WHERE id = $1`, a.ID).
			Scan(&t.Access, &t.Refresh, &key)
		if key != nil {
			t.KeyID = *key
		}
		return err
	})
	return t
}

// totpUser is a user fixture with a TOTP secret.
type totpUser struct {
	ID     uuid.UUID
	Secret string
}

func (u totpUser) aad() []byte { return []byte("totp|user:" + u.ID.String()) }

// totpUser registers a user whose TOTP secret is sealed with r.
func (f *fixture) totpUser(r *encryption.Keyring) totpUser {
	f.t.Helper()
	id, _ := f.registerUser()
	u := totpUser{ID: id, Secret: "JBSWY3DPEHPK3PXP" + strings.ToUpper(strings.ReplaceAll(id.String(), "-", ""))[:8]}
	sealed, err := r.Seal([]byte(u.Secret), u.aad())
	if err != nil {
		f.t.Fatal(err)
	}
	f.setTOTP(u.ID, sealed)
	return u
}

// setTOTP stores a sealed TOTP secret as it is.
func (f *fixture) setTOTP(user uuid.UUID, sealed []byte) {
	f.t.Helper()
	if err := f.store.SetTOTPSecret(f.ctx, user, sealed); err != nil {
		f.t.Fatal(err)
	}
}

// totp reads the user's sealed TOTP secret as stored.
func (f *fixture) totp(user uuid.UUID) []byte {
	f.t.Helper()
	u, err := f.store.UserByID(f.ctx, user)
	if err != nil {
		f.t.Fatal(err)
	}
	return u.TOTPSecret
}

// keyIDOf returns the key id written in a ciphertext.
func keyIDOf(t *testing.T, sealed []byte) string {
	t.Helper()
	id, err := encryption.KeyID(sealed)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// wantAccountUnder checks the account's row is wholly under key id (the
// recorded id and both ciphertexts) and its tokens still open with their
// associated data under a ring of that key alone.
func (f *fixture) wantAccountUnder(a account, id string) {
	f.t.Helper()
	got := f.tokens(a)
	if got.KeyID != id || keyIDOf(f.t, got.Access) != id {
		f.t.Errorf("account %s: got token_key_id %q and access token under %q, want both %q", a.ID, got.KeyID, keyIDOf(f.t, got.Access), id)
	}
	only := ring(f.t, id)
	if plain, err := only.Open(got.Access, a.accessAAD()); err != nil || string(plain) != a.Access {
		f.t.Errorf("account %s: access token does not open under %q alone with its AAD: %v", a.ID, id, err)
	}
	if a.Refresh == "" {
		if got.Refresh != nil {
			f.t.Errorf("account %s: got a refresh token, want none", a.ID)
		}
		return
	}
	if keyIDOf(f.t, got.Refresh) != id {
		f.t.Errorf("account %s: got refresh token under %q, want %q", a.ID, keyIDOf(f.t, got.Refresh), id)
	}
	if plain, err := only.Open(got.Refresh, a.refreshAAD()); err != nil || string(plain) != a.Refresh {
		f.t.Errorf("account %s: refresh token does not open under %q alone with its AAD: %v", a.ID, id, err)
	}
}

// wantTOTPUnder checks the user's secret is under key id and opens with its
// associated data under a ring of that key alone.
func (f *fixture) wantTOTPUnder(u totpUser, id string) {
	f.t.Helper()
	sealed := f.totp(u.ID)
	if got := keyIDOf(f.t, sealed); got != id {
		f.t.Errorf("user %s: got totp secret under %q, want %q", u.ID, got, id)
	}
	if plain, err := ring(f.t, id).Open(sealed, u.aad()); err != nil || string(plain) != u.Secret {
		f.t.Errorf("user %s: totp secret does not open under %q alone with its AAD: %v", u.ID, id, err)
	}
}
