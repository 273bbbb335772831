package api

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/identity"
)

// identityRoutes registers the identity and tenancy routes under /api/v1.
func (a *API) identityRoutes(v1 fiber.Router) {
	// Sign-in answers are never stored for replay: each carries fresh
	// tokens, and each attempt must be audited and throttled.
	v1.Post("/auth/register", a.limitExpensive("register"), a.idempotent, a.register)
	v1.Post("/auth/login", a.limitExpensive("login"), a.login)
	v1.Post("/auth/refresh", a.refresh)

	// Accepting an invitation works signed in, or by registering with it.
	v1.Post("/invitations/:token/accept", a.limitExpensive("accept"), a.optionalAuth, a.idempotent, a.acceptInvitation)

	// Authenticated routes carry their middleware themselves (not a group
	// Use), so an unknown path still answers 404, not 401.
	auth := func(h ...fiber.Handler) []fiber.Handler {
		return append([]fiber.Handler{a.authenticate, a.limitPrincipal}, h...)
	}
	v1.Post("/auth/logout", auth(a.logout)...)
	v1.Post("/auth/switch-organization", auth(a.switchOrganization)...)
	v1.Post("/auth/2fa/setup", auth(a.limitExpensive("2fa"), a.setupTOTP)...)
	v1.Post("/auth/2fa/enable", auth(a.limitExpensive("2fa"), a.enableTOTP)...)
	v1.Post("/auth/2fa/disable", auth(a.limitExpensive("2fa"), a.disableTOTP)...)
	v1.Get("/me", auth(a.me)...)
	v1.Get("/me/logins", auth(a.myLogins)...)
	v1.Get("/organizations", auth(a.listOrganizations)...)
	v1.Post("/organizations", auth(a.idempotent, a.createOrganization)...)
	v1.Get("/organization", auth(a.getOrganization)...)
	v1.Patch("/organization", auth(a.updateOrganization)...)
	v1.Delete("/organization", auth(a.deleteOrganization)...)
	v1.Get("/members", auth(a.listMembers)...)
	v1.Patch("/members/:user_id", auth(a.changeMember)...)
	v1.Delete("/members/:user_id", auth(a.removeMember)...)
	v1.Post("/invitations", auth(a.limitExpensive("invitations"), a.idempotent, a.invite)...)
	v1.Get("/api-keys", auth(a.listAPIKeys)...)
	v1.Post("/api-keys", auth(a.idempotent, a.createAPIKey)...)
	v1.Delete("/api-keys/:id", auth(a.revokeAPIKey)...)
}

func (a *API) register(c *fiber.Ctx) error {
	var in identity.RegisterInput
	if err := DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := a.opts.Identity.Register(c.UserContext(), in, a.client(c))
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusCreated, out)
}

func (a *API) login(c *fiber.Ctx) error {
	var in identity.LoginInput
	if err := DecodeJSON(c, &in); err != nil {
		return err
	}
	pair, err := a.opts.Identity.Login(c.UserContext(), in, a.client(c))
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, pair)
}

func (a *API) refresh(c *fiber.Ctx) error {
	var in struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := DecodeJSON(c, &in); err != nil {
		return err
	}
	if in.RefreshToken == "" {
		return domain.Invalid("refresh_token", "is required")
	}
	pair, err := a.opts.Identity.Refresh(c.UserContext(), in.RefreshToken, a.client(c))
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, pair)
}

func (a *API) logout(c *fiber.Ctx) error {
	if err := a.opts.Identity.Logout(c.UserContext(), principal(c)); err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, fiber.Map{"logged_out": true})
}

func (a *API) switchOrganization(c *fiber.Ctx) error {
	var in struct {
		OrganizationID string `json:"organization_id"`
	}
	if err := DecodeJSON(c, &in); err != nil {
		return err
	}
	id, err := parseID("organization_id", in.OrganizationID)
	if err != nil {
		return err
	}
	pair, err := a.opts.Identity.SwitchOrganization(c.UserContext(), principal(c), id)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, pair)
}

func (a *API) setupTOTP(c *fiber.Ctx) error {
	out, err := a.opts.Identity.SetupTOTP(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, out)
}

type codeInput struct {
	Code string `json:"code"`
}

func decodeCode(c *fiber.Ctx) (string, error) {
	var in codeInput
	if err := DecodeJSON(c, &in); err != nil {
		return "", err
	}
	if in.Code == "" {
		return "", domain.Invalid("code", "is required")
	}
	return in.Code, nil
}

func (a *API) enableTOTP(c *fiber.Ctx) error {
	code, err := decodeCode(c)
	if err != nil {
		return err
	}
	codes, err := a.opts.Identity.EnableTOTP(c.UserContext(), principal(c), code)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, fiber.Map{"enabled": true, "recovery_codes": codes})
}

func (a *API) disableTOTP(c *fiber.Ctx) error {
	code, err := decodeCode(c)
	if err != nil {
		return err
	}
	if err := a.opts.Identity.DisableTOTP(c.UserContext(), principal(c), code); err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, fiber.Map{"enabled": false})
}

func (a *API) me(c *fiber.Ctx) error {
	me, err := a.opts.Identity.Me(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, me)
}

func (a *API) myLogins(c *fiber.Ctx) error {
	return listPage(a, c, "me/logins", func(after []byte, limit int) ([]domain.LoginAttempt, error) {
		pos, err := positionOf(after)
		if err != nil {
			return nil, err
		}
		return a.opts.Identity.LoginAttempts(c.UserContext(), principal(c), pos, limit)
	}, func(r domain.LoginAttempt) []byte { return positionBytes(r.CreatedAt, r.ID) })
}

func (a *API) listOrganizations(c *fiber.Ctx) error {
	return listPage(a, c, "organizations", func(after []byte, limit int) ([]domain.Membership, error) {
		return a.opts.Identity.Organizations(c.UserContext(), principal(c), uuidOf(after), limit)
	}, func(m domain.Membership) []byte { return m.OrganizationID[:] })
}

func (a *API) createOrganization(c *fiber.Ctx) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := DecodeJSON(c, &in); err != nil {
		return err
	}
	org, err := a.opts.Identity.CreateOrganization(c.UserContext(), principal(c), in.Name)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusCreated, org)
}

func (a *API) getOrganization(c *fiber.Ctx) error {
	org, err := a.opts.Identity.Organization(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, org)
}

func (a *API) updateOrganization(c *fiber.Ctx) error {
	var patch identity.OrganizationPatch
	if err := DecodeJSON(c, &patch); err != nil {
		return err
	}
	org, err := a.opts.Organizations.UpdateOrganization(c.UserContext(), principal(c), patch)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, org)
}

func (a *API) deleteOrganization(c *fiber.Ctx) error {
	p := principal(c)
	if err := a.opts.Identity.DeleteOrganization(c.UserContext(), p, c.Get(totpHeader)); err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, fiber.Map{"id": p.OrganizationID, "deleted": true})
}

func (a *API) listMembers(c *fiber.Ctx) error {
	return listPage(a, c, "members", func(after []byte, limit int) ([]domain.Membership, error) {
		return a.opts.Identity.Members(c.UserContext(), principal(c), uuidOf(after), limit)
	}, func(m domain.Membership) []byte { return m.UserID[:] })
}

func (a *API) changeMember(c *fiber.Ctx) error {
	id, err := parseID("user_id", c.Params("user_id"))
	if err != nil {
		return err
	}
	var in struct {
		Role domain.Role `json:"role"`
	}
	if err := DecodeJSON(c, &in); err != nil {
		return err
	}
	m, err := a.opts.Identity.ChangeRole(c.UserContext(), principal(c), id, in.Role, c.Get(totpHeader))
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, m)
}

func (a *API) removeMember(c *fiber.Ctx) error {
	id, err := parseID("user_id", c.Params("user_id"))
	if err != nil {
		return err
	}
	if err := a.opts.Identity.RemoveMember(c.UserContext(), principal(c), id, c.Get(totpHeader)); err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, fiber.Map{"user_id": id, "deleted": true})
}

func (a *API) invite(c *fiber.Ctx) error {
	var in struct {
		Email string      `json:"email"`
		Role  domain.Role `json:"role"`
	}
	if err := DecodeJSON(c, &in); err != nil {
		return err
	}
	inv, err := a.opts.Identity.Invite(c.UserContext(), principal(c), in.Email, in.Role)
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusCreated, inv)
}

// optionalAuth authenticates when a credential is sent and lets the request
// through without one.
func (a *API) optionalAuth(c *fiber.Ctx) error {
	if c.Get(fiber.HeaderAuthorization) == "" {
		return c.Next()
	}
	return a.authenticate(c)
}

func (a *API) acceptInvitation(c *fiber.Ctx) error {
	token := c.Params("token")
	if p, ok := c.Locals(principalKey).(domain.Principal); ok {
		m, err := a.opts.Identity.AcceptInvitation(c.UserContext(), p, token)
		if err != nil {
			return err
		}
		return Respond(c, fiber.StatusOK, m)
	}
	var in identity.RegisterInput
	if err := DecodeJSON(c, &in); err != nil {
		return err
	}
	if in.OrganizationName != "" {
		return domain.Invalid("organization_name", "is not accepted here: you join the inviting organization")
	}
	out, err := a.opts.Identity.RegisterWithInvitation(c.UserContext(), token, in, a.client(c))
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusCreated, out)
}

func (a *API) listAPIKeys(c *fiber.Ctx) error {
	return listPage(a, c, "api-keys", func(after []byte, limit int) ([]domain.APIKey, error) {
		pos, err := positionOf(after)
		if err != nil {
			return nil, err
		}
		return a.opts.Identity.APIKeys(c.UserContext(), principal(c), pos, limit)
	}, func(k domain.APIKey) []byte { return positionBytes(k.CreatedAt, k.ID) })
}

func (a *API) createAPIKey(c *fiber.Ctx) error {
	var in struct {
		Name   string         `json:"name"`
		Scopes []domain.Scope `json:"scopes"`
	}
	if err := DecodeJSON(c, &in); err != nil {
		return err
	}
	k, err := a.opts.Identity.CreateAPIKey(c.UserContext(), principal(c), in.Name, in.Scopes, c.Get(totpHeader))
	if err != nil {
		return err
	}
	return Respond(c, fiber.StatusCreated, k)
}

func (a *API) revokeAPIKey(c *fiber.Ctx) error {
	id, err := parseID("id", c.Params("id"))
	if err != nil {
		return err
	}
	if err := a.opts.Identity.RevokeAPIKey(c.UserContext(), principal(c), id, c.Get(totpHeader)); err != nil {
		return err
	}
	return Respond(c, fiber.StatusOK, fiber.Map{"id": id, "deleted": true})
}

// parseID reads a UUID from a path or body field, naming the field when it
// is malformed.
func parseID(field, s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil || s == "" {
		return uuid.Nil, domain.Invalid(field, "must be a UUID")
	}
	return id, nil
}

// listPage serves one page of a keyset-paginated list: fetch returns up to
// limit items after the position decoded from the cursor (nil on the first
// page); it is asked for one more than the page size, to learn whether
// another page follows; key gives an item's position for the next cursor.
func listPage[T any](a *API, c *fiber.Ctx, scope string, fetch func(after []byte, limit int) ([]T, error), key func(T) []byte) error {
	page, err := a.Cursors.ParsePage(c, scope)
	if err != nil {
		return err
	}
	rows, err := fetch(page.After, page.Limit+1)
	if err != nil {
		return err
	}
	more := len(rows) > page.Limit
	var last []byte
	if more {
		rows = rows[:page.Limit]
		last = key(rows[len(rows)-1])
	}
	if rows == nil {
		rows = []T{}
	}
	return RespondPage(c, rows, a.Cursors.PageMeta(scope, page, more, last))
}

// uuidOf reads an id position (uuid.Nil on the first page).
func uuidOf(after []byte) uuid.UUID {
	id, err := uuid.FromBytes(after)
	if err != nil {
		return uuid.Nil
	}
	return id
}

func positionBytes(t time.Time, id uuid.UUID) []byte {
	b, _ := json.Marshal(domain.Position{Time: t, ID: id})
	return b
}

// positionOf decodes a keyset (time, id) position; nil on the first page.
func positionOf(after []byte) (*domain.Position, error) {
	if after == nil {
		return nil, nil
	}
	var p domain.Position
	if err := json.Unmarshal(after, &p); err != nil {
		return nil, &domain.Error{Code: domain.CodeInvalidCursor, Field: "cursor", Message: "cursor is malformed"}
	}
	return &p, nil
}
