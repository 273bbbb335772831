package redisdb

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/socialmediamanager/smm/domain"
)

// DailyQuota counts units of a daily quota shared by every node, such as
// YouTube's project quota (10,000 units a day per application, reset at
// midnight Pacific time), in the rate-limits database (db2). A Redis loss
// forgets the day's count: the provider's own quotaExceeded answer still
// stops publishing, so nothing is lost, only paced less precisely.
type DailyQuota struct {
	client *redis.Client
	name   string
	limit  int64
	loc    *time.Location
	now    func() time.Time
}

// NewDailyQuota returns the quota name of limit units a day, reset at
// midnight in loc.
func NewDailyQuota(client *redis.Client, name string, limit int64, loc *time.Location) *DailyQuota {
	return &DailyQuota{client: client, name: name, limit: limit, loc: loc, now: time.Now}
}

// reserveScript takes ARGV[1] units when they fit under ARGV[2], atomically.
var reserveScript = redis.NewScript(`
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return 0 end
redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], 172800)
return 1`)

// Reserve takes units of today's quota; when they are not left it takes
// none and says how long until the reset.
func (q *DailyQuota) Reserve(ctx context.Context, units int64) (bool, time.Duration, error) {
	now := q.now().In(q.loc)
	key := fmt.Sprintf("smm:quota:%s:%s", q.name, now.Format("2006-01-02"))
	ok, err := reserveScript.Run(ctx, q.client, []string{key}, units, q.limit).Int()
	if err != nil {
		return false, 0, domain.Unavailable("the quota counter", err)
	}
	y, m, d := now.Date()
	reset := time.Date(y, m, d+1, 0, 0, 0, 0, q.loc).Sub(now)
	return ok == 1, reset, nil
}

// Used is today's count, for tests and the operator.
func (q *DailyQuota) Used(ctx context.Context) (int64, error) {
	key := fmt.Sprintf("smm:quota:%s:%s", q.name, q.now().In(q.loc).Format("2006-01-02"))
	n, err := q.client.Get(ctx, key).Int64()
	if err == redis.Nil {
		return 0, nil
	}
	return n, err
}
