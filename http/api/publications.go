package api

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
)

// Publications runs the publishing use cases (package publications).
type Publications interface {
	List(ctx context.Context, p domain.Principal, f domain.PublicationFilter, after *domain.Position, limit int) ([]domain.Publication, error)
	Get(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.Publication, error)
	Schedule(ctx context.Context, p domain.Principal, content uuid.UUID, accounts []uuid.UUID, publishAt time.Time) ([]domain.Publication, error)
	PublishNow(ctx context.Context, p domain.Principal, content uuid.UUID, accounts []uuid.UUID) ([]domain.Publication, error)
	Unschedule(ctx context.Context, p domain.Principal, content uuid.UUID) ([]domain.Publication, error)
	Reschedule(ctx context.Context, p domain.Principal, id uuid.UUID, at time.Time) (domain.Publication, error)
	Retry(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.Publication, error)
}

// publicationRoutes registers the scheduling and publication routes.
func (a *API) publicationRoutes(v1 fiber.Router) {
	auth := func(h ...fiber.Handler) []fiber.Handler {
		return append([]fiber.Handler{a.authenticate, a.limitPrincipal}, h...)
	}
	v1.Post("/contents/:id/schedule", auth(a.idempotent, a.scheduleContent)...)
	v1.Post("/contents/:id/publish-now", auth(a.idempotent, a.publishContentNow)...)
	v1.Post("/contents/:id/unschedule", auth(a.idempotent, a.unscheduleContent)...)
	v1.Get("/publications", auth(a.listPublications)...)
	v1.Get("/publications/:id", auth(a.getPublication)...)
	v1.Patch("/publications/:id", auth(a.reschedulePublication)...)
	v1.Post("/publications/:id/retry", auth(a.idempotent, a.retryPublication)...)
}

// publishTime reads a publish time: RFC 3339 with an explicit offset ("Z"
// included), or a local date-time with an IANA time zone in zoneField. A
// time without either is refused: guessing the zone moves posts by hours.
func publishTime(field, value, zoneField, zone string) (time.Time, error) {
	if value == "" {
		return time.Time{}, domain.Invalid(field, "is required (RFC 3339 with an explicit offset, e.g. 2026-12-01T09:00:00+01:00)")
	}
	if t, err := time.Parse(time.RFC3339Nano, value); err == nil {
		return t.UTC(), nil
	}
	if zone == "" {
		return time.Time{}, domain.Invalid(field, "must be RFC 3339 with an explicit offset (e.g. 2026-12-01T09:00:00+01:00 or 2026-12-01T08:00:00Z), or a local time with %s", zoneField)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || strings.TrimSpace(zone) == "" || zone == "Local" {
		return time.Time{}, domain.Invalid(zoneField, "must be an IANA time zone such as Europe/Lisbon")
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, value, loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, domain.Invalid(field, "must be a date-time such as 2026-12-01T09:00:00")
}

// accountIDs parses social_account_ids, naming the position of a bad one.
func accountIDs(list []string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, 0, len(list))
	for i, s := range list {
		id, err := parseID(fmt.Sprintf("social_account_ids[%d]", i), s)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

type scheduleBody struct {
	PublishAt        string   `json:"publish_at"`
	TimeZone         string   `json:"timezone"`
	SocialAccountIDs []string `json:"social_account_ids"`
}

func (a *API) scheduleContent(c *fiber.Ctx) error {
	id, err := parseID("id", c.Params("id"))
	if err != nil {
		return err
	}
	var body scheduleBody
	if err := DecodeJSON(c, &body); err != nil {
		return err
	}
	at, err := publishTime("publish_at", body.PublishAt, "timezone", body.TimeZone)
	if err != nil {
		return err
	}
	accounts, err := accountIDs(body.SocialAccountIDs)
	if err != nil {
		return err
	}
	list, err := a.opts.Publications.Schedule(c.UserContext(), principal(c), id, accounts, at)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusCreated, list)
}

type publishNowBody struct {
	SocialAccountIDs []string `json:"social_account_ids"`
}

func (a *API) publishContentNow(c *fiber.Ctx) error {
	id, err := parseID("id", c.Params("id"))
	if err != nil {
		return err
	}
	var body publishNowBody
	if err := DecodeJSON(c, &body); err != nil {
		return err
	}
	accounts, err := accountIDs(body.SocialAccountIDs)
	if err != nil {
		return err
	}
	list, err := a.opts.Publications.PublishNow(c.UserContext(), principal(c), id, accounts)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusAccepted, list)
}

func (a *API) unscheduleContent(c *fiber.Ctx) error {
	id, err := parseID("id", c.Params("id"))
	if err != nil {
		return err
	}
	list, err := a.opts.Publications.Unschedule(c.UserContext(), principal(c), id)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, list)
}

func (a *API) listPublications(c *fiber.Ctx) error {
	var f domain.PublicationFilter
	if s := c.Query("status"); s != "" {
		ok := false
		for _, x := range domain.PublicationStatuses {
			ok = ok || string(x) == s
		}
		if !ok {
			return domain.Invalid("status", "must be one of scheduled, publishing, published, retry_scheduled, failed, unknown_outcome, cancelled")
		}
		f.Status = domain.PublicationStatus(s)
	}
	for field, dst := range map[string]*uuid.UUID{"social_account_id": &f.AccountID, "content_id": &f.ContentID} {
		if s := c.Query(field); s != "" {
			id, err := parseID(field, s)
			if err != nil {
				return err
			}
			*dst = id
		}
	}
	for field, dst := range map[string]**time.Time{"from": &f.From, "to": &f.To} {
		if s := c.Query(field); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return domain.Invalid(field, "must be RFC 3339 with an explicit offset")
			}
			*dst = &t
		}
	}
	return listPage(a, c, "publications", func(after []byte, limit int) ([]domain.Publication, error) {
		pos, err := positionOf(after)
		if err != nil {
			return nil, err
		}
		return a.opts.Publications.List(c.UserContext(), principal(c), f, pos, limit)
	}, func(p domain.Publication) []byte { return positionBytes(p.PublishAt, p.ID) })
}

func (a *API) getPublication(c *fiber.Ctx) error {
	id, err := parseID("id", c.Params("id"))
	if err != nil {
		return err
	}
	p, err := a.opts.Publications.Get(c.UserContext(), principal(c), id)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, p)
}

type rescheduleBody struct {
	PublishAt string `json:"publish_at"`
	TimeZone  string `json:"timezone"`
}

func (a *API) reschedulePublication(c *fiber.Ctx) error {
	id, err := parseID("id", c.Params("id"))
	if err != nil {
		return err
	}
	var body rescheduleBody
	if err := DecodeJSON(c, &body); err != nil {
		return err
	}
	at, err := publishTime("publish_at", body.PublishAt, "timezone", body.TimeZone)
	if err != nil {
		return err
	}
	p, err := a.opts.Publications.Reschedule(c.UserContext(), principal(c), id, at)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, p)
}

func (a *API) retryPublication(c *fiber.Ctx) error {
	id, err := parseID("id", c.Params("id"))
	if err != nil {
		return err
	}
	p, err := a.opts.Publications.Retry(c.UserContext(), principal(c), id)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusAccepted, p)
}
