package ratelimit

import (
	"container/list"
	"sync"
	"time"
)

// DefaultLocalMaxKeys bounds the in-process fallback: about 175 bytes a key
// (measured), so the default costs at most about 11 MB however many distinct
// keys a flood brings.
const DefaultLocalMaxKeys = 65536

// localLimiter is the in-process GCRA used while Redis does not answer. It
// computes exactly what the Redis script computes, on the process's
// monotonic clock, and keeps its state in a size-capped LRU map:
//
//   - an entry whose theoretical arrival time (TAT) has passed says nothing a
//     fresh entry would not, so it is dropped when met at the cold end;
//   - when the map is full the least recently used key is evicted, which at
//     worst gives that key a fresh burst: memory stays bounded even when a
//     flood of distinct keys arrives.
//
// Its state is per process: with N instances a client may get up to N times
// the limit while Redis is down.
type localLimiter struct {
	mu      sync.Mutex
	maxKeys int
	entries map[string]*list.Element
	lru     *list.List // front: most recently used; values are *localEntry
	epoch   time.Time
	now     func() time.Duration // since epoch; replaced in tests
}

type localEntry struct {
	key string
	tat time.Duration // since epoch
}

func newLocalLimiter(maxKeys int) *localLimiter {
	if maxKeys < 1 {
		maxKeys = DefaultLocalMaxKeys
	}
	ll := &localLimiter{maxKeys: maxKeys, entries: make(map[string]*list.Element), lru: list.New(), epoch: time.Now()}
	ll.now = func() time.Duration { return time.Since(ll.epoch) }
	return ll
}

// allow consumes one request of key under l (already validated).
func (ll *localLimiter) allow(key string, l Limit) Result {
	emission := l.Period / time.Duration(l.Rate)
	burstOffset := emission * time.Duration(l.Burst) // bounded by Validate

	ll.mu.Lock()
	defer ll.mu.Unlock()
	now := ll.now()
	ll.expire(now)

	tat := now
	el, ok := ll.entries[key]
	if ok && el.Value.(*localEntry).tat > now {
		tat = el.Value.(*localEntry).tat
	}
	newTAT := tat + emission
	allowAt := newTAT - burstOffset
	if now < allowAt {
		if ok {
			ll.lru.MoveToFront(el)
		}
		return Result{Limit: l, Allowed: false, Remaining: 0, RetryAfter: allowAt - now, ResetAfter: tat - now, Source: SourceLocal}
	}
	if ok {
		el.Value.(*localEntry).tat = newTAT
		ll.lru.MoveToFront(el)
	} else {
		if ll.lru.Len() >= ll.maxKeys {
			ll.remove(ll.lru.Back())
		}
		ll.entries[key] = ll.lru.PushFront(&localEntry{key: key, tat: newTAT})
	}
	return Result{Limit: l, Allowed: true, Remaining: int((now - allowAt) / emission), ResetAfter: newTAT - now, Source: SourceLocal}
}

// expire drops a few entries that no longer limit anything from the cold end,
// so that idle keys do not linger until the map is full. It does a bounded
// amount of work per call.
func (ll *localLimiter) expire(now time.Duration) {
	for range 8 {
		back := ll.lru.Back()
		if back == nil || back.Value.(*localEntry).tat > now {
			return
		}
		ll.remove(back)
	}
}

func (ll *localLimiter) remove(el *list.Element) {
	delete(ll.entries, el.Value.(*localEntry).key)
	ll.lru.Remove(el)
}

func (ll *localLimiter) len() int {
	ll.mu.Lock()
	defer ll.mu.Unlock()
	return ll.lru.Len()
}
