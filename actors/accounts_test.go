package actors_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/actors"
)

// keeperLog records the Maintain calls of account actors and answers the
// next wait from a script.
type keeperLog struct {
	mu    sync.Mutex
	calls map[uuid.UUID][]uuid.UUID // account → the organizations it was called with
	waits []time.Duration
}

func (k *keeperLog) Maintain(_ context.Context, org, account uuid.UUID) (time.Duration, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls[account] = append(k.calls[account], org)
	n := len(k.calls[account])
	if n <= len(k.waits) {
		return k.waits[n-1], nil
	}
	return time.Hour, nil
}

func (k *keeperLog) count(account uuid.UUID) (int, []uuid.UUID) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.calls[account]), append([]uuid.UUID(nil), k.calls[account]...)
}

// Each account actor maintains its account as it starts, then on the
// schedule Maintain answers, with its organization; sync actors do not.
func TestAccountActorsMaintainOnSchedule(t *testing.T) {
	k := &keeperLog{calls: map[uuid.UUID][]uuid.UUID{}, waits: []time.Duration{50 * time.Millisecond, 50 * time.Millisecond}}
	e := newEnv(t, setup{opts: actors.Options{Accounts: k}})
	tn := e.newTenant("Kept", 2)
	e.describe(tn.org.ID)
	for _, a := range tn.accounts {
		eventually(t, 5*time.Second, "three Maintain calls per account (start, then twice on schedule)", func() (bool, string) {
			n, orgs := k.count(a.ID)
			for _, o := range orgs {
				if o != tn.org.ID {
					return false, fmt.Sprintf("a call with organization %s", o)
				}
			}
			return n >= 3, fmt.Sprintf("%d calls for account %s", n, a.ID)
		})
	}
	// After the scripted waits comes an hour: no fourth call now.
	time.Sleep(200 * time.Millisecond)
	for _, a := range tn.accounts {
		if n, _ := k.count(a.ID); n != 3 {
			t.Errorf("account %s: got %d Maintain calls, want 3", a.ID, n)
		}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.calls) != len(tn.accounts) {
		t.Errorf("got Maintain calls for %d ids, want one per account (%d), none for sync actors", len(k.calls), len(tn.accounts))
	}
}
