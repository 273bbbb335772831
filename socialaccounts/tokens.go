package socialaccounts

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/postgres"
	"github.com/socialmediamanager/smm/providers"
)

// seal seals tok's tokens for the account under the primary key.
func (s *Service) seal(org, account uuid.UUID, p domain.Provider, tok providers.Token) (postgres.SealedTokens, error) {
	out := postgres.SealedTokens{KeyID: s.sealer.PrimaryID()}
	var err error
	if out.Access, err = s.sealer.Seal([]byte(tok.AccessToken), TokenAAD(org, account, p, AccessToken)); err != nil {
		return postgres.SealedTokens{}, fmt.Errorf("seal access token: %w", err)
	}
	if tok.RefreshToken != "" {
		if out.Refresh, err = s.sealer.Seal([]byte(tok.RefreshToken), TokenAAD(org, account, p, RefreshToken)); err != nil {
			return postgres.SealedTokens{}, fmt.Errorf("seal refresh token: %w", err)
		}
	}
	if !tok.ExpiresAt.IsZero() {
		t := tok.ExpiresAt.UTC()
		out.ExpiresAt = &t
	}
	if !tok.RefreshExpiresAt.IsZero() {
		t := tok.RefreshExpiresAt.UTC()
		out.RefreshExpiresAt = &t
	}
	return out, nil
}

// openTokens reads and opens an account's tokens.
func (s *Service) openTokens(ctx context.Context, org uuid.UUID, a domain.SocialAccount) (providers.Token, error) {
	sealed, err := s.store.Org(org).SocialAccountTokens(ctx, a.ID)
	if err != nil {
		return providers.Token{}, err
	}
	return s.open(org, a, sealed)
}

func (s *Service) open(org uuid.UUID, a domain.SocialAccount, sealed postgres.SealedTokens) (providers.Token, error) {
	var tok providers.Token
	if sealed.Access == nil {
		return tok, domain.Errorf(domain.CodeConflict, "the account has no token; connect it again")
	}
	access, err := s.sealer.Open(sealed.Access, TokenAAD(org, a.ID, a.Provider, AccessToken))
	if err != nil {
		return tok, domain.Internal(fmt.Errorf("open access token of account %s: %w", a.ID, err))
	}
	tok.AccessToken = string(access)
	if sealed.Refresh != nil {
		refresh, err := s.sealer.Open(sealed.Refresh, TokenAAD(org, a.ID, a.Provider, RefreshToken))
		if err != nil {
			return tok, domain.Internal(fmt.Errorf("open refresh token of account %s: %w", a.ID, err))
		}
		tok.RefreshToken = string(refresh)
	}
	if sealed.ExpiresAt != nil {
		tok.ExpiresAt = *sealed.ExpiresAt
	}
	if sealed.RefreshExpiresAt != nil {
		tok.RefreshExpiresAt = *sealed.RefreshExpiresAt
	}
	tok.UserID = a.ExternalID
	tok.Scopes = a.Scopes
	return tok, nil
}

// AccessToken returns a live account's current access token, for the
// account's own actor (publishing, metrics); it is never logged or sent to
// API clients.
func (s *Service) AccessToken(ctx context.Context, org, account uuid.UUID) (string, domain.Provider, error) {
	a, err := s.store.Org(org).SocialAccount(ctx, account)
	if err != nil {
		return "", "", err
	}
	tok, err := s.openTokens(ctx, org, a)
	if err != nil {
		return "", "", err
	}
	return tok.AccessToken, a.Provider, nil
}

// backoff is the wait after the n-th consecutive failure.
func (s *Service) backoff(n int) time.Duration {
	d := s.cfg.RetryMin
	for i := 1; i < n && d < s.cfg.RetryMax; i++ {
		d *= 2
	}
	return min(d, s.cfg.RetryMax)
}
