package socialaccounts

import (
	"context"
	"errors"
	"log/slog"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/providers"
)

// List lists the organization's connected accounts, after a position.
func (s *Service) List(ctx context.Context, p domain.Principal, after *domain.Position, limit int) ([]domain.SocialAccount, error) {
	if err := p.Require(domain.PermSocialAccountsRead); err != nil {
		return nil, err
	}
	return s.store.Org(p.OrganizationID).SocialAccountsPage(ctx, after, limit)
}

// Get returns one account of the organization; another organization's id
// is not_found.
func (s *Service) Get(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.SocialAccount, error) {
	if err := p.Require(domain.PermSocialAccountsRead); err != nil {
		return domain.SocialAccount{}, err
	}
	return s.store.Org(p.OrganizationID).SocialAccount(ctx, id)
}

// Disconnect revokes the account's tokens at the provider where it can
// (best effort: the tokens are forgotten here either way), soft-deletes the
// account and tells its grain. It needs the second factor of a user with
// 2FA.
func (s *Service) Disconnect(ctx context.Context, p domain.Principal, id uuid.UUID, totpCode string) error {
	if err := p.Require(domain.PermSocialAccountsEdit); err != nil {
		return err
	}
	store := s.store.Org(p.OrganizationID)
	a, err := store.SocialAccount(ctx, id)
	if err != nil {
		return err
	}
	if err := s.stepUp.StepUp(ctx, p, totpCode); err != nil {
		return err
	}
	revoked := false
	if c, ok := s.clients[a.Provider]; ok {
		if tok, err := s.openTokens(ctx, p.OrganizationID, a); err == nil {
			switch err := c.Revoke(ctx, tok); {
			case err == nil:
				revoked = true
			case errors.Is(err, providers.ErrNotSupported):
			default:
				s.log.WarnContext(ctx, "token not revoked at the provider", slog.String("account_id", a.ID.String()),
					slog.String("provider", string(a.Provider)), slog.String("class", string(providers.ClassOf(err))), slog.Any("error", err))
			}
		}
	}
	ev := s.event(p.OrganizationID, a.ID, domain.EventAccountDisconnected, map[string]any{
		"account_id": a.ID, "provider": a.Provider, "external_id": a.ExternalID, "revoked_at_provider": revoked,
	})
	if err := store.DisconnectSocialAccount(ctx, a.ID, "disconnected by a user", ev); err != nil {
		return err
	}
	s.notify(ctx, p.OrganizationID, p.UserID)
	return nil
}
