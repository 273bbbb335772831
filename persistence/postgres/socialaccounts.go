package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/domain"
)

// accountColumns are the columns of domain.SocialAccount, in scanAccount's
// order.
const accountColumns = `id, organization_id, provider, external_id, username, display_name, scopes, status,
	status_reason, expires_at, connected_by, connected_at, last_refresh_at, last_health_check_at,
	last_health_error, created_at, updated_at, posting_options`

func scanAccount(r pgx.Row) (domain.SocialAccount, error) {
	var a domain.SocialAccount
	var opts []byte
	err := r.Scan(&a.ID, &a.OrganizationID, &a.Provider, &a.ExternalID, &a.Username, &a.DisplayName, &a.Scopes,
		&a.Status, &a.StatusReason, &a.ExpiresAt, &a.ConnectedBy, &a.ConnectedAt, &a.LastRefreshAt,
		&a.LastHealthCheckAt, &a.LastHealthError, &a.CreatedAt, &a.UpdatedAt, &opts)
	if err == nil && opts != nil {
		a.PostingOptions = &domain.PostingOptions{}
		err = json.Unmarshal(opts, a.PostingOptions)
	}
	if a.Scopes == nil {
		a.Scopes = []string{}
	}
	return a, err
}

// SocialAccounts lists the organization's live social accounts, oldest
// first: what its grain supervises.
func (o *OrgStore) SocialAccounts(ctx context.Context) ([]domain.SocialAccount, error) {
	out := []domain.SocialAccount{}
	err := o.s.read(ctx, rlsScope{org: o.org}, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.AppendRows(out, rows, func(r pgx.CollectableRow) (domain.SocialAccount, error) { return scanAccount(r) })
		return err
	}, `SELECT `+accountColumns+` FROM social_accounts WHERE organization_id = $1 AND deleted_at IS NULL
		ORDER BY created_at, id`, o.org)
	if err != nil {
		return nil, fmt.Errorf("list social accounts: %w", err)
	}
	return out, nil
}

// SocialAccountsPage lists live accounts after a position (created_at, id),
// limit at a time, for the API's keyset pagination.
func (o *OrgStore) SocialAccountsPage(ctx context.Context, after *domain.Position, limit int) ([]domain.SocialAccount, error) {
	out := []domain.SocialAccount{}
	var at *time.Time
	var id uuid.UUID
	if after != nil {
		at, id = &after.Time, after.ID
	}
	err := o.s.read(ctx, rlsScope{org: o.org}, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.AppendRows(out, rows, func(r pgx.CollectableRow) (domain.SocialAccount, error) { return scanAccount(r) })
		return err
	}, `SELECT `+accountColumns+` FROM social_accounts WHERE organization_id = $1 AND deleted_at IS NULL
		AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3))
		ORDER BY created_at, id LIMIT $4`, o.org, at, id, limit)
	if err != nil {
		return nil, fmt.Errorf("list social accounts: %w", err)
	}
	return out, nil
}

// SocialAccount returns a live account of the organization; not_found
// otherwise (another organization's id included).
func (o *OrgStore) SocialAccount(ctx context.Context, id uuid.UUID) (domain.SocialAccount, error) {
	var a domain.SocialAccount
	err := o.s.read(ctx, rlsScope{org: o.org}, firstRow(func(r pgx.Row) (err error) {
		a, err = scanAccount(r)
		return err
	}), `SELECT `+accountColumns+` FROM social_accounts WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL`, id, o.org)
	if err != nil {
		return domain.SocialAccount{}, fmt.Errorf("read social account: %w", err)
	}
	return a, nil
}

// SocialAccountByExternalID returns the live account of provider with that
// external id (a reconnect); not_found when there is none.
func (o *OrgStore) SocialAccountByExternalID(ctx context.Context, provider domain.Provider, externalID string) (domain.SocialAccount, error) {
	var a domain.SocialAccount
	err := o.s.read(ctx, rlsScope{org: o.org}, firstRow(func(r pgx.Row) (err error) {
		a, err = scanAccount(r)
		return err
	}), `SELECT `+accountColumns+` FROM social_accounts
		WHERE organization_id = $1 AND provider = $2 AND external_id = $3 AND deleted_at IS NULL`, o.org, provider, externalID)
	if err != nil {
		return domain.SocialAccount{}, fmt.Errorf("read social account: %w", err)
	}
	return a, nil
}

// CreateSocialAccount stores an account without tokens (fixtures, imports).
func (o *OrgStore) CreateSocialAccount(ctx context.Context, a domain.SocialAccount) error {
	err := o.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO social_accounts (id, organization_id, provider, external_id, username, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, a.ID, o.org, a.Provider, a.ExternalID, a.Username, a.Status, a.CreatedAt)
		return err
	})
	if err != nil {
		return fmt.Errorf("create social account: %w", err)
	}
	return nil
}

// SealedTokens are an account's tokens as stored: sealed, with the id of
// the key that sealed them.
type SealedTokens struct {
	Access  []byte
	Refresh []byte // nil: none
	KeyID   string
	// ExpiresAt and RefreshExpiresAt are nil when unknown.
	ExpiresAt        *time.Time
	RefreshExpiresAt *time.Time
	// RefreshFailures counts failed refreshes since the last success.
	RefreshFailures int
}

// Connection is what a completed OAuth connection writes.
type Connection struct {
	Account domain.SocialAccount
	Tokens  SealedTokens
	// Create inserts Account (a new connection); otherwise the live row
	// with Account.ID is updated in place (a reconnect).
	Create bool
	Event  domain.Event
}

// SaveConnection stores a connected account and its tokens, and its
// account.connected event in the same transaction. A reconnect keeps the
// row (and its id); a concurrent first connection of the same account is a
// conflict.
func (o *OrgStore) SaveConnection(ctx context.Context, c Connection) (domain.SocialAccount, error) {
	var out domain.SocialAccount
	a, t := c.Account, c.Tokens
	err := o.tx(ctx, func(tx pgx.Tx) error {
		var row pgx.Row
		if c.Create {
			row = tx.QueryRow(ctx, `INSERT INTO social_accounts (id, organization_id, provider, external_id, username, display_name,
				scopes, status, access_token, refresh_token, token_key_id, expires_at, refresh_expires_at, connected_by, connected_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, 'connected', $8, $9, $10, $11, $12, $13, $14)
				RETURNING `+accountColumns, a.ID, o.org, a.Provider, a.ExternalID, a.Username, a.DisplayName, a.Scopes,
				t.Access, t.Refresh, t.KeyID, t.ExpiresAt, t.RefreshExpiresAt, a.ConnectedBy, a.ConnectedAt)
		} else {
			row = tx.QueryRow(ctx, `UPDATE social_accounts SET username = $3, display_name = $4, scopes = $5, status = 'connected',
				status_reason = '', access_token = $6, refresh_token = $7, token_key_id = $8, expires_at = $9,
				refresh_expires_at = $10, connected_by = $11, connected_at = $12, refresh_failures = 0, last_health_error = ''
				WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL
				RETURNING `+accountColumns, a.ID, o.org, a.Username, a.DisplayName, a.Scopes,
				t.Access, t.Refresh, t.KeyID, t.ExpiresAt, t.RefreshExpiresAt, a.ConnectedBy, a.ConnectedAt)
		}
		var err error
		if out, err = scanAccount(row); err != nil {
			return err
		}
		return insertEvent(ctx, tx, o.org, c.Event)
	})
	if err != nil {
		return domain.SocialAccount{}, fmt.Errorf("save social account: %w", err)
	}
	return out, nil
}

// SocialAccountTokens returns the sealed tokens of a live account.
func (o *OrgStore) SocialAccountTokens(ctx context.Context, id uuid.UUID) (SealedTokens, error) {
	var t SealedTokens
	var key *string
	err := o.s.read(ctx, rlsScope{org: o.org}, scanOne(&t.Access, &t.Refresh, &key, &t.ExpiresAt, &t.RefreshExpiresAt, &t.RefreshFailures),
		`SELECT access_token, refresh_token, token_key_id, expires_at, refresh_expires_at, refresh_failures
		FROM social_accounts WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL`, id, o.org)
	if err != nil {
		return SealedTokens{}, fmt.Errorf("read social account tokens: %w", err)
	}
	if key != nil {
		t.KeyID = *key
	}
	return t, nil
}

// SaveRefreshedTokens stores the tokens a refresh returned (TikTok's new
// refresh token included) and marks the account connected again. The
// event, when set, is written in the same transaction.
func (o *OrgStore) SaveRefreshedTokens(ctx context.Context, id uuid.UUID, t SealedTokens, at time.Time, event *domain.Event) (domain.SocialAccount, error) {
	var out domain.SocialAccount
	err := o.tx(ctx, func(tx pgx.Tx) error {
		row := tx.QueryRow(ctx, `UPDATE social_accounts SET access_token = $3, refresh_token = $4, token_key_id = $5,
			expires_at = $6, refresh_expires_at = COALESCE($7, refresh_expires_at), last_refresh_at = $8,
			refresh_failures = 0, status = 'connected', status_reason = ''
			WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL RETURNING `+accountColumns,
			id, o.org, t.Access, t.Refresh, t.KeyID, t.ExpiresAt, t.RefreshExpiresAt, at)
		var err error
		if out, err = scanAccount(row); err != nil {
			return err
		}
		if event != nil {
			return insertEvent(ctx, tx, o.org, *event)
		}
		return nil
	})
	if err != nil {
		return domain.SocialAccount{}, fmt.Errorf("save refreshed tokens: %w", err)
	}
	return out, nil
}

// SetSocialAccountStatus changes an account's status (expiring,
// needs_reauth) with the reason, writing event in the same transaction
// unless the status was already the same (an event per change, not per
// attempt). It reports whether the status changed.
func (o *OrgStore) SetSocialAccountStatus(ctx context.Context, id uuid.UUID, status domain.AccountStatus, reason string, event domain.Event) (bool, error) {
	changed := false
	err := o.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE social_accounts SET status = $3, status_reason = $4
			WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL AND status <> $3`, id, o.org, status, reason)
		if err != nil {
			return err
		}
		if changed = tag.RowsAffected() == 1; changed {
			return insertEvent(ctx, tx, o.org, event)
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("set social account status: %w", err)
	}
	return changed, nil
}

// RecordRefreshFailure counts a failed (transient) refresh.
func (o *OrgStore) RecordRefreshFailure(ctx context.Context, id uuid.UUID) (int, error) {
	var n int
	err := o.tx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `UPDATE social_accounts SET refresh_failures = refresh_failures + 1
			WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL RETURNING refresh_failures`, id, o.org).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("record refresh failure: %w", err)
	}
	return n, nil
}

// RecordHealthCheck stores the outcome of a connection check ("" when
// healthy).
func (o *OrgStore) RecordHealthCheck(ctx context.Context, id uuid.UUID, at time.Time, problem string) error {
	err := o.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE social_accounts SET last_health_check_at = $3, last_health_error = $4
			WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL`, id, o.org, at, problem)
		return err
	})
	if err != nil {
		return fmt.Errorf("record health check: %w", err)
	}
	return nil
}

// DisconnectSocialAccount soft-deletes an account, forgets its tokens and
// writes event; not_found when it is not a live account of the
// organization.
func (o *OrgStore) DisconnectSocialAccount(ctx context.Context, id uuid.UUID, reason string, event domain.Event) error {
	err := o.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE social_accounts SET deleted_at = now(), status = 'disconnected', status_reason = $3,
			access_token = NULL, refresh_token = NULL, token_key_id = NULL
			WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL`, id, o.org, reason)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return domain.Errorf(domain.CodeNotFound, "social account not found")
		}
		return insertEvent(ctx, tx, o.org, event)
	})
	if err != nil {
		return fmt.Errorf("disconnect social account: %w", err)
	}
	return nil
}

// Events lists the organization's outbox events, oldest first (tests, and
// the webhook issue's delivery).
func (o *OrgStore) Events(ctx context.Context, eventType string) ([]domain.Event, error) {
	out := []domain.Event{}
	err := o.s.read(ctx, rlsScope{org: o.org}, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.AppendRows(out, rows, func(r pgx.CollectableRow) (domain.Event, error) {
			var e domain.Event
			var subject *uuid.UUID
			var payload []byte
			err := r.Scan(&e.ID, &e.OrganizationID, &e.Type, &subject, &payload, &e.CreatedAt)
			if subject != nil {
				e.SubjectID = *subject
			}
			if err == nil {
				err = json.Unmarshal(payload, &e.Payload)
			}
			return e, err
		})
		return err
	}, `SELECT id, organization_id, type, subject_id, payload, created_at FROM outbox_events
		WHERE organization_id = $1 AND ($2 = '' OR type = $2) ORDER BY created_at, id`, o.org, eventType)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return out, nil
}

// insertEvent writes a domain event to the outbox within tx.
func insertEvent(ctx context.Context, tx pgx.Tx, org uuid.UUID, e domain.Event) error {
	payload, err := json.Marshal(e.Payload)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	if e.Payload == nil {
		payload = []byte("{}")
	}
	var subject *uuid.UUID
	if e.SubjectID != uuid.Nil {
		subject = &e.SubjectID
	}
	_, err = tx.Exec(ctx, `INSERT INTO outbox_events (id, organization_id, type, subject_id, payload, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, e.ID, org, e.Type, subject, payload, e.CreatedAt)
	return err
}

// ExpiringAccount names an account whose token expires soon.
type ExpiringAccount struct {
	OrganizationID uuid.UUID
	AccountID      uuid.UUID
}

// AccountsExpiringBefore lists, across organizations, the live accounts
// whose access token expires before horizon (ids only, through a definer
// function): the token sweep wakes their grains.
func (s *Store) AccountsExpiringBefore(ctx context.Context, horizon time.Time, limit int) ([]ExpiringAccount, error) {
	out := []ExpiringAccount{}
	err := s.read(ctx, rlsScope{}, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.AppendRows(out, rows, func(r pgx.CollectableRow) (ExpiringAccount, error) {
			var e ExpiringAccount
			return e, r.Scan(&e.OrganizationID, &e.AccountID)
		})
		return err
	}, `SELECT organization_id, account_id FROM smm_accounts_expiring($1) LIMIT $2`, horizon, limit)
	if err != nil {
		return nil, fmt.Errorf("list expiring accounts: %w", err)
	}
	return out, nil
}
