package instagram_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/instagram"
	"github.com/socialmediamanager/smm/providers/simulator"
)

var allScopes = []string{"instagram_business_basic", "instagram_business_content_publish",
	"instagram_business_manage_comments", "instagram_business_manage_insights"}

// TestOAuthRoundTrip walks the whole connection: authorize page, code
// (with Instagram's trailing "#_"), short- then long-lived token, profile,
// refresh (refused under 24 h, granted after), revoke (not offered).
func TestOAuthRoundTrip(t *testing.T) {
	e := newEnv(t, simulator.Config{}, nil)
	ctx := t.Context()

	raw := e.client.AuthorizeURL("state-1", redirectURI, providers.NewPKCE())
	au, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := au.Query()
	if au.Path != "/instagram/www/oauth/authorize" || q.Get("client_id") != "test-ig" || q.Get("redirect_uri") != redirectURI ||
		q.Get("response_type") != "code" || q.Get("state") != "state-1" || q.Get("scope") != strings.Join(allScopes, ",") {
		t.Errorf("got authorize URL %s, want the consent page with client_id, redirect_uri, response_type=code, the four scopes and state", raw)
	}
	if q.Has("code_challenge") {
		t.Errorf("got a code_challenge in %s, want none (Instagram has no PKCE)", raw)
	}

	loc := e.authorize("state-1", url.Values{"sim_user": {"alice"}})
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURI {
		t.Errorf("got redirect to %s, want %s", got, redirectURI)
	}
	code := loc.Query().Get("code")
	if loc.Query().Get("state") != "state-1" || code == "" || loc.Fragment != "_" {
		t.Fatalf("got redirect query %q fragment %q, want state-1, a code and the #_ fragment", loc.RawQuery, loc.Fragment)
	}

	// The code as a careless callback reads it, with "#_": stripped.
	tok, err := e.client.Exchange(ctx, code+"#_", redirectURI, providers.PKCE{})
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if tok.AccessToken == "" || tok.RefreshToken != "" || tok.UserID == "" {
		t.Errorf("got token %+v, want an access token, no refresh token, the user id", tok)
	}
	if want := e.clock.Now().Add(60 * 24 * time.Hour); !tok.ExpiresAt.Equal(want) {
		t.Errorf("got ExpiresAt %v, want %v (60 days: the long-lived token)", tok.ExpiresAt, want)
	}
	if !slices.Equal(tok.Scopes, allScopes) {
		t.Errorf("got scopes %v, want %v", tok.Scopes, allScopes)
	}
	kinds := map[string]int{}
	for _, st := range e.sim.State().Tokens {
		kinds[st.Kind]++
	}
	if kinds["code"] != 1 || kinds["short"] != 1 || kinds["access"] != 1 {
		t.Errorf("got simulator tokens %v, want one code, one short-lived and one long-lived token", kinds)
	}

	p, err := e.client.Profile(ctx, tok.AccessToken)
	if err != nil {
		t.Fatalf("profile: %v", err)
	}
	if p.ExternalID != tok.UserID || p.Username != "alice" || p.Name == "" {
		t.Errorf("got profile %+v, want alice with id %s", p, tok.UserID)
	}
	// The same person connecting again is the same account.
	if again := e.connect("alice"); again.id != tok.UserID {
		t.Errorf("got user id %s on reconnect, want %s", again.id, tok.UserID)
	}

	_, err = e.client.Refresh(ctx, tok)
	wantErr(t, err, providers.Permanent, "100", "")

	e.clock.Advance(25 * time.Hour)
	fresh, err := e.client.Refresh(ctx, tok)
	if err != nil {
		t.Fatalf("refresh after 25 h: %v", err)
	}
	if fresh.AccessToken == "" || fresh.AccessToken == tok.AccessToken || fresh.UserID != tok.UserID || !slices.Equal(fresh.Scopes, tok.Scopes) {
		t.Errorf("got refreshed token %+v, want a new access token keeping the user id and scopes", fresh)
	}
	if want := e.clock.Now().Add(60 * 24 * time.Hour); !fresh.ExpiresAt.Equal(want) {
		t.Errorf("got refreshed ExpiresAt %v, want %v", fresh.ExpiresAt, want)
	}
	if _, err := e.client.Profile(ctx, fresh.AccessToken); err != nil {
		t.Errorf("profile with the refreshed token: %v", err)
	}

	if err := e.client.Revoke(ctx, fresh); !errors.Is(err, providers.ErrNotSupported) {
		t.Errorf("revoke: got %v, want ErrNotSupported", err)
	}
}

// TestAuthorizeDenied checks the denial reaches the redirect URI as
// Instagram sends it, without a code.
func TestAuthorizeDenied(t *testing.T) {
	e := newEnv(t, simulator.Config{}, nil)
	loc := e.authorize("state-2", url.Values{"sim_deny": {"1"}})
	q := loc.Query()
	if q.Get("error") != "access_denied" || q.Get("error_reason") != "user_denied" || q.Get("state") != "state-2" || q.Has("code") {
		t.Errorf("got redirect query %q, want error=access_denied, error_reason=user_denied, the state and no code", loc.RawQuery)
	}
}

// TestExchangeRefusals checks the code exchange's refusals are permanent:
// a code used twice, a redirect URI that differs, an unknown code, an
// expired code.
func TestExchangeRefusals(t *testing.T) {
	e := newEnv(t, simulator.Config{}, nil)
	ctx := t.Context()
	used := e.authorize("s", nil).Query().Get("code")
	if _, err := e.client.Exchange(ctx, used, redirectURI, providers.PKCE{}); err != nil {
		t.Fatalf("first exchange: %v", err)
	}
	mismatch := e.authorize("s", nil).Query().Get("code")
	expired := e.authorize("s", nil).Query().Get("code")
	cases := []struct {
		name, code, redirect string
		before               func()
	}{
		{"code used twice", used, redirectURI, nil},
		{"other redirect URI", mismatch, "https://evil.example/cb", nil},
		{"unknown code", "AQnotacode", redirectURI, nil},
		{"expired code", expired, redirectURI, func() { e.clock.Advance(11 * time.Minute) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				tc.before()
			}
			_, err := e.client.Exchange(ctx, tc.code, tc.redirect, providers.PKCE{})
			wantErr(t, err, providers.Permanent, "400", "")
		})
	}
}

// TestExchangeAcceptsBothShapes checks the code exchange reads the
// documented answer and the flat one reported live (user_id a number,
// permissions a list).
func TestExchangeAcceptsBothShapes(t *testing.T) {
	cases := []struct {
		name, body string
	}{
		{"documented", `{"data":[{"access_token":"IGshort1","user_id":"17841400000000001","permissions":"instagram_business_basic,instagram_business_content_publish"}]}`},
		{"flat", `{"access_token":"IGshort1","user_id":17841400000000001,"permissions":["instagram_business_basic","instagram_business_content_publish"]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				switch r.URL.Path {
				case "/oauth/access_token":
					fmt.Fprint(w, tc.body)
				case "/v23.0/access_token":
					if r.URL.Query().Get("access_token") != "IGshort1" || r.URL.Query().Get("client_secret") != clientSecret {
						w.WriteHeader(http.StatusBadRequest)
						fmt.Fprint(w, `{"error":{"message":"bad exchange","type":"OAuthException","code":100}}`)
						return
					}
					fmt.Fprint(w, `{"access_token":"IGlong1","token_type":"bearer","expires_in":5184000}`)
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			c := instagram.New(instagram.Config{ClientID: "id", ClientSecret: clientSecret, APIBaseURL: srv.URL,
				GraphBaseURL: srv.URL, Now: func() time.Time { return now }})
			tok, err := c.Exchange(t.Context(), "code", redirectURI, providers.PKCE{})
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			want := []string{"instagram_business_basic", "instagram_business_content_publish"}
			if tok.AccessToken != "IGlong1" || tok.UserID != "17841400000000001" || !slices.Equal(tok.Scopes, want) ||
				!tok.ExpiresAt.Equal(now.Add(5184000*time.Second)) {
				t.Errorf("got %+v, want IGlong1 for user 17841400000000001 with %v, expiring in 60 days", tok, want)
			}
		})
	}
}

// TestRefreshRefusedDefinitively checks an expired or invalidated token's
// refresh is AuthExpired (the account needs re-auth), and the profile
// check says so too.
func TestRefreshRefusedDefinitively(t *testing.T) {
	cases := []struct {
		name    string
		fault   simulator.FaultRequest
		subcode string
	}{
		{"expired", simulator.FaultRequest{ExpireTokens: true}, "463"},
		{"revoked", simulator.FaultRequest{RevokeRefresh: true}, "460"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, simulator.Config{}, nil)
			a := e.connect("bob")
			e.clock.Advance(25 * time.Hour)
			e.sim.SetFaults(simulator.Instagram, tc.fault)
			_, err := e.client.Refresh(t.Context(), a.token)
			wantErr(t, err, providers.AuthExpired, "190", tc.subcode)
			_, err = e.client.Profile(t.Context(), a.token.AccessToken)
			wantErr(t, err, providers.AuthExpired, "190", tc.subcode)
		})
	}
	t.Run("past expiry", func(t *testing.T) {
		e := newEnv(t, simulator.Config{}, nil)
		a := e.connect("carol")
		e.clock.Advance(61 * 24 * time.Hour)
		_, err := e.client.Refresh(t.Context(), a.token)
		wantErr(t, err, providers.AuthExpired, "190", "463")
	})
	t.Run("unknown token", func(t *testing.T) {
		e := newEnv(t, simulator.Config{}, nil)
		_, err := e.client.Refresh(t.Context(), providers.Token{AccessToken: "IGAa-forged"})
		wantErr(t, err, providers.AuthExpired, "190", "")
	})
}
