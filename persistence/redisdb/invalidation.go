package redisdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/socialmediamanager/smm/domain"
)

// invalidationChannel is the pub/sub channel of cache invalidations.
const invalidationChannel = "smm:invalidate"

// Invalidations carries cache invalidations between instances over Redis
// pub/sub, so each instance may keep hot data (roles, revoked tokens, the
// /me view) in memory. An instance may trust its in-memory copies only
// while Healthy: from the moment its subscription is confirmed (its caches
// are emptied then, since messages may have been missed) until the
// subscription fails.
type Invalidations struct {
	rdb     *redis.Client
	logger  *slog.Logger
	healthy atomic.Bool

	mu      sync.Mutex
	onMsg   []func(kind string, args []string)
	onReset []func(ctx context.Context) error
}

// NewInvalidations returns the bus over the cache database's connection.
func (c *Clients) NewInvalidations(logger *slog.Logger) *Invalidations {
	return &Invalidations{rdb: c.Cache, logger: logger}
}

// OnMessage registers a handler of invalidations; handlers run on the
// subscriber goroutine and must be quick.
func (i *Invalidations) OnMessage(f func(kind string, args []string)) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.onMsg = append(i.onMsg, f)
}

// OnReset registers what to do when the subscription is (re)established:
// drop every cached copy and reload what must be known (revoked tokens).
func (i *Invalidations) OnReset(f func(ctx context.Context) error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.onReset = append(i.onReset, f)
}

// Healthy reports whether in-memory copies may be trusted now.
func (i *Invalidations) Healthy() bool { return i.healthy.Load() }

// Publish announces an invalidation to every instance, this one included
// (callers apply it locally first, so their own next request sees it at
// once).
func (i *Invalidations) Publish(ctx context.Context, kind string, args ...string) error {
	msg := kind
	if len(args) > 0 {
		msg += "|" + strings.Join(args, "|")
	}
	if err := i.rdb.Publish(ctx, invalidationChannel, msg).Err(); err != nil {
		return domain.Unavailable("redis", fmt.Errorf("publish invalidation: %w", err))
	}
	return nil
}

// Run subscribes until ctx ends, re-subscribing after failures.
func (i *Invalidations) Run(ctx context.Context) {
	ps := i.rdb.Subscribe(ctx, invalidationChannel)
	defer ps.Close()
	for ctx.Err() == nil {
		msg, err := ps.ReceiveTimeout(ctx, 5*time.Second)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Quiet channel: make sure the connection is alive.
				if perr := ps.Ping(ctx); perr == nil {
					continue
				}
			}
			if i.healthy.Swap(false) {
				i.logger.Warn("cache invalidations: subscription lost; in-memory caches bypassed until it is back", slog.Any("error", err))
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(200 * time.Millisecond):
			}
			continue
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				i.reset(ctx)
			}
		case *redis.Message:
			kind, rest, _ := strings.Cut(m.Payload, "|")
			var args []string
			if rest != "" {
				args = strings.Split(rest, "|")
			}
			i.mu.Lock()
			handlers := i.onMsg
			i.mu.Unlock()
			for _, f := range handlers {
				f(kind, args)
			}
		}
	}
}

func (i *Invalidations) reset(ctx context.Context) {
	i.healthy.Store(false)
	i.mu.Lock()
	resets := i.onReset
	i.mu.Unlock()
	for _, f := range resets {
		if err := f(ctx); err != nil {
			i.logger.Warn("cache invalidations: reset failed; in-memory caches stay bypassed", slog.Any("error", err))
			return
		}
	}
	i.healthy.Store(true)
}

// Revoked lists the token ids in the blacklist with their expiry, for an
// instance that (re)starts trusting its in-memory copy.
func (b *Blacklist) Revoked(ctx context.Context) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	iter := b.rdb.Scan(ctx, 0, blacklistKey("*"), 1000).Iterator()
	now := time.Now()
	for iter.Next(ctx) {
		key := iter.Val()
		ttl, err := b.rdb.PTTL(ctx, key).Result()
		if err != nil {
			return nil, err
		}
		if ttl > 0 {
			out[strings.TrimPrefix(key, blacklistKey(""))] = now.Add(ttl)
		}
	}
	if err := iter.Err(); err != nil {
		return nil, domain.Unavailable("redis", fmt.Errorf("list revoked tokens: %w", err))
	}
	return out, nil
}
