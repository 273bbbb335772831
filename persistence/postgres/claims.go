package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/domain"
)

// ClaimPublication claims publication req.ID with a conditional update
// under a row lock: of two activations of the organization (or two nodes)
// trying at once, exactly one gets it. A claim whose lease expired, or
// whose member left the cluster, is taken over as unknown_outcome, to be
// reconciled before any new call. marker renders the content's marker for
// a fresh attempt (a reconciliation keeps the one already sent).
func (o *OrgStore) ClaimPublication(ctx context.Context, req domain.ClaimRequest, marker func(domain.Content, domain.Provider) string) (domain.Claim, domain.ClaimOutcome, *time.Time, error) {
	var c domain.Claim
	outcome := domain.Claimed
	var when *time.Time
	err := o.tx(ctx, func(tx pgx.Tx) error {
		var (
			status            domain.PublicationStatus
			due, leaseUntil   *time.Time
			claimedBy         *string
			needsReconcile    bool
			isDue, leaseEnded bool
			attempts          int
			prevToken         *uuid.UUID
		)
		err := tx.QueryRow(ctx, `SELECT status, due_at, lease_until, claimed_by, needs_reconcile, attempts_started, claim_token,
			COALESCE(due_at <= clock_timestamp() + $3::interval, false), COALESCE(lease_until < clock_timestamp(), false)
			FROM publications WHERE id = $1 AND organization_id = $2 FOR UPDATE`,
			req.ID, o.org, req.Early).Scan(&status, &due, &leaseUntil, &claimedBy, &needsReconcile, &attempts, &prevToken, &isDue, &leaseEnded)
		if err != nil {
			return Classify(err)
		}
		reconcile := needsReconcile
		switch status {
		case domain.PublicationScheduled, domain.PublicationRetryScheduled:
			if !isDue {
				outcome, when = domain.ClaimNotDue, due
				return nil
			}
		case domain.PublicationUnknownOutcome:
			reconcile = true
		case domain.PublicationPublishing:
			gone := claimedBy != nil && domain.ClaimantGone(*claimedBy, req.Member, req.LiveMembers)
			if !leaseEnded && !gone {
				outcome, when = domain.ClaimHeld, leaseUntil
				return nil
			}
			why := "the claim's lease expired before its call finished"
			if gone {
				why = "the member holding the claim left the cluster"
			}
			if _, err := tx.Exec(ctx, `UPDATE publication_attempts SET outcome = 'unknown', finished_at = clock_timestamp(),
				error_message = $3 WHERE organization_id = $1 AND publication_id = $2 AND claim_token = $4 AND outcome = 'in_progress'`,
				o.org, req.ID, why, prevToken); err != nil {
				return err
			}
			if err := transition(ctx, tx, o.org, req.ID, status, domain.PublicationUnknownOutcome, why); err != nil {
				return err
			}
			status, reconcile = domain.PublicationUnknownOutcome, true
		default:
			outcome = domain.ClaimDone
			return nil
		}
		p, err := scanPublication(tx.QueryRow(ctx, `SELECT `+publicationColumns+` FROM publications WHERE id = $1`, req.ID))
		if err != nil {
			return err
		}
		content, err := contentForPublishing(ctx, tx, o.org, p.ContentID)
		if err != nil && domain.ErrorCode(err) != domain.CodeNotFound {
			return err
		}
		c.Content = content
		var opts []byte
		if err := tx.QueryRow(ctx, `SELECT external_id, status, posting_options FROM social_accounts WHERE id = $1 AND organization_id = $2`,
			p.SocialAccountID, o.org).Scan(&c.ExternalAccountID, &c.AccountStatus, &opts); err != nil {
			return err
		}
		if opts != nil {
			c.Options = &domain.PostingOptions{}
			if err := json.Unmarshal(opts, c.Options); err != nil {
				return fmt.Errorf("decode posting options: %w", err)
			}
		}
		newMarker := ""
		if !reconcile && marker != nil {
			newMarker = marker(content, p.Provider)
		}
		c.Attempt = attempts + 1
		err = tx.QueryRow(ctx, `UPDATE publications SET status = 'publishing', claim_token = $3, claimed_by = $4,
			lease_until = clock_timestamp() + $5::interval, due_at = clock_timestamp() + $5::interval,
			attempts_started = attempts_started + 1, needs_reconcile = $6,
			marker = CASE WHEN $7 = '' THEN marker ELSE $7 END, first_call_at = COALESCE(first_call_at, clock_timestamp())
			WHERE id = $1 AND organization_id = $2 RETURNING marker, first_call_at`,
			req.ID, o.org, req.Token, req.Member, req.Lease, reconcile, newMarker).Scan(&c.Marker, &c.FirstCallAt)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO publication_attempts (organization_id, publication_id, number, claim_token, member)
			VALUES ($1, $2, $3, $4, $5)`, o.org, req.ID, c.Attempt, req.Token, req.Member); err != nil {
			return err
		}
		reason := fmt.Sprintf("attempt %d", c.Attempt)
		if reconcile {
			reason += ": reconciling with the provider first"
		}
		if err := transition(ctx, tx, o.org, req.ID, status, domain.PublicationPublishing, reason); err != nil {
			return err
		}
		if reconcile {
			if err := tx.QueryRow(ctx, `SELECT COALESCE(array_agg(external_id), '{}') FROM publications WHERE organization_id = $1
				AND social_account_id = $2 AND external_id IS NOT NULL AND id <> $3`, o.org, p.SocialAccountID, req.ID).Scan(&c.Exclude); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `SELECT COALESCE(max(started_at), $3) FROM publication_attempts
				WHERE organization_id = $1 AND publication_id = $2 AND number < $4`, o.org, req.ID, c.FirstCallAt, c.Attempt).Scan(&c.LastCallAt); err != nil {
				return err
			}
		}
		p.Status = domain.PublicationPublishing
		c.Publication, c.Reconcile = p, reconcile
		return nil
	})
	if err != nil {
		return domain.Claim{}, 0, nil, fmt.Errorf("claim publication: %w", err)
	}
	return c, outcome, when, nil
}

// ErrClaimLost is the answer to finishing an attempt whose claim is no
// longer held (its lease expired and another member took it over).
var ErrClaimLost = &domain.Error{Code: domain.CodeConflict, Message: "the publication's claim was lost"}

// FinishAttempt records an attempt's end and the publication's new state,
// only while the attempt's claim is still held: ErrClaimLost otherwise, and
// nothing is written.
func (o *OrgStore) FinishAttempt(ctx context.Context, r domain.AttemptResult) (domain.Publication, error) {
	var p domain.Publication
	err := o.tx(ctx, func(tx pgx.Tx) error {
		var extID, extURL *string
		var publishedAt *time.Time
		if r.Published != nil {
			extID, extURL = &r.Published.ExternalID, &r.Published.ExternalURL
			at := r.Published.PublishedAt
			if at.IsZero() {
				at = time.Now()
			}
			publishedAt = &at
		}
		class, code, msg := "", "", ""
		if r.Error != nil {
			class, code, msg = r.Error.Class, r.Error.Code, r.Error.Message
		}
		spend := 0
		if r.SpendRetry {
			spend = 1
		}
		failure := ""
		if r.Status == domain.PublicationFailed {
			failure = r.Reason
		}
		var err error
		p, err = scanPublication(tx.QueryRow(ctx, `UPDATE publications SET status = $4, due_at = $5,
			retries_used = retries_used + $6, claim_token = NULL, claimed_by = NULL, lease_until = NULL,
			needs_reconcile = ($4 = 'unknown_outcome'),
			external_id = COALESCE($7, external_id), external_url = COALESCE(NULLIF($8, ''), external_url),
			published_at = COALESCE($9, published_at), failure_reason = $10,
			last_error_class = CASE WHEN $11 = '' THEN last_error_class ELSE $11 END,
			last_error_code = CASE WHEN $11 = '' THEN last_error_code ELSE $12 END,
			last_error_message = CASE WHEN $11 = '' THEN last_error_message ELSE $13 END
			WHERE id = $1 AND organization_id = $2 AND claim_token = $3 AND status = 'publishing'
			RETURNING `+publicationColumns,
			r.ID, o.org, r.Token, string(r.Status), r.DueAt, spend, extID, extURL, publishedAt, failure, class, code, msg))
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrClaimLost
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE publication_attempts SET finished_at = clock_timestamp(), outcome = $4,
			error_class = $5, error_code = $6, error_message = $7
			WHERE organization_id = $1 AND publication_id = $2 AND claim_token = $3`,
			o.org, r.ID, r.Token, string(r.Outcome), class, code, msg); err != nil {
			return err
		}
		if err := transition(ctx, tx, o.org, r.ID, domain.PublicationPublishing, r.Status, r.Reason); err != nil {
			return err
		}
		if r.Event != nil {
			return insertEvent(ctx, tx, o.org, *r.Event)
		}
		return nil
	})
	if err != nil {
		return domain.Publication{}, fmt.Errorf("finish publication attempt: %w", err)
	}
	return p, nil
}
