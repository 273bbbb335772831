package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/identity/accesstoken"
	"github.com/socialmediamanager/smm/persistence/postgres"
	"golang.org/x/crypto/bcrypt"
)

// TokenPair is what a successful sign-in or refresh returns.
type TokenPair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// RegisterInput is a new account with its first organization.
type RegisterInput struct {
	Email            string `json:"email"`
	Password         string `json:"password"`
	Name             string `json:"name"`
	OrganizationName string `json:"organization_name"`
}

// Registered is the result of a registration.
type Registered struct {
	User         domain.User         `json:"user"`
	Organization domain.Organization `json:"organization"`
	Tokens       TokenPair           `json:"tokens"`
}

// Register creates a user and an organization they own, and signs them in.
// Every invalid field is reported at once.
func (s *Service) Register(ctx context.Context, in RegisterInput, client Client) (Registered, error) {
	in.Email = domain.NormalizeEmail(in.Email)
	if errs := validateRegistration(in, true); len(errs) > 0 {
		return Registered{}, errs
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), s.cfg.BcryptCost)
	if err != nil {
		return Registered{}, fmt.Errorf("hash password: %w", err)
	}
	now := s.now()
	u := domain.User{ID: newID(), Email: in.Email, Name: strings.TrimSpace(in.Name), CreatedAt: now, UpdatedAt: now}
	org := domain.Organization{ID: newID(), Name: strings.TrimSpace(in.OrganizationName), Settings: map[string]any{}, CreatedAt: now, UpdatedAt: now}
	if err := s.store.Register(ctx, u, string(hash), org); err != nil {
		return Registered{}, err
	}
	pair, err := s.issue(ctx, u.ID, org.ID, uuid.Nil)
	if err != nil {
		return Registered{}, err
	}
	return Registered{User: u, Organization: org, Tokens: pair}, nil
}

// validateRegistration checks a new account's fields, all at once; the
// organization name only when the account creates its own organization.
func validateRegistration(in RegisterInput, withOrganization bool) domain.Errors {
	checks := []*domain.Error{
		domain.ValidateEmail("email", in.Email),
		domain.ValidatePassword("password", in.Password),
		domain.ValidateName("name", in.Name, 200),
	}
	if withOrganization {
		checks = append(checks, domain.ValidateName("organization_name", in.OrganizationName, 200))
	}
	var errs domain.Errors
	for _, e := range checks {
		if e != nil {
			errs = append(errs, e)
		}
	}
	return errs
}

// LoginInput is a sign-in attempt.
type LoginInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	TOTPCode string `json:"totp_code,omitempty"`
}

// errBadCredentials is the one answer to an unknown email and a wrong
// password alike, so the answer does not reveal which emails have accounts.
var errBadCredentials = domain.Errorf(domain.CodeUnauthorized, "email or password is incorrect")

// Login checks the credentials (and the TOTP code when 2FA is on), records
// the attempt, and issues tokens for the user's first organization.
func (s *Service) Login(ctx context.Context, in LoginInput, client Client) (TokenPair, error) {
	email := domain.NormalizeEmail(in.Email)
	if email == "" || in.Password == "" {
		var errs domain.Errors
		if email == "" {
			errs = append(errs, domain.Invalid("email", "is required"))
		}
		if in.Password == "" {
			errs = append(errs, domain.Invalid("password", "is required"))
		}
		return TokenPair{}, errs
	}
	if err := s.checkAccountThrottle(ctx, email); err != nil {
		s.audit(ctx, nil, email, client, "failure", "throttled")
		return TokenPair{}, err
	}
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil && domain.ErrorCode(err) != domain.CodeNotFound {
		return TokenPair{}, err
	}
	if err != nil {
		// Spend the time a real check takes.
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(in.Password))
		s.audit(ctx, nil, email, client, "failure", "unknown_email")
		return TokenPair{}, errBadCredentials
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(in.Password)) != nil {
		s.audit(ctx, &u.ID, email, client, "failure", "wrong_password")
		return TokenPair{}, errBadCredentials
	}
	if u.TOTPEnabled {
		if in.TOTPCode == "" {
			s.audit(ctx, &u.ID, email, client, "failure", "mfa_required")
			return TokenPair{}, &domain.Error{Code: domain.CodeMFARequired, Field: "totp_code", Message: "two-factor authentication is on: send totp_code (or a recovery code)"}
		}
		if err := s.checkSecondFactor(ctx, u, in.TOTPCode, "totp_code"); err != nil {
			s.audit(ctx, &u.ID, email, client, "failure", "wrong_totp")
			return TokenPair{}, err
		}
	}
	ms, err := s.store.Memberships(ctx, u.ID, uuid.Nil, 1)
	if err != nil {
		return TokenPair{}, err
	}
	if len(ms) == 0 {
		s.audit(ctx, &u.ID, email, client, "failure", "no_organization")
		return TokenPair{}, domain.Errorf(domain.CodeForbidden, "this account belongs to no organization; accept an invitation or create one")
	}
	pair, err := s.issue(ctx, u.ID, ms[0].OrganizationID, uuid.Nil)
	if err != nil {
		return TokenPair{}, err
	}
	s.audit(ctx, &u.ID, email, client, "success", "")
	return pair, nil
}

// checkAccountThrottle refuses sign-in for an account with too many recent
// failures, whatever the IP (the per-IP limit is the edge's).
func (s *Service) checkAccountThrottle(ctx context.Context, email string) error {
	n, err := s.store.RecentLoginFailures(ctx, email, s.now().Add(-s.cfg.LoginFailureWindow))
	if err != nil {
		return err
	}
	if n >= s.cfg.LoginFailureLimit {
		return domain.RateLimited(s.cfg.LoginFailureWindow/3, "too many failed sign-ins for this account; try again later")
	}
	return nil
}

func (s *Service) audit(ctx context.Context, userID *uuid.UUID, email string, client Client, outcome, reason string) {
	a := domain.LoginAttempt{ID: newID(), UserID: userID, Email: email, IP: client.IP, UserAgent: truncate(client.UserAgent, 512), Outcome: outcome, Reason: reason, CreatedAt: s.now()}
	if err := s.store.RecordLoginAttempt(context.WithoutCancel(ctx), a); err != nil {
		s.logger.ErrorContext(ctx, "record login attempt", "error", err)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// issue signs an access token and stores a new refresh token; family is the
// refresh family to continue, or uuid.Nil for a new sign-in.
func (s *Service) issue(ctx context.Context, userID, orgID, family uuid.UUID) (TokenPair, error) {
	access, claims, err := s.tokens.Issue(userID, orgID)
	if err != nil {
		return TokenPair{}, fmt.Errorf("issue access token: %w", err)
	}
	refresh, rt := s.newRefresh(userID, orgID, family, claims.ID)
	if err := s.store.InsertRefreshToken(ctx, rt); err != nil {
		return TokenPair{}, err
	}
	return s.pair(access, claims, refresh), nil
}

func (s *Service) pair(access string, claims accesstoken.Claims, refresh string) TokenPair {
	return TokenPair{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", ExpiresIn: int(claims.ExpiresAt.Sub(claims.IssuedAt).Seconds())}
}

// refreshPrefix marks our refresh tokens, so they are told from access
// tokens and API keys at a glance (and by secret scanners).
const refreshPrefix = "smm_rt_"

func (s *Service) newRefresh(userID, orgID, family uuid.UUID, jti string) (string, postgres.RefreshToken) {
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	token := refreshPrefix + base64.RawURLEncoding.EncodeToString(raw)
	if family == uuid.Nil {
		family = newID()
	}
	now := s.now()
	return token, postgres.RefreshToken{
		ID: newID(), FamilyID: family, UserID: userID, OrganizationID: orgID,
		TokenHash: hashSecret(token), AccessJTI: jti, IssuedAt: now, ExpiresAt: now.Add(s.cfg.RefreshTTL),
	}
}

// hashSecret hashes a high-entropy secret (refresh token, API key,
// invitation token) for storage; SHA-256 suffices because the secrets are
// 256-bit random values, not guessable passwords.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Refresh rotates a refresh token: it is spent and a new pair is issued in
// the same family. Reusing a spent token revokes the family (someone holds
// a stolen copy) and is recorded in the audit.
func (s *Service) Refresh(ctx context.Context, refreshToken string, client Client) (TokenPair, error) {
	if !strings.HasPrefix(refreshToken, refreshPrefix) || len(refreshToken) > 128 {
		return TokenPair{}, &domain.Error{Code: domain.CodeUnauthorized, Field: "refresh_token", Message: "refresh token is invalid, expired or revoked"}
	}
	var access string
	var claims accesstoken.Claims
	var refresh string
	old, _, err := s.store.RotateRefreshToken(ctx, hashSecret(refreshToken), s.now(), func(old postgres.RefreshToken) postgres.RefreshToken {
		var ierr error
		access, claims, ierr = s.tokens.Issue(old.UserID, old.OrganizationID)
		if ierr != nil {
			s.logger.ErrorContext(ctx, "issue access token", "error", ierr)
		}
		var rt postgres.RefreshToken
		refresh, rt = s.newRefresh(old.UserID, old.OrganizationID, old.FamilyID, claims.ID)
		return rt
	})
	if errors.Is(err, postgres.ErrRefreshReused) {
		if aerr := s.store.RecordSecurityEvent(context.WithoutCancel(ctx), old.UserID, old.OrganizationID, "refresh_token.reused", client.IP, client.UserAgent,
			map[string]any{"family_id": old.FamilyID.String()}); aerr != nil {
			s.logger.ErrorContext(ctx, "record security event", "error", aerr)
		}
		s.logger.WarnContext(ctx, "refresh token reuse: family revoked", "user_id", old.UserID.String(), "family_id", old.FamilyID.String())
		return TokenPair{}, &domain.Error{Code: domain.CodeUnauthorized, Field: "refresh_token", Message: "refresh token was already used; every session of this sign-in has been revoked"}
	}
	if err != nil {
		return TokenPair{}, err
	}
	if access == "" {
		return TokenPair{}, fmt.Errorf("refresh: access token not issued")
	}
	// The organization may have been deleted, or the membership removed,
	// since the family began.
	if _, err := s.role(ctx, old.OrganizationID, old.UserID); err != nil {
		_ = s.store.RevokeFamily(context.WithoutCancel(ctx), old.UserID, old.FamilyID, "membership_gone", s.now())
		return TokenPair{}, domain.Errorf(domain.CodeUnauthorized, "refresh token is invalid, expired or revoked")
	}
	return s.pair(access, claims, refresh), nil
}

// Logout revokes the access token at once (its id goes to the blacklist
// until it expires) and the refresh family it came from.
func (s *Service) Logout(ctx context.Context, p domain.Principal) error {
	if p.IsAPIKey() {
		return domain.Errorf(domain.CodeForbidden, "API keys are revoked with DELETE /api/v1/api-keys/{id}, not logged out")
	}
	if err := s.store.RevokeFamilyOfAccess(ctx, p.UserID, p.TokenID, s.now()); err != nil {
		return err
	}
	s.invalidate(ctx, invRevoked, p.TokenID, p.TokenExpiresAt.UTC().Format(time.RFC3339))
	return s.blacklist.Add(ctx, p.TokenID, time.Until(p.TokenExpiresAt)+time.Minute)
}

// SwitchOrganization issues tokens for another organization the user
// belongs to; not_found when they do not.
func (s *Service) SwitchOrganization(ctx context.Context, p domain.Principal, orgID uuid.UUID) (TokenPair, error) {
	if p.IsAPIKey() {
		return TokenPair{}, domain.Errorf(domain.CodeForbidden, "an API key belongs to one organization")
	}
	if _, err := s.role(ctx, orgID, p.UserID); err != nil {
		return TokenPair{}, err
	}
	return s.issue(ctx, p.UserID, orgID, uuid.Nil)
}

// Authenticate turns a bearer credential (an access token or an API key)
// into the principal acting, with its current role: revoked tokens, deleted
// organizations and removed memberships are refused here, on every request.
func (s *Service) Authenticate(ctx context.Context, bearer string) (domain.Principal, error) {
	if strings.HasPrefix(bearer, apiKeyPrefix) {
		return s.authenticateAPIKey(ctx, bearer)
	}
	now := s.cfg.Now()
	claims, ok := s.verified.get(bearer, now)
	if !ok {
		var err error
		if claims, err = s.tokens.Verify(bearer); err != nil {
			return domain.Principal{}, &domain.Error{Code: domain.CodeUnauthorized, Message: "access token is invalid or expired", Err: err}
		}
		s.verified.put(bearer, claims, now)
	}
	var revoked bool
	var err error
	if s.local.usable() {
		revoked = s.local.isRevoked(claims.ID, now)
	} else if revoked, err = s.blacklist.Contains(ctx, claims.ID); err != nil {
		// Redis is down: fall back to PostgreSQL, where logout also revoked
		// the token's refresh family.
		revoked, err = s.store.AccessRevoked(ctx, claims.UserID, claims.ID)
		if err != nil {
			return domain.Principal{}, err
		}
	}
	if revoked {
		return domain.Principal{}, domain.Errorf(domain.CodeUnauthorized, "access token has been revoked")
	}
	role, err := s.role(ctx, claims.OrganizationID, claims.UserID)
	if err != nil {
		if domain.ErrorCode(err) == domain.CodeNotFound {
			return domain.Principal{}, domain.Errorf(domain.CodeUnauthorized, "access token's organization is gone or you are no longer a member")
		}
		return domain.Principal{}, err
	}
	return domain.Principal{
		UserID: claims.UserID, OrganizationID: claims.OrganizationID, Role: role,
		TokenID: claims.ID, TokenExpiresAt: claims.ExpiresAt,
	}, nil
}

// role returns the user's role in org, cached in Redis; not_found when not
// a member or the organization is deleted.
func (s *Service) role(ctx context.Context, org, user uuid.UUID) (domain.Role, error) {
	local := s.local.usable()
	var epoch uint64
	if local {
		if r, ok := s.local.role(org, user, s.cfg.Now()); ok {
			return r, nil
		}
		epoch = s.local.snapshot()
	}
	r, ok, gen := s.members.Get(ctx, org, user)
	if ok {
		if local {
			s.local.putRole(org, user, r, epoch, s.cfg.Now())
		}
		return r, nil
	}
	r, err := s.store.Org(org).Role(ctx, user)
	if err != nil {
		if domain.ErrorCode(err) == domain.CodeNotFound {
			return "", domain.Errorf(domain.CodeNotFound, "organization not found")
		}
		return "", err
	}
	s.members.Set(ctx, org, user, r, gen)
	if local {
		s.local.putRole(org, user, r, epoch, s.cfg.Now())
	}
	return r, nil
}

// constantTimeEqual compares two hashes without leaking where they differ.
func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
