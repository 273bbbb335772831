package ratelimit

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/redis/go-redis/v9"
	"github.com/socialmediamanager/smm/domain"
)

// fast is 10 requests a second (one every 100ms) with a burst of 5: bursts
// and recoveries take a fraction of a second.
func fast(name string) Limit { return Limit{Name: name, Rate: 10, Burst: 5, Period: time.Second} }

// exhaust makes limit.Burst requests, which must all be allowed, with the
// remaining count going down, then one more, which must be refused.
func exhaust(t *testing.T, l *Limiter, key string, limit Limit, mode FailMode, source Source) Result {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	for i := range limit.Burst {
		r, err := l.Allow(ctx, key, limit, mode)
		if err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
		// Time passes between requests and gives back part of a request,
		// never a whole one unless the machine is too slow (skipped below).
		if want := limit.Burst - 1 - i; !r.Allowed || r.Remaining < want || r.Remaining > want+1 || r.Source != source {
			t.Fatalf("request %d: %+v, want allowed from %s with %d remaining", i+1, r, source, want)
		}
	}
	r, err := l.Allow(ctx, key, limit, mode)
	if err != nil {
		t.Fatal(err)
	}
	// On a slow machine the burst may outlast an emission interval and earn
	// a request back: those regained requests (never more than the time
	// taken allows) are spent before the refusal is expected.
	interval := limit.Period / time.Duration(limit.Rate)
	for regained := int(time.Since(start) / interval); r.Allowed && regained > 0; regained-- {
		if r, err = l.Allow(ctx, key, limit, mode); err != nil {
			t.Fatal(err)
		}
	}
	if r.Allowed || r.Remaining != 0 || r.Source != source {
		t.Fatalf("request %d: %+v, want refused by %s", limit.Burst+1, r, source)
	}
	return r
}

func TestRedisGCRA(t *testing.T) {
	rdb := newRedis(t)
	l := New(rdb, nil)
	limit := fast(uniqueName(t, rdb))

	refused := exhaust(t, l, "client-a", limit, FailOpenToLocal, SourceRedis)
	if refused.RetryAfter <= 0 || refused.RetryAfter > 100*time.Millisecond {
		t.Fatalf("RetryAfter %v, want within (0, 100ms]: one emission interval at most", refused.RetryAfter)
	}
	if refused.ResetAfter < 400*time.Millisecond || refused.ResetAfter > 500*time.Millisecond {
		t.Fatalf("ResetAfter %v, want about 500ms: a burst of 5 at 100ms each", refused.ResetAfter)
	}

	// Another key, and the same key under another limit name, are untouched.
	if r, err := l.Allow(context.Background(), "client-b", limit, FailOpenToLocal); err != nil || !r.Allowed || r.Remaining < 3 {
		t.Fatalf("another key: %+v, %v; want a fresh burst", r, err)
	}
	other := fast(uniqueName(t, rdb))
	if r, err := l.Allow(context.Background(), "client-a", other, FailOpenToLocal); err != nil || !r.Allowed || r.Remaining < 3 {
		t.Fatalf("same key, other limit: %+v, %v; want a fresh burst", r, err)
	}

	// After RetryAfter one more request goes through, and only one.
	time.Sleep(refused.RetryAfter + 10*time.Millisecond)
	if r, err := l.Allow(context.Background(), "client-a", limit, FailOpenToLocal); err != nil || !r.Allowed {
		t.Fatalf("after RetryAfter: %+v, %v; want allowed", r, err)
	}
	if r, _ := l.Allow(context.Background(), "client-a", limit, FailOpenToLocal); r.Allowed {
		t.Fatalf("right after: %+v, want refused again", r)
	}

	// A key left alone for the burst window is back to a full burst, and its
	// Redis key is gone (it expires by itself).
	time.Sleep(time.Second + 100*time.Millisecond)
	if n, err := rdb.Exists(context.Background(), "rate:"+storageKey(limit.Name, "client-a")).Result(); err != nil || n != 0 {
		t.Fatalf("Redis key still there after the reset: %d, %v", n, err)
	}
	exhaust(t, l, "client-a", limit, FailOpenToLocal, SourceRedis)
}

// TestLimitPerCall: the limit is a per-call value, so a bigger plan under the
// same name lets the same key through where the smaller one refused. The
// state (a time) is shared: the two minutes of debt the small plan left fit
// in the big plan's three-minute burst window.
func TestLimitPerCall(t *testing.T) {
	rdb := newRedis(t)
	l := New(rdb, nil)
	small := Limit{Name: uniqueName(t, rdb), Rate: 1, Burst: 2, Period: time.Minute}
	big := small
	big.Rate, big.Burst = 100, 300
	ctx := context.Background()
	for range 2 {
		l.Allow(ctx, "org-1", small, FailClosed)
	}
	if r, _ := l.Allow(ctx, "org-1", small, FailClosed); r.Allowed {
		t.Fatalf("small plan: %+v, want refused", r)
	}
	if r, err := l.Allow(ctx, "org-1", big, FailClosed); err != nil || !r.Allowed || r.Limit != big || r.Remaining != 99 {
		t.Fatalf("big plan: %+v, %v; want allowed under the big limit", r, err)
	}
}

// TestRedisConcurrent: the Redis script is atomic, so concurrent requests
// from one key never exceed the burst.
func TestRedisConcurrent(t *testing.T) {
	rdb := newRedis(t)
	l := New(rdb, nil)
	limit := Limit{Name: uniqueName(t, rdb), Rate: 10, Burst: 10, Period: time.Hour}
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			r, err := l.Allow(context.Background(), "k", limit, FailClosed)
			if err != nil {
				t.Error(err)
			}
			if r.Allowed {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != 10 {
		t.Fatalf("%d allowed, want 10", n)
	}
}

// TestKeysAreHashed: a token passed as key does not appear in Redis.
func TestKeysAreHashed(t *testing.T) {
	rdb := newRedis(t)
	l := New(rdb, nil)
	name := uniqueName(t, rdb)
	secret := "smm_live_0123456789abcdef"
	if _, err := l.Allow(context.Background(), secret, fast(name), FailClosed); err != nil {
		t.Fatal(err)
	}
	keys, err := rdb.Keys(context.Background(), "rate:"+keyPrefix+name+":*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys %v, %v; want one", keys, err)
	}
	if strings.Contains(keys[0], secret) || len(keys[0]) != len("rate:smm:")+len(name)+1+32 {
		t.Fatalf("key %q holds the secret or is not a 128-bit hash", keys[0])
	}
}

func TestInvalidCalls(t *testing.T) {
	l := New(nil, nil)
	if _, err := l.Allow(context.Background(), "k", Limit{Name: "x"}, FailOpenToLocal); domain.ErrorCode(err) != domain.CodeInternal {
		t.Errorf("invalid limit: %v, want an internal error", err)
	}
	if _, err := l.Allow(context.Background(), "", fast("x"), FailOpenToLocal); domain.ErrorCode(err) != domain.CodeInternal {
		t.Errorf("empty key: %v, want an internal error", err)
	}
}

// TestRedisDown points the limiter at a port nothing listens on.
func TestRedisDown(t *testing.T) {
	rdb := redis.NewClient(redisOptions(t, deadAddr(t)))
	defer rdb.Close()
	logger, logs := newLogger()
	reg := prometheus.NewRegistry()
	l := New(rdb, logger, WithMetrics(reg))
	ctx := context.Background()

	t.Run("FailClosed", func(t *testing.T) {
		for range 3 {
			_, err := l.Allow(ctx, "k", fast("login"), FailClosed)
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.CodeUnavailable {
				t.Fatalf("got %v, want code unavailable", err)
			}
			if de.RetryAfter <= 0 {
				t.Fatalf("RetryAfter %v, want a hint", de.RetryAfter)
			}
		}
	})
	t.Run("FailOpenToLocal", func(t *testing.T) {
		refused := exhaust(t, l, "k", fast("api"), FailOpenToLocal, SourceLocal)
		if refused.RetryAfter <= 0 || refused.RetryAfter > 100*time.Millisecond {
			t.Fatalf("RetryAfter %v, want within (0, 100ms]", refused.RetryAfter)
		}
		time.Sleep(refused.RetryAfter + 5*time.Millisecond)
		if r, err := l.Allow(ctx, "k", fast("api"), FailOpenToLocal); err != nil || !r.Allowed || r.Source != SourceLocal {
			t.Fatalf("after RetryAfter: %+v, %v; want allowed locally", r, err)
		}
	})
	if n := logs.count("level=WARN"); n != 1 {
		t.Errorf("%d warnings for one outage, want 1:\n%s", n, logs.buf.String())
	}
	if got := counterValue(t, l.metrics.decisions.WithLabelValues("login", "unavailable", "none")); got != 3 {
		t.Errorf("unavailable decisions counted %v, want 3", got)
	}
	if got := counterValue(t, l.metrics.decisions.WithLabelValues("api", "refused", "local")); got != 1 {
		t.Errorf("local refusals counted %v, want 1", got)
	}
}

// TestRedisRecovery goes through a proxy that is closed (Redis "dies") and
// reopened: the limiter falls back, logs the outage once, then goes back to
// Redis, whose state survived the outage.
func TestRedisRecovery(t *testing.T) {
	real := newRedis(t)
	proxy := newTCPProxy(t, real.Options().Addr)
	rdb := redis.NewClient(redisOptions(t, proxy.addr))
	defer rdb.Close()
	logger, logs := newLogger()
	l := New(rdb, logger, WithRedisRetryInterval(50*time.Millisecond))
	ctx := context.Background()
	limit := Limit{Name: uniqueName(t, real), Rate: 1, Burst: 3, Period: time.Minute}

	if r, err := l.Allow(ctx, "k", limit, FailOpenToLocal); err != nil || r.Source != SourceRedis || !r.Allowed {
		t.Fatalf("through the proxy: %+v, %v; want allowed by Redis", r, err)
	}

	proxy.close()
	for i := range 5 {
		r, err := l.Allow(ctx, "k", limit, FailOpenToLocal)
		if err != nil || r.Source != SourceLocal {
			t.Fatalf("outage, request %d: %+v, %v; want decided locally", i+1, r, err)
		}
		if _, err := l.Allow(ctx, "k2", limit, FailClosed); domain.ErrorCode(err) != domain.CodeUnavailable {
			t.Fatalf("outage, fail closed: %v, want unavailable", err)
		}
		time.Sleep(20 * time.Millisecond) // let probes happen, and fail
	}
	if n := logs.count("level=WARN"); n != 1 {
		t.Fatalf("%d warnings for one outage, want 1:\n%s", n, logs.buf.String())
	}

	proxy.reopen()
	deadline := time.Now().Add(3 * time.Second)
	var r Result
	for {
		var err error
		r, err = l.Allow(ctx, "k", limit, FailOpenToLocal)
		if err != nil {
			t.Fatal(err)
		}
		if r.Source == SourceRedis || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if r.Source != SourceRedis {
		t.Fatalf("after the proxy reopened: %+v, want Redis again", r)
	}
	// Redis kept its count: one request before the outage, this one now.
	if !r.Allowed || r.Remaining != 1 {
		t.Fatalf("back on Redis: %+v, want allowed with 1 remaining", r)
	}
	if _, err := l.Allow(ctx, "k2", limit, FailClosed); err != nil {
		t.Fatalf("fail closed after recovery: %v", err)
	}
	if n := logs.count("redis answers again"); n != 1 {
		t.Fatalf("%d recovery messages, want 1:\n%s", n, logs.buf.String())
	}
}

func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
