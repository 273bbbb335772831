package api

import (
	"context"
	"errors"
	"html/template"
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/socialaccounts"
)

// SocialAccounts runs the social-accounts use cases (socialaccounts).
type SocialAccounts interface {
	Connect(ctx context.Context, p domain.Principal, provider domain.Provider) (socialaccounts.ConnectStart, error)
	Callback(ctx context.Context, provider domain.Provider, q socialaccounts.CallbackQuery) (domain.SocialAccount, error)
	List(ctx context.Context, p domain.Principal, after *domain.Position, limit int) ([]domain.SocialAccount, error)
	Get(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.SocialAccount, error)
	Disconnect(ctx context.Context, p domain.Principal, id uuid.UUID, totpCode string) error
}

// socialAccountRoutes registers the social-accounts routes under /api/v1.
func (a *API) socialAccountRoutes(v1 fiber.Router) {
	auth := func(h ...fiber.Handler) []fiber.Handler {
		return append([]fiber.Handler{a.authenticate, a.limitPrincipal}, h...)
	}
	v1.Post("/social-accounts/:provider/connect", auth(a.connectAccount)...)
	v1.Get("/social-accounts", auth(a.listSocialAccounts)...)
	v1.Get("/social-accounts/:id", auth(a.getSocialAccount)...)
	v1.Delete("/social-accounts/:id", auth(a.disconnectSocialAccount)...)
	// The provider sends the user's browser here: public, throttled per IP
	// like every API path; the single-use state is the credential.
	v1.Get("/oauth/:provider/callback", a.oauthCallback)
}

func (a *API) connectAccount(c *fiber.Ctx) error {
	provider, err := domain.ParseProvider("provider", c.Params("provider"))
	if err != nil {
		return err
	}
	out, err := a.opts.SocialAccounts.Connect(c.UserContext(), principal(c), provider)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, out)
}

func (a *API) listSocialAccounts(c *fiber.Ctx) error {
	return listPage(a, c, "social-accounts", func(after []byte, limit int) ([]domain.SocialAccount, error) {
		pos, err := positionOf(after)
		if err != nil {
			return nil, err
		}
		return a.opts.SocialAccounts.List(c.UserContext(), principal(c), pos, limit)
	}, func(s domain.SocialAccount) []byte { return positionBytes(s.CreatedAt, s.ID) })
}

func (a *API) getSocialAccount(c *fiber.Ctx) error {
	id, err := parseID("id", c.Params("id"))
	if err != nil {
		return err
	}
	acc, err := a.opts.SocialAccounts.Get(c.UserContext(), principal(c), id)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, acc)
}

func (a *API) disconnectSocialAccount(c *fiber.Ctx) error {
	id, err := parseID("id", c.Params("id"))
	if err != nil {
		return err
	}
	if err := a.opts.SocialAccounts.Disconnect(c.UserContext(), principal(c), id, c.Get(totpHeader)); err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, fiber.Map{"id": id, "deleted": true})
}

// callbackPage is what the browser shows at the end of a connection when
// no return URL is configured.
var callbackPage = template.Must(template.New("callback").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><h1>{{.Title}}</h1><p>{{.Message}}</p>{{if .Code}}<p><code>{{.Code}}</code></p>{{end}}</body></html>
`))

// oauthCallback completes a connection and answers the browser: a redirect
// to SMM_OAUTH_RETURN_URL with the outcome in the query, or a small page.
func (a *API) oauthCallback(c *fiber.Ctx) error {
	provider, perr := domain.ParseProvider("provider", c.Params("provider"))
	q := socialaccounts.CallbackQuery{State: c.Query("state"), Code: c.Query("code"),
		Error: c.Query("error"), ErrorDescription: c.Query("error_description")}
	var acc domain.SocialAccount
	err := perr
	if err == nil {
		acc, err = a.opts.SocialAccounts.Callback(c.UserContext(), provider, q)
	}
	status, reason, message := fiber.StatusOK, "", ""
	var cbErr *socialaccounts.CallbackError
	switch {
	case err == nil:
		message = "The " + string(acc.Provider) + " account " + acc.Username + " is connected. You can close this window."
	case errors.As(err, &cbErr):
		status, reason, message = cbErr.Status, cbErr.Reason, cbErr.Message
		if cbErr.Reason == socialaccounts.ReasonProviderError || cbErr.Reason == socialaccounts.ReasonUnavailable {
			a.logCallbackFailure(c, err)
		}
	default:
		return err
	}
	if ret := a.opts.OAuthReturnURL; ret != "" {
		u, uerr := url.Parse(ret)
		if uerr == nil {
			v := u.Query()
			v.Set("provider", c.Params("provider"))
			if err == nil {
				v.Set("status", "connected")
				v.Set("account_id", acc.ID.String())
			} else {
				v.Set("status", "error")
				v.Set("error", reason)
			}
			u.RawQuery = v.Encode()
			c.Set(fiber.HeaderCacheControl, "no-store")
			return c.Redirect(u.String(), fiber.StatusSeeOther)
		}
	}
	title := "Account connected"
	if err != nil {
		title = "The account was not connected"
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Status(status)
	return callbackPage.Execute(c.Response().BodyWriter(), map[string]string{"Title": title, "Message": message, "Code": reason})
}

func (a *API) logCallbackFailure(c *fiber.Ctx, err error) {
	a.opts.Logger.WarnContext(c.UserContext(), "oauth callback failed", "provider", c.Params("provider"), "error", err.Error())
}
