package instagram

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// AuthorizeURL is the consent page that sends the user back to
// redirectURI with a code and state. Instagram has no PKCE: pkce is
// ignored.
func (c *Client) AuthorizeURL(state, redirectURI string, _ providers.PKCE) string {
	q := url.Values{
		"client_id":     {c.cfg.ClientID},
		"redirect_uri":  {redirectURI},
		"response_type": {"code"},
		"scope":         {strings.Join(c.cfg.Scopes, ",")},
		"state":         {state},
	}
	return c.cfg.AuthorizeBaseURL + "/oauth/authorize?" + q.Encode()
}

// shortToken is the code exchange's answer: documented inside
// {"data":[…]} with permissions as "a,b", reported flat with permissions
// as an array and user_id as a number. Both are accepted.
type shortToken struct {
	AccessToken string      `json:"access_token"`
	UserID      flexString  `json:"user_id"`
	Permissions permissions `json:"permissions"`
}

type shortAnswer struct {
	Data []shortToken `json:"data"`
	shortToken
}

// flexString is a string that may arrive as a JSON number.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("neither a string nor a number: %w", err)
	}
	*f = flexString(n.String())
	return nil
}

// permissions is "a,b" or ["a","b"].
type permissions []string

func (p *permissions) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		*p = list
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("permissions: neither a list nor a string: %w", err)
	}
	*p = nil
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*p = append(*p, v)
		}
	}
	return nil
}

// longToken is the answer of the long-lived exchange and of a refresh.
type longToken struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   number `json:"expires_in"`
}

// Exchange trades the callback's code for a long-lived token (60 days):
// code → short-lived token (1 h) → long-lived token. Instagram issues no
// refresh token: Refresh renews the access token itself.
func (c *Client) Exchange(ctx context.Context, code, redirectURI string, _ providers.PKCE) (providers.Token, error) {
	code = strings.TrimSuffix(code, "#_")
	form := url.Values{
		"client_id":     {c.cfg.ClientID},
		"client_secret": {c.cfg.ClientSecret},
		"grant_type":    {"authorization_code"},
		"redirect_uri":  {redirectURI},
		"code":          {code},
	}
	const op = "exchange code"
	var ans shortAnswer
	rq := request{op: op, method: http.MethodPost, url: c.cfg.APIBaseURL + "/oauth/access_token", params: form, secrets: []string{code}}
	if err := c.do(ctx, rq, &ans); err != nil {
		return providers.Token{}, err
	}
	short := ans.shortToken
	if len(ans.Data) > 0 {
		short = ans.Data[0]
	}
	if short.AccessToken == "" {
		return providers.Token{}, local(op, providers.Permanent, "the answer holds no access_token")
	}
	tok, err := c.longLived(ctx, short.AccessToken)
	if err != nil {
		return providers.Token{}, err
	}
	tok.UserID = string(short.UserID)
	tok.Scopes = []string(short.Permissions)
	return tok, nil
}

// longLived exchanges a short-lived token for a long-lived one.
func (c *Client) longLived(ctx context.Context, short string) (providers.Token, error) {
	q := url.Values{"grant_type": {"ig_exchange_token"}, "client_secret": {c.cfg.ClientSecret}, "access_token": {short}}
	return c.tokenCall(ctx, "exchange for a long-lived token", c.graph("access_token"), q, short)
}

// Refresh gives a long-lived token 60 more days. Instagram refuses a token
// under 24 hours old (Permanent: the token still works) and an expired or
// invalidated one (code 190: AuthExpired, the account needs re-auth).
func (c *Client) Refresh(ctx context.Context, t providers.Token) (providers.Token, error) {
	const op = "refresh token"
	if t.AccessToken == "" {
		return providers.Token{}, local(op, providers.AuthExpired, "no access token to refresh")
	}
	q := url.Values{"grant_type": {"ig_refresh_token"}, "access_token": {t.AccessToken}}
	tok, err := c.tokenCall(ctx, op, c.graph("refresh_access_token"), q, t.AccessToken)
	if err != nil {
		return providers.Token{}, err
	}
	tok.UserID, tok.Scopes = t.UserID, t.Scopes
	return tok, nil
}

// tokenCall is a GET of the long-lived exchange or refresh, which take the
// token in the query (as documented).
func (c *Client) tokenCall(ctx context.Context, op, u string, q url.Values, token string) (providers.Token, error) {
	var ans longToken
	rq := request{op: op, method: http.MethodGet, url: u, params: q, secrets: []string{token}}
	if err := c.do(ctx, rq, &ans); err != nil {
		return providers.Token{}, err
	}
	if ans.AccessToken == "" {
		return providers.Token{}, local(op, providers.Permanent, "the answer holds no access_token")
	}
	tok := providers.Token{AccessToken: ans.AccessToken}
	if ans.ExpiresIn > 0 {
		tok.ExpiresAt = c.cfg.Now().Add(time.Duration(ans.ExpiresIn) * time.Second)
	}
	return tok, nil
}

// Revoke is not offered by Instagram: the user removes the app from their
// account settings. It returns providers.ErrNotSupported.
func (c *Client) Revoke(context.Context, providers.Token) error {
	return providers.ErrNotSupported
}

// Profile is the connected account (GET /me); it is also the connection's
// health check, failing with AuthExpired when the token no longer works.
func (c *Client) Profile(ctx context.Context, accessToken string) (providers.Profile, error) {
	var me struct {
		ID       flexString `json:"id"`
		UserID   flexString `json:"user_id"`
		Username string     `json:"username"`
		Name     string     `json:"name"`
	}
	q := url.Values{"fields": {"user_id,username,name"}}
	if err := c.get(ctx, "profile", accessToken, c.graph("me"), q, &me); err != nil {
		return providers.Profile{}, err
	}
	id := string(me.UserID)
	if id == "" {
		id = string(me.ID)
	}
	if id == "" {
		return providers.Profile{}, local("profile", providers.Permanent, "the answer holds no user_id")
	}
	return providers.Profile{ExternalID: id, Username: me.Username, Name: me.Name}, nil
}
