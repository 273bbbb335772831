package identity

import (
	"strings"
	"sync"
	"time"

	"github.com/socialmediamanager/smm/identity/accesstoken"
)

// verifiedTokens remembers access tokens whose RS256 signature and claims
// were already verified, until they expire, so a client reusing its token
// (the common case) costs a map lookup instead of an RSA verification.
// Revocation is not cached: the blacklist is checked on every request.
type verifiedTokens struct {
	mu      sync.Mutex
	max     int
	entries map[string]accesstoken.Claims
}

func newVerifiedTokens(max int) *verifiedTokens {
	return &verifiedTokens{max: max, entries: make(map[string]accesstoken.Claims, max)}
}

func (v *verifiedTokens) get(token string, now time.Time) (accesstoken.Claims, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	c, ok := v.entries[token]
	if ok && !now.Before(c.ExpiresAt) {
		delete(v.entries, token)
		return accesstoken.Claims{}, false
	}
	return c, ok
}

func (v *verifiedTokens) put(token string, c accesstoken.Claims, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.entries) >= v.max {
		for k, e := range v.entries {
			if !now.Before(e.ExpiresAt) {
				delete(v.entries, k)
			}
		}
		if len(v.entries) >= v.max {
			clear(v.entries) // a flood of distinct tokens: start over
		}
	}
	// Copy the key: callers' strings may alias a request buffer (fiber
	// reuses them), and a map key must never change under the map.
	v.entries[strings.Clone(token)] = c
}
