package cluster

import (
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/remote"
)

// requests is the grain request path of a member, in place of protoactor's
// default. The default sends every attempt with the call's whole timeout and
// looks identities up with a fixed five-second wait, so a call that meets a
// member killed a moment earlier waits out its full timeout, and then five
// seconds more, before it tries a survivor. Here a call is bounded by its
// deadline alone, and is sent again only when the grain it went to is gone:
//   - the identity lookup is abandoned, and started afresh, when the
//     topology changes (the member it waited on left, so the partition
//     moved);
//   - a request is sent again when it comes back as a dead letter (the
//     grain passivated between lookup and delivery: it was not handled), or
//     when the member hosting the grain leaves the topology before
//     answering (it may have been handled there: grain commands are
//     idempotent, their effects live in PostgreSQL).
//
// A grain that is alive but does not answer in time is not sent the
// command twice: the call fails with actor.ErrTimeout.
type requests struct {
	cluster  *cluster.Cluster
	topology *topology
}

// errNoMember is the lookup's answer while no member hosts the kind.
var errNoMember = errors.New("no cluster member hosts this identity yet")

// retryPause is the pause before a call looks its identity up again after
// a lookup without an answer.
const retryPause = 20 * time.Millisecond

// Request sends message to the grain and returns its answer.
func (r *requests) Request(identity, kind string, message any, opts ...cluster.GrainCallOption) (any, error) {
	cfg := cluster.NewGrainCallOptions(r.cluster)
	for _, o := range opts {
		o(cfg)
	}
	deadline := time.Now().Add(cfg.Timeout)
	timer := time.NewTimer(cfg.Timeout)
	defer timer.Stop()
	for {
		pid, err := r.lookup(identity, kind, timer.C)
		if err != nil {
			return nil, fmt.Errorf("request %s/%s: %w", kind, identity, err)
		}
		if pid == nil {
			select {
			case <-timer.C:
				return nil, fmt.Errorf("request %s/%s: %w (%w)", kind, identity, actor.ErrTimeout, errNoMember)
			case <-time.After(retryPause):
				continue
			}
		}
		res, retry, err := r.send(cfg.Context, pid, message, deadline, timer.C)
		if !retry {
			return res, err
		}
		r.cluster.PidCache.RemoveByValue(identity, kind, pid)
	}
}

// RequestFuture sends message to the grain and returns the future of its
// answer: it is not sent again once delivered to a PID.
func (r *requests) RequestFuture(identity, kind string, message any, opts ...cluster.GrainCallOption) (*actor.Future, error) {
	cfg := cluster.NewGrainCallOptions(r.cluster)
	for _, o := range opts {
		o(cfg)
	}
	timer := time.NewTimer(cfg.Timeout)
	defer timer.Stop()
	for {
		pid, err := r.lookup(identity, kind, timer.C)
		if err != nil {
			return nil, err
		}
		if pid != nil {
			return cfg.Context.RequestFuture(pid, message, cfg.Timeout), nil
		}
		select {
		case <-timer.C:
			return nil, fmt.Errorf("request %s/%s: %w (%w)", kind, identity, actor.ErrTimeout, errNoMember)
		case <-time.After(retryPause):
		}
	}
}

// lookup returns the grain's PID, from the cache or the identity lookup, or
// nil when the lookup had no answer before the topology changed. It fails
// with actor.ErrTimeout when expired fires first. An abandoned lookup ends
// by itself, within protoactor's own five seconds.
func (r *requests) lookup(identity, kind string, expired <-chan time.Time) (*actor.PID, error) {
	if pid, ok := r.cluster.PidCache.Get(identity, kind); ok && pid != nil && r.reachable(pid) {
		return pid, nil
	}
	changed := r.topology.next()
	found := make(chan *actor.PID, 1)
	go func() { found <- r.cluster.Get(identity, kind) }()
	select {
	case pid := <-found:
		if pid != nil {
			r.cluster.PidCache.Set(identity, kind, pid)
		}
		return pid, nil
	case <-changed:
		return nil, nil
	case <-expired:
		return nil, actor.ErrTimeout
	}
}

// send delivers message to pid and waits for the answer until deadline.
// retry says the grain is gone: the message came back as a dead letter, or
// the member hosting pid left the topology before answering.
func (r *requests) send(sender actor.SenderContext, pid *actor.PID, message any, deadline time.Time, expired <-chan time.Time) (res any, retry bool, err error) {
	type answer struct {
		res any
		err error
	}
	answers := make(chan answer, 1)
	future := sender.RequestFuture(pid, message, max(time.Until(deadline), time.Millisecond))
	go func() {
		res, err := future.Result()
		answers <- answer{res, err}
	}()
	for {
		changed := r.topology.next()
		select {
		case a := <-answers:
			if a.res != nil {
				return a.res, false, nil
			}
			if a.err == actor.ErrDeadLetter || a.err == remote.ErrDeadLetter {
				return nil, true, nil
			}
			if a.err == nil {
				a.err = errors.New("empty answer")
			}
			return nil, false, a.err
		case <-changed:
			if !r.reachable(pid) {
				return nil, true, nil
			}
		case <-expired:
			return nil, false, actor.ErrTimeout
		}
	}
}

// reachable reports whether pid lives on this member or on one in the
// topology.
func (r *requests) reachable(pid *actor.PID) bool {
	return pid.Address == r.cluster.ActorSystem.Address() || r.topology.has(pid.Address)
}
