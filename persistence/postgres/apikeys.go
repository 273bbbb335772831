package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/domain"
)

// APIKeyRecord is an API key with its secret's hash and whether its
// organization is live; it never leaves the service.
type APIKeyRecord struct {
	domain.APIKey
	SecretHash string
	OrgLive    bool
}

const apiKeyColumns = `k.id, k.organization_id, k.name, k.prefix, k.scopes, k.created_by, k.last_used_at, k.created_at, k.revoked_at`

func scanAPIKey(r pgx.Row, extra ...any) (domain.APIKey, error) {
	var k domain.APIKey
	var scopes []string
	dest := append([]any{&k.ID, &k.OrganizationID, &k.Name, &k.Prefix, &scopes, &k.CreatedBy, &k.LastUsedAt, &k.CreatedAt, &k.RevokedAt}, extra...)
	err := r.Scan(dest...)
	for _, s := range scopes {
		k.Scopes = append(k.Scopes, domain.Scope(s))
	}
	return k, err
}

// APIKeyByPrefix finds a key by its public prefix, across organizations,
// with whether its organization is live, in one round trip: the
// row-level-security policies admit exactly the key with that prefix and
// its organization.
func (s *Store) APIKeyByPrefix(ctx context.Context, prefix string) (APIKeyRecord, error) {
	var rec APIKeyRecord
	err := s.read(ctx, rlsScope{apiKeyPrefix: prefix}, firstRow(func(r pgx.Row) error {
		k, err := scanAPIKey(r, &rec.SecretHash, &rec.OrgLive)
		rec.APIKey = k
		return err
	}), `SELECT `+apiKeyColumns+`, k.secret_hash, EXISTS (SELECT 1 FROM organizations o WHERE o.id = k.organization_id AND o.deleted_at IS NULL)
		FROM api_keys k WHERE k.prefix = $1`, prefix)
	return rec, err
}

// CreateAPIKey stores a new key.
func (o *OrgStore) CreateAPIKey(ctx context.Context, k domain.APIKey, secretHash string) error {
	scopes := make([]string, len(k.Scopes))
	for i, s := range k.Scopes {
		scopes[i] = string(s)
	}
	return o.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO api_keys (id, organization_id, name, prefix, secret_hash, scopes, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, k.ID, o.org, k.Name, k.Prefix, secretHash, scopes, k.CreatedBy, k.CreatedAt)
		return err
	})
}

// APIKeys lists the organization's live keys, newest first.
func (o *OrgStore) APIKeys(ctx context.Context, after *domain.Position, limit int) ([]domain.APIKey, error) {
	var out []domain.APIKey
	err := o.tx(ctx, func(tx pgx.Tx) error {
		q := `SELECT ` + apiKeyColumns + ` FROM api_keys k WHERE k.organization_id = $1 AND k.revoked_at IS NULL`
		args := []any{o.org, limit}
		if after != nil {
			q += ` AND (k.created_at, k.id) < ($3, $4)`
			args = append(args, after.Time, after.ID)
		}
		rows, err := tx.Query(ctx, q+` ORDER BY k.created_at DESC, k.id DESC LIMIT $2`, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.APIKey, error) { return scanAPIKey(r) })
		return err
	})
	return out, err
}

// RevokeAPIKey revokes a live key; not_found when there is none with id.
func (o *OrgStore) RevokeAPIKey(ctx context.Context, id uuid.UUID, at time.Time) error {
	return o.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE api_keys SET revoked_at = $3 WHERE organization_id = $1 AND id = $2 AND revoked_at IS NULL`, o.org, id, at)
		if err == nil && tag.RowsAffected() == 0 {
			return domain.Errorf(domain.CodeNotFound, "API key not found")
		}
		return err
	})
}

// TouchAPIKey records a use of the key, at most once a minute so a busy key
// does not write on every request.
func (o *OrgStore) TouchAPIKey(ctx context.Context, id uuid.UUID, at time.Time) error {
	return o.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE api_keys SET last_used_at = $3 WHERE organization_id = $1 AND id = $2
			AND (last_used_at IS NULL OR last_used_at < $3 - interval '1 minute')`, o.org, id, at)
		return err
	})
}

// APIKey returns one live key of the organization.
func (o *OrgStore) APIKey(ctx context.Context, id uuid.UUID) (domain.APIKey, error) {
	var k domain.APIKey
	err := o.s.read(ctx, rlsScope{org: o.org}, firstRow(func(r pgx.Row) error {
		var err error
		k, err = scanAPIKey(r)
		return err
	}), `SELECT `+apiKeyColumns+` FROM api_keys k WHERE k.organization_id = $1 AND k.id = $2 AND k.revoked_at IS NULL`, o.org, id)
	return k, err
}
