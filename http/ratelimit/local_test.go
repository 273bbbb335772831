package ratelimit

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock drives a localLimiter by hand.
type fakeClock struct{ now atomic.Int64 }

func (c *fakeClock) get() time.Duration      { return time.Duration(c.now.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.now.Add(int64(d)) }

func newFakeLocal(maxKeys int) (*localLimiter, *fakeClock) {
	ll := newLocalLimiter(maxKeys)
	c := &fakeClock{}
	c.now.Store(int64(time.Hour)) // any origin
	ll.now = c.get
	return ll, c
}

func TestLocalGCRA(t *testing.T) {
	ll, clock := newFakeLocal(0)
	l := Limit{Name: "x", Rate: 20, Burst: 5, Period: time.Second} // one every 50ms
	for i := range 5 {
		r := ll.allow("k", l)
		if !r.Allowed || r.Remaining != 4-i || r.Source != SourceLocal {
			t.Fatalf("request %d: %+v, want allowed with %d remaining", i+1, r, 4-i)
		}
		if want := time.Duration(i+1) * 50 * time.Millisecond; r.ResetAfter != want {
			t.Fatalf("request %d: reset after %v, want %v", i+1, r.ResetAfter, want)
		}
	}
	r := ll.allow("k", l)
	if r.Allowed || r.RetryAfter != 50*time.Millisecond || r.ResetAfter != 250*time.Millisecond {
		t.Fatalf("6th request: %+v, want refused, retry after 50ms, reset after 250ms", r)
	}
	clock.advance(30 * time.Millisecond)
	if r := ll.allow("k", l); r.Allowed || r.RetryAfter != 20*time.Millisecond {
		t.Fatalf("30ms later: %+v, want refused, retry after 20ms", r)
	}
	clock.advance(20 * time.Millisecond)
	if r := ll.allow("k", l); !r.Allowed || r.Remaining != 0 {
		t.Fatalf("after RetryAfter: %+v, want allowed with 0 remaining", r)
	}
	if r := ll.allow("other", l); !r.Allowed || r.Remaining != 4 {
		t.Fatalf("another key: %+v, want a full burst", r)
	}
	clock.advance(time.Second)
	if r := ll.allow("k", l); !r.Allowed || r.Remaining != 4 {
		t.Fatalf("after a full reset: %+v, want a full burst", r)
	}
}

// TestLocalBounded floods the local limiter with distinct keys: it never
// holds more than its cap, and keys back to a full burst are dropped.
func TestLocalBounded(t *testing.T) {
	ll, clock := newFakeLocal(100)
	l := Limit{Name: "x", Rate: 1, Burst: 1, Period: time.Second}
	for i := range 10_000 {
		ll.allow("flood-"+strconv.Itoa(i), l)
		if n := ll.len(); n > 100 {
			t.Fatalf("after %d keys the map holds %d, want at most 100", i+1, n)
		}
	}
	// A limited key survives while it is in use.
	ll.allow("hot", l)
	if r := ll.allow("hot", l); r.Allowed {
		t.Fatalf("hot key: %+v, want refused", r)
	}
	clock.advance(2 * time.Second)
	for range 20 { // each call expires a few idle entries from the cold end
		ll.allow("probe", l)
		clock.advance(time.Millisecond)
	}
	if n := ll.len(); n != 1 {
		t.Fatalf("%d entries in the map, want only the probe: idle entries linger", n)
	}
}

// TestLocalConcurrent: a burst of 10 is never exceeded under concurrency.
func TestLocalConcurrent(t *testing.T) {
	ll := newLocalLimiter(0)
	l := Limit{Name: "x", Rate: 10, Burst: 10, Period: time.Hour}
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if ll.allow("k", l).Allowed {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != 10 {
		t.Fatalf("%d allowed, want 10", n)
	}
}
