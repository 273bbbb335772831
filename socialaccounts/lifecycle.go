package socialaccounts

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/providers"
)

// Maintain keeps one account's connection alive and says when to call it
// again; the account's actor calls it on that schedule (and the token sweep
// wakes grains whose accounts are due):
//   - a token within RefreshMargin of its expiry is refreshed; the new
//     tokens (TikTok's rotated refresh token included) are stored at once;
//   - a refresh failing for a transient reason is retried with backoff (the
//     provider's Retry-After when it gave one); the account turns
//     `expiring`, with an account.token_expiring event, once its token is
//     within the margin and still not refreshed;
//   - only a definitive refusal (auth_expired: invalid_grant, code 190, a
//     revoked or rotated-away refresh token) marks it `needs_reauth`, with
//     an account.needs_reauth event;
//   - every HealthInterval the connection is checked (the profile call); an
//     auth failure there triggers a refresh attempt first.
func (s *Service) Maintain(ctx context.Context, org, account uuid.UUID) (time.Duration, error) {
	store := s.store.Org(org)
	a, err := store.SocialAccount(ctx, account)
	if err != nil {
		return 0, err
	}
	if a.Status == domain.AccountNeedsReauth || a.Status == domain.AccountDisconnected {
		// Nothing to keep alive until the user connects it again.
		return s.cfg.HealthInterval, nil
	}
	c, err := s.client("provider", a.Provider)
	if err != nil {
		return s.cfg.HealthInterval, err
	}
	now := s.cfg.Now()
	if a.ExpiresAt != nil && !now.Before(a.ExpiresAt.Add(-s.cfg.RefreshMargin)) {
		return s.refresh(ctx, c, a)
	}
	if a.LastHealthCheckAt == nil || !now.Before(a.LastHealthCheckAt.Add(s.cfg.HealthInterval)) {
		tok, err := s.openTokens(ctx, org, a)
		if err != nil {
			return s.cfg.HealthInterval, err
		}
		_, perr := c.Profile(ctx, tok.AccessToken)
		problem := ""
		if perr != nil {
			problem = string(providers.ClassOf(perr))
		}
		if err := store.RecordHealthCheck(ctx, a.ID, now.UTC(), problem); err != nil {
			return s.cfg.RetryMin, err
		}
		if providers.ClassOf(perr) == providers.AuthExpired {
			return s.refresh(ctx, c, a)
		}
	}
	return s.next(a, now), nil
}

// next is the wait until the account's next refresh or health check.
func (s *Service) next(a domain.SocialAccount, now time.Time) time.Duration {
	wait := s.cfg.HealthInterval
	if a.LastHealthCheckAt != nil {
		wait = a.LastHealthCheckAt.Add(s.cfg.HealthInterval).Sub(now)
	}
	if a.ExpiresAt != nil {
		wait = min(wait, a.ExpiresAt.Add(-s.cfg.RefreshMargin).Sub(now))
	}
	return max(wait, time.Second)
}

// refresh refreshes the account's token and records the outcome.
func (s *Service) refresh(ctx context.Context, c Client, a domain.SocialAccount) (time.Duration, error) {
	org := a.OrganizationID
	store := s.store.Org(org)
	old, err := s.openTokens(ctx, org, a)
	if err != nil {
		return s.cfg.RetryMax, err
	}
	tok, rerr := c.Refresh(ctx, old)
	now := s.cfg.Now()
	if rerr == nil {
		if tok.RefreshToken == "" {
			tok.RefreshToken = old.RefreshToken
		}
		sealed, err := s.seal(org, a.ID, a.Provider, tok)
		if err != nil {
			return s.cfg.RetryMin, err
		}
		updated, err := store.SaveRefreshedTokens(ctx, a.ID, sealed, now.UTC(), nil)
		if err != nil {
			// The provider may have rotated the refresh token already: the
			// next attempt will tell (TikTok answers invalid_grant).
			return s.cfg.RetryMin, err
		}
		s.log.InfoContext(ctx, "social account token refreshed", slog.String("organization_id", org.String()),
			slog.String("account_id", a.ID.String()), slog.String("provider", string(a.Provider)))
		return s.next(updated, now), nil
	}
	class := providers.ClassOf(rerr)
	attrs := []any{slog.String("organization_id", org.String()), slog.String("account_id", a.ID.String()),
		slog.String("provider", string(a.Provider)), slog.String("class", string(class)), slog.Any("error", rerr)}
	if class == providers.AuthExpired {
		ev := s.event(org, a.ID, domain.EventAccountNeedsReauth, map[string]any{
			"account_id": a.ID, "provider": a.Provider, "external_id": a.ExternalID, "reason": "the provider refused the refresh",
		})
		if _, err := store.SetSocialAccountStatus(ctx, a.ID, domain.AccountNeedsReauth, "the provider refused to refresh the token; connect the account again", ev); err != nil {
			return s.cfg.RetryMin, err
		}
		s.log.WarnContext(ctx, "social account needs re-authorization", attrs...)
		return s.cfg.HealthInterval, nil
	}
	failures, err := store.RecordRefreshFailure(ctx, a.ID)
	if err != nil {
		return s.cfg.RetryMin, err
	}
	s.log.WarnContext(ctx, "social account token refresh failed; retrying", append(attrs, slog.Int("failures", failures))...)
	if a.Status == domain.AccountConnected {
		payload := map[string]any{"account_id": a.ID, "provider": a.Provider, "external_id": a.ExternalID}
		if a.ExpiresAt != nil {
			payload["expires_at"] = a.ExpiresAt.UTC()
		}
		ev := s.event(org, a.ID, domain.EventAccountTokenExpiring, payload)
		if _, err := store.SetSocialAccountStatus(ctx, a.ID, domain.AccountExpiring, "the token could not be refreshed yet; retrying", ev); err != nil {
			return s.cfg.RetryMin, err
		}
	}
	wait := s.backoff(failures)
	if ra := providers.RetryAfterOf(rerr); ra > wait {
		wait = ra
	}
	return wait, nil
}

// RefreshNow refreshes an account's token at once, for an account actor
// whose publish call was refused for an expired token: Refreshed when a
// new token is stored, RefreshRefused when the provider refused for good
// (the account is now needs_reauth, with its event), RefreshFailed when it
// failed for a transient reason.
func (s *Service) RefreshNow(ctx context.Context, org, account uuid.UUID) (domain.RefreshOutcome, error) {
	store := s.store.Org(org)
	a, err := store.SocialAccount(ctx, account)
	if err != nil {
		return domain.RefreshFailed, err
	}
	if a.Status == domain.AccountNeedsReauth || a.Status == domain.AccountDisconnected {
		return domain.RefreshRefused, nil
	}
	c, err := s.client("provider", a.Provider)
	if err != nil {
		return domain.RefreshFailed, err
	}
	before := a.LastRefreshAt
	if _, err := s.refresh(ctx, c, a); err != nil {
		return domain.RefreshFailed, err
	}
	after, err := store.SocialAccount(ctx, account)
	switch {
	case err != nil:
		return domain.RefreshFailed, err
	case after.Status == domain.AccountNeedsReauth:
		return domain.RefreshRefused, nil
	case after.LastRefreshAt != nil && (before == nil || after.LastRefreshAt.After(*before)):
		return domain.Refreshed, nil
	}
	return domain.RefreshFailed, nil
}
