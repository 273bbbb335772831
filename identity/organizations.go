package identity

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/postgres"
)

// Me is the signed-in principal's view of itself.
type Me struct {
	User               *domain.User        `json:"user"`
	APIKey             *domain.APIKey      `json:"api_key,omitempty"`
	ActiveOrganization domain.Organization `json:"active_organization"`
	Role               domain.Role         `json:"role"`
	Memberships        []domain.Membership `json:"memberships"`
	TwoFactorEnabled   bool                `json:"two_factor_enabled"`
}

// Me returns the user (or API key), the active organization, the role in
// it, the user's memberships and whether 2FA is on.
func (s *Service) Me(ctx context.Context, p domain.Principal) (Me, error) {
	me := Me{Role: p.Role}
	// The cached view is keyed by the person, or by the API key.
	who := p.UserID
	if p.IsAPIKey() {
		who = p.APIKeyID
	}
	local := s.local.usable()
	var epoch uint64
	if local {
		if cached, ok := s.local.getMe(p.OrganizationID, who, s.cfg.Now()); ok {
			cached.Role = p.Role
			return cached, nil
		}
		epoch = s.local.snapshot()
	}
	if p.IsAPIKey() {
		org, err := s.store.Org(p.OrganizationID).Organization(ctx)
		if err != nil {
			return Me{}, err
		}
		me.ActiveOrganization = org
		k, err := s.store.Org(p.OrganizationID).APIKey(ctx, p.APIKeyID)
		if err != nil {
			return Me{}, err
		}
		me.APIKey, me.Memberships = &k, []domain.Membership{}
		if local {
			s.local.putMe(p.OrganizationID, who, me, epoch, s.cfg.Now())
		}
		return me, nil
	}
	org, u, ms, err := s.store.MeView(ctx, p.UserID, p.OrganizationID)
	if err != nil {
		return Me{}, err
	}
	me.ActiveOrganization, me.User, me.Memberships, me.TwoFactorEnabled = org, &u, ms, u.TOTPEnabled
	if local {
		s.local.putMe(p.OrganizationID, p.UserID, me, epoch, s.cfg.Now())
	}
	return me, nil
}

// Organizations lists the organizations the user belongs to, by id.
func (s *Service) Organizations(ctx context.Context, p domain.Principal, after uuid.UUID, limit int) ([]domain.Membership, error) {
	if p.IsAPIKey() {
		return nil, domain.Errorf(domain.CodeForbidden, "an API key belongs to one organization: use GET /api/v1/organization")
	}
	return s.store.Memberships(ctx, p.UserID, after, limit)
}

// CreateOrganization creates an organization owned by the user.
func (s *Service) CreateOrganization(ctx context.Context, p domain.Principal, name string) (domain.Organization, error) {
	if p.IsAPIKey() {
		return domain.Organization{}, domain.Errorf(domain.CodeForbidden, "API keys cannot create organizations")
	}
	if err := domain.ValidateName("name", name, 200); err != nil {
		return domain.Organization{}, err
	}
	now := s.now()
	org := domain.Organization{ID: newID(), Name: strings.TrimSpace(name), Settings: map[string]any{}, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateOrganization(ctx, org, p.UserID); err != nil {
		return domain.Organization{}, err
	}
	s.invalidate(ctx, invUser, p.UserID.String())
	return org, nil
}

// Organization returns the active organization.
func (s *Service) Organization(ctx context.Context, p domain.Principal) (domain.Organization, error) {
	if err := p.Require(domain.PermOrgRead); err != nil {
		return domain.Organization{}, err
	}
	return s.store.Org(p.OrganizationID).Organization(ctx)
}

// OrganizationPatch is a partial update; absent fields are left unchanged.
type OrganizationPatch = domain.OrganizationPatch

// UpdateOrganization applies a patch to the active organization.
func (s *Service) UpdateOrganization(ctx context.Context, p domain.Principal, patch OrganizationPatch) (domain.Organization, error) {
	if err := p.Require(domain.PermOrgUpdate); err != nil {
		return domain.Organization{}, err
	}
	if patch.Name != nil {
		if err := domain.ValidateName("name", *patch.Name, 200); err != nil {
			return domain.Organization{}, err
		}
		n := strings.TrimSpace(*patch.Name)
		patch.Name = &n
	}
	org, err := s.store.Org(p.OrganizationID).UpdateOrganization(ctx, patch.Name, patch.Settings)
	if err != nil {
		return org, err
	}
	s.invalidate(ctx, invOrg, p.OrganizationID.String())
	return org, nil
}

// DeleteOrganization soft-deletes the active organization (owner, step-up):
// its API keys and refresh tokens are revoked in the same transaction and
// its members' cached roles dropped, so its credentials stop at once.
func (s *Service) DeleteOrganization(ctx context.Context, p domain.Principal, totpCode string) error {
	if err := p.Require(domain.PermOrgDelete); err != nil {
		return err
	}
	if err := s.StepUp(ctx, p, totpCode); err != nil {
		return err
	}
	org := s.store.Org(p.OrganizationID)
	members, err := allMembers(ctx, org)
	if err != nil {
		return err
	}
	if err := org.SoftDelete(ctx, s.now()); err != nil {
		return err
	}
	ids := make([]uuid.UUID, len(members))
	for i, m := range members {
		ids[i] = m.UserID
	}
	s.securityEvent(ctx, p, "organization.deleted")
	// Redis first, then memory: a request that reads the role after the
	// in-memory copy is dropped must not find the old one in Redis.
	ferr := s.members.Forget(ctx, p.OrganizationID, ids...)
	s.invalidate(ctx, invOrg, p.OrganizationID.String())
	return ferr
}

func allMembers(ctx context.Context, org *postgres.OrgStore) ([]domain.Membership, error) {
	var all []domain.Membership
	after := uuid.Nil
	for {
		page, err := org.Members(ctx, after, 500)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < 500 {
			return all, nil
		}
		after = page[len(page)-1].UserID
	}
}

// LoginAttempts lists the signed-in user's sign-in attempts, newest first.
func (s *Service) LoginAttempts(ctx context.Context, p domain.Principal, after *domain.Position, limit int) ([]domain.LoginAttempt, error) {
	if p.IsAPIKey() {
		return nil, domain.Errorf(domain.CodeForbidden, "sign-in history belongs to a person, not an API key")
	}
	return s.store.LoginAttempts(ctx, p.UserID, after, limit)
}

// RequirePlatformAdmin refuses anyone but a signed-in platform admin, read
// from the database on each call (the flag is rare and its withdrawal must
// take effect at once). API keys are never platform admins.
func (s *Service) RequirePlatformAdmin(ctx context.Context, p domain.Principal) error {
	if p.IsAPIKey() {
		return domain.Errorf(domain.CodeForbidden, "platform administration needs a signed-in platform admin, not an API key")
	}
	u, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		if domain.ErrorCode(err) == domain.CodeNotFound {
			return domain.Errorf(domain.CodeForbidden, "platform administration needs a platform admin")
		}
		return err
	}
	if !u.IsPlatformAdmin {
		return domain.Errorf(domain.CodeForbidden, "platform administration needs a platform admin")
	}
	return nil
}
