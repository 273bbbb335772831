package ratelimit

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestLocalFirstSingleInstance: the in-process decision is exact on one
// instance: the burst passes, the next request is refused with a wait.
func TestLocalFirstSingleInstance(t *testing.T) {
	rdb := newRedis(t)
	l := New(rdb, nil)
	defer l.Close()
	limit := Limit{Name: uniqueName(t, rdb), Rate: 10, Burst: 5, Period: time.Minute}
	ctx := context.Background()
	for i := range 5 {
		r, err := l.Allow(ctx, "k", limit, LocalFirst)
		if err != nil || !r.Allowed {
			t.Fatalf("request %d: got %+v, %v; want allowed", i+1, r, err)
		}
	}
	r, err := l.Allow(ctx, "k", limit, LocalFirst)
	if err != nil || r.Allowed || r.RetryAfter <= 0 {
		t.Errorf("request 6: got %+v, %v; want refused with a wait", r, err)
	}
}

// TestLocalFirstAcrossInstances runs two limiters on one Redis, as two
// nodes: each lets its own burst through, but once their reports reach
// Redis the key is over its limit everywhere and both refuse it.
func TestLocalFirstAcrossInstances(t *testing.T) {
	rdb := newRedis(t)
	a, b := New(rdb, nil), New(rdb, nil)
	defer a.Close()
	defer b.Close()
	limit := Limit{Name: uniqueName(t, rdb), Rate: 6, Burst: 6, Period: time.Hour}
	ctx := context.Background()
	allow := func(l *Limiter) Result {
		r, err := l.Allow(ctx, "shared", limit, LocalFirst)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for i := range 4 {
		if r := allow(a); !r.Allowed {
			t.Fatalf("node A request %d: got refused, want allowed", i+1)
		}
	}
	time.Sleep(3 * FlushInterval) // A's 4 reach Redis: 2 left globally
	for i := range 4 {
		if r := allow(b); !r.Allowed {
			t.Fatalf("node B request %d: got refused locally, want allowed (its own burst)", i+1)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		time.Sleep(FlushInterval)
		if r := allow(b); !r.Allowed {
			if r.RetryAfter <= 0 {
				t.Errorf("got a refusal without a wait: %+v", r)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node B still allows the key 2s after its reports put it over the global limit")
		}
	}
	// Node A learns it from its next report: at most the rest of its own
	// burst gets through meanwhile (the overshoot is bounded per instance).
	extra := 0
	deadline = time.Now().Add(2 * time.Second)
	for {
		r := allow(a)
		if !r.Allowed {
			break
		}
		extra++
		if extra > 2 || time.Now().After(deadline) {
			t.Fatalf("node A allowed %d more requests on a key over the global limit, want at most the 2 left of its own burst", extra)
		}
		time.Sleep(FlushInterval)
	}
}

// TestLocalFirstWithoutRedis decides locally when Redis is unreachable.
func TestLocalFirstWithoutRedis(t *testing.T) {
	rdb := redis.NewClient(redisOptions(t, deadAddr(t)))
	defer rdb.Close()
	l := New(rdb, nil)
	defer l.Close()
	limit := Limit{Name: "localfirst-dead", Rate: 10, Burst: 2, Period: time.Minute}
	ctx := context.Background()
	for i := range 2 {
		if r, err := l.Allow(ctx, "k", limit, LocalFirst); err != nil || !r.Allowed {
			t.Fatalf("request %d: got %+v, %v; want allowed", i+1, r, err)
		}
	}
	if r, err := l.Allow(ctx, "k", limit, LocalFirst); err != nil || r.Allowed {
		t.Errorf("got %+v, %v; want refused locally", r, err)
	}
	time.Sleep(3 * FlushInterval) // failed reports must not break anything
}
