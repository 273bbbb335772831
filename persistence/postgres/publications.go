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

// publicationColumns are the columns of domain.Publication, in
// scanPublication's order.
const publicationColumns = `id, organization_id, content_id, social_account_id, provider, status, publish_at,
	due_at, retries_used, COALESCE(external_id, ''), COALESCE(external_url, ''), published_at, failure_reason,
	last_error_class, last_error_code, last_error_message, created_by, created_at, updated_at`

func scanPublication(r pgx.Row) (domain.Publication, error) {
	var p domain.Publication
	var due *time.Time
	var class, code, msg string
	err := r.Scan(&p.ID, &p.OrganizationID, &p.ContentID, &p.SocialAccountID, &p.Provider, &p.Status, &p.PublishAt,
		&due, &p.RetriesUsed, &p.ExternalID, &p.ExternalURL, &p.PublishedAt, &p.FailureReason,
		&class, &code, &msg, &p.CreatedBy, &p.CreatedAt, &p.UpdatedAt)
	if p.Status == domain.PublicationRetryScheduled {
		p.NextAttemptAt = due
	}
	if class != "" {
		p.LastError = &domain.AttemptError{Class: class, Code: code, Message: msg}
	}
	return p, err
}

func collectPublications(rows pgx.Rows) ([]domain.Publication, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Publication, error) { return scanPublication(r) })
}

// Publications lists the organization's publications by publish time,
// after a position (publish_at, id), limit at a time.
func (o *OrgStore) Publications(ctx context.Context, f domain.PublicationFilter, after *domain.Position, limit int) ([]domain.Publication, error) {
	var out []domain.Publication
	var at *time.Time
	var id uuid.UUID
	if after != nil {
		at, id = &after.Time, after.ID
	}
	nilID := func(u uuid.UUID) *uuid.UUID {
		if u == uuid.Nil {
			return nil
		}
		return &u
	}
	err := o.s.read(ctx, rlsScope{org: o.org}, func(rows pgx.Rows) (err error) {
		out, err = collectPublications(rows)
		return err
	}, `SELECT `+publicationColumns+` FROM publications WHERE organization_id = $1
		AND ($2 = '' OR status = $2) AND ($3::uuid IS NULL OR social_account_id = $3)
		AND ($4::uuid IS NULL OR content_id = $4)
		AND ($5::timestamptz IS NULL OR publish_at >= $5) AND ($6::timestamptz IS NULL OR publish_at < $6)
		AND ($7::timestamptz IS NULL OR (publish_at, id) > ($7, $8))
		ORDER BY publish_at, id LIMIT $9`,
		o.org, string(f.Status), nilID(f.AccountID), nilID(f.ContentID), f.From, f.To, at, id, limit)
	if err != nil {
		return nil, fmt.Errorf("list publications: %w", err)
	}
	if out == nil {
		out = []domain.Publication{}
	}
	return out, nil
}

// Publication returns one publication of the organization with its
// timeline and attempts; not_found for any other id.
func (o *OrgStore) Publication(ctx context.Context, id uuid.UUID) (domain.Publication, error) {
	var p domain.Publication
	err := o.tx(ctx, func(tx pgx.Tx) error {
		var err error
		p, err = publicationWithHistory(ctx, tx, o.org, id)
		return err
	})
	if err != nil {
		return domain.Publication{}, fmt.Errorf("read publication: %w", err)
	}
	return p, nil
}

func publicationWithHistory(ctx context.Context, tx pgx.Tx, org, id uuid.UUID) (domain.Publication, error) {
	p, err := scanPublication(tx.QueryRow(ctx, `SELECT `+publicationColumns+` FROM publications
		WHERE id = $1 AND organization_id = $2`, id, org))
	if err != nil {
		return p, err
	}
	rows, _ := tx.Query(ctx, `SELECT at, COALESCE(from_status, ''), to_status, reason FROM publication_transitions
		WHERE organization_id = $1 AND publication_id = $2 ORDER BY id`, org, id)
	p.Timeline, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.PublicationTransition, error) {
		var t domain.PublicationTransition
		return t, r.Scan(&t.At, &t.From, &t.To, &t.Reason)
	})
	if err != nil {
		return p, err
	}
	rows, _ = tx.Query(ctx, `SELECT number, started_at, finished_at, outcome, error_class, error_code, error_message, member
		FROM publication_attempts WHERE organization_id = $1 AND publication_id = $2 ORDER BY number`, org, id)
	p.Attempts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.PublicationAttempt, error) {
		var a domain.PublicationAttempt
		var class, code, msg string
		err := r.Scan(&a.Number, &a.StartedAt, &a.FinishedAt, &a.Outcome, &class, &code, &msg, &a.Member)
		if class != "" || msg != "" {
			a.Error = &domain.AttemptError{Class: class, Code: code, Message: msg}
		}
		return a, err
	})
	if p.Attempts == nil {
		p.Attempts = []domain.PublicationAttempt{}
	}
	return p, err
}

func transition(ctx context.Context, tx pgx.Tx, org, id uuid.UUID, from, to domain.PublicationStatus, reason string) error {
	var f *string
	if from != "" {
		s := string(from)
		f = &s
	}
	_, err := tx.Exec(ctx, `INSERT INTO publication_transitions (organization_id, publication_id, from_status, to_status, reason)
		VALUES ($1, $2, $3, $4, $5)`, org, id, f, string(to), reason)
	return err
}

// SchedulePublications creates the publications of in.ContentID: the
// content and every account must be live rows of the organization
// (not_found naming the field otherwise), and no live publication of the
// content may target the account already (conflict).
func (o *OrgStore) SchedulePublications(ctx context.Context, in domain.ScheduleInput) ([]domain.Publication, error) {
	var out []domain.Publication
	err := o.tx(ctx, func(tx pgx.Tx) error {
		c, err := contentForPublishing(ctx, tx, o.org, in.ContentID)
		if err != nil {
			return err
		}
		targets, err := publishTargets(ctx, tx, o.org, in.AccountIDs)
		if err != nil {
			return err
		}
		if in.Validate != nil {
			if err := in.Validate(c, targets); err != nil {
				return err
			}
		}
		var taken []uuid.UUID
		if err := tx.QueryRow(ctx, `SELECT COALESCE(array_agg(social_account_id), '{}') FROM publications
			WHERE organization_id = $1 AND content_id = $2 AND social_account_id = ANY($3) AND status <> 'cancelled'`,
			o.org, in.ContentID, in.AccountIDs).Scan(&taken); err != nil {
			return err
		}
		var errs domain.Errors
		for i, id := range in.AccountIDs {
			for _, t := range taken {
				if t == id {
					errs = append(errs, &domain.Error{Code: domain.CodeConflict, Field: fmt.Sprintf("social_account_ids[%d]", i),
						Message: "the content is already scheduled to this account; reschedule it with PATCH /publications/{id}"})
				}
			}
		}
		if len(errs) > 0 {
			return errs
		}
		for _, t := range targets {
			id, err := uuid.NewV7()
			if err != nil {
				return err
			}
			p, err := scanPublication(tx.QueryRow(ctx, `INSERT INTO publications (id, organization_id, content_id,
				social_account_id, provider, status, publish_at, due_at, created_by)
				VALUES ($1, $2, $3, $4, $5, 'scheduled', $6, $6, $7) RETURNING `+publicationColumns,
				id, o.org, in.ContentID, t.AccountID, string(t.Provider), in.PublishAt, in.CreatedBy))
			if err != nil {
				return err
			}
			if err := transition(ctx, tx, o.org, id, "", domain.PublicationScheduled, "scheduled"); err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schedule content: %w", err)
	}
	return out, nil
}

// publishTargets reads the accounts of ids, in order; an unknown id (or
// another organization's) is not_found naming its position.
func publishTargets(ctx context.Context, tx pgx.Tx, org uuid.UUID, ids []uuid.UUID) ([]domain.PublishTarget, error) {
	rows, _ := tx.Query(ctx, `SELECT id, provider, status, posting_options FROM social_accounts
		WHERE organization_id = $1 AND id = ANY($2) AND deleted_at IS NULL`, org, ids)
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.PublishTarget, error) {
		var t domain.PublishTarget
		var opts []byte
		err := r.Scan(&t.AccountID, &t.Provider, &t.Status, &opts)
		if err == nil && opts != nil {
			t.Options = &domain.PostingOptions{}
			err = json.Unmarshal(opts, t.Options)
		}
		return t, err
	})
	if err != nil {
		return nil, err
	}
	out := make([]domain.PublishTarget, 0, len(ids))
	var errs domain.Errors
	for i, id := range ids {
		field := fmt.Sprintf("social_account_ids[%d]", i)
		var t *domain.PublishTarget
		for j := range found {
			if found[j].AccountID == id {
				t = &found[j]
			}
		}
		switch {
		case t == nil:
			errs = append(errs, &domain.Error{Code: domain.CodeNotFound, Field: field, Message: "social account not found"})
		case t.Status == domain.AccountNeedsReauth || t.Status == domain.AccountDisconnected:
			errs = append(errs, &domain.Error{Code: domain.CodeInvalid, Field: field,
				Message: "the social account is " + string(t.Status) + "; connect it again before scheduling to it"})
		default:
			out = append(out, *t)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// contentForPublishing reads what publishing needs of a live content.
func contentForPublishing(ctx context.Context, tx pgx.Tx, org, id uuid.UUID) (domain.Content, error) {
	var c domain.Content
	var media, overrides []byte
	err := tx.QueryRow(ctx, `SELECT id, organization_id, campaign_id, title, body, hashtags, media, overrides
		FROM contents WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL FOR SHARE`, id, org).
		Scan(&c.ID, &c.OrganizationID, &c.CampaignID, &c.Title, &c.Body, &c.Hashtags, &media, &overrides)
	if err != nil {
		return c, Classify(err)
	}
	if err := json.Unmarshal(media, &c.Media); err != nil {
		return c, fmt.Errorf("decode content media: %w", err)
	}
	if err := json.Unmarshal(overrides, &c.Overrides); err != nil {
		return c, fmt.Errorf("decode content overrides: %w", err)
	}
	return c, nil
}

// UnschedulePublications cancels a content's publications that have not
// started (scheduled, retry_scheduled) and returns them; those in flight
// finish.
func (o *OrgStore) UnschedulePublications(ctx context.Context, contentID uuid.UUID) ([]domain.Publication, error) {
	out := []domain.Publication{}
	err := o.tx(ctx, func(tx pgx.Tx) error {
		if _, err := contentForPublishing(ctx, tx, o.org, contentID); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `WITH old AS (SELECT id AS old_id, status AS old_status FROM publications
			WHERE organization_id = $1 AND content_id = $2 AND status IN ('scheduled', 'retry_scheduled') FOR UPDATE)
			UPDATE publications SET status = 'cancelled', due_at = NULL FROM old WHERE id = old_id
			RETURNING old_status, `+publicationColumns, o.org, contentID)
		type changed struct {
			from domain.PublicationStatus
			p    domain.Publication
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (changed, error) {
			var c changed
			var due *time.Time
			var class, code, msg string
			err := r.Scan(&c.from, &c.p.ID, &c.p.OrganizationID, &c.p.ContentID, &c.p.SocialAccountID, &c.p.Provider,
				&c.p.Status, &c.p.PublishAt, &due, &c.p.RetriesUsed, &c.p.ExternalID, &c.p.ExternalURL, &c.p.PublishedAt,
				&c.p.FailureReason, &class, &code, &msg, &c.p.CreatedBy, &c.p.CreatedAt, &c.p.UpdatedAt)
			return c, err
		})
		if err != nil {
			return err
		}
		for _, c := range list {
			if err := transition(ctx, tx, o.org, c.p.ID, c.from, domain.PublicationCancelled, "unscheduled"); err != nil {
				return err
			}
			out = append(out, c.p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unschedule content: %w", err)
	}
	return out, nil
}

// ReschedulePublication moves a waiting publication (scheduled or
// retry_scheduled) to at; any other state is a conflict.
func (o *OrgStore) ReschedulePublication(ctx context.Context, id uuid.UUID, at time.Time) (domain.Publication, error) {
	return o.move(ctx, id, "reschedule publication", []domain.PublicationStatus{domain.PublicationScheduled, domain.PublicationRetryScheduled},
		`UPDATE publications SET status = 'scheduled', publish_at = $3, due_at = $3 WHERE id = $1 AND organization_id = $2`,
		"rescheduled", at)
}

// RetryPublication re-drives a failed publication now, with its retries
// counted afresh; any other state is a conflict.
func (o *OrgStore) RetryPublication(ctx context.Context, id uuid.UUID) (domain.Publication, error) {
	return o.move(ctx, id, "retry publication", []domain.PublicationStatus{domain.PublicationFailed},
		`UPDATE publications SET status = 'scheduled', due_at = clock_timestamp(), retries_used = 0, failure_reason = ''
		WHERE id = $1 AND organization_id = $2`, "re-driven through the API")
}

func (o *OrgStore) move(ctx context.Context, id uuid.UUID, op string, from []domain.PublicationStatus, update, reason string, args ...any) (domain.Publication, error) {
	var p domain.Publication
	err := o.tx(ctx, func(tx pgx.Tx) error {
		var status domain.PublicationStatus
		if err := tx.QueryRow(ctx, `SELECT status FROM publications WHERE id = $1 AND organization_id = $2 FOR UPDATE`,
			id, o.org).Scan(&status); err != nil {
			return Classify(err)
		}
		ok := false
		for _, s := range from {
			ok = ok || s == status
		}
		if !ok {
			return domain.Errorf(domain.CodeConflict, "the publication is %s; this needs one that is %s", status, joinStatuses(from))
		}
		if _, err := tx.Exec(ctx, update, append([]any{id, o.org}, args...)...); err != nil {
			return err
		}
		if err := transition(ctx, tx, o.org, id, status, domain.PublicationScheduled, reason); err != nil {
			return err
		}
		var err error
		p, err = publicationWithHistory(ctx, tx, o.org, id)
		return err
	})
	if err != nil {
		return domain.Publication{}, fmt.Errorf("%s: %w", op, err)
	}
	return p, nil
}

func joinStatuses(list []domain.PublicationStatus) string {
	s := ""
	for i, x := range list {
		if i > 0 {
			s += " or "
		}
		s += string(x)
	}
	return s
}

// DuePublications lists the publications with work due before horizon,
// and with includeClaimed every claim in flight, soonest first.
func (o *OrgStore) DuePublications(ctx context.Context, horizon time.Time, includeClaimed bool) ([]domain.DuePublication, error) {
	var out []domain.DuePublication
	err := o.s.read(ctx, rlsScope{org: o.org}, func(rows pgx.Rows) (err error) {
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.DuePublication, error) {
			var d domain.DuePublication
			return d, r.Scan(&d.ID, &d.AccountID, &d.Status, &d.DueAt, &d.ClaimedBy)
		})
		return err
	}, `SELECT id, social_account_id, status, due_at, COALESCE(claimed_by, '') FROM publications WHERE organization_id = $1
		AND due_at IS NOT NULL AND (due_at < $2 OR ($3 AND status = 'publishing')) ORDER BY due_at`, o.org, horizon, includeClaimed)
	if err != nil {
		return nil, fmt.Errorf("list due publications: %w", err)
	}
	return out, nil
}

// OrgsWithDuePublications lists the organizations with publishing work due
// before horizon (and, with includeClaimed, with claims in flight), through
// a definer function: only ids leave the tenants' rows.
func (s *Store) OrgsWithDuePublications(ctx context.Context, horizon time.Time, includeClaimed bool) ([]uuid.UUID, error) {
	var out []uuid.UUID
	err := s.read(ctx, rlsScope{}, func(rows pgx.Rows) (err error) {
		out, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		return err
	}, `SELECT organization_id FROM smm_orgs_with_due_publications($1, $2)`, horizon, includeClaimed)
	if err != nil {
		return nil, fmt.Errorf("list organizations with due publications: %w", err)
	}
	return out, nil
}

// SavePostingOptions keeps what the provider told of an account's posting
// options.
func (o *OrgStore) SavePostingOptions(ctx context.Context, account uuid.UUID, opts domain.PostingOptions) error {
	b, err := json.Marshal(opts)
	if err != nil {
		return fmt.Errorf("encode posting options: %w", err)
	}
	err = o.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE social_accounts SET posting_options = $3 WHERE id = $1 AND organization_id = $2`, account, o.org, b)
		return err
	})
	if err != nil {
		return fmt.Errorf("save posting options: %w", err)
	}
	return nil
}
