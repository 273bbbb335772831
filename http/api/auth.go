package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/identity"
	"github.com/socialmediamanager/smm/telemetry"
)

const principalKey = "smm.principal"

// authenticate requires a bearer credential (access token or API key),
// resolves the principal with its current role in the active organization,
// and puts the organization and user on every later log line.
func (a *API) authenticate(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="smm"`)
		return domain.Errorf(domain.CodeUnauthorized, "send Authorization: Bearer <access token or API key>")
	}
	// fiber's header strings alias a buffer reused by the next request:
	// the identity service caches by token, so it gets its own copy.
	p, err := a.opts.Identity.Authenticate(c.UserContext(), strings.Clone(strings.TrimSpace(token)))
	if err != nil {
		if domain.ErrorCode(err) == domain.CodeUnauthorized {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="smm", error="invalid_token"`)
		}
		return err
	}
	c.Locals(principalKey, p)
	if ids := telemetry.IDsFrom(c.UserContext()); ids != nil {
		ids.OrganizationID = p.OrganizationID.String()
		ids.UserID = p.UserID.String()
	}
	return c.Next()
}

// principal returns who is acting; routes behind authenticate always have one.
func principal(c *fiber.Ctx) domain.Principal {
	p, _ := c.Locals(principalKey).(domain.Principal)
	return p
}

// client describes the caller for the audit.
func (a *API) client(c *fiber.Ctx) identity.Client {
	return identity.Client{IP: a.clientIP(c), UserAgent: c.Get(fiber.HeaderUserAgent)}
}

// totpHeader carries the step-up code for sensitive operations.
const totpHeader = "X-TOTP-Code"
