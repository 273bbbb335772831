package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/socialmediamanager/smm/actors/actorpb"
	"github.com/socialmediamanager/smm/domain"
)

// operatorName is the name of the actor every member runs to answer the
// operator view; `smm cluster status` asks it over remoting.
const operatorName = "smm-operator"

// operator answers what this member is, and, for the command line, what
// the whole cluster is.
type operator struct{ node *Node }

// Receive answers NodeInfoRequest at once and ClusterStatusRequest from a
// goroutine (it asks every other member).
func (o *operator) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actorpb.NodeInfoRequest:
		ctx.Respond(o.node.info())
	case *actorpb.ClusterStatusRequest:
		sender := ctx.Sender()
		if sender == nil {
			return
		}
		root := o.node.system.Root
		go func() {
			view, _ := o.node.status(context.Background())
			root.Send(sender, view)
		}()
	}
}

func (n *Node) info() *actorpb.NodeInfo {
	c := n.opts.Runtime.Counters()
	return &actorpb.NodeInfo{
		MemberId: n.system.ID, Address: n.system.Address(), Kinds: n.cluster.GetClusterKinds(),
		ActiveGrains: c.Active, Activations: c.Activations, Passivations: c.Passivations,
		ChildRestarts: c.ChildRestarts, StartedAtUnixMicro: n.started.UnixMicro(),
		Provider: n.opts.Config.Provider, FailedChildren: n.opts.Runtime.FailedChildren(),
	}
}

// status asks every member of the topology about itself, in parallel,
// each within a second; a member that does not answer is listed as
// unreachable with the error.
func (n *Node) status(ctx context.Context) (*actorpb.ClusterStatus, error) {
	list, hash := n.topo.snapshot()
	out := &actorpb.ClusterStatus{AnsweredBy: n.system.ID, TopologyHash: int64(hash)}
	timeout := time.Second
	if d, ok := ctx.Deadline(); ok && time.Until(d) < timeout {
		timeout = max(time.Until(d), time.Millisecond)
	}
	out.Members = make([]*actorpb.MemberStatus, len(list))
	var wg sync.WaitGroup
	for i, m := range list {
		ms := &actorpb.MemberStatus{MemberId: m.Id, Address: m.Address(), Kinds: m.Kinds, Status: "up"}
		out.Members[i] = ms
		wg.Add(1)
		go func() {
			defer wg.Done()
			pid := actor.NewPID(ms.Address, operatorName)
			res, err := n.system.Root.RequestFuture(pid, &actorpb.NodeInfoRequest{}, timeout).Result()
			if info, ok := res.(*actorpb.NodeInfo); ok && err == nil {
				ms.Info = info
				return
			}
			ms.Status = "unreachable"
			if err == nil {
				err = fmt.Errorf("unexpected answer %T", res)
			}
			ms.Error = err.Error()
		}()
	}
	wg.Wait()
	sort.Slice(out.Members, func(i, j int) bool { return out.Members[i].Address < out.Members[j].Address })
	return out, nil
}

// Status is the cluster as this member sees it, each member's own counters
// included.
func (n *Node) Status(ctx context.Context) (domain.ClusterView, error) {
	s, err := n.status(ctx)
	if err != nil {
		return domain.ClusterView{}, err
	}
	return ViewOf(s), nil
}

// ViewOf turns the operator actor's answer into the API's view.
func ViewOf(s *actorpb.ClusterStatus) domain.ClusterView {
	view := domain.ClusterView{AnsweredBy: s.GetAnsweredBy(), Members: make([]domain.ClusterMember, 0, len(s.GetMembers()))}
	now := time.Now()
	for _, m := range s.GetMembers() {
		cm := domain.ClusterMember{ID: m.GetMemberId(), Address: m.GetAddress(), Kinds: m.GetKinds(),
			Status: m.GetStatus(), Error: m.GetError(), FailedChildren: []domain.FailedChild{}}
		if cm.Kinds == nil {
			cm.Kinds = []string{}
		}
		if info := m.GetInfo(); info != nil {
			started := time.UnixMicro(info.GetStartedAtUnixMicro()).UTC()
			cm.Provider, cm.StartedAt = info.GetProvider(), &started
			cm.UptimeSeconds = int64(now.Sub(started).Seconds())
			cm.ActiveGrains, cm.Activations = info.GetActiveGrains(), info.GetActivations()
			cm.Passivations, cm.ChildRestarts = info.GetPassivations(), info.GetChildRestarts()
			for _, f := range info.GetFailedChildren() {
				cm.FailedChildren = append(cm.FailedChildren, domain.FailedChild{
					OrganizationID: f.GetOrganizationId(), AccountID: f.GetAccountId(), Kind: f.GetKind(),
					Reason: f.GetReason(), Failures: f.GetFailures(), At: time.UnixMicro(f.GetAtUnixMicro()).UTC(),
				})
			}
		}
		view.Members = append(view.Members, cm)
	}
	return view
}

// RemoteStatus asks the member at addr for the cluster view, from a process
// that is not a member (the command line): it starts remoting on a free
// loopback port for the one question.
func RemoteStatus(ctx context.Context, addr string, timeout time.Duration) (domain.ClusterView, error) {
	quiet := slog.New(slog.DiscardHandler)
	system := actor.NewActorSystemWithConfig(actor.Configure(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return quiet })))
	r := remote.NewRemote(system, remote.Configure("127.0.0.1", 0))
	r.Start()
	defer r.Shutdown(false)
	res, err := system.Root.RequestFuture(actor.NewPID(addr, operatorName), &actorpb.ClusterStatusRequest{}, timeout).Result()
	if err != nil {
		return domain.ClusterView{}, fmt.Errorf("ask %s for the cluster status: %w", addr, err)
	}
	s, ok := res.(*actorpb.ClusterStatus)
	if !ok {
		return domain.ClusterView{}, fmt.Errorf("ask %s for the cluster status: unexpected answer %T", addr, res)
	}
	return ViewOf(s), nil
}
