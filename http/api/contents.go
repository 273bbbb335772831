package api

import (
	"context"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/contents"
	"github.com/socialmediamanager/smm/domain"
)

// Contents runs the content use cases (contents.Contents).
type Contents interface {
	List(ctx context.Context, p domain.Principal, f domain.ContentFilter, after *domain.Position, limit int) ([]domain.Content, error)
	Get(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.Content, error)
	Create(ctx context.Context, p domain.Principal, in contents.ContentInput) (domain.Content, error)
	Update(ctx context.Context, p domain.Principal, id uuid.UUID, patch contents.ContentPatch) (domain.Content, error)
	Delete(ctx context.Context, p domain.Principal, id uuid.UUID) error
	Validate(ctx context.Context, p domain.Principal, in contents.ValidateInput) (contents.Validation, error)
}

// contentRoutes registers the content routes under /api/v1.
func (a *API) contentRoutes(v1 fiber.Router) {
	auth := func(h ...fiber.Handler) []fiber.Handler {
		return append([]fiber.Handler{a.authenticate, a.limitPrincipal}, h...)
	}
	v1.Get("/contents", auth(a.listContents)...)
	v1.Post("/contents", auth(a.idempotent, a.createContent)...)
	// A dry run: it creates nothing, so there is nothing to replay.
	v1.Post("/contents/validate", auth(a.validateContent)...)
	v1.Get("/contents/:id", auth(a.getContent)...)
	v1.Patch("/contents/:id", auth(a.updateContent)...)
	v1.Delete("/contents/:id", auth(a.deleteContent)...)
}

func (a *API) listContents(c *fiber.Ctx) error {
	f := domain.ContentFilter{Status: domain.ContentStatus(strings.Clone(c.Query("status")))}
	if raw := c.Query("campaign_id"); raw != "" {
		id, err := parseID("campaign_id", raw)
		if err != nil {
			return err
		}
		f.CampaignID = id
	}
	return listPage(a, c, "contents", func(after []byte, limit int) ([]domain.Content, error) {
		pos, err := positionOf(after)
		if err != nil {
			return nil, err
		}
		return a.opts.Contents.List(c.UserContext(), principal(c), f, pos, limit)
	}, func(x domain.Content) []byte { return positionBytes(x.CreatedAt, x.ID) })
}

func (a *API) createContent(c *fiber.Ctx) error {
	var in contents.ContentInput
	if err := DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := a.opts.Contents.Create(c.UserContext(), principal(c), in)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusCreated, out)
}

func (a *API) getContent(c *fiber.Ctx) error {
	id, err := parseID("id", c.Params("id"))
	if err != nil {
		return err
	}
	out, err := a.opts.Contents.Get(c.UserContext(), principal(c), id)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, out)
}

func (a *API) updateContent(c *fiber.Ctx) error {
	id, err := parseID("id", c.Params("id"))
	if err != nil {
		return err
	}
	var patch contents.ContentPatch
	if err := DecodeJSON(c, &patch); err != nil {
		return err
	}
	out, err := a.opts.Contents.Update(c.UserContext(), principal(c), id, patch)
	var refused *contents.Unpublishable
	if errors.As(err, &refused) {
		// The request is well formed; the content it would make cannot be
		// published where it is scheduled: 422, every violation listed.
		return respondViolations(c, fiber.StatusUnprocessableEntity, refused.Violations)
	}
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, out)
}

func (a *API) deleteContent(c *fiber.Ctx) error {
	id, err := parseID("id", c.Params("id"))
	if err != nil {
		return err
	}
	if err := a.opts.Contents.Delete(c.UserContext(), principal(c), id); err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, fiber.Map{"id": id, "deleted": true})
}

func (a *API) validateContent(c *fiber.Ctx) error {
	var in contents.ValidateInput
	if err := DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := a.opts.Contents.Validate(c.UserContext(), principal(c), in)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, out)
}

// respondViolations writes a list of violations in the error envelope with
// status, each naming its network and field.
func respondViolations(c *fiber.Ctx, status int, list domain.Errors) error {
	body := make([]ErrorBody, len(list))
	for i, e := range list {
		body[i] = ErrorBody{Code: string(e.Code), Message: e.Message, Field: e.Field, Network: e.Network}
	}
	return c.Status(status).JSON(errorEnvelope{Errors: body, Meta: Meta{RequestID: RequestID(c)}})
}
