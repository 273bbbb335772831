package ratelimit

import (
	"context"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
)

// FlushInterval is how often LocalFirst limits report their requests to
// Redis; it bounds how long an instance can let a key exceed a limit that
// other instances have already used up.
const FlushInterval = 50 * time.Millisecond

// reporter carries LocalFirst decisions to Redis in batches and brings back
// Redis's verdict: a key that is over its limit across all instances is
// blocked locally until Redis says it may go again.
type reporter struct {
	l       *Limiter
	mu      sync.Mutex
	pending map[string]*pendingReport
	blocked map[string]time.Time
	stop    chan struct{}
	done    chan struct{}
}

type pendingReport struct {
	limit Limit
	n     int
}

// allowLocalFirst decides with the in-process limiter, unless Redis has
// reported the key over its limit, and queues the request for Redis.
func (l *Limiter) allowLocalFirst(k string, limit Limit) Result {
	r := l.reporter()
	now := time.Now()
	r.mu.Lock()
	until, isBlocked := r.blocked[k]
	if isBlocked && !now.Before(until) {
		delete(r.blocked, k)
		isBlocked = false
	}
	r.mu.Unlock()
	if isBlocked {
		wait := until.Sub(now)
		return Result{Limit: limit, RetryAfter: wait, ResetAfter: wait, Source: SourceRedis}
	}
	res := l.local.allow(k, limit)
	if res.Allowed && l.redis != nil {
		r.mu.Lock()
		p := r.pending[k]
		if p == nil {
			p = &pendingReport{limit: limit}
			r.pending[k] = p
		}
		p.n++
		r.mu.Unlock()
	}
	return res
}

// reporter starts the background reports on first use.
func (l *Limiter) reporter() *reporter {
	l.reportsOnce.Do(func() {
		l.reports = &reporter{
			l:       l,
			pending: map[string]*pendingReport{},
			blocked: map[string]time.Time{},
			stop:    make(chan struct{}),
			done:    make(chan struct{}),
		}
		go l.reports.run()
	})
	return l.reports
}

func (r *reporter) run() {
	defer close(r.done)
	t := time.NewTicker(FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			r.flush()
			return
		case <-t.C:
			r.flush()
		}
	}
}

// flush sends the queued counts, one pipelined round trip per batch would
// need the script's internals, so one call per key: AllowN with the number
// of requests this instance allowed since the last flush.
func (r *reporter) flush() {
	r.mu.Lock()
	if len(r.pending) == 0 {
		r.mu.Unlock()
		return
	}
	batch := r.pending
	r.pending = make(map[string]*pendingReport, len(batch))
	r.mu.Unlock()
	if !r.l.tryRedis() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for k, p := range batch {
		res, err := r.l.redis.AllowN(ctx, k, redis_rate.Limit{Rate: p.limit.Rate, Burst: p.limit.Burst, Period: p.limit.Period}, p.n)
		if err != nil {
			r.l.redisFailed(err)
			return
		}
		r.l.redisAnswered()
		if res.Allowed < p.n && res.RetryAfter > 0 {
			r.mu.Lock()
			r.blocked[k] = time.Now().Add(res.RetryAfter)
			r.mu.Unlock()
		}
	}
}

// Close stops the background reports after a last flush.
func (l *Limiter) Close() {
	if l.reports == nil {
		return
	}
	l.closeOnce.Do(func() {
		close(l.reports.stop)
		<-l.reports.done
	})
}
