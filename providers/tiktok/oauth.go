package tiktok

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// AuthorizeURL is TikTok's sign-in page for the app's scopes; TikTok
// redirects to redirectURI with code and state (or error). The PKCE
// challenge (S256) is sent when pkce carries one.
func (c *Client) AuthorizeURL(state, redirectURI string, pkce providers.PKCE) string {
	q := url.Values{}
	q.Set("client_key", c.cfg.ClientKey)
	q.Set("scope", strings.Join(c.cfg.Scopes, ","))
	q.Set("response_type", "code")
	q.Set("redirect_uri", redirectURI)
	q.Set("state", state)
	if pkce.Challenge != "" {
		q.Set("code_challenge", pkce.Challenge)
		q.Set("code_challenge_method", "S256")
	}
	return c.cfg.AuthorizeBaseURL + "/v2/auth/authorize/?" + q.Encode()
}

// tokenAnswer is the token endpoint's success.
type tokenAnswer struct {
	AccessToken      string `json:"access_token"`
	ExpiresIn        int64  `json:"expires_in"`
	OpenID           string `json:"open_id"`
	RefreshExpiresIn int64  `json:"refresh_expires_in"`
	RefreshToken     string `json:"refresh_token"`
	Scope            string `json:"scope"`
	TokenType        string `json:"token_type"`
}

func (c *Client) token(a tokenAnswer) providers.Token {
	now := c.cfg.Now()
	t := providers.Token{AccessToken: a.AccessToken, RefreshToken: a.RefreshToken, UserID: a.OpenID}
	if a.ExpiresIn > 0 {
		t.ExpiresAt = now.Add(time.Duration(a.ExpiresIn) * time.Second)
	}
	if a.RefreshExpiresIn > 0 {
		t.RefreshExpiresAt = now.Add(time.Duration(a.RefreshExpiresIn) * time.Second)
	}
	t.Scopes = append(t.Scopes, strings.FieldsFunc(a.Scope, func(r rune) bool { return r == ',' || r == ' ' })...)
	return t
}

// Exchange trades the code of the authorize redirect for tokens. A code
// refused (used, expired, another redirect_uri, a wrong PKCE verifier) is
// Permanent: the user must go through the authorize page again.
func (c *Client) Exchange(ctx context.Context, code, redirectURI string, pkce providers.PKCE) (providers.Token, error) {
	const op = "exchange code"
	form := url.Values{}
	form.Set("client_key", c.cfg.ClientKey)
	form.Set("client_secret", c.cfg.ClientSecret)
	form.Set("code", code)
	form.Set("grant_type", "authorization_code")
	form.Set("redirect_uri", redirectURI)
	if pkce.Verifier != "" {
		form.Set("code_verifier", pkce.Verifier)
	}
	var a tokenAnswer
	if err := c.postForm(ctx, op, "/v2/oauth/token/", form, &a, code, pkce.Verifier); err != nil {
		if pe := (*providers.Error)(nil); errors.As(err, &pe) && pe.Class == providers.AuthExpired {
			pe.Class = providers.Permanent
		}
		return providers.Token{}, err
	}
	if a.AccessToken == "" || a.OpenID == "" {
		return providers.Token{}, &providers.Error{Provider: Provider, Op: op, Class: providers.Permanent, Status: http.StatusOK,
			Message: "the answer holds no access token or open_id"}
	}
	return c.token(a), nil
}

// Refresh trades t's refresh token for new tokens. TikTok rotates refresh
// tokens: the returned RefreshToken replaces t's, which stops working, so
// it must be stored before anything else. A refresh token revoked,
// expired or already used is refused with invalid_grant: AuthExpired, the
// account needs the user again.
func (c *Client) Refresh(ctx context.Context, t providers.Token) (providers.Token, error) {
	const op = "refresh token"
	if t.RefreshToken == "" {
		return providers.Token{}, &providers.Error{Provider: Provider, Op: op, Class: providers.AuthExpired,
			Message: "no refresh token to refresh with"}
	}
	form := url.Values{}
	form.Set("client_key", c.cfg.ClientKey)
	form.Set("client_secret", c.cfg.ClientSecret)
	form.Set("grant_type", "refresh_token")
	form.Set("refresh_token", t.RefreshToken)
	var a tokenAnswer
	if err := c.postForm(ctx, op, "/v2/oauth/token/", form, &a, t.RefreshToken, t.AccessToken); err != nil {
		return providers.Token{}, err
	}
	if a.AccessToken == "" {
		// The old refresh token may be spent already: only another try
		// (or the user) can tell.
		return providers.Token{}, &providers.Error{Provider: Provider, Op: op, Class: providers.Retryable, Status: http.StatusOK,
			Message: "the answer holds no access token"}
	}
	nt := c.token(a)
	if nt.RefreshToken == "" {
		nt.RefreshToken, nt.RefreshExpiresAt = t.RefreshToken, t.RefreshExpiresAt
	}
	if nt.UserID == "" {
		nt.UserID = t.UserID
	}
	if len(nt.Scopes) == 0 {
		nt.Scopes = t.Scopes
	}
	return nt, nil
}

// Revoke withdraws the app's access to the user's account (every token
// of the grant stops working), for a disconnection.
func (c *Client) Revoke(ctx context.Context, t providers.Token) error {
	const op = "revoke token"
	if t.AccessToken == "" {
		return &providers.Error{Provider: Provider, Op: op, Class: providers.Permanent, Message: "no access token to revoke"}
	}
	form := url.Values{}
	form.Set("client_key", c.cfg.ClientKey)
	form.Set("client_secret", c.cfg.ClientSecret)
	form.Set("token", t.AccessToken)
	return c.postForm(ctx, op, "/v2/oauth/revoke/", form, nil, t.AccessToken, t.RefreshToken)
}

// userFields are the profile fields asked of /v2/user/info/.
const userFields = "open_id,union_id,avatar_url,display_name,username"

// User is the connected account as the Display API describes it.
type User struct {
	OpenID      string `json:"open_id"`
	UnionID     string `json:"union_id"`
	AvatarURL   string `json:"avatar_url"`
	DisplayName string `json:"display_name"`
	Username    string `json:"username"`
}

// UserInfo reads the connected account's profile.
func (c *Client) UserInfo(ctx context.Context, accessToken string) (User, error) {
	var data struct {
		User User `json:"user"`
	}
	err := c.call(ctx, "fetch user info", http.MethodGet, "/v2/user/info/", url.Values{"fields": {userFields}}, accessToken, nil, &data)
	return data.User, err
}

// Profile is the connected account (ExternalID is its open_id); it is
// also the connection's health check.
func (c *Client) Profile(ctx context.Context, accessToken string) (providers.Profile, error) {
	u, err := c.UserInfo(ctx, accessToken)
	if err != nil {
		return providers.Profile{}, err
	}
	if u.OpenID == "" {
		return providers.Profile{}, &providers.Error{Provider: Provider, Op: "fetch user info", Class: providers.Retryable,
			Status: http.StatusOK, Message: "the answer holds no open_id"}
	}
	return providers.Profile{ExternalID: u.OpenID, Username: u.Username, Name: u.DisplayName}, nil
}
