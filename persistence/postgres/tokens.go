package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/domain"
)

// RefreshToken is one link of a refresh-token family; only its hash is
// stored.
type RefreshToken struct {
	ID             uuid.UUID
	FamilyID       uuid.UUID
	UserID         uuid.UUID
	OrganizationID uuid.UUID
	TokenHash      string
	AccessJTI      string
	IssuedAt       time.Time
	ExpiresAt      time.Time
	RotatedAt      *time.Time
	RevokedAt      *time.Time
}

// ErrRefreshReused reports that a refresh token already rotated was
// presented again: the whole family has been revoked.
var ErrRefreshReused = errors.New("refresh token reused")

// InsertRefreshToken stores a new refresh token.
func (s *Store) InsertRefreshToken(ctx context.Context, t RefreshToken) error {
	return s.tx(ctx, rlsScope{user: t.UserID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO refresh_tokens (id, family_id, user_id, organization_id, token_hash, access_jti, issued_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, t.ID, t.FamilyID, t.UserID, t.OrganizationID, t.TokenHash, t.AccessJTI, t.IssuedAt, t.ExpiresAt)
		return err
	})
}

// RotateRefreshToken spends the token with hash and stores next in its
// family, atomically. The conditional update lets exactly one of two
// concurrent refreshes win. Presenting a token already rotated revokes the
// whole family and returns ErrRefreshReused; an unknown, expired or revoked
// token answers unauthorized.
func (s *Store) RotateRefreshToken(ctx context.Context, hash string, now time.Time, next func(old RefreshToken) RefreshToken) (old, issued RefreshToken, err error) {
	err = s.tx(ctx, rlsScope{refreshHash: hash}, func(tx pgx.Tx) error {
		// Row-level security admits the row by its hash; once its user is
		// known, the scope becomes that user's for the writes.
		var owner uuid.UUID
		if err := tx.QueryRow(ctx, `SELECT user_id FROM refresh_tokens WHERE token_hash = $1`, hash).Scan(&owner); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			return err
		}
		if err := applyScope(ctx, tx, rlsScope{user: owner}); err != nil {
			return err
		}
		row := tx.QueryRow(ctx, `UPDATE refresh_tokens SET rotated_at = $2
			WHERE token_hash = $1 AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > $2
			RETURNING id, family_id, user_id, organization_id, token_hash, COALESCE(access_jti, ''), issued_at, expires_at`, hash, now)
		err := row.Scan(&old.ID, &old.FamilyID, &old.UserID, &old.OrganizationID, &old.TokenHash, &old.AccessJTI, &old.IssuedAt, &old.ExpiresAt)
		if err == nil {
			issued = next(old)
			_, err = tx.Exec(ctx, `INSERT INTO refresh_tokens (id, family_id, user_id, organization_id, token_hash, access_jti, issued_at, expires_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, issued.ID, issued.FamilyID, issued.UserID, issued.OrganizationID, issued.TokenHash, issued.AccessJTI, issued.IssuedAt, issued.ExpiresAt)
			return err
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return nil
	})
	if err != nil {
		return old, issued, fmt.Errorf("rotate refresh token: %w", err)
	}
	if issued.ID != uuid.Nil {
		return old, issued, nil
	}
	// Not rotated: find out why. A token rotated before is a reuse.
	var rotated, revoked *time.Time
	qerr := s.read(ctx, rlsScope{refreshHash: hash}, scanOne(&old.ID, &old.FamilyID, &old.UserID, &old.OrganizationID, &rotated, &revoked),
		`SELECT id, family_id, user_id, organization_id, rotated_at, revoked_at FROM refresh_tokens WHERE token_hash = $1`, hash)
	if qerr == nil && rotated != nil {
		if err := s.RevokeFamily(ctx, old.UserID, old.FamilyID, "reuse_detected", now); err != nil {
			return old, issued, err
		}
		return old, issued, fmt.Errorf("rotate refresh token: %w", ErrRefreshReused)
	}
	if qerr != nil && domain.ErrorCode(qerr) != domain.CodeNotFound {
		return old, issued, qerr
	}
	return old, issued, domain.Errorf(domain.CodeUnauthorized, "refresh token is invalid, expired or revoked")
}

// RevokeFamily revokes every token of a family.
func (s *Store) RevokeFamily(ctx context.Context, userID, familyID uuid.UUID, reason string, now time.Time) error {
	return s.tx(ctx, rlsScope{user: userID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = $2, revoked_reason = $3 WHERE family_id = $1 AND revoked_at IS NULL`, familyID, now, reason)
		return err
	})
}

// RevokeFamilyOfAccess revokes the family whose newest token was issued with
// the access token jti (logout).
func (s *Store) RevokeFamilyOfAccess(ctx context.Context, userID uuid.UUID, jti string, now time.Time) error {
	return s.tx(ctx, rlsScope{user: userID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = $3, revoked_reason = 'logout'
			WHERE revoked_at IS NULL AND family_id IN (SELECT family_id FROM refresh_tokens WHERE user_id = $1 AND access_jti = $2)`, userID, jti, now)
		return err
	})
}

// AccessRevoked reports whether the access token jti was logged out: its
// refresh family is revoked for logout. It is the fallback when the Redis
// blacklist cannot be read.
func (s *Store) AccessRevoked(ctx context.Context, userID uuid.UUID, jti string) (bool, error) {
	var revoked bool
	err := s.read(ctx, rlsScope{user: userID}, scanOne(&revoked), `SELECT EXISTS (SELECT 1 FROM refresh_tokens r
		WHERE r.user_id = $1 AND r.revoked_at IS NOT NULL AND r.family_id IN
		  (SELECT family_id FROM refresh_tokens WHERE user_id = $1 AND access_jti = $2))`, userID, jti)
	return revoked, err
}
