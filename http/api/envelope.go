package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/socialmediamanager/smm/telemetry"
)

// Meta is the "meta" object of every response: always the request id, and
// pagination or health details where they apply.
type Meta struct {
	RequestID string `json:"request_id"`
	*PageMeta
	Checks map[string]string `json:"checks,omitempty"`
}

// PageMeta tells a client how to fetch the next page of a list.
type PageMeta struct {
	NextCursor  *string `json:"next_cursor"`
	HasMore     bool    `json:"has_more"`
	Limit       int     `json:"limit"`
	LimitCapped bool    `json:"limit_capped,omitempty"`
}

// ErrorBody is one entry of a failed response's "errors" list. Code is stable
// and machine-readable; Field names the request field at fault, when one is.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// Network names the social network whose rule a content breaks.
	Network string `json:"network,omitempty"`
}

type dataEnvelope struct {
	Data any  `json:"data"`
	Meta Meta `json:"meta"`
}

type errorEnvelope struct {
	Errors []ErrorBody `json:"errors"`
	Meta   Meta        `json:"meta"`
}

// RequestID returns the id given to the request being served.
func RequestID(c *fiber.Ctx) string {
	if ids := telemetry.IDsFrom(c.UserContext()); ids != nil {
		return ids.RequestID
	}
	return ""
}

// Respond writes data in the success envelope.
func Respond(c *fiber.Ctx, status int, data any) error {
	return c.Status(status).JSON(dataEnvelope{Data: data, Meta: Meta{RequestID: RequestID(c)}})
}

// RespondPage writes one page of a list in the success envelope, with the
// cursor of the next page.
func RespondPage(c *fiber.Ctx, data any, page PageMeta) error {
	return c.Status(fiber.StatusOK).JSON(dataEnvelope{Data: data, Meta: Meta{RequestID: RequestID(c), PageMeta: &page}})
}
