package identity

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"golang.org/x/crypto/bcrypt"
)

// Members lists the active organization's members.
func (s *Service) Members(ctx context.Context, p domain.Principal, after uuid.UUID, limit int) ([]domain.Membership, error) {
	if err := p.Require(domain.PermMembersRead); err != nil {
		return nil, err
	}
	return s.store.Org(p.OrganizationID).Members(ctx, after, limit)
}

// ChangeRole changes a member's role (step-up) under the membership rules;
// the change is effective on the member's next request.
func (s *Service) ChangeRole(ctx context.Context, p domain.Principal, userID uuid.UUID, role domain.Role, totpCode string) (domain.Membership, error) {
	if err := p.Require(domain.PermMembersManage); err != nil {
		return domain.Membership{}, err
	}
	if !role.Valid() {
		return domain.Membership{}, domain.Invalid("role", "must be one of owner, admin, editor, viewer")
	}
	if err := s.StepUp(ctx, p, totpCode); err != nil {
		return domain.Membership{}, err
	}
	m, err := s.store.Org(p.OrganizationID).ChangeMember(ctx, userID, func(current domain.Role, owners int) (domain.Role, error) {
		if err := domain.CheckRoleChange(p.Role, current, role, owners); err != nil {
			return "", err
		}
		return role, nil
	})
	if err != nil {
		return domain.Membership{}, memberNotFound(err)
	}
	// Redis first, then memory: a request that reads the role after the
	// in-memory copy is dropped must not find the old one in Redis.
	ferr := s.members.Forget(ctx, p.OrganizationID, userID)
	s.invalidate(ctx, invMembership, p.OrganizationID.String(), userID.String())
	return m, ferr
}

// RemoveMember removes a member (or lets a member leave), step-up, under the
// membership rules.
func (s *Service) RemoveMember(ctx context.Context, p domain.Principal, userID uuid.UUID, totpCode string) error {
	self := !p.IsAPIKey() && userID == p.UserID
	if !self {
		if err := p.Require(domain.PermMembersManage); err != nil {
			return err
		}
	}
	if err := s.StepUp(ctx, p, totpCode); err != nil {
		return err
	}
	_, err := s.store.Org(p.OrganizationID).ChangeMember(ctx, userID, func(current domain.Role, owners int) (domain.Role, error) {
		if err := domain.CheckRemoval(p.Role, current, self, owners); err != nil {
			return "", err
		}
		return "", nil
	})
	if err != nil {
		return memberNotFound(err)
	}
	// Redis first, then memory: a request that reads the role after the
	// in-memory copy is dropped must not find the old one in Redis.
	ferr := s.members.Forget(ctx, p.OrganizationID, userID)
	s.invalidate(ctx, invMembership, p.OrganizationID.String(), userID.String())
	return ferr
}

func memberNotFound(err error) error {
	if domain.ErrorCode(err) == domain.CodeNotFound {
		return domain.Errorf(domain.CodeNotFound, "member not found")
	}
	return err
}

// InvitationCreated is an invitation with its token, which is returned to
// the inviter only, once (e-mail delivery arrives with the notifications
// queue).
type InvitationCreated struct {
	domain.Invitation
	Token string `json:"token"`
}

const invitationPrefix = "smm_inv_"

// Invite offers a role in the active organization to an email address.
func (s *Service) Invite(ctx context.Context, p domain.Principal, email string, role domain.Role) (InvitationCreated, error) {
	if err := p.Require(domain.PermInvitationsCreate); err != nil {
		return InvitationCreated{}, err
	}
	email = domain.NormalizeEmail(email)
	var errs domain.Errors
	if e := domain.ValidateEmail("email", email); e != nil {
		errs = append(errs, e)
	}
	if e := domain.CheckInvite(p.Role, role); e != nil {
		if e.Code != domain.CodeInvalid {
			return InvitationCreated{}, e
		}
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		return InvitationCreated{}, errs
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	token := invitationPrefix + base64.RawURLEncoding.EncodeToString(raw)
	now := s.now()
	inv := domain.Invitation{ID: newID(), OrganizationID: p.OrganizationID, Email: email, Role: role, InvitedBy: p.UserID, ExpiresAt: now.Add(domain.InvitationTTL), CreatedAt: now}
	if err := s.store.Org(p.OrganizationID).CreateInvitation(ctx, inv, hashSecret(token)); err != nil {
		return InvitationCreated{}, err
	}
	return InvitationCreated{Invitation: inv, Token: token}, nil
}

// AcceptInvitation adds the signed-in user to the invitation's organization
// when their email is the one invited. The token works once.
func (s *Service) AcceptInvitation(ctx context.Context, p domain.Principal, token string) (domain.Membership, error) {
	if p.IsAPIKey() {
		return domain.Membership{}, domain.Errorf(domain.CodeForbidden, "invitations are accepted by people")
	}
	u, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		return domain.Membership{}, err
	}
	return s.acceptFor(ctx, u.ID, u.Email, token)
}

func (s *Service) acceptFor(ctx context.Context, userID uuid.UUID, email, token string) (domain.Membership, error) {
	m, err := s.store.AcceptInvitation(ctx, hashSecret(token), userID, s.now(), func(inv domain.Invitation) error {
		if inv.Email != email {
			return domain.Errorf(domain.CodeForbidden, "this invitation is for another email address")
		}
		return nil
	})
	if err != nil {
		return domain.Membership{}, err
	}
	// Redis first, then memory: a request that reads the role after the
	// in-memory copy is dropped must not find the old one in Redis.
	ferr := s.members.Forget(ctx, m.OrganizationID, userID)
	s.invalidate(ctx, invMembership, m.OrganizationID.String(), userID.String())
	return m, ferr
}

// RegisterWithInvitation creates an account for the invited email and
// accepts the invitation, signing the new user into that organization.
func (s *Service) RegisterWithInvitation(ctx context.Context, token string, in RegisterInput, client Client) (Registered, error) {
	in.Email = domain.NormalizeEmail(in.Email)
	if errs := validateRegistration(in, false); len(errs) > 0 {
		return Registered{}, errs
	}
	u, err := s.createUser(ctx, in)
	if err != nil {
		return Registered{}, err
	}
	m, err := s.acceptFor(ctx, u.ID, u.Email, token)
	if err != nil {
		// The account exists only for this invitation: undo it.
		if derr := s.store.DeleteNewUser(context.WithoutCancel(ctx), u.ID); derr != nil {
			s.logger.ErrorContext(ctx, "undo registration", "error", derr)
		}
		return Registered{}, err
	}
	org, err := s.store.Org(m.OrganizationID).Organization(ctx)
	if err != nil {
		return Registered{}, err
	}
	pair, err := s.issue(ctx, u.ID, org.ID, uuid.Nil)
	if err != nil {
		return Registered{}, err
	}
	return Registered{User: u, Organization: org, Tokens: pair}, nil
}

// createUser creates a user without an organization (they join one by
// invitation).
func (s *Service) createUser(ctx context.Context, in RegisterInput) (domain.User, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), s.cfg.BcryptCost)
	if err != nil {
		return domain.User{}, err
	}
	now := s.now()
	u := domain.User{ID: newID(), Email: in.Email, Name: strings.TrimSpace(in.Name), CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateUser(ctx, u, string(hash)); err != nil {
		return domain.User{}, err
	}
	return u, nil
}
