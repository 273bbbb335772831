package actors

import (
	"container/heap"
	"context"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/sony/gobreaker/v2"
)

// dueItem is one publication the grain must act on at `at`.
type dueItem struct {
	id, account uuid.UUID
	at          time.Time
	index       int
}

// dueHeap is a min-heap of due items by time.
type dueHeap []*dueItem

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *dueHeap) Push(x any) {
	it := x.(*dueItem)
	it.index = len(*h)
	*h = append(*h, it)
}
func (h *dueHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	it.index = -1
	return it
}

// schedule is an organization's publish schedule in memory: the due
// publications in a heap under one timer, and those whose attempt runs.
// It is a cache of PostgreSQL (DuePublications), rebuilt on activation and
// on every wake.
type schedule struct {
	heap     dueHeap
	byID     map[uuid.UUID]*dueItem
	inflight map[uuid.UUID]struct{}
	timer    *time.Timer
	timerAt  time.Time
	// breakers are the organization's circuit breakers, one per provider.
	breakers map[domain.Provider]*gobreaker.CircuitBreaker[domain.PublishResult]
}

// fireDue is the schedule timer's tick.
type fireDue struct{}

// attemptDone tells the grain an attempt ended, and when the publication
// is due again (nil: nothing left to do).
type attemptDone struct {
	id, account uuid.UUID
	due         *time.Time
}

// publishJob asks an account actor to run one attempt.
type publishJob struct {
	org, id, account uuid.UUID
	provider         domain.Provider
	breaker          *gobreaker.CircuitBreaker[domain.PublishResult]
	member           string
	live             []string
	grain            *actor.PID
}

// fireEarly is how early the timer may fire a publication: the claim
// accepts this margin, so a timer a few milliseconds early still claims.
const fireEarly = 20 * time.Millisecond

func (g *organizationGrain) publishing() bool { return g.rt.opts.Publishing.Store != nil }

func (g *organizationGrain) sched() *schedule {
	if g.due == nil {
		g.due = &schedule{byID: map[uuid.UUID]*dueItem{}, inflight: map[uuid.UUID]struct{}{}}
	}
	return g.due
}

// loadDue reads the publications due within the horizon and puts them in
// the heap (an item already there moves to the time PostgreSQL says).
func (g *organizationGrain) loadDue(ctx context.Context, includeClaimed bool) (int, error) {
	if !g.publishing() || g.id == uuid.Nil {
		return 0, nil
	}
	o := g.rt.opts.Publishing
	list, err := o.Store(g.id).DuePublications(ctx, time.Now().Add(o.Horizon), includeClaimed)
	if err != nil {
		return 0, err
	}
	live := g.members()
	now := time.Now()
	for _, d := range list {
		at := d.DueAt
		if d.Status == domain.PublicationPublishing && domain.ClaimantGone(d.ClaimedBy, g.member(), live) {
			// Its member left the cluster: take the claim over now (the
			// claim checks the same), not at the end of its lease.
			at = now
		}
		g.push(d.ID, d.AccountID, at)
	}
	g.arm()
	return len(g.sched().heap), nil
}

// push adds or moves a publication in the heap, unless its attempt runs.
func (g *organizationGrain) push(id, account uuid.UUID, at time.Time) {
	s := g.sched()
	if _, running := s.inflight[id]; running {
		return
	}
	if it, ok := s.byID[id]; ok {
		it.at = at
		heap.Fix(&s.heap, it.index)
		return
	}
	it := &dueItem{id: id, account: account, at: at}
	heap.Push(&s.heap, it)
	s.byID[id] = it
}

// remove forgets a publication (cancelled, or done).
func (g *organizationGrain) remove(id uuid.UUID) {
	s := g.sched()
	if it, ok := s.byID[id]; ok {
		heap.Remove(&s.heap, it.index)
		delete(s.byID, id)
	}
}

// arm sets the one timer to the earliest due item.
func (g *organizationGrain) arm() {
	s := g.sched()
	if len(s.heap) == 0 {
		if s.timer != nil {
			s.timer.Stop()
		}
		s.timerAt = time.Time{}
		return
	}
	at := s.heap[0].at
	if s.timer != nil && s.timerAt.Equal(at) {
		return
	}
	if s.timer != nil {
		s.timer.Stop()
	}
	self, root := g.ctx.Self(), g.ctx.ActorSystem().Root
	s.timerAt = at
	s.timer = time.AfterFunc(max(time.Until(at)-fireEarly, 0), func() { root.Send(self, &fireDue{}) })
}

// fire dispatches every publication now due to its account's actor.
func (g *organizationGrain) fire() {
	s := g.sched()
	s.timerAt = time.Time{}
	now := time.Now().Add(fireEarly)
	live, member := g.members(), g.member()
	for len(s.heap) > 0 && !s.heap[0].at.After(now) {
		it := heap.Pop(&s.heap).(*dueItem)
		delete(s.byID, it.id)
		s.inflight[it.id] = struct{}{}
		job := &publishJob{org: g.id, id: it.id, account: it.account, member: member, live: live, grain: g.ctx.Self()}
		c := g.child(ChildAccount, it.account)
		if c != nil {
			job.provider = c.provider
		}
		job.breaker = g.breaker(job.provider)
		if c != nil && c.status == childRunning {
			g.ctx.Send(c.pid, job)
			continue
		}
		// No running actor for the account (removed, or stopped after
		// failing): run the attempt without its bucket rather than drop it.
		rt, root := g.rt, g.ctx.ActorSystem().Root
		go func() { root.Send(job.grain, rt.attempt(job)) }()
	}
	g.arm()
}

// done takes an attempt's end: the publication goes back in the heap when
// it is due again within the horizon (the sweep finds it otherwise).
func (g *organizationGrain) done(m *attemptDone) {
	s := g.sched()
	delete(s.inflight, m.id)
	if m.due != nil && m.due.Before(time.Now().Add(g.rt.opts.Publishing.Horizon)) {
		g.push(m.id, m.account, *m.due)
	}
	g.arm()
}

// member names this node in claims: the cluster's name and the member's
// id, so a claim is only ever judged abandoned by a member of the same
// cluster (another cluster sharing the database by mistake is not
// "gone" because it is not ours: its claims end with their lease).
func (g *organizationGrain) member() string {
	c := g.ctx.Cluster()
	return c.Config.Name + "/" + c.ActorSystem.ID
}

// members lists the live members of this node's cluster, as member names
// them.
func (g *organizationGrain) members() []string {
	ids := g.rt.liveMembers()
	name := g.ctx.Cluster().Config.Name
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = name + "/" + id
	}
	return out
}

// breaker is the organization's circuit breaker for provider p: it opens
// after consecutive retryable failures (a provider down), so attempts wait
// instead of hammering it; permanent refusals do not count.
func (g *organizationGrain) breaker(p domain.Provider) *gobreaker.CircuitBreaker[domain.PublishResult] {
	s := g.sched()
	if cb := s.breakers[p]; cb != nil {
		return cb
	}
	if s.breakers == nil {
		s.breakers = map[domain.Provider]*gobreaker.CircuitBreaker[domain.PublishResult]{}
	}
	o := g.rt.opts.Publishing
	cb := gobreaker.NewCircuitBreaker[domain.PublishResult](gobreaker.Settings{
		Name:        g.id.String() + "/" + string(p),
		MaxRequests: 1,
		Timeout:     o.BreakerOpen,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= o.BreakerFailures },
		IsSuccessful: func(err error) bool {
			return err == nil || classOf(err) != domain.ClassRetryable
		},
	})
	s.breakers[p] = cb
	return cb
}

// stopSchedule stops the timer when the grain stops.
func (g *organizationGrain) stopSchedule() {
	if g.due != nil && g.due.timer != nil {
		g.due.timer.Stop()
	}
}

// logDueError logs a failed read of the due list; the next wake retries.
func (g *organizationGrain) logDueError(err error) {
	g.logger().Warn("reading due publications failed", slog.String("organization_id", g.id.String()), slog.Any("error", err))
}
