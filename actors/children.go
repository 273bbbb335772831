package actors

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/actors/actorpb"
	"github.com/socialmediamanager/smm/domain"
	"golang.org/x/time/rate"
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

// accountActor is the actor of one social account. It keeps the account's
// connection alive (AccountKeeper.Maintain, on the schedule it answers);
// the publishing issue gives it publish calls under the account's bucket.
type accountActor struct {
	org, account uuid.UUID
	timer        *time.Timer
	busy         bool
	// bucket paces the account's publish calls (made on the first job,
	// sized from its provider's limits).
	bucket *rate.Limiter
}

// accountAssigned tells an account actor its organization: the grain sends
// it right after spawning the actor, and again after a restart.
type accountAssigned struct {
	org      uuid.UUID
	provider domain.Provider
	// learn asks for the account's posting options, not known yet.
	learn bool
}

// maintainTick asks an account actor to maintain its account now.
type maintainTick struct{}

// maintained is the outcome of one Maintain call.
type maintained struct {
	next time.Duration
	err  error
}

// syncActor fetches one account's metrics and comments (the analytics and
// engagement issues fill it in).
type syncActor struct{}

func defaultChild(kind string) actor.Actor {
	if kind == ChildSync {
		return &syncActor{}
	}
	return &accountActor{}
}

// Receive runs the account's maintenance loop. Maintain runs in its own
// goroutine (it calls the provider), so the actor's mailbox stays free; one
// run at a time.
func (a *accountActor) Receive(ctx actor.Context) {
	rt := runtimeOf(ctx.ActorSystem())
	switch m := ctx.Message().(type) {
	case *accountAssigned:
		_, account, err := ChildOf(ctx.Self())
		if err != nil || rt == nil {
			return
		}
		a.org, a.account = m.org, account
		if m.learn && m.provider == domain.ProviderTikTok && rt.opts.Publishing.PostingOptions != nil && rt.opts.Publishing.Store != nil {
			go rt.learnPostingOptions(m.org, account)
		}
		if rt.opts.Accounts != nil {
			a.schedule(ctx, 0)
		}
	case *maintainTick:
		if a.busy || a.org == uuid.Nil {
			return
		}
		a.busy = true
		self, root, keeper, timeout := ctx.Self(), ctx.ActorSystem().Root, rt.opts.Accounts, rt.opts.LoadTimeout*6
		org, account := a.org, a.account
		go func() {
			c, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			next, err := keeper.Maintain(c, org, account)
			root.Send(self, &maintained{next: next, err: err})
		}()
	case *maintained:
		a.busy = false
		if m.err != nil {
			if domain.ErrorCode(m.err) == domain.CodeNotFound {
				return // the account is gone; the grain stops this actor
			}
			rt.opts.Logger.Warn("social account maintenance failed", slog.String("organization_id", a.org.String()),
				slog.String("account_id", a.account.String()), slog.Any("error", m.err))
		}
		a.schedule(ctx, m.next)
	case *publishJob:
		if rt == nil {
			return // the node is shutting down; the sweep brings the job back
		}
		if a.bucket == nil {
			a.bucket = rate.NewLimiter(rt.opts.Publishing.Buckets(m.provider))
		}
		bucket, root := a.bucket, ctx.ActorSystem().Root
		go func() {
			// Wait for the bucket before claiming, so a claim's lease is
			// spent on the call, not in the queue.
			wctx, cancel := context.WithTimeout(context.Background(), rt.opts.Publishing.Lease)
			err := bucket.Wait(wctx)
			cancel()
			if err != nil {
				due := time.Now().Add(time.Second)
				root.Send(m.grain, &attemptDone{id: m.id, account: m.account, due: &due})
				return
			}
			root.Send(m.grain, rt.attempt(m))
		}()
	case *actor.Stopping, *actor.Restarting:
		if a.timer != nil {
			a.timer.Stop()
		}
	}
}

// schedule sends the actor a maintainTick after d.
func (a *accountActor) schedule(ctx actor.Context, d time.Duration) {
	if a.timer != nil {
		a.timer.Stop()
	}
	self, root := ctx.Self(), ctx.ActorSystem().Root
	a.timer = time.AfterFunc(max(d, 0), func() { root.Send(self, &maintainTick{}) })
}

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

// learnPostingOptions asks the provider for an account's posting options
// (TikTok's creator_info) and keeps them, so scheduling can check a privacy
// level against them before the first publish. A failure only leaves the
// check to the publish itself.
func (rt *Runtime) learnPostingOptions(org, account uuid.UUID) {
	o := rt.opts.Publishing
	ctx, cancel := context.WithTimeout(context.Background(), rt.opts.LoadTimeout*6)
	defer cancel()
	opts, err := o.PostingOptions.PostingOptions(ctx, org, account)
	if err == nil && opts != nil {
		err = o.Store(org).SavePostingOptions(ctx, account, *opts)
	}
	if err != nil {
		rt.opts.Logger.Debug("posting options not learned", slog.String("organization_id", org.String()),
			slog.String("account_id", account.String()), slog.Any("error", err))
	}
}
