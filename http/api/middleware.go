package api

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/telemetry"
)

// Headers that carry the request's identifiers in and out.
const (
	HeaderRequestID     = "X-Request-ID"
	HeaderCorrelationID = "X-Correlation-ID"
	HeaderTraceParent   = "traceparent"
)

// requestIDs gives the request its ids: X-Request-ID and X-Correlation-ID
// are taken from the client when well-formed (so a caller can follow its own
// ids through our logs) or generated, and a W3C traceparent is continued or
// started. All three are echoed in the response and put on the context, so
// every log line of the request carries them.
func (a *API) requestIDs(c *fiber.Ctx) error {
	ids := &telemetry.IDs{RequestID: cleanID(c.Get(HeaderRequestID))}
	if ids.RequestID == "" {
		ids.RequestID = newRequestID()
	}
	ids.CorrelationID = cleanID(c.Get(HeaderCorrelationID))
	if ids.CorrelationID == "" {
		ids.CorrelationID = ids.RequestID
	}
	tp, ok := telemetry.ParseTraceParent(c.Get(HeaderTraceParent))
	if !ok {
		tp = telemetry.TraceParent{TraceID: telemetry.NewID(), Flags: "01"}
	}
	ids.TraceID = tp.TraceID
	ids.SpanID = telemetry.NewSpanID()
	tp.ParentID = ids.SpanID
	c.SetUserContext(telemetry.WithIDs(c.UserContext(), ids))
	c.Set(HeaderRequestID, ids.RequestID)
	c.Set(HeaderCorrelationID, ids.CorrelationID)
	c.Set(HeaderTraceParent, tp.String())
	return c.Next()
}

func newRequestID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return telemetry.NewID()
	}
	return id.String()
}

// cleanID accepts a client-supplied id only when it is short and made of
// characters that cannot break a log line or a header.
func cleanID(s string) string {
	if len(s) == 0 || len(s) > 128 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' || ch == '.' || ch == ':') {
			return ""
		}
	}
	return s
}

// accessLog writes one structured line per request and records the request
// metrics. It renders a returned error itself, through the error handler, so
// the status it logs is the status sent.
func (a *API) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	route := c.Route().Path
	if err != nil {
		if herr := a.app.ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
		if code := domain.ErrorCode(asDomain(c, err)); code == domain.CodeNotFound || code == domain.CodeMethodNotAllowed {
			if isRoutingError(err) {
				route = "(unmatched)"
			}
		}
	}
	status := c.Response().StatusCode()
	elapsed := time.Since(start)
	a.metrics.observe(c.Method(), route, status, elapsed)
	if a.logger.Enabled(c.UserContext(), slog.LevelInfo) {
		a.logger.LogAttrs(c.UserContext(), slog.LevelInfo, "request",
			slog.String("method", c.Method()),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
			slog.Int("bytes_out", len(c.Response().Body())),
			slog.String("remote_ip", c.IP()),
		)
	}
	return nil
}

func asDomain(c *fiber.Ctx, err error) error {
	if fe, ok := err.(*fiber.Error); ok {
		return fromFiberError(c, fe)
	}
	return err
}

// isRoutingError tells the router's own "no such route/method" apart from a
// handler's not_found, so unmatched paths share one metrics label.
func isRoutingError(err error) bool {
	fe, ok := err.(*fiber.Error)
	return ok && (fe.Code == fiber.StatusNotFound || fe.Code == fiber.StatusMethodNotAllowed)
}

// recoverPanics turns a panic into the internal error envelope; the stack
// goes to the log, never to the client.
func (a *API) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			a.logger.ErrorContext(c.UserContext(), "panic serving request",
				slog.String("panic", fmt.Sprint(r)), slog.String("stack", string(debug.Stack())))
			err = domain.Internal(fmt.Errorf("panic: %v", r))
		}
	}()
	return c.Next()
}

// securityHeaders sets the headers every response carries. Routes that serve
// a page (the API reference) replace the Content-Security-Policy with their own.
func (a *API) securityHeaders(c *fiber.Ctx) error {
	setSecurityHeaders(c)
	return c.Next()
}

func setSecurityHeaders(c *fiber.Ctx) {
	h := &c.Response().Header
	h.Set(fiber.HeaderStrictTransportSecurity, "max-age=63072000; includeSubDomains")
	h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	h.Set(fiber.HeaderXFrameOptions, "DENY")
	h.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	h.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; frame-ancestors 'none'")
	h.Set(fiber.HeaderCacheControl, "no-store")
}

// ensureBaseline gives responses produced outside the pipeline (the server
// rejecting an oversized body before any middleware ran) the same ids and
// security headers as every other response.
func (a *API) ensureBaseline(c *fiber.Ctx) {
	if telemetry.IDsFrom(c.UserContext()) == nil {
		ids := &telemetry.IDs{RequestID: newRequestID()}
		ids.CorrelationID = ids.RequestID
		ids.TraceID = telemetry.NewID()
		c.SetUserContext(telemetry.WithIDs(c.UserContext(), ids))
		c.Set(HeaderRequestID, ids.RequestID)
		c.Set(HeaderCorrelationID, ids.CorrelationID)
	}
	if len(c.Response().Header.Peek(fiber.HeaderXContentTypeOptions)) == 0 {
		setSecurityHeaders(c)
	}
}

// corsPolicy is the allow-list of browser origins; empty allows none.
type corsPolicy struct {
	origins map[string]bool
}

func newCORSPolicy(origins []string) corsPolicy {
	p := corsPolicy{origins: map[string]bool{}}
	for _, o := range origins {
		p.origins[o] = true
	}
	return p
}

const (
	corsAllowMethods  = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
	corsAllowHeaders  = "Authorization, Content-Type, Idempotency-Key, X-Request-ID, X-Correlation-ID, X-TOTP-Code, traceparent"
	corsExposeHeaders = "X-Request-ID, X-Correlation-ID, traceparent, RateLimit, RateLimit-Policy, Retry-After, Idempotent-Replayed, WWW-Authenticate"
)

// corsHandler answers preflights and marks allowed origins. An origin that
// is not on the list gets no Access-Control-Allow-Origin at all, so browsers
// refuse to hand it the response.
func (a *API) corsHandler(c *fiber.Ctx) error {
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" {
		return c.Next()
	}
	c.Vary(fiber.HeaderOrigin)
	allowed := a.cors.origins[origin]
	preflight := c.Method() == fiber.MethodOptions && c.Get(fiber.HeaderAccessControlRequestMethod) != ""
	if allowed {
		c.Set(fiber.HeaderAccessControlAllowOrigin, origin)
		c.Set(fiber.HeaderAccessControlAllowCredentials, "true")
		c.Set(fiber.HeaderAccessControlExposeHeaders, corsExposeHeaders)
	}
	if preflight {
		if allowed {
			c.Set(fiber.HeaderAccessControlAllowMethods, corsAllowMethods)
			c.Set(fiber.HeaderAccessControlAllowHeaders, corsAllowHeaders)
			c.Set(fiber.HeaderAccessControlMaxAge, strconv.Itoa(600))
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Next()
}
