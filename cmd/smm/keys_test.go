package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/encryption"
	"github.com/socialmediamanager/smm/persistence/pgtest"
	"github.com/socialmediamanager/smm/persistence/postgres"
	"github.com/socialmediamanager/smm/socialaccounts"
)

// TestKeysRotate runs `smm keys rotate` on an account and a TOTP secret
// sealed under k1 with k2 made primary: a dry run counts and writes
// nothing, a run re-seals, a second run (keys from the development key
// file) finds nothing to do, and a ciphertext copied to another account is
// listed and makes the command exit 1. No output shows a secret.
func TestKeysRotate(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.Pool(t)
	store := postgres.NewStore(pool)
	k1, err := encryption.GenerateKeySpec("k1")
	if err != nil {
		t.Fatal(err)
	}
	k2, err := encryption.GenerateKeySpec("k2")
	if err != nil {
		t.Fatal(err)
	}
	old, err := encryption.ParseKeys(k1)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	userID, org := uuid.New(), uuid.New()
	user := domain.User{ID: userID, Email: fmt.Sprintf("keys-%s@example.test", userID.String()[:8]), Name: "Keys", CreatedAt: now}
	if err := store.Register(ctx, user, "not-a-real-hash", domain.Organization{ID: org, Name: "Keys", Settings: map[string]any{}, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	inOrg := func(fn func(pgx.Tx) error) {
		t.Helper()
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT set_config('smm.organization_id', $1, true)`, org.String()); err != nil {
				return err
			}
			return fn(tx)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	newAccount := func() uuid.UUID {
		t.Helper()
		id := uuid.New()
		if err := store.Org(org).CreateSocialAccount(ctx, domain.SocialAccount{ID: id, Provider: domain.ProviderYouTube,
			ExternalID: "ext-" + id.String(), Status: domain.AccountConnected, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	writeAccess := func(id uuid.UUID, sealed []byte, keyID string) {
		inOrg(func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE social_accounts SET access_token = $2, token_key_id = $3 WHERE id = $1`, id, sealed, keyID)
			return err
		})
	}
	readAccess := func(id uuid.UUID) (sealed []byte) {
		inOrg(func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT access_token FROM social_accounts WHERE id = $1`, id).Scan(&sealed)
		})
		return sealed
	}
	readTOTP := func() []byte {
		u, err := store.UserByID(ctx, userID)
		if err != nil {
			t.Fatal(err)
		}
		return u.TOTPSecret
	}

	account := newAccount()
	accessToken, totpSecret := "access-"+uuid.NewString(), "JBSWY3DPEHPK3PXP"
	accessAAD := socialaccounts.TokenAAD(org, account, domain.ProviderYouTube, socialaccounts.AccessToken)
	sealed, err := old.Seal([]byte(accessToken), accessAAD)
	if err != nil {
		t.Fatal(err)
	}
	writeAccess(account, sealed, "k1")
	sealedTOTP, err := old.Seal([]byte(totpSecret), []byte("totp|user:"+userID.String()))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SetTOTPSecret(ctx, userID, sealedTOTP); err != nil {
		t.Fatal(err)
	}
	keyFileDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(keyFileDir, "encryption-keys"), []byte(k2+","+k1+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	copied := uuid.Nil

	db := []string{"SMM_DATABASE_URL=" + pgtest.AppURL(t), "SMM_DATABASE_OWNER_URL=" + pgtest.OwnerURL(t)}
	withKeys := append([]string{"SMM_ENCRYPTION_KEYS=" + k2 + "," + k1, "SMM_DATA_DIR=" + t.TempDir()}, db...)
	tests := []struct {
		name     string
		env      []string
		args     []string
		before   func()
		wantCode int
		wantOut  []string
		wantKey  string // key id of the account's access token and the totp secret after the command
	}{
		{"no subcommand", withKeys, []string{"keys"}, nil, 2, []string{"keys needs rotate"}, "k1"},
		{"help", withKeys, []string{"keys", "rotate", "--help"}, nil, 0, []string{"Idempotency-Key", "--dry-run"}, "k1"},
		{"no keys", append([]string{"SMM_ENCRYPTION_KEYS=", "SMM_DATA_DIR=" + t.TempDir()}, db...), []string{"keys", "rotate"}, nil,
			2, []string{"no encryption keys"}, "k1"},
		{"dry run", withKeys, []string{"keys", "rotate", "--dry-run"}, nil, 0,
			[]string{"social tokens: 1 to rotate (dry run", "totp secrets: 1 to rotate (dry run"}, "k1"},
		{"rotate", withKeys, []string{"keys", "rotate"}, nil, 0,
			[]string{`primary key "k2"`, "social tokens: 1 rotated", "totp secrets: 1 rotated"}, "k2"},
		{"again, keys from the development key file", append([]string{"SMM_ENCRYPTION_KEYS=", "SMM_DATA_DIR=" + keyFileDir}, db...),
			[]string{"keys", "rotate"}, nil, 0, []string{"social tokens: 0 rotated", "totp secrets: 0 rotated, 1 already under key"}, "k2"},
		{"copied ciphertext", withKeys, []string{"keys", "rotate"}, func() {
			copied = newAccount()
			writeAccess(copied, sealed, "k1")
		}, 1, []string{"social tokens: 0 rotated", "1 failed", "did not open"}, "k2"},
	}
	for _, tt := range tests {
		if tt.before != nil {
			tt.before()
		}
		out, err := smmCommand(t, tt.env, tt.args...).CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.wantCode {
			t.Errorf("%s: smm %v: got exit %d, want %d:\n%s", tt.name, tt.args, code, tt.wantCode, out)
		}
		for _, want := range tt.wantOut {
			if !strings.Contains(string(out), want) {
				t.Errorf("%s: smm %v: got output without %q:\n%s", tt.name, tt.args, want, out)
			}
		}
		if copied != uuid.Nil && !strings.Contains(string(out), copied.String()) {
			t.Errorf("%s: got output without the failed account %s:\n%s", tt.name, copied, out)
		}
		if strings.Contains(string(out), accessToken) || strings.Contains(string(out), totpSecret) ||
			strings.Contains(string(out), strings.SplitN(k1, ":", 2)[1]) || strings.Contains(string(out), strings.SplitN(k2, ":", 2)[1]) {
			t.Errorf("%s: got output with a secret or a key:\n%s", tt.name, out)
		}
		for what, c := range map[string][]byte{"access token": readAccess(account), "totp secret": readTOTP()} {
			if id, err := encryption.KeyID(c); err != nil || id != tt.wantKey {
				t.Errorf("%s: got the %s under %q (%v), want %q", tt.name, what, id, err, tt.wantKey)
			}
		}
	}
	if !bytes.Equal(readAccess(copied), sealed) {
		t.Errorf("got the copied ciphertext rewritten, want it left as it was")
	}
	only, err := encryption.ParseKeys(k2)
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := only.Open(readAccess(account), accessAAD); err != nil || string(plain) != accessToken {
		t.Errorf("got the rotated access token not opening under k2 alone with its AAD: %v", err)
	}
}
