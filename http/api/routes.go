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

	v1 := a.app.Group("/api/v1")
	v1.Get("/openapi.json", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Send(openapi.JSON())
	})
}
