package actors

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"sort"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/actors/actorpb"
	"github.com/socialmediamanager/smm/domain"
)

// childStatus is what the supervisor last reported of a child; a byte, as
// every grain holds six or so.
type childStatus uint8

const (
	childRunning childStatus = iota
	childRestarting
	childStopped
)

// String is the status's name in the grain's description.
func (s childStatus) String() string {
	switch s {
	case childRestarting:
		return "restarting"
	case childStopped:
		return "stopped"
	}
	return "running"
}

// organizationGrain is the virtual actor of one organization. Its memory is
// a cache of PostgreSQL, loaded on activation; it can be dropped at any
// moment (passivation, a lost node) and rebuilt on the next message.
type organizationGrain struct {
	rt  *Runtime
	ctx cluster.GrainContext

	id      uuid.UUID
	org     domain.Organization
	loadErr error
	// loadAnswered is set once a command got loadErr: later ones load again.
	loadAnswered bool
	loads        int64
	activatedAt  time.Time
	// children is a slice, not a map: a grain has a handful, and an idle
	// grain's every byte counts a hundred thousand times.
	children []child
	// due is the publish schedule, made on first use.
	due *schedule
}

// child is one child actor and what its supervisor reported of it.
type child struct {
	kind        string
	account     uuid.UUID
	provider    domain.Provider
	pid         *actor.PID
	lastFailure string
	restarts    int32
	status      childStatus
}

var _ actorpb.OrganizationGrain = (*organizationGrain)(nil)

// Init loads the organization and its accounts, then starts the children.
func (g *organizationGrain) Init(ctx cluster.GrainContext) {
	g.ctx = ctx
	g.rt = runtimeOf(ctx.ActorSystem())
	g.activatedAt = time.Now()
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
	if g.loadErr == nil {
		// A new activation may follow a lost node: look at claims in
		// flight too.
		ctx, cancel := context.WithTimeout(context.Background(), g.rt.opts.LoadTimeout)
		defer cancel()
		if _, err := g.loadDue(ctx, true); err != nil {
			g.logDueError(err)
		}
	}
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
	kept := g.children[:0]
	for _, c := range g.children {
		if slices.ContainsFunc(accounts, func(a domain.SocialAccount) bool { return a.ID == c.account }) {
			kept = append(kept, c)
			continue
		}
		g.ctx.Stop(c.pid)
	}
	clear(g.children[len(kept):])
	g.children = slices.Grow(kept, 2*len(accounts)-len(kept))
	for _, a := range accounts {
		for _, kind := range []string{ChildAccount, ChildSync} {
			if c := g.child(kind, a.ID); c != nil && c.status != childStopped {
				c.provider = a.Provider
				continue
			}
			g.spawn(kind, a.ID, a.Provider, a.PostingOptions == nil)
		}
	}
}

// assign tells a new (or restarted) account actor its organization.
func (g *organizationGrain) assign(kind string, pid *actor.PID, provider domain.Provider, learn bool) {
	if kind == ChildAccount && (g.rt.opts.Accounts != nil || g.rt.opts.Publishing.PostingOptions != nil) {
		g.ctx.Send(pid, &accountAssigned{org: g.id, provider: provider, learn: learn})
	}
}

// child is the record of the grain's child of kind for account, or nil.
func (g *organizationGrain) child(kind string, account uuid.UUID) *child {
	for i := range g.children {
		if c := &g.children[i]; c.kind == kind && c.account == account {
			return c
		}
	}
	return nil
}

// childOf is the record of the child at pid, or nil.
func (g *organizationGrain) childOf(pid *actor.PID) *child {
	kind, account, err := ChildOf(pid)
	if err != nil {
		return nil
	}
	if c := g.child(kind, account); c != nil && c.pid.Equal(pid) {
		return c
	}
	return nil
}

// spawn starts a child from its kind's shared props: the child reads its
// account from its name, so an idle child costs its actor and nothing more.
func (g *organizationGrain) spawn(kind string, account uuid.UUID, provider domain.Provider, learn bool) {
	pid, err := g.ctx.SpawnNamed(g.rt.childProps(kind), childName(kind, account.String()))
	if err != nil {
		// The stopped predecessor has not finished stopping: the next
		// reconcile starts it.
		g.logger().Warn("child actor not started", slog.String("organization_id", g.ctx.Identity()),
			slog.String("account_id", account.String()), slog.String("child", kind), slog.Any("error", err))
		return
	}
	g.assign(kind, pid, provider, learn)
	if c := g.child(kind, account); c != nil {
		c.pid, c.status, c.provider = pid, childRunning, provider
		return
	}
	g.children = append(g.children, child{kind: kind, account: account, provider: provider, pid: pid, status: childRunning})
}

// logger is the node's logger with this member's id. A grain keeps no
// logger of its own (a clone per grain is memory a hundred thousand idle
// grains would pay for); the command's context, or the line's attributes,
// name the organization.
func (g *organizationGrain) logger() *slog.Logger {
	return g.rt.opts.Logger.With(slog.String("member", g.ctx.Cluster().ActorSystem.ID))
}

// Terminate runs when the grain stops (passivation, shutdown); its
// children stop with it.
func (g *organizationGrain) Terminate(ctx cluster.GrainContext) {
	g.stopSchedule()
	g.rt.hosted.Delete(ctx.Identity())
	g.rt.active.Add(-1)
	g.rt.opts.Metrics.active.Dec()
}

// ReceiveDefault handles what is not a command: reports of the children's
// supervisor.
func (g *organizationGrain) ReceiveDefault(ctx cluster.GrainContext) {
	switch m := ctx.Message().(type) {
	case *fireDue:
		g.fire()
	case *attemptDone:
		g.done(m)
	case *childFailed:
		g.childFailed(m)
	case *childRestarted:
		if c := g.childOf(m.pid); c != nil && c.status == childRestarting {
			c.status = childRunning
			g.assign(c.kind, c.pid, c.provider, false)
		}
	}
}

func (g *organizationGrain) childFailed(f *childFailed) {
	kind, account := parseChild(f.pid)
	logFailure(g.logger(), g.ctx.Identity(), kind, account, f)
	c := g.childOf(f.pid)
	if c == nil {
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
			g.logger().ErrorContext(ctx, "update organization", slog.Any("error", err))
		}
		return nil, toGrainError(err)
	}
	g.org = org
	g.logger().InfoContext(ctx, "organization updated")
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
			AccountId: c.account.String(), Kind: c.kind, Status: c.status.String(),
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
