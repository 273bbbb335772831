package ratelimit

import (
	"encoding/json"
	"io"
	"math"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"
	"github.com/socialmediamanager/smm/domain"
)

// The items of draft-ietf-httpapi-ratelimit-headers-10, as this package
// writes them: an sf-string name and integer parameters.
var (
	policyItemRE = regexp.MustCompile(`^"[a-z0-9._-]+";q=[0-9]+;w=[1-9][0-9]*;smm-burst=[0-9]+$`)
	limitItemRE  = regexp.MustCompile(`^"[a-z0-9._-]+";r=[0-9]+;t=[0-9]+$`)
)

// edgeErrors mimics the edge's error handler (http/api/errors.go): domain
// codes to statuses, Retry-After from Error.RetryAfter, the error envelope.
func edgeErrors(c *fiber.Ctx, err error) error {
	status := fiber.StatusInternalServerError
	de := domain.AsError(err)
	switch de.Code {
	case domain.CodeRateLimited:
		status = fiber.StatusTooManyRequests
	case domain.CodeUnavailable:
		status = fiber.StatusServiceUnavailable
	}
	if de.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(de.RetryAfter.Seconds()))))
	}
	return c.Status(status).JSON(fiber.Map{"errors": []fiber.Map{{"code": de.Code, "message": de.Message}}})
}

func newApp(handlers ...fiber.Handler) *fiber.App {
	app := fiber.New(fiber.Config{ErrorHandler: edgeErrors})
	handlers = append(handlers, func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/", handlers...)
	return app
}

type response struct {
	status int
	header func(string) string
	values func(string) []string
	code   string
}

func get(t *testing.T, app *fiber.App, hdr ...string) response {
	t.Helper()
	req := httptest.NewRequest("GET", "/", nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var env struct {
		Errors []struct{ Code string } `json:"errors"`
	}
	r := response{status: res.StatusCode, header: res.Header.Get, values: func(k string) []string { return res.Header.Values(k) }}
	if json.Unmarshal(body, &env) == nil && len(env.Errors) > 0 {
		r.code = env.Errors[0].Code
	}
	return r
}

func constKey(k string) func(*fiber.Ctx) string { return func(*fiber.Ctx) string { return k } }
func constLimit(l Limit) func(*fiber.Ctx) Limit { return func(*fiber.Ctx) Limit { return l } }

func TestMiddlewareHeaders(t *testing.T) {
	rdb := newRedis(t)
	l := New(rdb, nil)
	limit := Limit{Name: uniqueName(t, rdb), Rate: 1, Burst: 2, Period: time.Minute}
	app := newApp(l.Middleware(constKey("client"), constLimit(limit), FailOpenToLocal))
	policy := `"` + limit.Name + `";q=1;w=60;smm-burst=2`

	for i, want := range []string{`;r=1;t=60`, `;r=0;t=120`} {
		r := get(t, app)
		if r.status != 200 {
			t.Fatalf("request %d: status %d, want 200", i+1, r.status)
		}
		if got := r.header(HeaderRateLimitPolicy); got != policy || !policyItemRE.MatchString(got) {
			t.Fatalf("request %d: RateLimit-Policy %q, want %q", i+1, got, policy)
		}
		if got := r.header(HeaderRateLimit); got != `"`+limit.Name+`"`+want || !limitItemRE.MatchString(got) {
			t.Fatalf("request %d: RateLimit %q, want %q", i+1, got, `"`+limit.Name+`"`+want)
		}
		if r.header(fiber.HeaderRetryAfter) != "" {
			t.Fatalf("request %d: Retry-After on an allowed response", i+1)
		}
	}

	r := get(t, app)
	if r.status != fiber.StatusTooManyRequests || r.code != string(domain.CodeRateLimited) {
		t.Fatalf("3rd request: status %d code %q, want 429 rate_limited", r.status, r.code)
	}
	if got := r.header(HeaderRateLimitPolicy); got != policy {
		t.Fatalf("429: RateLimit-Policy %q, want %q", got, policy)
	}
	// One request comes back every 60s, and t equals Retry-After.
	if got, want := r.header(HeaderRateLimit), `"`+limit.Name+`";r=0;t=60`; got != want {
		t.Fatalf("429: RateLimit %q, want %q", got, want)
	}
	if got := r.header(fiber.HeaderRetryAfter); got != "60" {
		t.Fatalf("429: Retry-After %q, want 60", got)
	}
}

// TestMiddlewareStacked: the per-IP and per-token limits of one request each
// add an item to both lists.
func TestMiddlewareStacked(t *testing.T) {
	rdb := newRedis(t)
	l := New(rdb, nil)
	ip := Limit{Name: uniqueName(t, rdb), Rate: 100, Burst: 100, Period: time.Minute}
	token := Limit{Name: uniqueName(t, rdb), Rate: 10, Burst: 10, Period: time.Second}
	app := newApp(
		l.Middleware(constKey("ip:192.0.2.1"), constLimit(ip), FailOpenToLocal),
		l.Middleware(func(c *fiber.Ctx) string { return c.Get("X-Token-Id") }, constLimit(token), FailOpenToLocal),
	)
	r := get(t, app, "X-Token-Id", "tok-1")
	policies := strings.Split(r.header(HeaderRateLimitPolicy), ", ")
	limits := strings.Split(r.header(HeaderRateLimit), ", ")
	if r.status != 200 || len(policies) != 2 || len(limits) != 2 {
		t.Fatalf("status %d, policies %q, limits %q; want 200 and two items each", r.status, policies, limits)
	}
	for i, want := range []Limit{ip, token} {
		if policies[i] != PolicyItem(want) || !strings.HasPrefix(limits[i], `"`+want.Name+`";r=`) || !limitItemRE.MatchString(limits[i]) {
			t.Fatalf("item %d: %q / %q, want the %q policy", i, policies[i], limits[i], want.Name)
		}
	}

	// No token: the per-token limit is skipped, only the per-IP item is set.
	r = get(t, app)
	if r.status != 200 || strings.Contains(r.header(HeaderRateLimit), ",") || !strings.HasPrefix(r.header(HeaderRateLimit), `"`+ip.Name+`"`) {
		t.Fatalf("without token: status %d, RateLimit %q; want the per-IP item only", r.status, r.header(HeaderRateLimit))
	}
}

// TestMiddlewarePerPlan: limitFn picks the limit per request.
func TestMiddlewarePerPlan(t *testing.T) {
	rdb := newRedis(t)
	l := New(rdb, nil)
	name := uniqueName(t, rdb)
	plans := map[string]Limit{
		"free": {Name: name, Rate: 60, Burst: 10, Period: time.Minute},
		"pro":  {Name: name, Rate: 600, Burst: 100, Period: time.Minute},
	}
	app := newApp(l.Middleware(
		func(c *fiber.Ctx) string { return "org:" + c.Get("X-Org") },
		func(c *fiber.Ctx) Limit { return plans[c.Get("X-Plan")] },
		FailOpenToLocal))
	for plan, want := range map[string]string{"free": `";q=60;w=60;smm-burst=10`, "pro": `";q=600;w=60;smm-burst=100`} {
		r := get(t, app, "X-Org", plan, "X-Plan", plan)
		if got := r.header(HeaderRateLimitPolicy); got != `"`+name+want {
			t.Errorf("plan %s: RateLimit-Policy %q, want %q", plan, got, `"`+name+want)
		}
	}
}

func TestMiddlewareRedisDown(t *testing.T) {
	rdb := redis.NewClient(redisOptions(t, deadAddr(t)))
	defer rdb.Close()
	l := New(rdb, nil)
	limit := Limit{Name: "login", Rate: 1, Burst: 1, Period: time.Minute}

	closed := newApp(l.Middleware(constKey("acct"), constLimit(limit), FailClosed))
	r := get(t, closed)
	if r.status != fiber.StatusServiceUnavailable || r.code != string(domain.CodeUnavailable) || r.header(HeaderRateLimit) != "" {
		t.Fatalf("fail closed: status %d code %q RateLimit %q; want 503 unavailable without RateLimit", r.status, r.code, r.header(HeaderRateLimit))
	}
	if r.header(fiber.HeaderRetryAfter) == "" {
		t.Fatalf("fail closed: no Retry-After hint")
	}

	open := newApp(l.Middleware(constKey("ip"), constLimit(limit), FailOpenToLocal))
	if r := get(t, open); r.status != 200 || r.header(HeaderRateLimit) != `"login";r=0;t=60` {
		t.Fatalf("fail open: status %d RateLimit %q; want 200 limited locally", r.status, r.header(HeaderRateLimit))
	}
	if r := get(t, open); r.status != fiber.StatusTooManyRequests || r.header(fiber.HeaderRetryAfter) != "60" {
		t.Fatalf("fail open, 2nd: status %d Retry-After %q; want 429 after 60", r.status, r.header(fiber.HeaderRetryAfter))
	}
}

// TestMiddlewareInvalidLimit: a broken limit is an internal error, not a
// silently unlimited route.
func TestMiddlewareInvalidLimit(t *testing.T) {
	l := New(nil, nil)
	app := newApp(l.Middleware(constKey("k"), constLimit(Limit{Name: "x"}), FailOpenToLocal))
	if r := get(t, app); r.status != 500 {
		t.Fatalf("status %d, want 500", r.status)
	}
}

func TestSFString(t *testing.T) {
	for in, want := range map[string]string{"api": `"api"`, `a"b\c`: `"a\"b\\c"`, "é\n": `"???"`} {
		if got := sfString(in); got != want {
			t.Errorf("sfString(%q) = %s, want %s", in, got, want)
		}
	}
}
