package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/domain"
)

// CreateInvitation stores an invitation with its token's hash.
func (o *OrgStore) CreateInvitation(ctx context.Context, inv domain.Invitation, tokenHash string) error {
	return o.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO invitations (id, organization_id, email, role, token_hash, invited_by, expires_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, inv.ID, o.org, inv.Email, inv.Role, tokenHash, inv.InvitedBy, inv.ExpiresAt, inv.CreatedAt)
		return err
	})
}

// AcceptInvitation finds the invitation by its token's hash (the
// row-level-security policy admits exactly that row), checks it with check,
// then marks it accepted and adds the membership, all in one transaction so
// the token works once. A user already a member keeps the higher role.
func (s *Store) AcceptInvitation(ctx context.Context, tokenHash string, userID uuid.UUID, now time.Time, check func(domain.Invitation) error) (domain.Membership, error) {
	var m domain.Membership
	err := s.tx(ctx, rlsScope{invitationHash: tokenHash, user: userID}, func(tx pgx.Tx) error {
		var inv domain.Invitation
		var revoked *time.Time
		err := tx.QueryRow(ctx, `SELECT id, organization_id, email, role, invited_by, expires_at, accepted_at, revoked_at, created_at
			FROM invitations WHERE token_hash = $1`, tokenHash).
			Scan(&inv.ID, &inv.OrganizationID, &inv.Email, &inv.Role, &inv.InvitedBy, &inv.ExpiresAt, &inv.AcceptedAt, &revoked, &inv.CreatedAt)
		if err != nil {
			return domain.Errorf(domain.CodeNotFound, "invitation not found")
		}
		if inv.AcceptedAt != nil || revoked != nil || !now.Before(inv.ExpiresAt) {
			return domain.Errorf(domain.CodeNotFound, "invitation not found, already used or expired")
		}
		if err := check(inv); err != nil {
			return err
		}
		if err := applyScope(ctx, tx, rlsScope{org: inv.OrganizationID, user: userID}); err != nil {
			return err
		}
		var live bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM organizations WHERE id = $1 AND deleted_at IS NULL)`, inv.OrganizationID).Scan(&live); err != nil {
			return err
		}
		if !live {
			return domain.Errorf(domain.CodeNotFound, "invitation not found")
		}
		// The conditional update lets exactly one of two concurrent accepts
		// of the same token win.
		tag, err := tx.Exec(ctx, `UPDATE invitations SET accepted_at = $2, accepted_by = $3
			WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL`, inv.ID, now, userID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return domain.Errorf(domain.CodeNotFound, "invitation not found, already used or expired")
		}
		return tx.QueryRow(ctx, `INSERT INTO memberships (organization_id, user_id, role, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4)
			ON CONFLICT (organization_id, user_id) DO UPDATE SET role = CASE
				WHEN array_position(ARRAY['viewer','editor','admin','owner'], EXCLUDED.role) > array_position(ARRAY['viewer','editor','admin','owner'], memberships.role)
				THEN EXCLUDED.role ELSE memberships.role END
			RETURNING organization_id, user_id, role, created_at, updated_at`, inv.OrganizationID, userID, inv.Role, now).
			Scan(&m.OrganizationID, &m.UserID, &m.Role, &m.CreatedAt, &m.UpdatedAt)
	})
	return m, err
}
