package identity

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/postgres"
	"github.com/socialmediamanager/smm/persistence/redisdb"
)

// localTTL bounds how long an in-memory copy lives even if an invalidation
// were lost without the subscription noticing.
const localTTL = 30 * time.Second

// Invalidation kinds published on the bus.
const (
	invMembership = "membership" // org, user: a role changed or a membership ended
	invUser       = "user"       // user: what /me shows of the user changed
	invOrg        = "org"        // org: renamed, changed or deleted
	invRevoked    = "revoked"    // jti, expiry (RFC 3339): an access token was logged out
	invAPIKey     = "api_key"    // org, key id: an API key was revoked
)

type memberKey struct{ org, user uuid.UUID }

type roleEntry struct {
	role    domain.Role
	expires time.Time
}

type meEntry struct {
	me      Me
	expires time.Time
}

// localAuth keeps, in memory, what authenticating a request and serving
// /me need: roles, revoked token ids and /me views. It is trusted only while
// the invalidation bus is healthy; every change anywhere is published on the
// bus and applied here, and an epoch counter drops a value read from the
// stores while an invalidation happened (the read may predate the change).
type localAuth struct {
	bus     *redisdb.Invalidations
	mu      sync.RWMutex
	epoch   uint64
	roles   map[memberKey]roleEntry
	revoked map[string]time.Time
	me      map[memberKey]meEntry
	apiKeys map[string]apiKeyEntry
}

type apiKeyEntry struct {
	rec     postgres.APIKeyRecord
	expires time.Time
}

func newLocalAuth(bus *redisdb.Invalidations, blacklist *redisdb.Blacklist) *localAuth {
	l := &localAuth{bus: bus}
	l.clear()
	bus.OnMessage(l.apply)
	bus.OnReset(func(ctx context.Context) error {
		revoked, err := blacklist.Revoked(ctx)
		if err != nil {
			return err
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		l.clearLocked()
		l.revoked = revoked
		return nil
	})
	return l
}

func (l *localAuth) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clearLocked()
}

func (l *localAuth) clearLocked() {
	l.epoch++
	l.roles = map[memberKey]roleEntry{}
	l.revoked = map[string]time.Time{}
	l.me = map[memberKey]meEntry{}
	l.apiKeys = map[string]apiKeyEntry{}
}

// usable reports whether the in-memory copies may be trusted.
func (l *localAuth) usable() bool { return l != nil && l.bus.Healthy() }

// apply handles one invalidation, from this instance or another.
func (l *localAuth) apply(kind string, args []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.epoch++
	id := func(i int) uuid.UUID {
		if i < len(args) {
			if u, err := uuid.Parse(args[i]); err == nil {
				return u
			}
		}
		return uuid.Nil
	}
	switch kind {
	case invMembership:
		org, user := id(0), id(1)
		delete(l.roles, memberKey{org, user})
		l.dropMeOfUser(user)
	case invUser:
		l.dropMeOfUser(id(0))
	case invOrg:
		org := id(0)
		for k := range l.roles {
			if k.org == org {
				delete(l.roles, k)
			}
		}
		// Another user's /me lists this organization's name too.
		l.me = map[memberKey]meEntry{}
		for p, e := range l.apiKeys {
			if e.rec.OrganizationID == org {
				delete(l.apiKeys, p)
			}
		}
	case invAPIKey:
		org, key := id(0), id(1)
		delete(l.me, memberKey{org, key})
		for p, e := range l.apiKeys {
			if e.rec.ID == key {
				delete(l.apiKeys, p)
			}
		}
	case invRevoked:
		if len(args) == 2 {
			exp, err := time.Parse(time.RFC3339, args[1])
			if err != nil {
				exp = time.Now().Add(time.Hour)
			}
			l.revoked[args[0]] = exp
		}
	default:
		// Unknown kind (a newer instance): forget everything to be safe.
		l.roles, l.me, l.apiKeys = map[memberKey]roleEntry{}, map[memberKey]meEntry{}, map[string]apiKeyEntry{}
	}
}

func (l *localAuth) dropMeOfUser(user uuid.UUID) {
	for k := range l.me {
		if k.user == user {
			delete(l.me, k)
		}
	}
}

// snapshot returns the epoch, to pass to the put methods after a read.
func (l *localAuth) snapshot() uint64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.epoch
}

func (l *localAuth) isRevoked(jti string, now time.Time) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	exp, ok := l.revoked[jti]
	return ok && now.Before(exp)
}

func (l *localAuth) role(org, user uuid.UUID, now time.Time) (domain.Role, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	e, ok := l.roles[memberKey{org, user}]
	if !ok || !now.Before(e.expires) {
		return "", false
	}
	return e.role, true
}

func (l *localAuth) putRole(org, user uuid.UUID, role domain.Role, epoch uint64, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.epoch == epoch {
		l.roles[memberKey{org, user}] = roleEntry{role: role, expires: now.Add(localTTL)}
	}
}

func (l *localAuth) getMe(org, user uuid.UUID, now time.Time) (Me, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	e, ok := l.me[memberKey{org, user}]
	if !ok || !now.Before(e.expires) {
		return Me{}, false
	}
	return e.me, true
}

func (l *localAuth) putMe(org, user uuid.UUID, me Me, epoch uint64, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.epoch == epoch {
		l.me[memberKey{org, user}] = meEntry{me: me, expires: now.Add(localTTL)}
	}
}

func (l *localAuth) apiKey(prefix string, now time.Time) (postgres.APIKeyRecord, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	e, ok := l.apiKeys[prefix]
	if !ok || !now.Before(e.expires) {
		return postgres.APIKeyRecord{}, false
	}
	return e.rec, true
}

func (l *localAuth) putAPIKey(prefix string, rec postgres.APIKeyRecord, epoch uint64, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.epoch == epoch && len(l.apiKeys) < 100_000 {
		// The prefix may alias a request buffer: store a copy.
		l.apiKeys[strings.Clone(prefix)] = apiKeyEntry{rec: rec, expires: now.Add(localTTL)}
	}
}

// invalidate applies a change here at once and tells every other instance.
// A failed publish is logged: the other instances' copies then live at most
// localTTL (their subscriptions most likely failed with the same Redis, in
// which case they are not trusting their copies anyway).
func (s *Service) invalidate(ctx context.Context, kind string, args ...string) {
	if s.local == nil {
		return
	}
	s.local.apply(kind, args)
	if err := s.local.bus.Publish(context.WithoutCancel(ctx), kind, args...); err != nil {
		s.logger.WarnContext(ctx, "publish cache invalidation", "kind", kind, "error", err)
	}
}
