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

// contentFrom is the FROM clause of every content read: the content and,
// from its publications, their states (for domain.ContentStatusOf) and the
// same derivation in SQL (content_status), which the status filter needs
// inside the query so that keyset pages stay exact. TestContentStatusSQL
// holds the two derivations equal.
const contentFrom = ` FROM contents c CROSS JOIN LATERAL (
	SELECT array_agg(p.status::text ORDER BY p.created_at, p.id) AS states,
		CASE
		WHEN count(*) FILTER (WHERE p.status <> 'cancelled') = 0 THEN 'draft'
		WHEN count(*) FILTER (WHERE p.status = 'published') = count(*) FILTER (WHERE p.status <> 'cancelled') THEN 'published'
		WHEN count(*) FILTER (WHERE p.status = 'failed') = count(*) FILTER (WHERE p.status <> 'cancelled') THEN 'failed'
		WHEN count(*) FILTER (WHERE p.status IN ('published', 'failed')) = count(*) FILTER (WHERE p.status <> 'cancelled')
			AND count(*) FILTER (WHERE p.status = 'published') > 0 THEN 'partially_published'
		WHEN count(*) FILTER (WHERE p.status = 'scheduled') = count(*) FILTER (WHERE p.status <> 'cancelled') THEN 'scheduled'
		ELSE 'publishing' END AS content_status
	FROM publications p WHERE p.organization_id = c.organization_id AND p.content_id = c.id) s`

// contentColumns are the columns of domain.Content (read with contentFrom),
// in scanContent's order.
const contentColumns = `c.id, c.organization_id, c.campaign_id, c.title, c.body, c.hashtags, c.media, c.overrides,
	c.created_by, c.created_at, c.updated_at, s.states`

func scanContent(r pgx.Row) (domain.Content, error) {
	var c domain.Content
	var media, overrides []byte
	var states []string
	if err := r.Scan(&c.ID, &c.OrganizationID, &c.CampaignID, &c.Title, &c.Body, &c.Hashtags, &media, &overrides,
		&c.CreatedBy, &c.CreatedAt, &c.UpdatedAt, &states); err != nil {
		return c, err
	}
	if err := json.Unmarshal(media, &c.Media); err != nil {
		return c, fmt.Errorf("decode content media: %w", err)
	}
	if err := json.Unmarshal(overrides, &c.Overrides); err != nil {
		return c, fmt.Errorf("decode content overrides: %w", err)
	}
	if c.Hashtags == nil {
		c.Hashtags = []string{}
	}
	if c.Media == nil {
		c.Media = []domain.MediaRef{}
	}
	ps := make([]domain.PublicationStatus, len(states))
	for i, s := range states {
		ps[i] = domain.PublicationStatus(s)
	}
	c.Status = domain.ContentStatusOf(ps)
	return c, nil
}

// ContentsPage lists the organization's live contents oldest first, after
// a position (created_at, id), limit at a time, each with its status
// derived from its publications.
func (o *OrgStore) ContentsPage(ctx context.Context, f domain.ContentFilter, after *domain.Position, limit int) ([]domain.Content, error) {
	out := []domain.Content{}
	var at *time.Time
	var id uuid.UUID
	if after != nil {
		at, id = &after.Time, after.ID
	}
	var campaign *uuid.UUID
	if f.CampaignID != uuid.Nil {
		campaign = &f.CampaignID
	}
	err := o.s.read(ctx, rlsScope{org: o.org}, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.AppendRows(out, rows, func(r pgx.CollectableRow) (domain.Content, error) { return scanContent(r) })
		return err
	}, `SELECT `+contentColumns+contentFrom+` WHERE c.organization_id = $1 AND c.deleted_at IS NULL
		AND ($2::uuid IS NULL OR c.campaign_id = $2) AND ($3 = '' OR s.content_status = $3)
		AND ($4::timestamptz IS NULL OR (c.created_at, c.id) > ($4, $5))
		ORDER BY c.created_at, c.id LIMIT $6`, o.org, campaign, string(f.Status), at, id, limit)
	if err != nil {
		return nil, fmt.Errorf("list contents: %w", err)
	}
	return out, nil
}

// Content returns a live content of the organization with its derived
// status; not_found otherwise (a deleted one, another organization's id
// included).
func (o *OrgStore) Content(ctx context.Context, id uuid.UUID) (domain.Content, error) {
	var c domain.Content
	err := o.s.read(ctx, rlsScope{org: o.org}, firstRow(func(r pgx.Row) (err error) {
		c, err = scanContent(r)
		return err
	}), `SELECT `+contentColumns+contentFrom+` WHERE c.id = $1 AND c.organization_id = $2 AND c.deleted_at IS NULL`, id, o.org)
	if err != nil {
		return domain.Content{}, fmt.Errorf("read content: %w", contentNotFound(err))
	}
	return c, nil
}

// contentJSON encodes what a content keeps as jsonb.
func contentJSON(c domain.Content) (media, overrides []byte, err error) {
	if c.Media == nil {
		c.Media = []domain.MediaRef{}
	}
	if media, err = json.Marshal(c.Media); err != nil {
		return nil, nil, fmt.Errorf("encode content media: %w", err)
	}
	if overrides, err = json.Marshal(c.Overrides); err != nil {
		return nil, nil, fmt.Errorf("encode content overrides: %w", err)
	}
	return media, overrides, nil
}

func hashtagsOf(c domain.Content) []string {
	if c.Hashtags == nil {
		return []string{}
	}
	return c.Hashtags
}

// CreateContent stores a new content (c.ID chosen by the caller). Its
// campaign, when set, must be a live campaign of the organization (invalid
// campaign_id otherwise), held until the content is written.
func (o *OrgStore) CreateContent(ctx context.Context, c domain.Content) (domain.Content, error) {
	media, overrides, err := contentJSON(c)
	if err != nil {
		return domain.Content{}, err
	}
	var out domain.Content
	err = o.tx(ctx, func(tx pgx.Tx) error {
		if c.CampaignID != nil {
			if err := lockLiveCampaign(ctx, tx, o.org, *c.CampaignID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO contents (id, organization_id, campaign_id, title, body, hashtags, media,
			overrides, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			c.ID, o.org, c.CampaignID, c.Title, c.Body, hashtagsOf(c), media, overrides, c.CreatedBy); err != nil {
			return err
		}
		var err error
		out, err = contentInTx(ctx, tx, o.org, c.ID, false)
		return err
	})
	if err != nil {
		return domain.Content{}, fmt.Errorf("create content: %w", err)
	}
	return out, nil
}

// contentInTx reads a live content within tx, locking it when lock is set.
func contentInTx(ctx context.Context, tx pgx.Tx, org, id uuid.UUID, lock bool) (domain.Content, error) {
	q := `SELECT ` + contentColumns + contentFrom + ` WHERE c.id = $1 AND c.organization_id = $2 AND c.deleted_at IS NULL`
	if lock {
		q += ` FOR UPDATE OF c`
	}
	c, err := scanContent(tx.QueryRow(ctx, q, id, org))
	if err != nil {
		return c, contentNotFound(err)
	}
	return c, nil
}

// pendingTargets lists the targets of a content's pending publications
// (scheduled, publishing, retry_scheduled, unknown_outcome): each account
// with its provider and posting options, as the validation needs them.
func pendingTargets(ctx context.Context, tx pgx.Tx, org, content uuid.UUID) ([]domain.ValidationTarget, error) {
	rows, _ := tx.Query(ctx, `SELECT p.social_account_id, p.provider, a.posting_options
		FROM publications p JOIN social_accounts a ON a.organization_id = p.organization_id AND a.id = p.social_account_id
		WHERE p.organization_id = $1 AND p.content_id = $2
		AND p.status IN ('scheduled', 'publishing', 'retry_scheduled', 'unknown_outcome')
		ORDER BY p.created_at, p.id`, org, content)
	return pgx.CollectRows(rows, scanValidationTarget)
}

func scanValidationTarget(r pgx.CollectableRow) (domain.ValidationTarget, error) {
	var t domain.ValidationTarget
	var id uuid.UUID
	var opts []byte
	if err := r.Scan(&id, &t.Provider, &opts); err != nil {
		return t, err
	}
	t.AccountID = id.String()
	if opts != nil {
		t.Options = &domain.PostingOptions{}
		if err := json.Unmarshal(opts, t.Options); err != nil {
			return t, fmt.Errorf("decode posting options: %w", err)
		}
	}
	return t, nil
}

// UpdateContent changes a live content in one transaction: the row is
// locked (a publication cannot be scheduled for it meanwhile), change edits
// a copy of it knowing the targets of its pending publications, and the
// copy is written. A campaign_id changed to another campaign must name a
// live campaign of the organization (invalid campaign_id otherwise). A
// missing content is not_found; an error from change is returned as is.
func (o *OrgStore) UpdateContent(ctx context.Context, id uuid.UUID, change func(c *domain.Content, pending []domain.ValidationTarget) error) (domain.Content, error) {
	var out domain.Content
	var refused error
	err := o.tx(ctx, func(tx pgx.Tx) error {
		c, err := contentInTx(ctx, tx, o.org, id, true)
		if err != nil {
			return err
		}
		pending, err := pendingTargets(ctx, tx, o.org, id)
		if err != nil {
			return err
		}
		before := c.CampaignID
		if refused = change(&c, pending); refused != nil {
			return refused
		}
		if c.CampaignID != nil && (before == nil || *before != *c.CampaignID) {
			if err := lockLiveCampaign(ctx, tx, o.org, *c.CampaignID); err != nil {
				return err
			}
		}
		media, overrides, err := contentJSON(c)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE contents SET campaign_id = $3, title = $4, body = $5, hashtags = $6, media = $7,
			overrides = $8 WHERE id = $1 AND organization_id = $2`,
			id, o.org, c.CampaignID, c.Title, c.Body, hashtagsOf(c), media, overrides); err != nil {
			return err
		}
		out, err = contentInTx(ctx, tx, o.org, id, false)
		return err
	})
	if refused != nil {
		// As change returned it: a list of violations stays a list.
		return domain.Content{}, refused
	}
	if err != nil {
		return domain.Content{}, fmt.Errorf("update content: %w", err)
	}
	return out, nil
}

// DeleteContent soft-deletes a live content. While it has pending
// publications it is refused (conflict): they must be unscheduled first, or
// the grain would publish a deleted content. not_found when it is not a
// live content of the organization.
func (o *OrgStore) DeleteContent(ctx context.Context, id uuid.UUID) error {
	err := o.tx(ctx, func(tx pgx.Tx) error {
		if _, err := contentInTx(ctx, tx, o.org, id, true); err != nil {
			return err
		}
		var pending int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM publications WHERE organization_id = $1 AND content_id = $2
			AND status IN ('scheduled', 'publishing', 'retry_scheduled', 'unknown_outcome')`, o.org, id).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			return domain.Errorf(domain.CodeConflict, "the content has %d pending publication(s); unschedule the content first", pending)
		}
		_, err := tx.Exec(ctx, `UPDATE contents SET deleted_at = now() WHERE id = $1 AND organization_id = $2`, id, o.org)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete content: %w", err)
	}
	return nil
}

// ValidationTargets reads the live social accounts of ids, in order, as
// validation targets (provider and posting options). Every unknown id
// (another organization's included) is not_found naming its position in
// field, as field[i].
func (o *OrgStore) ValidationTargets(ctx context.Context, field string, ids []uuid.UUID) ([]domain.ValidationTarget, error) {
	var found []domain.ValidationTarget
	err := o.s.read(ctx, rlsScope{org: o.org}, func(rows pgx.Rows) error {
		var err error
		found, err = pgx.CollectRows(rows, scanValidationTarget)
		return err
	}, `SELECT id, provider, posting_options FROM social_accounts
		WHERE organization_id = $1 AND id = ANY($2) AND deleted_at IS NULL`, o.org, ids)
	if err != nil {
		return nil, fmt.Errorf("read social accounts: %w", err)
	}
	out := make([]domain.ValidationTarget, 0, len(ids))
	var errs domain.Errors
	for i, id := range ids {
		var t *domain.ValidationTarget
		for j := range found {
			if found[j].AccountID == id.String() {
				t = &found[j]
			}
		}
		if t == nil {
			errs = append(errs, &domain.Error{Code: domain.CodeNotFound, Field: fmt.Sprintf("%s[%d]", field, i), Message: "social account not found"})
			continue
		}
		out = append(out, *t)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// contentNotFound names the missing resource in a no-rows error.
func contentNotFound(err error) error {
	if domain.ErrorCode(Classify(err)) == domain.CodeNotFound {
		return &domain.Error{Code: domain.CodeNotFound, Message: "content not found", Err: err}
	}
	return err
}
