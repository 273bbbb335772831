package actors

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/actors/actorpb"
)

// Kinds of children: one of each per social account.
const (
	ChildAccount = "account"
	ChildSync    = "sync"
)

// childName is the name a child is spawned with under its grain, from which
// the supervisor reads back its kind and account.
func childName(kind string, account string) string { return kind + "-" + account }

// parseChild reads the kind and account id back from a child's PID.
func parseChild(pid *actor.PID) (kind, account string) {
	id := pid.Id
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		id = id[i+1:]
	}
	kind, account, _ = strings.Cut(id, "-")
	return kind, account
}

// ChildOf reads a child's kind and account id back from its PID: children
// are spawned from one shared Props per kind, and learn which account they
// stand for from their own name (ChildOf(ctx.Self())).
func ChildOf(pid *actor.PID) (kind string, account uuid.UUID, err error) {
	kind, id := parseChild(pid)
	if kind != ChildAccount && kind != ChildSync {
		return "", uuid.Nil, fmt.Errorf("%q is not a child of an organization grain", pid.GetId())
	}
	if account, err = uuid.Parse(id); err != nil {
		return "", uuid.Nil, fmt.Errorf("child %q: %w", pid.GetId(), err)
	}
	return kind, account, nil
}

// accountActor is the actor of one social account. The social-accounts and
// publishing issues give it its work (token refresh, publish calls under
// the account's bucket), and the state it needs, loaded when it starts.
type accountActor struct{}

// syncActor fetches one account's metrics and comments (the analytics and
// engagement issues fill it in).
type syncActor struct{}

func defaultChild(kind string) actor.Actor {
	if kind == ChildSync {
		return &syncActor{}
	}
	return &accountActor{}
}

// Receive answers nothing yet; its work arrives with the publishing issue.
func (a *accountActor) Receive(actor.Context) {}

// Receive answers nothing yet; its work arrives with the analytics issue.
func (a *syncActor) Receive(actor.Context) {}

// childFailed tells a grain that one of its children failed, and whether the
// supervisor restarted or stopped it.
type childFailed struct {
	pid      *actor.PID
	reason   string
	failures int
	stopped  bool
}

// childSupervisor restarts a failing child after a backoff that doubles
// with each failure in the window, and stops a child that fails more than
// MaxRestarts times in it: one broken account never takes its organization,
// or the other accounts, down.
type childSupervisor struct{ rt *Runtime }

// HandleFailure decides a failed child's fate and tells its grain.
func (s *childSupervisor) HandleFailure(sys *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, rs *actor.RestartStatistics, reason interface{}, _ interface{}) {
	o := s.rt.opts
	rs.Fail()
	failures := rs.NumberOfFailures(o.RestartWindow)
	kind, _ := parseChild(child)
	tell := func(msg any) {}
	if self, ok := sup.(interface{ Self() *actor.PID }); ok {
		parent := self.Self()
		tell = func(msg any) { sys.Root.Send(parent, msg) }
	}
	msg := &childFailed{pid: child, reason: fmt.Sprint(reason), failures: failures}
	if failures > o.MaxRestarts {
		msg.stopped = true
		sup.StopChildren(child)
		o.Metrics.stopped.WithLabelValues(kind).Inc()
		tell(msg)
		return
	}
	backoff := o.RestartBackoff << (failures - 1)
	if backoff > o.MaxRestartBackoff || backoff <= 0 {
		backoff = o.MaxRestartBackoff
	}
	s.rt.restarts.Add(1)
	o.Metrics.restarts.WithLabelValues(kind).Inc()
	tell(msg)
	time.AfterFunc(backoff, func() {
		sup.RestartChildren(child)
		tell(&childRestarted{pid: child})
	})
}

// childRestarted tells a grain that a failed child runs again.
type childRestarted struct{ pid *actor.PID }

// failedChild is the operator view's record of a stopped child.
func failedChild(org string, kind, account string, f *childFailed) *actorpb.FailedChild {
	return &actorpb.FailedChild{
		OrganizationId: org, AccountId: account, Kind: kind, Reason: f.reason,
		AtUnixMicro: time.Now().UnixMicro(), Failures: int32(f.failures),
	}
}

func logFailure(log *slog.Logger, org, kind, account string, f *childFailed) {
	attrs := []any{slog.String("organization_id", org), slog.String("account_id", account),
		slog.String("child", kind), slog.String("reason", f.reason), slog.Int("failures", f.failures)}
	if f.stopped {
		log.Error("child actor stopped after failing repeatedly", attrs...)
		return
	}
	log.Warn("child actor failed; restarting with backoff", attrs...)
}
