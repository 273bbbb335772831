package youtube

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// AuthorizeURL is Google's consent page for the configured scopes. It asks
// for offline access with prompt=consent, so that every consent (a
// reconnection too) yields a refresh token, and carries the PKCE challenge
// (S256) when pkce has one: Google supports PKCE for web clients.
func (c *Client) AuthorizeURL(state, redirectURI string, pkce providers.PKCE) string {
	q := url.Values{
		"client_id":              {c.cfg.ClientID},
		"redirect_uri":           {redirectURI},
		"response_type":          {"code"},
		"scope":                  {strings.Join(c.cfg.Scopes, " ")},
		"state":                  {state},
		"access_type":            {"offline"},
		"prompt":                 {"consent"},
		"include_granted_scopes": {"true"},
	}
	if pkce.Challenge != "" {
		q.Set("code_challenge", pkce.Challenge)
		q.Set("code_challenge_method", "S256")
	}
	return c.cfg.AuthorizeBaseURL + "/o/oauth2/v2/auth?" + q.Encode()
}

// tokenAnswer is the token endpoint's answer to either grant.
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	TokenType    string `json:"token_type"`
}

// Exchange trades the authorization code for an access token (about an
// hour) and a refresh token, sending the PKCE verifier when there is one.
// The token carries no user id: the channel comes from Profile.
func (c *Client) Exchange(ctx context.Context, code, redirectURI string, pkce providers.PKCE) (providers.Token, error) {
	form := url.Values{
		"grant_type":   {"authorization_code"},
		"code":         {code},
		"redirect_uri": {redirectURI},
	}
	if pkce.Verifier != "" {
		form.Set("code_verifier", pkce.Verifier)
	}
	a, err := c.token(ctx, "exchange code", form)
	if err != nil {
		return providers.Token{}, err
	}
	return c.tokenOf(a, providers.Token{}), nil
}

// Refresh gets a new access token with t's refresh token. Google does not
// rotate refresh tokens: an answer without one keeps t's. A refresh token
// Google refuses (invalid_grant: revoked, expired, or the user changed
// their password) is AuthExpired: the account needs a new consent.
func (c *Client) Refresh(ctx context.Context, t providers.Token) (providers.Token, error) {
	if t.RefreshToken == "" {
		return providers.Token{}, &providers.Error{Provider: provider, Op: "refresh token", Class: providers.AuthExpired,
			Message: "no refresh token: the account must be connected again"}
	}
	a, err := c.token(ctx, "refresh token", url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {t.RefreshToken},
	})
	if err != nil {
		return providers.Token{}, err
	}
	return c.tokenOf(a, t), nil
}

// token posts a grant to the token endpoint with the client's credentials.
func (c *Client) token(ctx context.Context, op string, form url.Values) (tokenAnswer, error) {
	form.Set("client_id", c.cfg.ClientID)
	form.Set("client_secret", c.cfg.ClientSecret)
	req, err := http.NewRequest(http.MethodPost, c.cfg.TokenBaseURL+"/token", strings.NewReader(form.Encode()))
	if err != nil {
		return tokenAnswer{}, c.requestError(op, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.caller.Do(ctx, op, req)
	if err != nil {
		return tokenAnswer{}, err
	}
	if resp.Status != http.StatusOK {
		return tokenAnswer{}, c.classify(op, resp)
	}
	var a tokenAnswer
	if err := json.Unmarshal(resp.Body, &a); err != nil {
		return tokenAnswer{}, c.decodeError(op, resp, err)
	}
	if a.AccessToken == "" {
		return tokenAnswer{}, &providers.Error{Provider: provider, Op: op, Class: providers.Retryable,
			Status: resp.Status, Message: "the answer holds no access token"}
	}
	return a, nil
}

// tokenOf builds the token of an answer, keeping from prev what the
// answer leaves out (a refresh's refresh token and scopes).
func (c *Client) tokenOf(a tokenAnswer, prev providers.Token) providers.Token {
	t := providers.Token{AccessToken: a.AccessToken, RefreshToken: prev.RefreshToken,
		Scopes: prev.Scopes, UserID: prev.UserID, RefreshExpiresAt: prev.RefreshExpiresAt}
	if a.RefreshToken != "" {
		t.RefreshToken = a.RefreshToken
	}
	if a.ExpiresIn > 0 {
		t.ExpiresAt = c.now().Add(time.Duration(a.ExpiresIn) * time.Second)
	}
	if s := strings.Fields(a.Scope); len(s) > 0 {
		t.Scopes = s
	}
	return t
}

// Revoke revokes the grant: Google's revoke endpoint takes either token
// and revokes both, so the refresh token is sent when there is one (it is
// still valid when the access token has expired). A token Google no longer
// knows (invalid_token: already revoked or expired) counts as revoked.
func (c *Client) Revoke(ctx context.Context, t providers.Token) error {
	const op = "revoke token"
	tok := t.RefreshToken
	if tok == "" {
		tok = t.AccessToken
	}
	if tok == "" {
		return nil
	}
	req, err := http.NewRequest(http.MethodPost, c.cfg.TokenBaseURL+"/revoke?"+url.Values{"token": {tok}}.Encode(), nil)
	if err != nil {
		return c.requestError(op, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.caller.Do(ctx, op, req)
	if err != nil {
		return err
	}
	if resp.Status == http.StatusOK {
		return nil
	}
	e := c.classify(op, resp)
	if e.Code == "invalid_token" {
		return nil
	}
	return e
}

// channelList is channels.list's answer (the parts the client reads).
type channelList struct {
	Items []struct {
		ID      string `json:"id"`
		Snippet struct {
			Title     string `json:"title"`
			CustomURL string `json:"customUrl"`
		} `json:"snippet"`
		ContentDetails struct {
			RelatedPlaylists struct {
				Uploads string `json:"uploads"`
			} `json:"relatedPlaylists"`
		} `json:"contentDetails"`
	} `json:"items"`
}

// Profile is the token's channel (channels.list mine=true, 1 quota unit):
// ExternalID is the channel id, Username its handle (customUrl) or, for a
// channel without one, its title. It is also the connection's health
// check. A Google account without a YouTube channel is a Permanent error:
// there is nothing to publish to.
func (c *Client) Profile(ctx context.Context, accessToken string) (providers.Profile, error) {
	const op = "read channel"
	var cl channelList
	q := url.Values{"part": {"snippet"}, "mine": {"true"}}
	if err := c.apiGet(ctx, op, accessToken, c.cfg.APIBaseURL, "/youtube/v3/channels", q, &cl); err != nil {
		return providers.Profile{}, err
	}
	if len(cl.Items) == 0 {
		return providers.Profile{}, noChannel(op)
	}
	ch := cl.Items[0]
	p := providers.Profile{ExternalID: ch.ID, Username: ch.Snippet.CustomURL, Name: ch.Snippet.Title}
	if p.Username == "" {
		p.Username = ch.Snippet.Title
	}
	return p, nil
}

func noChannel(op string) error {
	return &providers.Error{Provider: provider, Op: op, Class: providers.Permanent, Status: http.StatusOK,
		Code: "channelNotFound", Message: "the Google account has no YouTube channel"}
}
