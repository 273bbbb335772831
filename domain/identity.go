package domain

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// User is a person who signs in. Users are global; what they may do depends
// on their role in the active organization.
type User struct {
	ID              uuid.UUID  `json:"id"`
	Email           string     `json:"email"`
	Name            string     `json:"name"`
	IsPlatformAdmin bool       `json:"is_platform_admin"`
	TOTPEnabled     bool       `json:"two_factor_enabled"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	DeletedAt       *time.Time `json:"-"`
}

// Organization is the tenant: every business row belongs to exactly one.
type Organization struct {
	ID        uuid.UUID      `json:"id"`
	Name      string         `json:"name"`
	Settings  map[string]any `json:"settings"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
	DeletedAt *time.Time     `json:"deleted_at,omitempty"`
}

// OrganizationPatch is a partial update of an organization; absent fields
// are left unchanged, and settings are merged key by key (null removes one).
type OrganizationPatch struct {
	Name     *string        `json:"name,omitempty"`
	Settings map[string]any `json:"settings,omitempty"`
}

// Membership ties a user to an organization with a role.
type Membership struct {
	OrganizationID   uuid.UUID `json:"organization_id"`
	OrganizationName string    `json:"organization_name,omitempty"`
	UserID           uuid.UUID `json:"user_id"`
	Email            string    `json:"email,omitempty"`
	Name             string    `json:"name,omitempty"`
	Role             Role      `json:"role"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Invitation offers a role in an organization to an email address.
type Invitation struct {
	ID             uuid.UUID  `json:"id"`
	OrganizationID uuid.UUID  `json:"organization_id"`
	Email          string     `json:"email"`
	Role           Role       `json:"role"`
	InvitedBy      uuid.UUID  `json:"invited_by"`
	ExpiresAt      time.Time  `json:"expires_at"`
	AcceptedAt     *time.Time `json:"accepted_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
}

// InvitationTTL is how long an invitation can be accepted.
const InvitationTTL = 7 * 24 * time.Hour

// APIKey is an organization's credential for server-to-server calls. Its
// secret is shown once and stored only as a hash.
type APIKey struct {
	ID             uuid.UUID  `json:"id"`
	OrganizationID uuid.UUID  `json:"organization_id"`
	Name           string     `json:"name"`
	Prefix         string     `json:"prefix"`
	Scopes         []Scope    `json:"scopes"`
	CreatedBy      uuid.UUID  `json:"created_by"`
	LastUsedAt     *time.Time `json:"last_used_at"`
	CreatedAt      time.Time  `json:"created_at"`
	RevokedAt      *time.Time `json:"-"`
}

// LoginAttempt is one audited sign-in attempt.
type LoginAttempt struct {
	ID        uuid.UUID  `json:"id"`
	UserID    *uuid.UUID `json:"-"`
	Email     string     `json:"email"`
	IP        string     `json:"ip"`
	UserAgent string     `json:"user_agent"`
	Outcome   string     `json:"outcome"`
	Reason    string     `json:"reason"`
	CreatedAt time.Time  `json:"created_at"`
}

// Principal is who is acting on a request: a user through an access token,
// or an organization's API key. It always has an active organization.
type Principal struct {
	UserID         uuid.UUID
	OrganizationID uuid.UUID
	Role           Role
	APIKeyID       uuid.UUID
	Scopes         []Scope
	TokenID        string
	TokenExpiresAt time.Time
	TOTPEnabled    bool
}

// IsAPIKey reports whether the principal is an API key rather than a person.
func (p Principal) IsAPIKey() bool { return p.APIKeyID != uuid.Nil }

// Can reports whether the principal holds permission perm in its active
// organization: by role for people, by scope for API keys.
func (p Principal) Can(perm Permission) bool {
	if p.IsAPIKey() {
		return ScopesCan(p.Scopes, perm)
	}
	return RoleCan(p.Role, perm)
}

// Require returns forbidden (insufficient_scope for API keys) unless the
// principal holds perm.
func (p Principal) Require(perm Permission) error {
	if p.Can(perm) {
		return nil
	}
	if p.IsAPIKey() {
		return Errorf(CodeInsufficientScope, "this API key's scopes do not allow %s", perm)
	}
	return Errorf(CodeForbidden, "your role (%s) does not allow %s", p.Role, perm)
}

// NormalizeEmail trims and lower-cases an address, so that emails are unique
// case-insensitively.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidateEmail checks a normalised address's shape; the field is named.
func ValidateEmail(field, email string) *Error {
	if email == "" {
		return Invalid(field, "is required")
	}
	if len(email) > 254 {
		return Invalid(field, "must be at most 254 characters")
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return Invalid(field, "must be an email address such as ada@example.com")
	}
	return nil
}

// Password length bounds. bcrypt reads at most 72 bytes, so longer
// passwords are refused rather than silently truncated.
const (
	MinPasswordLength = 12
	MaxPasswordBytes  = 72
)

// ValidatePassword checks a new password's length.
func ValidatePassword(field, pw string) *Error {
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return Invalid(field, "must be at least %d characters", MinPasswordLength)
	}
	if len(pw) > MaxPasswordBytes {
		return Invalid(field, "must be at most %d bytes", MaxPasswordBytes)
	}
	return nil
}

// ValidateName checks a display name (a person's or an organization's).
func ValidateName(field, name string, max int) *Error {
	n := utf8.RuneCountInString(strings.TrimSpace(name))
	if n == 0 {
		return Invalid(field, "is required")
	}
	if n > max {
		return Invalid(field, "must be at most %d characters", max)
	}
	return nil
}

// CheckRoleChange applies the membership rules to actor (with role
// actorRole) changing a member from role from to role to: only an owner
// grants or removes owner; admins manage editors and viewers; the last owner
// cannot be demoted.
func CheckRoleChange(actorRole, from, to Role, owners int) *Error {
	if !to.Valid() {
		return Invalid("role", "must be one of owner, admin, editor, viewer")
	}
	if err := checkManage(actorRole, from, to); err != nil {
		return err
	}
	if from == RoleOwner && to != RoleOwner && owners <= 1 {
		return Errorf(CodeConflict, "the last owner cannot be demoted; make someone else owner first")
	}
	return nil
}

// CheckRemoval applies the rules to removing a member with role target:
// members may leave themselves; otherwise owners remove anyone and admins
// remove editors and viewers; the last owner can neither leave nor be removed.
func CheckRemoval(actorRole, target Role, self bool, owners int) *Error {
	if !self {
		if err := checkManage(actorRole, target, target); err != nil {
			return err
		}
	}
	if target == RoleOwner && owners <= 1 {
		return Errorf(CodeConflict, "the last owner cannot leave or be removed; make someone else owner first")
	}
	return nil
}

// CheckInvite applies the rules to inviting someone with role: owners invite
// any role, admins invite editors and viewers.
func CheckInvite(actorRole, role Role) *Error {
	if !role.Valid() {
		return Invalid("role", "must be one of owner, admin, editor, viewer")
	}
	return checkManage(actorRole, role, role)
}

func checkManage(actor, from, to Role) *Error {
	switch actor {
	case RoleOwner:
		return nil
	case RoleAdmin:
		if from.AtLeast(RoleAdmin) || to.AtLeast(RoleAdmin) {
			return Errorf(CodeForbidden, "admins manage editors and viewers only; owners manage admins and owners")
		}
		return nil
	}
	return Errorf(CodeForbidden, "your role (%s) cannot manage members", actor)
}
