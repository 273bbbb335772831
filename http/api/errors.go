package api

import (
	"errors"
	"log/slog"
	"math"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/socialmediamanager/smm/domain"
)

// statusOf is the one mapping from domain error codes to HTTP statuses.
var statusOf = map[domain.Code]int{
	domain.CodeInvalid:              fiber.StatusBadRequest,
	domain.CodeInvalidCursor:        fiber.StatusBadRequest,
	domain.CodeUnauthorized:         fiber.StatusUnauthorized,
	domain.CodeForbidden:            fiber.StatusForbidden,
	domain.CodeNotFound:             fiber.StatusNotFound,
	domain.CodeMethodNotAllowed:     fiber.StatusMethodNotAllowed,
	domain.CodeConflict:             fiber.StatusConflict,
	domain.CodePayloadTooLarge:      fiber.StatusRequestEntityTooLarge,
	domain.CodeUnsupportedMediaType: fiber.StatusUnsupportedMediaType,
	domain.CodeRateLimited:          fiber.StatusTooManyRequests,
	domain.CodeInternal:             fiber.StatusInternalServerError,
	domain.CodeUnavailable:          fiber.StatusServiceUnavailable,
	domain.CodeMFARequired:          fiber.StatusUnauthorized,
	domain.CodeInsufficientScope:    fiber.StatusForbidden,
	domain.CodeIdempotencyKeyReused: fiber.StatusUnprocessableEntity,
}

// StatusOf returns the HTTP status of a domain code.
func StatusOf(code domain.Code) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return fiber.StatusInternalServerError
}

// fromFiberError translates the errors fiber and fasthttp raise themselves
// (no route, wrong method, body too large…) into domain errors.
func fromFiberError(c *fiber.Ctx, fe *fiber.Error) *domain.Error {
	switch fe.Code {
	case fiber.StatusNotFound:
		return domain.Errorf(domain.CodeNotFound, "no route for %s %s", c.Method(), c.Path())
	case fiber.StatusMethodNotAllowed:
		return domain.Errorf(domain.CodeMethodNotAllowed, "method %s is not allowed on %s", c.Method(), c.Path())
	case fiber.StatusRequestEntityTooLarge:
		return domain.Errorf(domain.CodePayloadTooLarge, "request body is larger than the limit")
	case fiber.StatusUnsupportedMediaType:
		return domain.Errorf(domain.CodeUnsupportedMediaType, "unsupported content type")
	case fiber.StatusServiceUnavailable:
		return domain.Errorf(domain.CodeUnavailable, "service unavailable")
	case fiber.StatusTooManyRequests:
		return domain.Errorf(domain.CodeRateLimited, "too many requests")
	case fiber.StatusUnauthorized:
		return domain.Errorf(domain.CodeUnauthorized, "authentication required")
	case fiber.StatusForbidden:
		return domain.Errorf(domain.CodeForbidden, "forbidden")
	}
	if fe.Code >= 500 {
		return domain.Internal(fe)
	}
	return &domain.Error{Code: domain.CodeInvalid, Message: fe.Message}
}

// handleError is fiber's error handler: every error, from a handler, the
// router or the server itself, ends here and leaves as the error envelope.
// Only internal errors are logged as errors, with their cause; clients never
// see a cause.
func (a *API) handleError(c *fiber.Ctx, err error) error {
	a.ensureBaseline(c)

	var list domain.Errors
	if errors.As(err, &list) && len(list) > 0 {
		body := make([]ErrorBody, len(list))
		for i, e := range list {
			body[i] = ErrorBody{Code: string(e.Code), Message: e.Message, Field: e.Field, Network: e.Network}
		}
		return c.Status(StatusOf(list[0].Code)).JSON(errorEnvelope{Errors: body, Meta: Meta{RequestID: RequestID(c)}})
	}

	var de *domain.Error
	var fe *fiber.Error
	switch {
	case errors.As(err, &de):
	case errors.As(err, &fe):
		de = fromFiberError(c, fe)
	default:
		de = domain.Internal(err)
	}
	if de.Code == domain.CodeInternal {
		a.logger.ErrorContext(c.UserContext(), "internal error", slog.String("method", c.Method()), slog.String("path", c.Path()), slog.Any("error", err))
	}
	if de.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(de.RetryAfter.Seconds()))))
	}
	msg := de.Message
	if msg == "" {
		msg = string(de.Code)
	}
	return c.Status(StatusOf(de.Code)).JSON(errorEnvelope{
		Errors: []ErrorBody{{Code: string(de.Code), Message: msg, Field: de.Field}},
		Meta:   Meta{RequestID: RequestID(c)},
	})
}
