package api

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/contents"
	"github.com/socialmediamanager/smm/domain"
)

// Campaigns runs the campaign use cases (contents.Campaigns).
type Campaigns interface {
	List(ctx context.Context, p domain.Principal, f domain.CampaignFilter, after *domain.Position, limit int) ([]domain.Campaign, error)
	Get(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.Campaign, error)
	Create(ctx context.Context, p domain.Principal, in contents.CampaignInput) (domain.Campaign, error)
	Update(ctx context.Context, p domain.Principal, id uuid.UUID, patch contents.CampaignPatch) (domain.Campaign, error)
	Delete(ctx context.Context, p domain.Principal, id uuid.UUID) error
}

// campaignRoutes registers the campaign routes under /api/v1.
func (a *API) campaignRoutes(v1 fiber.Router) {
	auth := func(h ...fiber.Handler) []fiber.Handler {
		return append([]fiber.Handler{a.authenticate, a.limitPrincipal}, h...)
	}
	v1.Get("/campaigns", auth(a.listCampaigns)...)
	v1.Post("/campaigns", auth(a.idempotent, a.createCampaign)...)
	v1.Get("/campaigns/:id", auth(a.getCampaign)...)
	v1.Patch("/campaigns/:id", auth(a.updateCampaign)...)
	v1.Delete("/campaigns/:id", auth(a.deleteCampaign)...)
}

func (a *API) listCampaigns(c *fiber.Ctx) error {
	// fiber's query strings alias a buffer reused by the next request.
	f := domain.CampaignFilter{Status: domain.CampaignStatus(strings.Clone(c.Query("status"))), Query: strings.Clone(c.Query("q"))}
	return listPage(a, c, "campaigns", func(after []byte, limit int) ([]domain.Campaign, error) {
		pos, err := positionOf(after)
		if err != nil {
			return nil, err
		}
		return a.opts.Campaigns.List(c.UserContext(), principal(c), f, pos, limit)
	}, func(x domain.Campaign) []byte { return positionBytes(x.CreatedAt, x.ID) })
}

func (a *API) createCampaign(c *fiber.Ctx) error {
	var in contents.CampaignInput
	if err := DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := a.opts.Campaigns.Create(c.UserContext(), principal(c), in)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusCreated, out)
}

func (a *API) getCampaign(c *fiber.Ctx) error {
	id, err := parseID("id", c.Params("id"))
	if err != nil {
		return err
	}
	out, err := a.opts.Campaigns.Get(c.UserContext(), principal(c), id)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, out)
}

func (a *API) updateCampaign(c *fiber.Ctx) error {
	id, err := parseID("id", c.Params("id"))
	if err != nil {
		return err
	}
	var patch contents.CampaignPatch
	if err := DecodeJSON(c, &patch); err != nil {
		return err
	}
	out, err := a.opts.Campaigns.Update(c.UserContext(), principal(c), id, patch)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, out)
}

func (a *API) deleteCampaign(c *fiber.Ctx) error {
	id, err := parseID("id", c.Params("id"))
	if err != nil {
		return err
	}
	if err := a.opts.Campaigns.Delete(c.UserContext(), principal(c), id); err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, fiber.Map{"id": id, "deleted": true})
}
