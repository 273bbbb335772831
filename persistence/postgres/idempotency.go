package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/domain"
)

// ClaimIdempotencyKey claims (scope, key) for a new request, or returns the
// record already there. An expired record, or an in-flight one older than
// staleAfter (its server died mid-request), is replaced. org scopes the row
// under row-level security (uuid.Nil for requests made before sign-in).
func (s *Store) ClaimIdempotencyKey(ctx context.Context, org uuid.UUID, scope, key, method, path, hash string, ttl, staleAfter time.Duration) (claimed bool, existing domain.IdempotencyRecord, err error) {
	var orgArg *uuid.UUID
	if org != uuid.Nil {
		orgArg = &org
	}
	err = s.tx(ctx, rlsScope{org: org}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2
			AND (expires_at < now() OR (status IS NULL AND created_at < now() - $3::interval))`, scope, key, staleAfter); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (scope, key, organization_id, method, path, request_hash, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, now() + $7::interval) ON CONFLICT (scope, key) DO NOTHING`,
			scope, key, orgArg, method, path, hash, ttl)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			claimed = true
			return nil
		}
		var status *int
		var ctype *string
		err = tx.QueryRow(ctx, `SELECT method, path, request_hash, status, response_type, response_body, created_at
			FROM idempotency_keys WHERE scope = $1 AND key = $2`, scope, key).
			Scan(&existing.Method, &existing.Path, &existing.RequestHash, &status, &ctype, &existing.Body, &existing.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return errors.New("idempotency record vanished; retry")
		}
		if status != nil {
			existing.Status = *status
		}
		if ctype != nil {
			existing.ContentType = *ctype
		}
		return err
	})
	return claimed, existing, err
}

// CompleteIdempotencyKey stores the response of the request that claimed
// the key, for replay.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, org uuid.UUID, scope, key string, status int, contentType string, body []byte) error {
	return s.tx(ctx, rlsScope{org: org}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE idempotency_keys SET status = $3, response_type = $4, response_body = $5
			WHERE scope = $1 AND key = $2`, scope, key, status, contentType, body)
		return err
	})
}

// ReleaseIdempotencyKey forgets a claim whose request is not to be
// remembered (it failed validation or hit a server error), so the client can
// retry with the same key.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, org uuid.UUID, scope, key string) error {
	return s.tx(ctx, rlsScope{org: org}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status IS NULL`, scope, key)
		return err
	})
}
