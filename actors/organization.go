package actors

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sort"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/actors/actorpb"
	"github.com/socialmediamanager/smm/domain"
)

// Child statuses in the grain's description.
const (
	childRunning    = "running"
	childRestarting = "restarting"
	childStopped    = "stopped"
)

// organizationGrain is the virtual actor of one organization. Its memory is
// a cache of PostgreSQL, loaded on activation; it can be dropped at any
// moment (passivation, a lost node) and rebuilt on the next message.
type organizationGrain struct {
	rt  *Runtime
	ctx cluster.GrainContext
	log *slog.Logger

	id      uuid.UUID
	org     domain.Organization
	loadErr error
	// loadAnswered is set once a command got loadErr: later ones load again.
	loadAnswered bool
	loads        int64
	activatedAt  time.Time
	children     map[string]*child
}

// child is one child actor and what its supervisor reported of it.
type child struct {
	kind        string
	account     domain.SocialAccount
	pid         *actor.PID
	status      string
	restarts    int32
	lastFailure string
}

var _ actorpb.OrganizationGrain = (*organizationGrain)(nil)

// Init loads the organization and its accounts, then starts the children.
func (g *organizationGrain) Init(ctx cluster.GrainContext) {
	g.ctx = ctx
	g.rt = runtimeOf(ctx.ActorSystem())
	g.activatedAt = time.Now()
	g.children = map[string]*child{}
	g.log = g.rt.opts.Logger.With(slog.String("organization_id", ctx.Identity()), slog.String("member", ctx.Cluster().ActorSystem.ID))
	g.rt.active.Add(1)
	g.rt.activations.Add(1)
	g.rt.hosted.Store(ctx.Identity(), struct{}{})
	g.rt.opts.Metrics.active.Inc()
	g.rt.opts.Metrics.activations.Inc()

	id, err := uuid.Parse(ctx.Identity())
	if err != nil {
		g.loadErr = domain.Errorf(domain.CodeNotFound, "organization not found")
		return
	}
	g.id = id
	g.loadErr = g.load(context.Background())
}

// load reads the organization and reconciles the children with its live
// social accounts.
func (g *organizationGrain) load(parent context.Context) error {
	ctx, cancel := context.WithTimeout(parent, g.rt.opts.LoadTimeout)
	defer cancel()
	store := g.rt.opts.Store(g.id)
	org, err := store.Organization(ctx)
	if err != nil {
		return err
	}
	accounts, err := store.SocialAccounts(ctx)
	if err != nil {
		return err
	}
	g.org = org
	g.loads++
	g.reconcile(accounts)
	return nil
}

// reconcile starts the children of new accounts, stops those of removed
// ones, and starts again a child its supervisor had stopped.
func (g *organizationGrain) reconcile(accounts []domain.SocialAccount) {
	want := make(map[string]bool, 2*len(accounts))
	for _, a := range accounts {
		for _, kind := range []string{ChildAccount, ChildSync} {
			name := childName(kind, a.ID.String())
			want[name] = true
			if c, ok := g.children[name]; ok && c.status != childStopped {
				c.account = a
				continue
			}
			g.spawn(name, kind, a)
		}
	}
	for name, c := range g.children {
		if !want[name] {
			g.ctx.Stop(c.pid)
			delete(g.children, name)
		}
	}
}

func (g *organizationGrain) spawn(name, kind string, a domain.SocialAccount) {
	produce := g.rt.opts.Children
	props := actor.PropsFromProducer(func() actor.Actor { return produce(kind, a) })
	pid, err := g.ctx.SpawnNamed(props, name)
	if err != nil {
		// The stopped predecessor has not finished stopping: the next
		// reconcile starts it.
		g.log.Warn("child actor not started", slog.String("account_id", a.ID.String()), slog.String("child", kind), slog.Any("error", err))
		return
	}
	prev := g.children[name]
	c := &child{kind: kind, account: a, pid: pid, status: childRunning}
	if prev != nil {
		c.restarts = prev.restarts
	}
	g.children[name] = c
}

// Terminate runs when the grain stops (passivation, shutdown); its
// children stop with it.
func (g *organizationGrain) Terminate(ctx cluster.GrainContext) {
	g.rt.hosted.Delete(ctx.Identity())
	g.rt.active.Add(-1)
	g.rt.opts.Metrics.active.Dec()
}

// ReceiveDefault handles what is not a command: reports of the children's
// supervisor.
func (g *organizationGrain) ReceiveDefault(ctx cluster.GrainContext) {
	switch m := ctx.Message().(type) {
	case *childFailed:
		g.childFailed(m)
	case *childRestarted:
		kind, account := parseChild(m.pid)
		if c, ok := g.children[childName(kind, account)]; ok && c.pid.Equal(m.pid) && c.status == childRestarting {
			c.status = childRunning
		}
	}
}

func (g *organizationGrain) childFailed(f *childFailed) {
	kind, account := parseChild(f.pid)
	logFailure(g.log, g.ctx.Identity(), kind, account, f)
	c, ok := g.children[childName(kind, account)]
	if !ok {
		return
	}
	c.lastFailure = f.reason
	if f.stopped {
		c.status = childStopped
		g.rt.recordFailed(failedChild(g.ctx.Identity(), kind, account, f))
		return
	}
	c.status = childRestarting
	c.restarts++
}

// ready answers the error of a failed activation (the organization does
// not exist, PostgreSQL did not answer); from the next command on it reads
// the organization again first, so the grain recovers as soon as it can.
// The grain does not stop itself on a failed load: a command already on its
// way to a stopping grain is dropped with the rest of its mailbox, and its
// caller waits out the whole timeout for an unavailable answer. A grain
// that never loads passivates after the idle timeout like any other.
func (g *organizationGrain) ready() error {
	if g.loadErr == nil {
		return nil
	}
	if g.loadAnswered && g.id != uuid.Nil {
		if g.loadErr = g.load(context.Background()); g.loadErr == nil {
			return nil
		}
	}
	g.loadAnswered = true
	if errors.Is(g.loadErr, context.DeadlineExceeded) {
		return domain.Unavailable("the organization's data", g.loadErr)
	}
	return g.loadErr
}

// commandContext is the context a command runs in: the header's ids, and a
// deadline so a slow database cannot hold the grain's mailbox forever.
func (g *organizationGrain) commandContext(h *actorpb.CommandHeader) (context.Context, context.CancelFunc) {
	return context.WithTimeout(contextOf(context.Background(), h), g.rt.opts.LoadTimeout)
}

// UpdateOrganization applies a settings change and keeps the new state.
func (g *organizationGrain) UpdateOrganization(req *actorpb.UpdateOrganizationRequest, _ cluster.GrainContext) (*actorpb.Organization, error) {
	if err := g.ready(); err != nil {
		return nil, toGrainError(err)
	}
	p, err := principalOf(req.GetHeader(), g.id)
	if err != nil {
		return nil, toGrainError(err)
	}
	var patch domain.OrganizationPatch
	if req.NameSet {
		patch.Name = &req.Name
	}
	if len(req.SettingsJson) > 0 {
		if err := json.Unmarshal(req.SettingsJson, &patch.Settings); err != nil || patch.Settings == nil {
			return nil, toGrainError(domain.Invalid("settings", "must be a JSON object"))
		}
	}
	ctx, cancel := g.commandContext(req.GetHeader())
	defer cancel()
	org, err := g.rt.opts.Writer.UpdateOrganization(ctx, p, patch)
	if err != nil {
		if domain.ErrorCode(err) == domain.CodeInternal {
			g.log.ErrorContext(ctx, "update organization", slog.Any("error", err))
		}
		return nil, toGrainError(err)
	}
	g.org = org
	g.log.InfoContext(ctx, "organization updated")
	return organizationMessage(org), nil
}

// Describe tells where the grain lives and what it holds.
func (g *organizationGrain) Describe(req *actorpb.DescribeRequest, _ cluster.GrainContext) (*actorpb.Activation, error) {
	if err := g.ready(); err != nil {
		return nil, toGrainError(err)
	}
	if _, err := principalOf(req.GetHeader(), g.id); err != nil {
		return nil, toGrainError(err)
	}
	return g.activation(), nil
}

// AccountsChanged reloads the organization's accounts and brings the
// children in step.
func (g *organizationGrain) AccountsChanged(req *actorpb.AccountsChangedRequest, _ cluster.GrainContext) (*actorpb.Activation, error) {
	if err := g.ready(); err != nil {
		return nil, toGrainError(err)
	}
	if _, err := principalOf(req.GetHeader(), g.id); err != nil {
		return nil, toGrainError(err)
	}
	ctx, cancel := g.commandContext(req.GetHeader())
	defer cancel()
	if err := g.load(ctx); err != nil {
		return nil, toGrainError(err)
	}
	return g.activation(), nil
}

func (g *organizationGrain) activation() *actorpb.Activation {
	sys := g.ctx.Cluster().ActorSystem
	out := &actorpb.Activation{
		Organization:         organizationMessage(g.org),
		MemberId:             sys.ID,
		Address:              sys.Address(),
		ActivatedAtUnixMicro: g.activatedAt.UnixMicro(),
		Loads:                g.loads,
	}
	for _, c := range g.children {
		out.Children = append(out.Children, &actorpb.Child{
			AccountId: c.account.ID.String(), Kind: c.kind, Status: c.status,
			Restarts: c.restarts, LastFailure: c.lastFailure,
		})
	}
	sort.Slice(out.Children, func(i, j int) bool {
		a, b := out.Children[i], out.Children[j]
		return a.AccountId < b.AccountId || a.AccountId == b.AccountId && a.Kind < b.Kind
	})
	return out
}

func organizationMessage(o domain.Organization) *actorpb.Organization {
	settings, _ := json.Marshal(o.Settings)
	return &actorpb.Organization{
		Id: o.ID.String(), Name: o.Name, SettingsJson: settings,
		CreatedAtUnixMicro: o.CreatedAt.UnixMicro(), UpdatedAtUnixMicro: o.UpdatedAt.UnixMicro(),
	}
}

// organizationOf is the domain organization of a grain's reply.
func organizationOf(m *actorpb.Organization) (domain.Organization, error) {
	id, err := uuid.Parse(m.GetId())
	if err != nil {
		return domain.Organization{}, domain.Internal(err)
	}
	o := domain.Organization{
		ID: id, Name: m.GetName(),
		CreatedAt: time.UnixMicro(m.GetCreatedAtUnixMicro()).UTC(),
		UpdatedAt: time.UnixMicro(m.GetUpdatedAtUnixMicro()).UTC(),
	}
	if err := json.Unmarshal(m.GetSettingsJson(), &o.Settings); err != nil {
		return o, domain.Internal(err)
	}
	if o.Settings == nil {
		o.Settings = map[string]any{}
	}
	return o, nil
}
