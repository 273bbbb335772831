package redisdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/socialmediamanager/smm/domain"
)

// OAuthStates holds pending OAuth connections in database 3, by their state
// parameter: each is read once (GETDEL), so a replayed callback finds
// nothing, and expires on its own.
type OAuthStates struct{ rdb *redis.Client }

// NewOAuthStates returns the store over the tokens database.
func (c *Clients) NewOAuthStates() *OAuthStates { return &OAuthStates{rdb: c.Tokens} }

func oauthStateKey(state string) string { return "smm:oauth:state:" + state }

// Put stores value under state for ttl.
func (o *OAuthStates) Put(ctx context.Context, state string, value []byte, ttl time.Duration) error {
	if err := o.rdb.Set(ctx, oauthStateKey(state), value, ttl).Err(); err != nil {
		return domain.Unavailable("redis", fmt.Errorf("store oauth state: %w", err))
	}
	return nil
}

// Take returns and deletes the value under state; found is false when there
// is none (never issued, expired, or already used).
func (o *OAuthStates) Take(ctx context.Context, state string) (value []byte, found bool, err error) {
	v, err := o.rdb.GetDel(ctx, oauthStateKey(state)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, domain.Unavailable("redis", fmt.Errorf("read oauth state: %w", err))
	}
	return v, true, nil
}
