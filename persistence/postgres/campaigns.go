package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/domain"
)

// campaignColumns are the columns of domain.Campaign, in scanCampaign's
// order.
const campaignColumns = `id, organization_id, name, objective, starts_at, ends_at, status, created_by, created_at, updated_at`

func scanCampaign(r pgx.Row) (domain.Campaign, error) {
	var c domain.Campaign
	err := r.Scan(&c.ID, &c.OrganizationID, &c.Name, &c.Objective, &c.StartsAt, &c.EndsAt, &c.Status,
		&c.CreatedBy, &c.CreatedAt, &c.UpdatedAt)
	return c, err
}

// CampaignsPage lists the organization's live campaigns oldest first, after
// a position (created_at, id), limit at a time, for the API's keyset
// pagination.
func (o *OrgStore) CampaignsPage(ctx context.Context, f domain.CampaignFilter, after *domain.Position, limit int) ([]domain.Campaign, error) {
	out := []domain.Campaign{}
	var at *time.Time
	var id uuid.UUID
	if after != nil {
		at, id = &after.Time, after.ID
	}
	err := o.s.read(ctx, rlsScope{org: o.org}, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.AppendRows(out, rows, func(r pgx.CollectableRow) (domain.Campaign, error) { return scanCampaign(r) })
		return err
	}, `SELECT `+campaignColumns+` FROM campaigns WHERE organization_id = $1 AND deleted_at IS NULL
		AND ($2 = '' OR status = $2) AND ($3 = '' OR strpos(lower(name), lower($3)) > 0)
		AND ($4::timestamptz IS NULL OR (created_at, id) > ($4, $5))
		ORDER BY created_at, id LIMIT $6`, o.org, string(f.Status), f.Query, at, id, limit)
	if err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	return out, nil
}

// Campaign returns a live campaign of the organization; not_found otherwise
// (a deleted one, another organization's id included).
func (o *OrgStore) Campaign(ctx context.Context, id uuid.UUID) (domain.Campaign, error) {
	var c domain.Campaign
	err := o.s.read(ctx, rlsScope{org: o.org}, firstRow(func(r pgx.Row) (err error) {
		c, err = scanCampaign(r)
		return err
	}), `SELECT `+campaignColumns+` FROM campaigns WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL`, id, o.org)
	if err != nil {
		return domain.Campaign{}, fmt.Errorf("read campaign: %w", campaignNotFound(err))
	}
	return c, nil
}

// CreateCampaign stores a new campaign (c.ID chosen by the caller) and
// returns it as stored.
func (o *OrgStore) CreateCampaign(ctx context.Context, c domain.Campaign) (domain.Campaign, error) {
	var out domain.Campaign
	err := o.tx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = scanCampaign(tx.QueryRow(ctx, `INSERT INTO campaigns (id, organization_id, name, objective, starts_at,
			ends_at, status, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+campaignColumns,
			c.ID, o.org, c.Name, c.Objective, c.StartsAt, c.EndsAt, string(c.Status), c.CreatedBy))
		return err
	})
	if err != nil {
		return domain.Campaign{}, fmt.Errorf("create campaign: %w", err)
	}
	return out, nil
}

// UpdateCampaign changes a live campaign in one transaction: the row is
// locked, change edits (and checks) a copy of it, and the copy is written.
// Two concurrent partial updates therefore both apply, one after the other,
// and change always sees the values it is checked against. A missing
// campaign is not_found; an error from change is returned as is.
func (o *OrgStore) UpdateCampaign(ctx context.Context, id uuid.UUID, change func(*domain.Campaign) error) (domain.Campaign, error) {
	var out domain.Campaign
	var refused error
	err := o.tx(ctx, func(tx pgx.Tx) error {
		c, err := scanCampaign(tx.QueryRow(ctx, `SELECT `+campaignColumns+` FROM campaigns
			WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL FOR UPDATE`, id, o.org))
		if err != nil {
			return campaignNotFound(err)
		}
		if refused = change(&c); refused != nil {
			return refused
		}
		out, err = scanCampaign(tx.QueryRow(ctx, `UPDATE campaigns SET name = $3, objective = $4, starts_at = $5,
			ends_at = $6, status = $7 WHERE id = $1 AND organization_id = $2 RETURNING `+campaignColumns,
			id, o.org, c.Name, c.Objective, c.StartsAt, c.EndsAt, string(c.Status)))
		return err
	})
	if refused != nil {
		// As change returned it: a list of violations stays a list.
		return domain.Campaign{}, refused
	}
	if err != nil {
		return domain.Campaign{}, fmt.Errorf("update campaign: %w", err)
	}
	return out, nil
}

// DeleteCampaign soft-deletes a live campaign: its contents keep their
// campaign_id, but it is no longer readable and no content can be attached
// to it. not_found when it is not a live campaign of the organization.
func (o *OrgStore) DeleteCampaign(ctx context.Context, id uuid.UUID) error {
	err := o.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE campaigns SET deleted_at = now()
			WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL`, id, o.org)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return domain.Errorf(domain.CodeNotFound, "campaign not found")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete campaign: %w", err)
	}
	return nil
}

// campaignNotFound names the missing resource in a no-rows error.
func campaignNotFound(err error) error {
	if domain.ErrorCode(Classify(err)) == domain.CodeNotFound {
		return &domain.Error{Code: domain.CodeNotFound, Message: "campaign not found", Err: err}
	}
	return err
}

// lockLiveCampaign checks, inside tx, that id is a live campaign of org and
// holds it (FOR SHARE) until tx ends, so it cannot be deleted before the
// content that refers to it is written. Otherwise the content's campaign_id
// is invalid.
func lockLiveCampaign(ctx context.Context, tx pgx.Tx, org, id uuid.UUID) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM campaigns WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL FOR SHARE`,
		id, org).Scan(&one)
	if domain.ErrorCode(Classify(err)) == domain.CodeNotFound {
		return domain.Invalid("campaign_id", "no campaign %s in this organization (it does not exist or was deleted)", id)
	}
	return err
}
