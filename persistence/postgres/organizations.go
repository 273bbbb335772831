package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/domain"
)

// CreateOrganization creates a new organization with owner as its owner.
func (s *Store) CreateOrganization(ctx context.Context, org domain.Organization, owner uuid.UUID) error {
	return s.tx(ctx, rlsScope{org: org.ID, user: owner}, func(tx pgx.Tx) error {
		return insertOrganization(ctx, tx, org, owner)
	})
}

// Memberships lists a user's memberships in live organizations, with the
// organizations' names, after the given organization id.
func (s *Store) Memberships(ctx context.Context, userID uuid.UUID, afterOrg uuid.UUID, limit int) ([]domain.Membership, error) {
	out := []domain.Membership{}
	err := s.read(ctx, rlsScope{user: userID}, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.AppendRows(out, rows, func(r pgx.CollectableRow) (domain.Membership, error) {
			var m domain.Membership
			err := r.Scan(&m.OrganizationID, &m.OrganizationName, &m.UserID, &m.Role, &m.CreatedAt, &m.UpdatedAt)
			return m, err
		})
		return err
	}, `SELECT m.organization_id, o.name, m.user_id, m.role, m.created_at, m.updated_at
			FROM memberships m JOIN organizations o ON o.id = m.organization_id
			WHERE m.user_id = $1 AND o.deleted_at IS NULL AND m.organization_id > $2
			ORDER BY m.organization_id LIMIT $3`, userID, afterOrg, limit)
	return out, err
}

// Role returns the user's role in the organization, not_found when the user
// is not a member or the organization is deleted.
func (o *OrgStore) Role(ctx context.Context, userID uuid.UUID) (domain.Role, error) {
	var role domain.Role
	err := o.s.read(ctx, rlsScope{org: o.org}, scanOne(&role), `SELECT m.role FROM memberships m JOIN organizations o ON o.id = m.organization_id
			WHERE m.organization_id = $1 AND m.user_id = $2 AND o.deleted_at IS NULL`, o.org, userID)
	return role, err
}

// Organization returns the live organization.
func (o *OrgStore) Organization(ctx context.Context) (domain.Organization, error) {
	var org domain.Organization
	err := o.s.read(ctx, rlsScope{org: o.org}, scanOne(&org.ID, &org.Name, &org.Settings, &org.CreatedAt, &org.UpdatedAt),
		`SELECT id, name, settings, created_at, updated_at FROM organizations WHERE id = $1 AND deleted_at IS NULL`, o.org)
	if err != nil {
		return org, fmt.Errorf("get organization: %w", err)
	}
	return org, nil
}

// UpdateOrganization changes the name and/or merges settings (a JSON object
// merged at the top level; a null value removes the key).
func (o *OrgStore) UpdateOrganization(ctx context.Context, name *string, settings map[string]any) (domain.Organization, error) {
	var org domain.Organization
	var settingsArg any
	if settings != nil {
		settingsArg = settings
	}
	err := o.tx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `UPDATE organizations SET
				name = COALESCE($2, name),
				settings = CASE WHEN $3::jsonb IS NULL THEN settings ELSE jsonb_strip_nulls(settings || $3::jsonb) END
			WHERE id = $1 AND deleted_at IS NULL
			RETURNING id, name, settings, created_at, updated_at`, o.org, name, settingsArg).
			Scan(&org.ID, &org.Name, &org.Settings, &org.CreatedAt, &org.UpdatedAt)
	})
	if err != nil {
		return org, fmt.Errorf("update organization: %w", err)
	}
	return org, nil
}

// SoftDelete marks the organization deleted (purged after the grace period)
// and, in the same transaction, revokes its API keys and every refresh
// token issued for it, so its credentials stop working at once.
func (o *OrgStore) SoftDelete(ctx context.Context, at time.Time) error {
	return o.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE organizations SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL`, o.org, at)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return domain.Errorf(domain.CodeNotFound, "organization not found")
		}
		if _, err := tx.Exec(ctx, `UPDATE api_keys SET revoked_at = $2 WHERE organization_id = $1 AND revoked_at IS NULL`, o.org, at); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = $2, revoked_reason = 'organization_deleted'
			WHERE organization_id = $1 AND revoked_at IS NULL`, o.org, at)
		return err
	})
}

// Members lists the organization's members ordered by user id, after the
// given user id.
func (o *OrgStore) Members(ctx context.Context, afterUser uuid.UUID, limit int) ([]domain.Membership, error) {
	out := []domain.Membership{}
	err := o.s.read(ctx, rlsScope{org: o.org}, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.AppendRows(out, rows, scanMember)
		return err
	}, `SELECT m.organization_id, m.user_id, u.email, u.name, m.role, m.created_at, m.updated_at
			FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.organization_id = $1 AND m.user_id > $2 ORDER BY m.user_id LIMIT $3`, o.org, afterUser, limit)
	return out, err
}

func scanMember(r pgx.CollectableRow) (domain.Membership, error) {
	var m domain.Membership
	err := r.Scan(&m.OrganizationID, &m.UserID, &m.Email, &m.Name, &m.Role, &m.CreatedAt, &m.UpdatedAt)
	return m, err
}

// ChangeMember runs change on one member under a lock on the organization's
// owner rows, so two concurrent demotions cannot leave it without an owner.
// change receives the member's current role and the number of owners and
// returns the new role, or "" to remove the member.
func (o *OrgStore) ChangeMember(ctx context.Context, userID uuid.UUID, change func(current domain.Role, owners int) (domain.Role, error)) (domain.Membership, error) {
	var m domain.Membership
	err := o.tx(ctx, func(tx pgx.Tx) error {
		var owners int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM memberships WHERE organization_id = $1 AND role = 'owner' FOR UPDATE) o`, o.org).Scan(&owners); err != nil {
			return err
		}
		var current domain.Role
		if err := tx.QueryRow(ctx, `SELECT role FROM memberships WHERE organization_id = $1 AND user_id = $2 FOR UPDATE`, o.org, userID).Scan(&current); err != nil {
			return err
		}
		next, err := change(current, owners)
		if err != nil {
			return err
		}
		if next == "" {
			_, err = tx.Exec(ctx, `DELETE FROM memberships WHERE organization_id = $1 AND user_id = $2`, o.org, userID)
			m = domain.Membership{OrganizationID: o.org, UserID: userID, Role: current}
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE memberships m SET role = $3 FROM users u
			WHERE m.organization_id = $1 AND m.user_id = $2 AND u.id = m.user_id
			RETURNING m.organization_id, m.user_id, u.email, u.name, m.role, m.created_at, m.updated_at`, o.org, userID, next)
		if err != nil {
			return err
		}
		m, err = pgx.CollectExactlyOneRow(rows, scanMember)
		return err
	})
	return m, err
}

// MeView reads, in one round trip, what GET /me shows: the active
// organization, the user and all of the user's memberships. not_found when
// the organization is gone or the user deleted.
func (s *Store) MeView(ctx context.Context, userID, orgID uuid.UUID) (domain.Organization, domain.User, []domain.Membership, error) {
	var org domain.Organization
	var u domain.User
	var ms []domain.Membership
	err := s.read(ctx, rlsScope{org: orgID, user: userID}, scanOne(
		&org.ID, &org.Name, &org.Settings, &org.CreatedAt, &org.UpdatedAt,
		&u.ID, &u.Email, &u.Name, &u.IsPlatformAdmin, &u.TOTPEnabled, &u.CreatedAt, &u.UpdatedAt, &ms),
		`SELECT o.id, o.name, o.settings, o.created_at, o.updated_at,
			u.id, u.email, u.name, u.is_platform_admin, u.totp_enabled_at IS NOT NULL, u.created_at, u.updated_at,
			COALESCE((SELECT json_agg(json_build_object(
					'organization_id', m.organization_id, 'organization_name', mo.name, 'user_id', m.user_id,
					'role', m.role, 'created_at', m.created_at, 'updated_at', m.updated_at) ORDER BY m.organization_id)
				FROM memberships m JOIN organizations mo ON mo.id = m.organization_id
				WHERE m.user_id = u.id AND mo.deleted_at IS NULL), '[]'::json)
		FROM organizations o, users u
		WHERE o.id = $1 AND o.deleted_at IS NULL AND u.id = $2 AND u.deleted_at IS NULL`, orgID, userID)
	if err != nil {
		return org, u, nil, fmt.Errorf("read me: %w", err)
	}
	return org, u, ms, nil
}
