package actors

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/socialmediamanager/smm/actors/actorpb"
	"github.com/socialmediamanager/smm/domain"
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

// accountActor is the actor of one social account. The social-accounts and
// publishing issues give it its work (token refresh, publish calls under
// the account's bucket); for now it holds the account it stands for.
type accountActor struct {
	account domain.SocialAccount
}

// syncActor fetches one account's metrics and comments (the analytics and
// engagement issues fill it in).
type syncActor struct {
	account domain.SocialAccount
}

func defaultChild(kind string, account domain.SocialAccount) actor.Actor {
	if kind == ChildSync {
		return &syncActor{account: account}
	}
	return &accountActor{account: account}
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
