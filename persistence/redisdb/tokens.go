package redisdb

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/socialmediamanager/smm/domain"
)

// Blacklist holds the ids (jti) of access tokens revoked before their expiry
// (logout), in database 3, each until the token would have expired anyway.
type Blacklist struct{ rdb *redis.Client }

// NewBlacklist returns the blacklist over the tokens database.
func (c *Clients) NewBlacklist() *Blacklist { return &Blacklist{rdb: c.Tokens} }

func blacklistKey(jti string) string { return "smm:jwt:revoked:" + jti }

// Add revokes jti for ttl (the token's remaining life).
func (b *Blacklist) Add(ctx context.Context, jti string, ttl time.Duration) error {
	if ttl <= 0 {
		return nil
	}
	if err := b.rdb.Set(ctx, blacklistKey(jti), 1, ttl).Err(); err != nil {
		return domain.Unavailable("redis", fmt.Errorf("blacklist token: %w", err))
	}
	return nil
}

// Contains reports whether jti is revoked. A Redis failure is returned as
// unavailable; the caller decides how to fail.
func (b *Blacklist) Contains(ctx context.Context, jti string) (bool, error) {
	n, err := b.rdb.Exists(ctx, blacklistKey(jti)).Result()
	if err != nil {
		return false, domain.Unavailable("redis", fmt.Errorf("check token blacklist: %w", err))
	}
	return n == 1, nil
}

// MembershipCache caches a user's role in an organization in database 0 for
// a short time, so authenticating a request rarely reads PostgreSQL. Every
// change of a membership calls Forget, so a change is effective on the next
// request. A generation counter per membership makes that hold even against
// a request that read the old role from PostgreSQL just before the change
// and caches it just after: its write carries the generation it started
// from and is dropped when Forget has moved the generation on.
type MembershipCache struct {
	rdb *redis.Client
	ttl time.Duration
}

// NewMembershipCache returns the cache over the cache database.
func (c *Clients) NewMembershipCache(ttl time.Duration) *MembershipCache {
	return &MembershipCache{rdb: c.Cache, ttl: ttl}
}

func membershipKeys(org, user uuid.UUID) (role, gen string) {
	k := org.String() + ":" + user.String()
	return "smm:membership:" + k, "smm:membership:gen:" + k
}

// generationTTL outlives every cached role by far; a generation that
// expires restarts from nothing, which never equals a generation in use.
const generationTTL = 24 * time.Hour

// Get returns the cached role, or ok=false on a miss or a Redis failure (the
// cache is an optimisation, never a dependency). On a miss, gen is the
// membership's generation, to pass to Set.
func (m *MembershipCache) Get(ctx context.Context, org, user uuid.UUID) (role domain.Role, ok bool, gen string) {
	roleKey, genKey := membershipKeys(org, user)
	vals, err := m.rdb.MGet(ctx, roleKey, genKey).Result()
	if err != nil || len(vals) != 2 {
		return "", false, ""
	}
	if r, isStr := vals[0].(string); isStr {
		return domain.Role(r), true, ""
	}
	gen = "0"
	if g, isStr := vals[1].(string); isStr {
		gen = g
	}
	return "", false, gen
}

// setIfGeneration caches the role only if the generation is still the one
// read before PostgreSQL was asked.
var setIfGeneration = redis.NewScript(`
local g = redis.call('GET', KEYS[2]) or '0'
if g == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`)

// Set caches a role read from PostgreSQL under generation gen (from Get).
func (m *MembershipCache) Set(ctx context.Context, org, user uuid.UUID, role domain.Role, gen string) {
	if gen == "" {
		return
	}
	roleKey, genKey := membershipKeys(org, user)
	_ = setIfGeneration.Run(ctx, m.rdb, []string{roleKey, genKey}, gen, string(role), m.ttl.Milliseconds()).Err()
}

// Forget drops cached roles and moves their generations on; it must
// succeed for a change to be effective at once, so its error is returned.
func (m *MembershipCache) Forget(ctx context.Context, org uuid.UUID, users ...uuid.UUID) error {
	if len(users) == 0 {
		return nil
	}
	_, err := m.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, u := range users {
			roleKey, genKey := membershipKeys(org, u)
			p.Incr(ctx, genKey)
			p.Expire(ctx, genKey, generationTTL)
			p.Del(ctx, roleKey)
		}
		return nil
	})
	if err != nil {
		return domain.Unavailable("redis", fmt.Errorf("forget cached membership: %w", err))
	}
	return nil
}
