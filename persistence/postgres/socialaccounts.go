package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/domain"
)

// SocialAccounts lists the organization's live social accounts, oldest
// first: what its grain supervises.
func (o *OrgStore) SocialAccounts(ctx context.Context) ([]domain.SocialAccount, error) {
	out := []domain.SocialAccount{}
	err := o.s.read(ctx, rlsScope{org: o.org}, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.AppendRows(out, rows, func(r pgx.CollectableRow) (domain.SocialAccount, error) {
			var a domain.SocialAccount
			err := r.Scan(&a.ID, &a.OrganizationID, &a.Provider, &a.ExternalID, &a.Username, &a.Status, &a.CreatedAt, &a.UpdatedAt)
			return a, err
		})
		return err
	}, `SELECT id, organization_id, provider, external_id, username, status, created_at, updated_at
		FROM social_accounts WHERE organization_id = $1 AND deleted_at IS NULL
		ORDER BY created_at, id`, o.org)
	if err != nil {
		return nil, fmt.Errorf("list social accounts: %w", err)
	}
	return out, nil
}

// CreateSocialAccount stores a connected account.
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

// DeleteSocialAccount soft-deletes an account; not_found when it is not a
// live account of the organization.
func (o *OrgStore) DeleteSocialAccount(ctx context.Context, a domain.SocialAccount) error {
	return o.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE social_accounts SET deleted_at = now() WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL`, a.ID, o.org)
		if err != nil {
			return fmt.Errorf("delete social account: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.Errorf(domain.CodeNotFound, "social account not found")
		}
		return nil
	})
}
