package socialaccounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/postgres"
	"github.com/socialmediamanager/smm/providers"
)

// ConnectStart is the answer to a connect request: where to send the user.
type ConnectStart struct {
	Provider     domain.Provider `json:"provider"`
	AuthorizeURL string          `json:"authorize_url"`
	ExpiresAt    time.Time       `json:"expires_at"`
}

// pending is a connection waiting for its callback, stored under its state.
type pending struct {
	Organization uuid.UUID       `json:"org"`
	User         uuid.UUID       `json:"user"`
	Provider     domain.Provider `json:"provider"`
	Verifier     string          `json:"verifier"`
	Challenge    string          `json:"challenge"`
	RedirectURI  string          `json:"redirect_uri"`
}

// Connect starts connecting an account of provider to the caller's
// organization: a single-use state bound to the organization and the user,
// valid StateTTL, and the provider's authorize URL.
func (s *Service) Connect(ctx context.Context, p domain.Principal, provider domain.Provider) (ConnectStart, error) {
	if err := p.Require(domain.PermSocialAccountsEdit); err != nil {
		return ConnectStart{}, err
	}
	if p.UserID == uuid.Nil {
		return ConnectStart{}, domain.Errorf(domain.CodeForbidden, "connecting an account needs a user's sign-in (the provider asks that user to approve), not an API key")
	}
	c, err := s.client("provider", provider)
	if err != nil {
		return ConnectStart{}, err
	}
	pkce := providers.NewPKCE()
	pend := pending{Organization: p.OrganizationID, User: p.UserID, Provider: provider,
		Verifier: pkce.Verifier, Challenge: pkce.Challenge, RedirectURI: s.redirectURI(provider)}
	raw, err := json.Marshal(pend)
	if err != nil {
		return ConnectStart{}, fmt.Errorf("connect account: %w", err)
	}
	state := randomState()
	if err := s.states.Put(ctx, state, raw, s.cfg.StateTTL); err != nil {
		return ConnectStart{}, fmt.Errorf("connect account: %w", err)
	}
	return ConnectStart{Provider: provider, AuthorizeURL: c.AuthorizeURL(state, pend.RedirectURI, pkce),
		ExpiresAt: s.cfg.Now().Add(s.cfg.StateTTL).UTC()}, nil
}

// Callback reasons: the stable codes a failed callback reports.
const (
	ReasonAccessDenied  = "access_denied"
	ReasonInvalidState  = "invalid_state"
	ReasonProviderError = "provider_error"
	ReasonUnavailable   = "unavailable"
)

// CallbackError is a failed OAuth callback, with a stable reason for the
// page or the redirect.
type CallbackError struct {
	Reason  string
	Message string
	// Status is the HTTP status of the callback's page.
	Status int
	Err    error
}

func (e *CallbackError) Error() string {
	if e.Err != nil {
		return e.Reason + ": " + e.Message + ": " + e.Err.Error()
	}
	return e.Reason + ": " + e.Message
}

func (e *CallbackError) Unwrap() error { return e.Err }

// CallbackQuery is what the provider sent back to the callback.
type CallbackQuery struct {
	State            string
	Code             string
	Error            string
	ErrorDescription string
}

// Callback completes a connection: it consumes the state (a replay finds
// nothing), exchanges the code, reads the account's profile, and stores the
// account with its sealed tokens. Reconnecting an account updates it in
// place and keeps its refresh token when the provider sends none.
func (s *Service) Callback(ctx context.Context, provider domain.Provider, q CallbackQuery) (domain.SocialAccount, error) {
	if q.State == "" {
		return domain.SocialAccount{}, &CallbackError{Reason: ReasonInvalidState, Status: 400, Message: "the callback has no state"}
	}
	raw, found, err := s.states.Take(ctx, q.State)
	if err != nil {
		return domain.SocialAccount{}, &CallbackError{Reason: ReasonUnavailable, Status: 503, Message: "the connection cannot be completed right now; start it again", Err: err}
	}
	var pend pending
	if !found || json.Unmarshal(raw, &pend) != nil || pend.Provider != provider {
		return domain.SocialAccount{}, &CallbackError{Reason: ReasonInvalidState, Status: 400,
			Message: "unknown, expired or already used state; start the connection again"}
	}
	if q.Error != "" {
		msg := "the user did not grant access"
		if q.Error != ReasonAccessDenied {
			msg = "the provider refused the authorization (" + q.Error + ")"
		}
		return domain.SocialAccount{}, &CallbackError{Reason: ReasonAccessDenied, Status: 400, Message: msg}
	}
	if q.Code == "" {
		return domain.SocialAccount{}, &CallbackError{Reason: ReasonInvalidState, Status: 400, Message: "the callback has no code"}
	}
	c, err := s.client("provider", provider)
	if err != nil {
		return domain.SocialAccount{}, err
	}
	tok, err := c.Exchange(ctx, q.Code, pend.RedirectURI, providers.PKCE{Verifier: pend.Verifier, Challenge: pend.Challenge})
	if err != nil {
		return domain.SocialAccount{}, providerFailure("exchange the code", err)
	}
	prof, err := c.Profile(ctx, tok.AccessToken)
	if err != nil {
		return domain.SocialAccount{}, providerFailure("read the account", err)
	}
	if prof.ExternalID == "" {
		prof.ExternalID = tok.UserID
	}
	if prof.ExternalID == "" {
		return domain.SocialAccount{}, providerFailure("read the account", errors.New("no account id in the answer"))
	}
	a, err := s.saveConnection(ctx, pend, tok, prof)
	if err != nil && domain.ErrorCode(err) == domain.CodeConflict {
		// Connected concurrently by another callback: this one updates it.
		a, err = s.saveConnection(ctx, pend, tok, prof)
	}
	if err != nil {
		return domain.SocialAccount{}, err
	}
	s.notify(ctx, pend.Organization, pend.User)
	return a, nil
}

func providerFailure(what string, err error) error {
	return &CallbackError{Reason: ReasonProviderError, Status: 502,
		Message: "the provider failed to " + what + " (" + string(providers.ClassOf(err)) + "); start the connection again", Err: err}
}

// saveConnection stores the account: a new row, or the live one with the
// same external id updated in place.
func (s *Service) saveConnection(ctx context.Context, pend pending, tok providers.Token, prof providers.Profile) (domain.SocialAccount, error) {
	store := s.store.Org(pend.Organization)
	now := s.cfg.Now().UTC()
	a := domain.SocialAccount{ID: newID(), OrganizationID: pend.Organization, Provider: pend.Provider,
		ExternalID: prof.ExternalID, Username: clip(prof.Username, 200), DisplayName: clip(prof.Name, 300),
		Scopes: tok.Scopes, ConnectedBy: &pend.User, ConnectedAt: &now}
	if a.Scopes == nil {
		a.Scopes = []string{}
	}
	create := true
	existing, err := store.SocialAccountByExternalID(ctx, pend.Provider, prof.ExternalID)
	switch {
	case err == nil:
		a.ID, create = existing.ID, false
		if tok.RefreshToken == "" {
			// Never lose a refresh token on reconnect.
			old, err := s.openTokens(ctx, pend.Organization, existing)
			if err == nil {
				tok.RefreshToken = old.RefreshToken
				if tok.RefreshExpiresAt.IsZero() {
					tok.RefreshExpiresAt = old.RefreshExpiresAt
				}
			} else {
				s.log.WarnContext(ctx, "previous refresh token unreadable on reconnect", slog.String("account_id", existing.ID.String()), slog.Any("error", err))
			}
		}
	case domain.ErrorCode(err) != domain.CodeNotFound:
		return domain.SocialAccount{}, err
	}
	sealed, err := s.seal(pend.Organization, a.ID, pend.Provider, tok)
	if err != nil {
		return domain.SocialAccount{}, err
	}
	ev := s.event(pend.Organization, a.ID, domain.EventAccountConnected, map[string]any{
		"account_id": a.ID, "provider": a.Provider, "external_id": a.ExternalID, "username": a.Username, "reconnected": !create,
	})
	return store.SaveConnection(ctx, postgres.Connection{Account: a, Tokens: sealed, Create: create, Event: ev})
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = s[:n]
	}
	return s
}
