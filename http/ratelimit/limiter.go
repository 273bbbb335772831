// Package ratelimit limits request rates with GCRA (the generic cell rate
// algorithm) kept in Redis logical database 2, so every instance of the
// service shares one count per key.
//
// A Limiter checks a key (client IP, token, account, organization…) against
// a Limit passed on each call, so the limit may vary per call (per plan).
// Middleware wraps it for fiber and advertises the limit in the RateLimit
// and RateLimit-Policy header fields; TrustedProxies finds the client's IP
// behind the load balancers named in SMM_TRUSTED_PROXIES.
//
// # When Redis does not answer
//
// Each call says how to fail with a FailMode:
//
//   - FailClosed (authentication: login, 2FA, password reset, accepting an
//     invitation): the call returns a domain.Unavailable error, which the
//     edge renders as 503. Guessing credentials is never unthrottled.
//   - FailOpenToLocal (everything else): the call is decided by an
//     in-process GCRA with the same arithmetic, Result.Source is "local".
//     Its state is per process (N instances allow up to N times the limit)
//     and capped in size (see DefaultLocalMaxKeys).
//
// The first failure of an outage is logged once at warn and the return of
// Redis once at info; not every request. After a failure the Limiter stops
// asking Redis for a short interval (one second by default, see
// WithRedisRetryInterval) and then lets one request at a time probe it: a
// Redis that hangs delays the requests already waiting on it (the client's
// timeouts, 2s and one retry in redisdb) and then one probe per interval,
// not every request. The 503 of FailClosed carries a Retry-After of that
// interval (at least one second).
//
// # Keys
//
// Keys are hashed (SHA-256, 128 bits kept) before they reach Redis or the
// local map, so a caller passing a token does not store it in clear and a
// long key costs no more than a short one. The Redis key is
// "rate:smm:<limit name>:<hash>"; it expires on its own once the key is back
// to a full burst.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/socialmediamanager/smm/domain"
)

// FailMode says what Allow does when Redis does not answer.
type FailMode int

const (
	// FailOpenToLocal decides with the in-process limiter.
	FailOpenToLocal FailMode = iota
	// FailClosed refuses with a domain.Unavailable error (503).
	FailClosed
	// LocalFirst decides in-process at once and reports to Redis in the
	// background (see localfirst.go): no network round trip on the request
	// path, the limit exact per instance and enforced across instances
	// within a flush interval. For high-volume limits; sign-in limits stay
	// FailClosed, decided in Redis.
	LocalFirst
)

func (m FailMode) String() string {
	switch m {
	case FailClosed:
		return "fail_closed"
	case LocalFirst:
		return "local_first"
	}
	return "fail_open_to_local"
}

// Source says which store decided a Result.
type Source string

const (
	SourceRedis Source = "redis"
	SourceLocal Source = "local"
)

// Result is the decision on one request.
type Result struct {
	// Limit is the limit the request was checked against.
	Limit Limit
	// Allowed reports whether the request may proceed; it has then consumed
	// one unit of the key's quota.
	Allowed bool
	// Remaining is how many more requests the key could make right now.
	Remaining int
	// ResetAfter is the time until the key is back to a full burst. On a
	// refusal it counts from the refused request, which consumed nothing.
	ResetAfter time.Duration
	// RetryAfter, on a refusal, is the time until one request will be
	// allowed again; zero when allowed.
	RetryAfter time.Duration
	// Source is SourceRedis, or SourceLocal when Redis did not answer.
	Source Source
}

// DefaultRedisRetryInterval is how long the Limiter stops asking Redis after
// a failure before one request probes it again.
const DefaultRedisRetryInterval = time.Second

// keyPrefix namespaces the limiter's keys in database 2 (redis_rate adds
// "rate:" in front).
const keyPrefix = "smm:"

// Limiter checks keys against limits in Redis, falling back per FailMode
// when Redis does not answer. It is safe for concurrent use.
type Limiter struct {
	redis   *redis_rate.Limiter // nil: no Redis, always the fallback
	local   *localLimiter
	logger  *slog.Logger
	metrics *metrics

	retryInterval time.Duration
	reports       *reporter // LocalFirst's background reports to Redis
	reportsOnce   sync.Once
	closeOnce     sync.Once
	down          atomic.Bool // fast path for the common case, Redis up
	mu            sync.Mutex  // guards the fields below
	isDown        bool
	probing       bool
	nextProbe     time.Time
	downSince     time.Time
}

// Option configures New.
type Option func(*Limiter)

// WithMetrics registers smm_ratelimit_decisions_total{name,outcome,source}
// with reg: outcome is allowed, refused or unavailable (refused because
// Redis did not answer under FailClosed); source is redis, local or none.
// Registering twice with one registry reuses the first counter.
func WithMetrics(reg prometheus.Registerer) Option {
	return func(l *Limiter) { l.metrics = newMetrics(reg) }
}

// WithLocalMaxKeys caps the number of keys the in-process fallback keeps
// (default DefaultLocalMaxKeys).
func WithLocalMaxKeys(n int) Option {
	return func(l *Limiter) { l.local = newLocalLimiter(n) }
}

// WithRedisRetryInterval sets how long the Limiter stops asking Redis after
// a failure (default DefaultRedisRetryInterval).
func WithRedisRetryInterval(d time.Duration) Option {
	return func(l *Limiter) {
		if d > 0 {
			l.retryInterval = d
		}
	}
}

// New returns a Limiter on rdb, which should be redisdb.Clients.RateLimits
// (database 2). A nil rdb means no Redis: every call is decided as during an
// outage. A nil logger logs to slog.Default().
func New(rdb *redis.Client, logger *slog.Logger, opts ...Option) *Limiter {
	if logger == nil {
		logger = slog.Default()
	}
	l := &Limiter{logger: logger, retryInterval: DefaultRedisRetryInterval}
	if rdb != nil {
		l.redis = redis_rate.NewLimiter(rdb)
	}
	for _, o := range opts {
		o(l)
	}
	if l.local == nil {
		l.local = newLocalLimiter(DefaultLocalMaxKeys)
	}
	return l
}

var errNoRedis = errors.New("no redis client configured")

// Allow consumes one request of key under limit.
//
// When Redis does not answer, mode decides: FailClosed returns a
// domain.Unavailable error; FailOpenToLocal decides with the in-process
// limiter and says so in Result.Source. An invalid limit or an empty key is
// a programming or configuration error and returns a domain.Internal error.
// A refusal is not an error: check Result.Allowed.
func (l *Limiter) Allow(ctx context.Context, key string, limit Limit, mode FailMode) (Result, error) {
	if err := limit.Validate(); err != nil {
		return Result{}, domain.Internal(err)
	}
	if key == "" {
		return Result{}, domain.Internal(fmt.Errorf("rate limit %q: empty key", limit.Name))
	}
	k := storageKey(limit.Name, key)
	if mode == LocalFirst {
		res := l.allowLocalFirst(k, limit)
		l.metrics.observe(limit.Name, res)
		return res, nil
	}

	var err error
	if l.redis == nil {
		err = errNoRedis
		l.redisFailed(err)
	} else if l.tryRedis() {
		var res Result
		if res, err = l.allowRedis(ctx, k, limit); err == nil {
			l.redisAnswered()
			l.metrics.observe(limit.Name, res)
			return res, nil
		}
		if ctx.Err() != nil {
			// The caller gave up; that says nothing about Redis.
			l.probeAborted()
		} else {
			l.redisFailed(err)
		}
	} else {
		err = errors.New("redis marked unavailable after a recent failure")
	}

	if mode == FailClosed {
		l.metrics.unavailable(limit.Name)
		e := domain.Unavailable("rate limiting", fmt.Errorf("rate limit %q: %w", limit.Name, err))
		e.RetryAfter = max(l.retryInterval, time.Second)
		return Result{}, e
	}
	res := l.local.allow(k, limit)
	l.metrics.observe(limit.Name, res)
	return res, nil
}

func (l *Limiter) allowRedis(ctx context.Context, key string, limit Limit) (Result, error) {
	r, err := l.redis.Allow(ctx, key, redis_rate.Limit{Rate: limit.Rate, Burst: limit.Burst, Period: limit.Period})
	if err != nil {
		return Result{}, err
	}
	// The script works in float seconds on a clock counted from 2017 with
	// microsecond resolution: anything below a microsecond is rounding noise
	// (60s would otherwise come back as 60.00000006s and be advertised as
	// t=61). Remaining, which the script truncates from such a float, is
	// recomputed from the rounded ResetAfter for the same reason.
	res := Result{Limit: limit, Allowed: r.Allowed > 0, ResetAfter: max(r.ResetAfter.Round(time.Microsecond), 0), Source: SourceRedis}
	if res.Allowed {
		used := float64(res.ResetAfter) * float64(limit.Rate) / float64(limit.Period)
		res.Remaining = min(max(int(math.Floor(float64(limit.Burst)-used+1e-6)), 0), limit.Burst-1)
	} else {
		res.RetryAfter = max(r.RetryAfter.Round(time.Microsecond), time.Microsecond)
	}
	return res, nil
}

// storageKey namespaces key under the limit's name and hashes it.
func storageKey(name, key string) string {
	sum := sha256.Sum256([]byte(key))
	return keyPrefix + name + ":" + hex.EncodeToString(sum[:16])
}

// tryRedis reports whether this call should ask Redis: always while Redis is
// up; while it is down, only one call at a time once the retry interval has
// passed (the probe).
func (l *Limiter) tryRedis() bool {
	if !l.down.Load() {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.isDown {
		return true
	}
	if l.probing || time.Now().Before(l.nextProbe) {
		return false
	}
	l.probing = true
	return true
}

// redisFailed marks Redis down; the first failure of an outage is logged.
func (l *Limiter) redisFailed(err error) {
	now := time.Now()
	l.mu.Lock()
	wasDown := l.isDown
	l.isDown, l.probing, l.nextProbe = true, false, now.Add(l.retryInterval)
	if !wasDown {
		l.downSince = now
	}
	l.down.Store(true)
	l.mu.Unlock()
	if !wasDown {
		l.logger.Warn("rate limiting: redis unavailable; authentication routes refuse with 503, others use the in-process limiter until it answers",
			slog.Any("error", err))
	}
}

// redisAnswered marks Redis up again; the end of an outage is logged.
func (l *Limiter) redisAnswered() {
	if !l.down.Load() {
		return
	}
	l.mu.Lock()
	wasDown := l.isDown
	l.isDown, l.probing = false, false
	since := l.downSince
	l.down.Store(false)
	l.mu.Unlock()
	if wasDown {
		l.logger.Info("rate limiting: redis answers again", slog.Duration("outage", time.Since(since).Round(time.Millisecond)))
	}
}

func (l *Limiter) probeAborted() {
	if !l.down.Load() {
		return
	}
	l.mu.Lock()
	l.probing = false
	l.mu.Unlock()
}

// metrics counts decisions; a nil *metrics counts nothing.
type metrics struct {
	decisions *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	if reg == nil {
		return nil
	}
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "smm_ratelimit_decisions_total",
		Help: "Rate limit decisions, by limit name, outcome (allowed, refused, unavailable) and source (redis, local, none).",
	}, []string{"name", "outcome", "source"})
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			panic(fmt.Errorf("ratelimit: register metrics: %w", err))
		}
		c = are.ExistingCollector.(*prometheus.CounterVec)
	}
	return &metrics{decisions: c}
}

func (m *metrics) observe(name string, r Result) {
	if m == nil {
		return
	}
	outcome := "allowed"
	if !r.Allowed {
		outcome = "refused"
	}
	m.decisions.WithLabelValues(name, outcome, string(r.Source)).Inc()
}

func (m *metrics) unavailable(name string) {
	if m == nil {
		return
	}
	m.decisions.WithLabelValues(name, "unavailable", "none").Inc()
}
