package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/identity/totp"
	"github.com/socialmediamanager/smm/persistence/postgres"
)

// TOTPSetup is what the user scans into an authenticator app.
type TOTPSetup struct {
	Secret string `json:"secret"`
	URI    string `json:"otpauth_uri"`
}

func totpAAD(u postgres.UserRecord) []byte { return []byte("totp|user:" + u.ID.String()) }

// SetupTOTP creates a new secret, stored encrypted and bound to the user;
// 2FA is on only once a code from it is confirmed with EnableTOTP.
func (s *Service) SetupTOTP(ctx context.Context, p domain.Principal) (TOTPSetup, error) {
	u, err := s.personal(ctx, p)
	if err != nil {
		return TOTPSetup{}, err
	}
	if u.TOTPEnabled {
		return TOTPSetup{}, domain.Errorf(domain.CodeConflict, "two-factor authentication is already on; disable it first")
	}
	sec, err := totp.NewSecret(s.cfg.TOTPIssuer, u.Email)
	if err != nil {
		return TOTPSetup{}, fmt.Errorf("new totp secret: %w", err)
	}
	sealed, err := s.keyring.Seal([]byte(sec.Base32), totpAAD(u))
	if err != nil {
		return TOTPSetup{}, fmt.Errorf("seal totp secret: %w", err)
	}
	if err := s.store.SetTOTPSecret(ctx, u.ID, sealed); err != nil {
		return TOTPSetup{}, err
	}
	return TOTPSetup{Secret: sec.Base32, URI: sec.URI}, nil
}

// EnableTOTP confirms the pending secret with a code and returns recovery
// codes, shown this once and stored only hashed.
func (s *Service) EnableTOTP(ctx context.Context, p domain.Principal, code string) ([]string, error) {
	u, err := s.personal(ctx, p)
	if err != nil {
		return nil, err
	}
	if u.TOTPEnabled {
		return nil, domain.Errorf(domain.CodeConflict, "two-factor authentication is already on")
	}
	if u.TOTPSecret == nil {
		return nil, domain.Errorf(domain.CodeConflict, "no pending secret: call POST /api/v1/auth/2fa/setup first")
	}
	secret, err := s.keyring.Open(u.TOTPSecret, totpAAD(u))
	if err != nil {
		return nil, fmt.Errorf("open totp secret: %w", err)
	}
	step, err := totp.Check(string(secret), code, s.now(), u.TOTPLastStep)
	if err != nil {
		return nil, &domain.Error{Code: domain.CodeInvalid, Field: "code", Message: "code is not valid", Err: err}
	}
	codes, hashes, err := totp.NewRecoveryCodes(10)
	if err != nil {
		return nil, err
	}
	if err := s.store.EnableTOTP(ctx, u.ID, step, hashes); err != nil {
		return nil, err
	}
	s.invalidate(ctx, invUser, u.ID.String())
	s.securityEvent(ctx, p, "two_factor.enabled")
	return codes, nil
}

// DisableTOTP turns 2FA off after checking a current code (or a recovery
// code).
func (s *Service) DisableTOTP(ctx context.Context, p domain.Principal, code string) error {
	u, err := s.personal(ctx, p)
	if err != nil {
		return err
	}
	if !u.TOTPEnabled {
		return domain.Errorf(domain.CodeConflict, "two-factor authentication is not on")
	}
	if err := s.checkSecondFactor(ctx, u, code, "code"); err != nil {
		return err
	}
	if err := s.store.DisableTOTP(ctx, u.ID); err != nil {
		return err
	}
	s.invalidate(ctx, invUser, u.ID.String())
	s.securityEvent(ctx, p, "two_factor.disabled")
	return nil
}

// StepUp checks the second factor before a sensitive operation: a user with
// 2FA must send a current code (header X-TOTP-Code); without 2FA there is
// nothing more to check. API keys never pass: sensitive operations are for
// people.
func (s *Service) StepUp(ctx context.Context, p domain.Principal, code string) error {
	if p.IsAPIKey() {
		return domain.Errorf(domain.CodeForbidden, "this operation needs a person signed in, not an API key")
	}
	u, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	if !u.TOTPEnabled {
		return nil
	}
	if code == "" {
		return &domain.Error{Code: domain.CodeMFARequired, Field: "X-TOTP-Code", Message: "this operation needs a current two-factor code in the X-TOTP-Code header"}
	}
	return s.checkSecondFactor(ctx, u, code, "X-TOTP-Code")
}

// checkSecondFactor accepts a TOTP code once (a replay in its window is
// refused, atomically in PostgreSQL), or an unused recovery code.
func (s *Service) checkSecondFactor(ctx context.Context, u postgres.UserRecord, code, field string) error {
	bad := &domain.Error{Code: domain.CodeMFARequired, Field: field, Message: "two-factor code is not valid or was already used"}
	if totp.LooksLikeRecoveryCode(code) {
		ok, err := s.store.UseRecoveryCode(ctx, u.ID, totp.HashRecoveryCode(code))
		if err != nil {
			return err
		}
		if !ok {
			return bad
		}
		return nil
	}
	secret, err := s.keyring.Open(u.TOTPSecret, totpAAD(u))
	if err != nil {
		return fmt.Errorf("open totp secret: %w", err)
	}
	step, err := totp.Check(string(secret), code, s.now(), u.TOTPLastStep)
	if err != nil {
		if errors.Is(err, totp.ErrInvalidCode) || errors.Is(err, totp.ErrReplayed) {
			return bad
		}
		return err
	}
	ok, err := s.store.AdvanceTOTPStep(ctx, u.ID, step)
	if err != nil {
		return err
	}
	if !ok {
		return bad // another request used this code a moment ago
	}
	return nil
}

// personal loads the signed-in person; API keys have no second factor.
func (s *Service) personal(ctx context.Context, p domain.Principal) (postgres.UserRecord, error) {
	if p.IsAPIKey() {
		return postgres.UserRecord{}, domain.Errorf(domain.CodeForbidden, "two-factor settings belong to a person, not an API key")
	}
	return s.store.UserByID(ctx, p.UserID)
}

func (s *Service) securityEvent(ctx context.Context, p domain.Principal, action string) {
	if err := s.store.RecordSecurityEvent(context.WithoutCancel(ctx), p.UserID, p.OrganizationID, action, "", "", nil); err != nil {
		s.logger.ErrorContext(ctx, "record security event", "error", err)
	}
}
