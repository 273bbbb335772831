package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/socialmediamanager/smm/http/ratelimit"
)

// Rate limiting (GCRA, see http/ratelimit): per client IP on every API
// request and per user or API key once authenticated, decided in-process
// and reported to Redis database 2 in the background (no round trip on the
// request path; enforced across instances within a flush interval); and
// per scope on the expensive routes, decided in Redis. Sign-in routes fail
// closed (503) when Redis is down, so brute force cannot ride an outage.

// clientIP is the caller's address, believing X-Forwarded-For only from
// SMM_TRUSTED_PROXIES.
func (a *API) clientIP(c *fiber.Ctx) string { return a.opts.TrustedProxies.ClientIP(c) }

func (a *API) limiter(keyFn func(*fiber.Ctx) string, limit ratelimit.Limit, mode ratelimit.FailMode) fiber.Handler {
	if a.opts.Limiter == nil {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	return a.opts.Limiter.Middleware(keyFn, func(*fiber.Ctx) ratelimit.Limit { return limit }, mode)
}

func (a *API) ipKey(c *fiber.Ctx) string { return ratelimit.IPKey(a.clientIP(c)) }

// buildLimiters prepares the rate-limit handlers once.
func (a *API) buildLimiters() {
	l := a.opts.RateLimits
	a.limitPublic = a.limiter(a.ipKey, l.IP, ratelimit.LocalFirst)
	a.limitPrincipal = a.limiter(principalKeyOf, l.Token, ratelimit.LocalFirst)
	a.scoped = map[string]fiber.Handler{
		"login":       a.limiter(a.ipKey, l.Login, ratelimit.FailClosed),
		"register":    a.limiter(a.ipKey, withName(l.Login, "register"), ratelimit.FailClosed),
		"accept":      a.limiter(a.ipKey, withName(l.Login, "accept"), ratelimit.FailClosed),
		"2fa":         a.limiter(principalKeyOf, l.TwoFactor, ratelimit.FailClosed),
		"invitations": a.limiter(func(c *fiber.Ctx) string { return "org:" + principal(c).OrganizationID.String() }, l.Invitations, ratelimit.FailOpenToLocal),
	}
}

// principalKeyOf keys a limit per user (all of a user's access tokens
// together, so minting tokens does not multiply the allowance) or per API
// key.
func principalKeyOf(c *fiber.Ctx) string {
	p := principal(c)
	if p.IsAPIKey() {
		return "key:" + p.APIKeyID.String()
	}
	return "user:" + p.UserID.String()
}

func withName(l ratelimit.Limit, name string) ratelimit.Limit {
	l.Name = name
	return l
}

// limitExpensive returns the per-scope limiter of an expensive route.
func (a *API) limitExpensive(scope string) fiber.Handler {
	h, ok := a.scoped[scope]
	if !ok {
		panic("api: no rate limit for scope " + scope)
	}
	return h
}
