package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/socialmediamanager/smm/http/apidocs"
	"github.com/socialmediamanager/smm/http/openapi"
)

// routes registers every route of the edge. The OpenAPI document must list
// exactly these; a test compares them.
func (a *API) routes() {
	a.app.Get("/health/live", a.live)
	a.app.Get("/health/ready", a.ready)
	a.app.Get("/health/startup", a.startup)
	a.app.Get("/metrics", a.serveMetrics)

	apidocs.Mount(a.app, "/api/v1/openapi.json")

	a.app.Get("/.well-known/jwks.json", a.jwks)

	// Every API request counts against its client IP's limit, before
	// authentication, so floods of bogus credentials are throttled too.
	v1 := a.app.Group("/api/v1", a.limitPublic)
	v1.Get("/openapi.json", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Send(openapi.JSON())
	})
	if a.opts.Identity != nil {
		a.identityRoutes(v1)
		a.adminRoutes(v1)
	}
	if a.opts.SocialAccounts != nil {
		a.socialAccountRoutes(v1)
	}
	if a.opts.Campaigns != nil {
		a.campaignRoutes(v1)
	}
	if a.opts.Contents != nil {
		a.contentRoutes(v1)
	}
	if a.opts.Publications != nil {
		a.publicationRoutes(v1)
	}
}

// jwks publishes the public keys that verify access tokens, so other
// services can check our tokens themselves. It is public and cacheable.
func (a *API) jwks(c *fiber.Ctx) error {
	if a.opts.JWKS == nil {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, "application/jwk-set+json")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(a.opts.JWKS)
}
