package socialaccounts_test

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/socialaccounts"
)

// Connecting each provider stores the account with sealed tokens that open
// to what the provider issued, and an account.connected event.
func TestConnectEachProvider(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	p := e.tenant()
	for _, provider := range domain.Providers {
		t.Run(string(provider), func(t *testing.T) {
			a := e.connect(p, provider, "alice-"+string(provider))
			if a.Provider != provider || a.ExternalID == "" || a.Status != domain.AccountConnected || a.OrganizationID != p.OrganizationID {
				t.Fatalf("got %+v, want a connected %s account of the organization", a, provider)
			}
			if a.ExpiresAt == nil || !a.ExpiresAt.After(e.clock.Now()) {
				t.Errorf("got expires_at %v, want a future expiry", a.ExpiresAt)
			}
			token, gotProvider, err := e.svc.AccessToken(context.Background(), p.OrganizationID, a.ID)
			if err != nil || gotProvider != provider || token == "" {
				t.Fatalf("AccessToken: %q, %s, %v", token, gotProvider, err)
			}
			sealed, err := e.store.Org(p.OrganizationID).SocialAccountTokens(context.Background(), a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(sealed.Access, []byte(token)) || sealed.KeyID != "k1" {
				t.Errorf("the stored access token is not sealed under k1 (key %q)", sealed.KeyID)
			}
			events, err := e.store.Org(p.OrganizationID).Events(context.Background(), domain.EventAccountConnected)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, ev := range events {
				found = found || ev.SubjectID == a.ID
			}
			if !found {
				t.Errorf("no %s event for account %s", domain.EventAccountConnected, a.ID)
			}
		})
	}
}

// The state is single use, bound to its provider, and a denial or a bad
// state stores nothing.
func TestCallbackRefusals(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	p := e.tenant()
	reason := func(err error) string {
		var ce *socialaccounts.CallbackError
		if errors.As(err, &ce) {
			return ce.Reason
		}
		return "not a callback error: " + errString(err)
	}

	q := e.authorize(p, domain.ProviderTikTok, url.Values{"sim_user": {"bob"}})
	if _, err := e.callback(domain.ProviderTikTok, q); err != nil {
		t.Fatalf("first callback: %v", err)
	}
	if _, err := e.callback(domain.ProviderTikTok, q); reason(err) != socialaccounts.ReasonInvalidState {
		t.Errorf("replayed callback: got %s, want %s", reason(err), socialaccounts.ReasonInvalidState)
	}

	q = e.authorize(p, domain.ProviderYouTube, url.Values{"sim_user": {"carol"}})
	if _, err := e.callback(domain.ProviderInstagram, q); reason(err) != socialaccounts.ReasonInvalidState {
		t.Errorf("state of another provider: got %s, want %s", reason(err), socialaccounts.ReasonInvalidState)
	}
	q.Set("state", "made-up")
	if _, err := e.callback(domain.ProviderYouTube, q); reason(err) != socialaccounts.ReasonInvalidState {
		t.Errorf("unknown state: got %s, want %s", reason(err), socialaccounts.ReasonInvalidState)
	}

	q = e.authorize(p, domain.ProviderInstagram, url.Values{"sim_user": {"dave"}, "sim_deny": {"1"}})
	if _, err := e.callback(domain.ProviderInstagram, q); reason(err) != socialaccounts.ReasonAccessDenied {
		t.Errorf("denied: got %s, want %s", reason(err), socialaccounts.ReasonAccessDenied)
	}

	accounts, err := e.svc.List(context.Background(), p, nil, 50)
	if err != nil || len(accounts) != 1 {
		t.Fatalf("got %d accounts (%v), want only the first connection's", len(accounts), err)
	}

	// Another organization sees none of it.
	other := e.tenant()
	if got, _ := e.svc.List(context.Background(), other, nil, 50); len(got) != 0 {
		t.Errorf("another organization lists %d accounts, want 0", len(got))
	}
	if _, err := e.svc.Get(context.Background(), other, accounts[0].ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("another organization's account: got %v, want not_found", err)
	}
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// Reconnecting an account updates the same row and keeps a working refresh
// token; a viewer cannot connect; an API key cannot either.
func TestReconnectAndPermissions(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	p := e.tenant()
	first := e.connect(p, domain.ProviderYouTube, "erin")
	second := e.connect(p, domain.ProviderYouTube, "erin")
	if second.ID != first.ID {
		t.Fatalf("reconnect: got account %s, want the same %s", second.ID, first.ID)
	}
	sealed, err := e.store.Org(p.OrganizationID).SocialAccountTokens(context.Background(), first.ID)
	if err != nil || sealed.Refresh == nil {
		t.Fatalf("after reconnect: refresh token present %v (%v), want kept", sealed.Refresh != nil, err)
	}
	// The kept refresh token still refreshes.
	e.clock.advance(2 * 60 * 60 * 1e9)
	if _, err := e.svc.Maintain(context.Background(), p.OrganizationID, first.ID); err != nil {
		t.Fatalf("maintain after reconnect: %v", err)
	}
	a, _ := e.svc.Get(context.Background(), p, first.ID)
	if a.LastRefreshAt == nil || a.Status != domain.AccountConnected {
		t.Errorf("got last_refresh_at %v, status %s; want a refresh with the kept refresh token", a.LastRefreshAt, a.Status)
	}

	viewer := p
	viewer.Role = domain.RoleViewer
	if _, err := e.svc.Connect(context.Background(), viewer, domain.ProviderTikTok); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Errorf("viewer connect: got %v, want forbidden", err)
	}
}
