package actors

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// wakeLog records the wakes a sweeper sends.
type wakeLog struct {
	mu    sync.Mutex
	wakes []wake
}

type wake struct {
	org     uuid.UUID
	claimed bool
	at      time.Time
}

func (l *wakeLog) Wake(_ context.Context, org uuid.UUID, claimed bool) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.wakes = append(l.wakes, wake{org, claimed, time.Now()})
	return 0, nil
}

func (l *wakeLog) snapshot() []wake {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]wake(nil), l.wakes...)
}

// TestSweeperPacesAndAnswersTopologyAtOnce: a periodic sweep paces its
// wakes of local grains over Spread, wakes the others at once, and a
// topology change in the middle of it is swept at once (every organization,
// claims included), not after the paced sweep.
func TestSweeperPacesAndAnswersTopologyAtOnce(t *testing.T) {
	orgs := make([]uuid.UUID, 40)
	for i := range orgs {
		orgs[i] = uuid.New()
	}
	remote := orgs[0] // not active on this node
	log := &wakeLog{}
	changed := make(chan struct{})
	var once sync.Once
	s := &Sweeper{
		Due:      func(context.Context, time.Time, bool) ([]uuid.UUID, error) { return orgs, nil },
		Grains:   log,
		Every:    300 * time.Millisecond,
		Spread:   3 * time.Second,
		Parallel: 4,
		Local:    func(org uuid.UUID) bool { return org != remote },
		Changes: func() <-chan struct{} {
			select {
			case <-changed:
				return make(chan struct{}) // one change only
			default:
				return changed
			}
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()

	time.Sleep(700 * time.Millisecond) // the first periodic sweep is pacing
	changedAt := time.Now()
	once.Do(func() { close(changed) })
	deadline := time.Now().Add(2 * time.Second)
	for {
		claimed := map[uuid.UUID]bool{}
		for _, w := range log.snapshot() {
			if w.claimed {
				claimed[w.org] = true
			}
		}
		if len(claimed) == len(orgs) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d of %d organizations woken after the topology change, want all within a second", len(claimed), len(orgs))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if took := time.Since(changedAt); took > time.Second {
		t.Errorf("the topology sweep took %s, want it at once (under a second)", took)
	}
	var periodic []wake
	for _, w := range log.snapshot() {
		if !w.claimed && w.at.Before(changedAt) {
			periodic = append(periodic, w)
		}
	}
	if len(periodic) == 0 || periodic[0].org != remote || periodic[0].at.Sub(start) > 400*time.Millisecond {
		t.Fatalf("got first periodic wakes %v, want the remote organization first, at the first tick", periodic)
	}
	if len(periodic) >= len(orgs) {
		t.Errorf("got %d periodic wakes in %s, want them paced over 3s", len(periodic), changedAt.Sub(start))
	}
	cancel()
	<-done
}
