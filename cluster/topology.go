package cluster

import (
	"sort"
	"sync"

	"github.com/asynkron/protoactor-go/cluster"
)

// topology is this member's copy of the cluster topology, kept from the
// ClusterTopology events protoactor publishes. protoactor's own MemberList
// hands out its member set without the lock it replaces it under, so the
// node reads members here instead; and a request waiting on a member that
// has just left learns it from changed.
type topology struct {
	mu      sync.Mutex
	hash    uint64
	members []*cluster.Member
	// changed is closed, and replaced, at every update.
	changed chan struct{}
}

func newTopology() *topology { return &topology{changed: make(chan struct{})} }

// record stores the members of a topology event. It runs in the publisher's
// goroutine, before the identity lookup has seen the same event.
func (t *topology) record(ev any) {
	tp, ok := ev.(*cluster.ClusterTopology)
	if !ok {
		return
	}
	members := append([]*cluster.Member(nil), tp.Members...)
	sort.Slice(members, func(i, j int) bool { return members[i].Address() < members[j].Address() })
	t.mu.Lock()
	t.hash, t.members = tp.TopologyHash, members
	t.mu.Unlock()
}

// announce wakes whoever waits for a change. It is subscribed after the
// identity lookup, so a woken request looks the identity up again in the
// topology that woke it.
func (t *topology) announce(ev any) {
	if _, ok := ev.(*cluster.ClusterTopology); !ok {
		return
	}
	t.mu.Lock()
	close(t.changed)
	t.changed = make(chan struct{})
	t.mu.Unlock()
}

// snapshot returns the members (sorted by address) and the topology hash.
func (t *topology) snapshot() ([]*cluster.Member, uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.members, t.hash
}

// next is closed at the next change of the topology.
func (t *topology) next() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.changed
}

// has reports whether a member at address is in the topology.
func (t *topology) has(address string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, m := range t.members {
		if m.Address() == address {
			return true
		}
	}
	return false
}

// hasID reports whether the member id is in the topology.
func (t *topology) hasID(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, m := range t.members {
		if m.Id == id {
			return true
		}
	}
	return false
}

// ids lists the members' ids.
func (t *topology) ids() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, len(t.members))
	for i, m := range t.members {
		out[i] = m.Id
	}
	return out
}
