// Package redisdb opens the four logical Redis databases the design assigns:
// 0 cache, 1 job queues, 2 rate limits and counters, 3 token blacklist and
// OAuth state. One base URL configures them all, so they cannot drift apart.
package redisdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/socialmediamanager/smm/domain"
)

// The logical database numbers of DESIGN.md.
const (
	DBCache      = 0
	DBQueues     = 1
	DBRateLimits = 2
	DBTokens     = 3
)

// Clients holds one client per logical database. Redis is never the only
// copy of anything that must not be lost: every user of these clients copes
// with an empty or absent Redis.
type Clients struct {
	Cache      *redis.Client
	Queues     *redis.Client
	RateLimits *redis.Client
	Tokens     *redis.Client
}

// Options parses the base URL (any database number in it is ignored) into
// the connection options of database db.
func Options(baseURL string, db int) (*redis.Options, error) {
	opt, err := redis.ParseURL(baseURL)
	if err != nil {
		return nil, fmt.Errorf("parse redis url: %w", err)
	}
	opt.DB = db
	opt.DialTimeout = 2 * time.Second
	opt.ReadTimeout = 2 * time.Second
	opt.WriteTimeout = 2 * time.Second
	opt.MaxRetries = 1
	return opt, nil
}

// Open creates the four clients. Like the database pool it does not wait for
// Redis: connections are made on first use.
func Open(baseURL string) (*Clients, error) {
	var cs [4]*redis.Client
	for db := range cs {
		opt, err := Options(baseURL, db)
		if err != nil {
			return nil, err
		}
		opt.ClientName = fmt.Sprintf("smm-db%d", db)
		cs[db] = redis.NewClient(opt)
	}
	return &Clients{Cache: cs[DBCache], Queues: cs[DBQueues], RateLimits: cs[DBRateLimits], Tokens: cs[DBTokens]}, nil
}

// All returns the clients in database order.
func (c *Clients) All() []*redis.Client {
	return []*redis.Client{c.Cache, c.Queues, c.RateLimits, c.Tokens}
}

// Ping checks that Redis answers, classifying a failure as unavailable.
func (c *Clients) Ping(ctx context.Context) error {
	if err := c.Cache.Ping(ctx).Err(); err != nil {
		return domain.Unavailable("redis", fmt.Errorf("ping redis: %w", err))
	}
	return nil
}

// Close closes every client.
func (c *Clients) Close() error {
	var errs []error
	for _, cl := range c.All() {
		errs = append(errs, cl.Close())
	}
	return errors.Join(errs...)
}
