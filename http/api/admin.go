package api

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
)

// OrganizationCommands sends the organization-domain commands the edge
// takes to the organization's grain, wherever in the cluster it lives.
type OrganizationCommands interface {
	UpdateOrganization(ctx context.Context, p domain.Principal, patch domain.OrganizationPatch) (domain.Organization, error)
	Describe(ctx context.Context, org uuid.UUID) (domain.GrainActivation, error)
}

// ClusterOperator answers the operator view of the actor cluster.
type ClusterOperator interface {
	Status(ctx context.Context) (domain.ClusterView, error)
}

// adminRoutes registers the platform-admin routes: operators of the whole
// service, never an organization's own members.
func (a *API) adminRoutes(v1 fiber.Router) {
	admin := func(h fiber.Handler) []fiber.Handler {
		return []fiber.Handler{a.authenticate, a.limitPrincipal, a.requirePlatformAdmin, h}
	}
	v1.Get("/admin/cluster", admin(a.clusterStatus)...)
	v1.Get("/admin/cluster/organizations/:id", admin(a.organizationActivation)...)
}

// requirePlatformAdmin lets only a signed-in platform admin through: an API
// key belongs to an organization and is never one.
func (a *API) requirePlatformAdmin(c *fiber.Ctx) error {
	if err := a.opts.Identity.RequirePlatformAdmin(c.UserContext(), principal(c)); err != nil {
		return err
	}
	return c.Next()
}

func (a *API) clusterStatus(c *fiber.Ctx) error {
	view, err := a.opts.Cluster.Status(c.UserContext())
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, view)
}

// organizationActivation activates the organization's grain when it is not
// active and says which member hosts it.
func (a *API) organizationActivation(c *fiber.Ctx) error {
	id, err := parseID("id", c.Params("id"))
	if err != nil {
		return err
	}
	act, err := a.opts.Organizations.Describe(c.UserContext(), id)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, act)
}
