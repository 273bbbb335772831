package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/socialmediamanager/smm/domain"
)

// UserRecord is a user with the credentials the identity service checks;
// it never leaves the service.
type UserRecord struct {
	domain.User
	PasswordHash string
	TOTPSecret   []byte
	TOTPLastStep int64
}

const userColumns = `u.id, u.email, u.name, u.is_platform_admin, u.totp_enabled_at IS NOT NULL,
	u.created_at, u.updated_at, u.deleted_at, u.password_hash, u.totp_secret, u.totp_last_step`

func scanUser(row pgx.Row) (UserRecord, error) {
	var u UserRecord
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.IsPlatformAdmin, &u.TOTPEnabled,
		&u.CreatedAt, &u.UpdatedAt, &u.DeletedAt, &u.PasswordHash, &u.TOTPSecret, &u.TOTPLastStep)
	return u, err
}

// Register creates a user and their first organization, in which they are
// the owner, atomically. An email already taken answers conflict on field
// email.
func (s *Store) Register(ctx context.Context, u domain.User, passwordHash string, org domain.Organization) error {
	err := s.tx(ctx, rlsScope{org: org.ID, user: u.ID}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5)`, u.ID, u.Email, u.Name, passwordHash, u.CreatedAt); err != nil {
			return emailConflict(err)
		}
		return insertOrganization(ctx, tx, org, u.ID)
	})
	if err != nil {
		return fmt.Errorf("register user: %w", err)
	}
	return nil
}

func emailConflict(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == UniqueViolation {
		return &domain.Error{Code: domain.CodeConflict, Field: "email", Message: "an account with this email already exists", Err: err}
	}
	return err
}

func insertOrganization(ctx context.Context, tx pgx.Tx, org domain.Organization, owner uuid.UUID) error {
	settings := org.Settings
	if settings == nil {
		settings = map[string]any{}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO organizations (id, name, settings, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4)`, org.ID, org.Name, settings, org.CreatedAt); err != nil {
		return fmt.Errorf("insert organization: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO memberships (organization_id, user_id, role, created_at, updated_at)
		VALUES ($1, $2, 'owner', $3, $3)`, org.ID, owner, org.CreatedAt); err != nil {
		return fmt.Errorf("insert owner membership: %w", err)
	}
	return nil
}

// UserByEmail returns the live user with this normalised email.
func (s *Store) UserByEmail(ctx context.Context, email string) (UserRecord, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email = $1 AND u.deleted_at IS NULL`, email))
	if err != nil {
		return u, Classify(fmt.Errorf("user by email: %w", err))
	}
	return u, nil
}

// UserByID returns the live user with this id.
func (s *Store) UserByID(ctx context.Context, id uuid.UUID) (UserRecord, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL`, id))
	if err != nil {
		return u, Classify(fmt.Errorf("user by id: %w", err))
	}
	return u, nil
}

// SetTOTPSecret stores a new (sealed) TOTP secret pending confirmation;
// 2FA is not on until EnableTOTP.
func (s *Store) SetTOTPSecret(ctx context.Context, userID uuid.UUID, sealed []byte) error {
	_, err := s.pool.Exec(ctx, `UPDATE users SET totp_secret = $2, totp_enabled_at = NULL, totp_last_step = 0 WHERE id = $1`, userID, sealed)
	return Classify(err)
}

// EnableTOTP turns 2FA on, records the step of the confirming code and
// replaces the recovery codes, atomically.
func (s *Store) EnableTOTP(ctx context.Context, userID uuid.UUID, step int64, recoveryHashes []string) error {
	return s.tx(ctx, rlsScope{user: userID}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET totp_enabled_at = now(), totp_last_step = $2
			WHERE id = $1 AND totp_secret IS NOT NULL AND totp_enabled_at IS NULL AND totp_last_step < $2`, userID, step)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return &domain.Error{Code: domain.CodeConflict, Message: "two-factor authentication is already on, or was not set up, or that code was already used"}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM user_recovery_codes WHERE user_id = $1`, userID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO user_recovery_codes (user_id, code_hash) SELECT $1, unnest($2::text[])`, userID, recoveryHashes)
		return err
	})
}

// DisableTOTP turns 2FA off and forgets the secret and recovery codes.
func (s *Store) DisableTOTP(ctx context.Context, userID uuid.UUID) error {
	return s.tx(ctx, rlsScope{user: userID}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = 0 WHERE id = $1`, userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM user_recovery_codes WHERE user_id = $1`, userID)
		return err
	})
}

// AdvanceTOTPStep records that the code of step was used, only if no code
// of that step or a later one was used before: the conditional update makes
// a replayed code fail even when two requests race.
func (s *Store) AdvanceTOTPStep(ctx context.Context, userID uuid.UUID, step int64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`, userID, step)
	if err != nil {
		return false, Classify(err)
	}
	return tag.RowsAffected() == 1, nil
}

// UseRecoveryCode spends one unused recovery code; false when there is none
// with that hash.
func (s *Store) UseRecoveryCode(ctx context.Context, userID uuid.UUID, hash string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE user_recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`, userID, hash)
	if err != nil {
		return false, Classify(err)
	}
	return tag.RowsAffected() == 1, nil
}

// RecordLoginAttempt audits one sign-in attempt.
func (s *Store) RecordLoginAttempt(ctx context.Context, a domain.LoginAttempt) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO login_attempts (id, user_id, email, ip, user_agent, outcome, reason, created_at)
		VALUES ($1, $2, $3, NULLIF($4, '')::inet, $5, $6, $7, $8)`, a.ID, a.UserID, a.Email, a.IP, a.UserAgent, a.Outcome, a.Reason, a.CreatedAt)
	return Classify(err)
}

// LoginAttempts lists a user's sign-in attempts, newest first, after the
// position (created_at, id) when given.
func (s *Store) LoginAttempts(ctx context.Context, userID uuid.UUID, after *domain.Position, limit int) ([]domain.LoginAttempt, error) {
	q := `SELECT id, email, COALESCE(host(ip), ''), user_agent, outcome, reason, created_at FROM login_attempts WHERE user_id = $1`
	args := []any{userID, limit}
	if after != nil {
		q += ` AND (created_at, id) < ($3, $4)`
		args = append(args, after.Time, after.ID)
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT $2`
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, Classify(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.LoginAttempt, error) {
		var a domain.LoginAttempt
		err := r.Scan(&a.ID, &a.Email, &a.IP, &a.UserAgent, &a.Outcome, &a.Reason, &a.CreatedAt)
		return a, err
	})
	return out, Classify(err)
}

// RecentLoginFailures counts failed attempts for an email since a time; the
// account throttle reads it.
func (s *Store) RecentLoginFailures(ctx context.Context, email string, since time.Time) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM login_attempts WHERE email = $1 AND outcome = 'failure'
		AND reason IN ('wrong_password', 'wrong_totp', 'unknown_email') AND created_at > $2`, email, since).Scan(&n)
	return n, Classify(err)
}

// RecordSecurityEvent audits a security-relevant event (refresh-token reuse,
// 2FA changes, key creation).
func (s *Store) RecordSecurityEvent(ctx context.Context, userID, orgID uuid.UUID, action, ip, userAgent string, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	id, _ := uuid.NewV7()
	var org *uuid.UUID
	if orgID != uuid.Nil {
		org = &orgID
	}
	return s.tx(ctx, rlsScope{user: userID, org: orgID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO security_events (id, user_id, organization_id, action, ip, user_agent, details)
			VALUES ($1, $2, $3, $4, NULLIF($5, '')::inet, $6, $7)`, id, userID, org, action, ip, userAgent, details)
		return err
	})
}

// CreateUser creates a user who belongs to no organization yet.
func (s *Store) CreateUser(ctx context.Context, u domain.User, passwordHash string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5)`, u.ID, u.Email, u.Name, passwordHash, u.CreatedAt)
	if err != nil {
		return Classify(emailConflict(err))
	}
	return nil
}

// DeleteNewUser removes a user created moments ago whose registration could
// not complete; a user with any membership is never deleted here.
func (s *Store) DeleteNewUser(ctx context.Context, id uuid.UUID) error {
	return s.tx(ctx, rlsScope{user: id}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM users u WHERE u.id = $1 AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)`, id)
		return err
	})
}

// SetPlatformAdmin grants or withdraws the platform-admin flag of the live
// user with this normalised email; not_found when there is none. Only the
// command line calls it: no API grants platform rights.
func (s *Store) SetPlatformAdmin(ctx context.Context, email string, admin bool) (domain.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `UPDATE users u SET is_platform_admin = $2
		WHERE u.email = $1 AND u.deleted_at IS NULL RETURNING `+userColumns, email, admin))
	if err != nil {
		return u.User, Classify(fmt.Errorf("set platform admin: %w", err))
	}
	return u.User, nil
}
