package ratelimit

import (
	"math"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/socialmediamanager/smm/domain"
)

// The header fields of "RateLimit header fields for HTTP",
// draft-ietf-httpapi-ratelimit-headers-10 (27 September 2025):
// https://datatracker.ietf.org/doc/html/draft-ietf-httpapi-ratelimit-headers-10
//
// Both are Structured Field Lists of Items whose value is the policy name
// (an sf-string):
//
//	RateLimit-Policy: "api";q=300;w=60;smm-burst=60
//	RateLimit: "api";r=59;t=1
//
// A GCRA limit of Rate per Period with Burst is advertised as the quota
// q=Rate over the window w=Period (in seconds) plus the vendor-prefixed
// parameter smm-burst=Burst (the draft asks for a vendor prefix on
// implementation-specific parameters, and its own example is acme-burst).
// In RateLimit, r is the requests the key may make right now and t is, on
// an allowed request, the seconds until the key is back to a full burst
// (a conservative effective window: the key cannot make more than r requests
// sooner than that without regaining some); on a refused one, r is 0 and t
// equals Retry-After, which the draft says must not point earlier than the
// end of the effective window.
//
// Several limits on one request (per IP, then per token, then per scope)
// each add their item to both lists.
const (
	HeaderRateLimitPolicy = "RateLimit-Policy"
	HeaderRateLimit       = "RateLimit"
)

// Middleware returns a fiber handler that limits requests by the key keyFn
// derives (an empty key skips limiting: for example no token yet) under the
// limit limitFn picks for the request (so that the limit may depend on the
// organization's plan). On every request it limits it adds the
// RateLimit-Policy and RateLimit items; on a refusal it returns
// domain.RateLimited carrying RetryAfter, which the edge renders as 429 with
// Retry-After. When Redis does not answer, mode decides (see Allow); under
// FailClosed the error is domain.Unavailable (503).
//
// keyFn should return a stable identifier rather than a secret (the token's
// id rather than the token); keys are hashed before storage either way.
func (l *Limiter) Middleware(keyFn func(*fiber.Ctx) string, limitFn func(*fiber.Ctx) Limit, mode FailMode) fiber.Handler {
	return func(c *fiber.Ctx) error {
		key := keyFn(c)
		if key == "" {
			return c.Next()
		}
		res, err := l.Allow(c.UserContext(), key, limitFn(c), mode)
		if err != nil {
			return err
		}
		SetHeaders(c, res)
		if !res.Allowed {
			return domain.RateLimited(res.RetryAfter, "too many requests (limit %q), retry in %d s", res.Limit.Name, ceilSeconds(res.RetryAfter))
		}
		return c.Next()
	}
}

// SetHeaders adds res's items to the RateLimit-Policy and RateLimit fields of
// the response, for handlers that call Allow themselves (per account at
// login, for instance).
func SetHeaders(c *fiber.Ctx, res Result) {
	l := res.Limit
	appendItem(c, HeaderRateLimitPolicy, PolicyItem(l))
	t := res.ResetAfter
	if !res.Allowed {
		t = res.RetryAfter
	}
	appendItem(c, HeaderRateLimit, sfString(l.Name)+";r="+strconv.Itoa(max(res.Remaining, 0))+";t="+strconv.FormatInt(ceilSeconds(t), 10))
}

// PolicyItem is the RateLimit-Policy item of l, for documentation and tests.
func PolicyItem(l Limit) string {
	return sfString(l.Name) + ";q=" + strconv.Itoa(l.Rate) + ";w=" + strconv.FormatInt(l.windowSeconds(), 10) + ";smm-burst=" + strconv.Itoa(l.Burst)
}

// appendItem adds one member to a Structured Field List header.
func appendItem(c *fiber.Ctx, field, item string) {
	if cur := c.Response().Header.Peek(field); len(cur) > 0 {
		c.Set(field, string(cur)+", "+item)
		return
	}
	c.Set(field, item)
}

// sfString serializes s as a Structured Field String (RFC 9651 §4.1.6).
// Limit names are validated to a safe alphabet, so this only guards against
// a Limit that skipped validation.
func sfString(s string) string {
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '"' || ch == '\\':
			b = append(b, '\\', ch)
		case ch < 0x20 || ch > 0x7e:
			b = append(b, '?')
		default:
			b = append(b, ch)
		}
	}
	return string(append(b, '"'))
}

func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64(math.Ceil(d.Seconds()))
}
