package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/domain"
)

// SealedTokenRow is one social account's tokens as `smm keys rotate` reads
// them: the ciphertexts, the provider (part of their associated data) and the
// key id the row records, so the re-sealed values can be written back only
// if nothing changed the row in between.
type SealedTokenRow struct {
	AccountID uuid.UUID
	Provider  domain.Provider
	Access    []byte
	Refresh   []byte // nil: none
	KeyID     string // "": NULL
}

// OrganizationsWithSealedTokens lists the organizations holding social
// tokens sealed under another key than primaryKeyID, through a definer
// function that lets only their ids out, so the rotation can visit each
// under its own row-level-security scope instead of reading across tenants.
func (s *Store) OrganizationsWithSealedTokens(ctx context.Context, primaryKeyID string) ([]uuid.UUID, error) {
	out := []uuid.UUID{}
	err := s.read(ctx, rlsScope{}, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.AppendRows(out, rows, pgx.RowTo[uuid.UUID])
		return err
	}, `SELECT organization_id FROM smm_orgs_with_sealed_tokens($1) ORDER BY organization_id`, primaryKeyID)
	if err != nil {
		return nil, fmt.Errorf("list organizations with sealed tokens: %w", err)
	}
	return out, nil
}

// SealedTokensNotUnderKey lists, limit at a time in id order after the
// account id after, the organization's accounts (deleted ones included,
// since their tokens are still stored) whose tokens were sealed under
// another key than keyID: the rows a rotation still has to re-seal.
func (s *Store) SealedTokensNotUnderKey(ctx context.Context, org uuid.UUID, keyID string, after uuid.UUID, limit int) ([]SealedTokenRow, error) {
	out := []SealedTokenRow{}
	err := s.read(ctx, rlsScope{org: org}, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.AppendRows(out, rows, func(r pgx.CollectableRow) (SealedTokenRow, error) {
			var t SealedTokenRow
			var key *string
			err := r.Scan(&t.AccountID, &t.Provider, &t.Access, &t.Refresh, &key)
			if key != nil {
				t.KeyID = *key
			}
			return t, err
		})
		return err
	}, `SELECT id, provider, access_token, refresh_token, token_key_id FROM social_accounts
		WHERE organization_id = $1 AND access_token IS NOT NULL AND token_key_id IS DISTINCT FROM $2 AND id > $3
		ORDER BY id LIMIT $4`, org, keyID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list sealed tokens of organization %s: %w", org, err)
	}
	return out, nil
}

// CountSealedTokensUnderKey counts the organization's accounts whose tokens
// are already sealed under keyID, so a rotation can report what it found
// current alongside what it re-sealed.
func (s *Store) CountSealedTokensUnderKey(ctx context.Context, org uuid.UUID, keyID string) (int, error) {
	var n int
	err := s.read(ctx, rlsScope{org: org}, scanOne(&n), `SELECT count(*) FROM social_accounts
		WHERE organization_id = $1 AND access_token IS NOT NULL AND token_key_id = $2`, org, keyID)
	if err != nil {
		return 0, fmt.Errorf("count sealed tokens of organization %s: %w", org, err)
	}
	return n, nil
}

// ResealTokens replaces an account's tokens, as read in old, with the same
// tokens sealed again under keyID, in one short transaction of the
// organization's scope. The update is conditional on the row still holding
// exactly what was read (key id and both ciphertexts): a token refresh that
// wrote in between is never overwritten, and false is returned instead.
func (s *Store) ResealTokens(ctx context.Context, org uuid.UUID, old SealedTokenRow, access, refresh []byte, keyID string) (bool, error) {
	updated := false
	err := s.tx(ctx, rlsScope{org: org}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE social_accounts SET access_token = $3, refresh_token = $4, token_key_id = $5
			WHERE id = $1 AND organization_id = $2 AND token_key_id IS NOT DISTINCT FROM NULLIF($6, '')
			  AND access_token = $7 AND refresh_token IS NOT DISTINCT FROM $8`,
			old.AccountID, org, access, refresh, keyID, old.KeyID, old.Access, old.Refresh)
		updated = err == nil && tag.RowsAffected() == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("reseal tokens of social account %s: %w", old.AccountID, err)
	}
	return updated, nil
}

// UsersWithTOTP lists, limit at a time in id order after the user id after,
// the users holding a sealed TOTP secret, through a definer function that
// lets only their ids out, so the rotation can visit each under their own
// scope.
func (s *Store) UsersWithTOTP(ctx context.Context, after uuid.UUID, limit int) ([]uuid.UUID, error) {
	out := []uuid.UUID{}
	err := s.read(ctx, rlsScope{}, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.AppendRows(out, rows, pgx.RowTo[uuid.UUID])
		return err
	}, `SELECT user_id FROM smm_users_with_totp() WHERE user_id > $1 ORDER BY user_id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list users with a totp secret: %w", err)
	}
	return out, nil
}

// ResealTOTPSecret reads a user's sealed TOTP secret and, in the same
// transaction of the user's scope with the row locked, writes what reseal
// returns in its place, so a concurrent setup or disable of 2FA either
// happens before (and is what reseal sees) or waits. reseal returning nil
// leaves the row as it is (already current, unreadable, or a dry run); a
// user without a secret (any more) is left alone and reseal is not called.
// It reports whether the row was written.
func (s *Store) ResealTOTPSecret(ctx context.Context, userID uuid.UUID, reseal func(sealed []byte) ([]byte, error)) (bool, error) {
	updated := false
	err := s.tx(ctx, rlsScope{user: userID}, func(tx pgx.Tx) error {
		var sealed []byte
		err := tx.QueryRow(ctx, `SELECT totp_secret FROM users WHERE id = $1 AND totp_secret IS NOT NULL FOR UPDATE`, userID).Scan(&sealed)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		next, err := reseal(sealed)
		if err != nil || next == nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE users SET totp_secret = $2 WHERE id = $1 AND totp_secret = $3`, userID, next, sealed)
		updated = err == nil && tag.RowsAffected() == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("reseal totp secret of user %s: %w", userID, err)
	}
	return updated, nil
}
