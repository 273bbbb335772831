package actors

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/actors/actorpb"
	"github.com/socialmediamanager/smm/domain"
)

// KindOrganization is the cluster kind of organization grains.
const KindOrganization = "OrganizationGrain"

// OrgStore is what a grain reads of its organization in PostgreSQL, the
// source of truth it rebuilds itself from.
type OrgStore interface {
	Organization(ctx context.Context) (domain.Organization, error)
	SocialAccounts(ctx context.Context) ([]domain.SocialAccount, error)
}

// OrganizationWriter applies an organization settings change: the use case
// (permission, validation, write, cache invalidation) the grain runs.
type OrganizationWriter interface {
	UpdateOrganization(ctx context.Context, p domain.Principal, patch domain.OrganizationPatch) (domain.Organization, error)
}

// ChildProducer makes the actor behind one child of a grain, of kind
// ChildAccount or ChildSync; the actor learns its account from its name
// (ChildOf). The publishing issue gives account actors their work; tests
// give children behaviour to exercise supervision.
type ChildProducer func(kind string) actor.Actor

// AccountKeeper maintains one social account's connection (token refresh,
// health check) and says when to call it again (package socialaccounts).
type AccountKeeper interface {
	Maintain(ctx context.Context, org, account uuid.UUID) (time.Duration, error)
}

// Options configure the grains of one node.
type Options struct {
	// Store returns the org-bound store of an organization.
	Store  func(org uuid.UUID) OrgStore
	Writer OrganizationWriter
	Logger *slog.Logger
	// IdleTimeout passivates a grain that got no message for this long.
	IdleTimeout time.Duration
	// LoadTimeout bounds the PostgreSQL reads of an activation.
	LoadTimeout time.Duration
	// Supervision of children: restarts with backoff from RestartBackoff
	// doubling to MaxRestartBackoff; more than MaxRestarts failures within
	// RestartWindow stop the child.
	MaxRestarts       int
	RestartWindow     time.Duration
	RestartBackoff    time.Duration
	MaxRestartBackoff time.Duration
	// Children overrides the actors made for children (nil: the defaults).
	Children ChildProducer
	// Accounts keeps social accounts' connections alive; the account
	// actors call it (nil: they do nothing).
	Accounts AccountKeeper
	// Publishing runs scheduled publishing (Publishing.Store nil: off).
	Publishing PublishingOptions
	Metrics    *Metrics
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 10 * time.Minute
	}
	if o.LoadTimeout <= 0 {
		o.LoadTimeout = 5 * time.Second
	}
	if o.MaxRestarts <= 0 {
		o.MaxRestarts = 5
	}
	if o.RestartWindow <= 0 {
		o.RestartWindow = time.Minute
	}
	if o.RestartBackoff <= 0 {
		o.RestartBackoff = 100 * time.Millisecond
	}
	if o.MaxRestartBackoff <= 0 {
		o.MaxRestartBackoff = 5 * time.Second
	}
	if o.Children == nil {
		o.Children = defaultChild
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics()
	}
	o.Publishing.defaults()
}

// Runtime is what the grains of one node share: their dependencies, the
// node's counters and the children stopped after failing repeatedly, for
// the operator view.
type Runtime struct {
	opts    Options
	started time.Time

	active       atomic.Int64
	activations  atomic.Int64
	passivations atomic.Int64
	restarts     atomic.Int64
	// hosted holds the identity of every grain active on this node.
	hosted sync.Map // string -> struct{}

	// props are the children's Props, one per kind, shared by every grain.
	props map[string]*actor.Props

	mu     sync.Mutex
	failed []*actorpb.FailedChild

	// members lists the cluster's member ids (set by the node).
	members atomic.Pointer[func() []string]
	// slots bounds the publish attempts running at once on this node.
	slots chan struct{}
}

// SetMembers tells the runtime how to list the cluster's live member ids:
// a claim held by a member not in the list is taken over at once.
func (rt *Runtime) SetMembers(f func() []string) { rt.members.Store(&f) }

func (rt *Runtime) liveMembers() []string {
	if f := rt.members.Load(); f != nil {
		return (*f)()
	}
	return nil
}

// maxFailedChildren bounds the operator view's list of stopped children.
const maxFailedChildren = 100

// NewRuntime prepares the grains of one node.
func NewRuntime(opts Options) *Runtime {
	opts.defaults()
	rt := &Runtime{opts: opts, started: time.Now(), props: map[string]*actor.Props{},
		slots: make(chan struct{}, opts.Publishing.MaxInFlight)}
	for _, kind := range []string{ChildAccount, ChildSync} {
		produce := opts.Children
		rt.props[kind] = actor.PropsFromProducer(func() actor.Actor { return produce(kind) },
			actor.WithMailbox(actor.UnboundedLockfree()))
	}
	return rt
}

// childProps is the shared Props of a kind of child.
func (rt *Runtime) childProps(kind string) *actor.Props { return rt.props[kind] }

// runtimes maps each actor system to the runtime of its grains. The
// generated kind keeps one grain factory per process, so a grain finds its
// node's runtime when it starts; several nodes in one process (tests,
// benchmarks) then keep their own stores and counters.
var runtimes sync.Map // *actor.ActorSystem -> *Runtime

// Attach makes rt the runtime of the grains system hosts; Detach undoes it.
func (rt *Runtime) Attach(system *actor.ActorSystem) { runtimes.Store(system, rt) }

// Detach forgets the system's runtime once the system is shut down.
func (rt *Runtime) Detach(system *actor.ActorSystem) { runtimes.CompareAndDelete(system, rt) }

func runtimeOf(system *actor.ActorSystem) *Runtime {
	rt, _ := runtimes.Load(system)
	r, _ := rt.(*Runtime)
	return r
}

// Kind is the organization kind this node hosts, passivating grains after
// the idle timeout and supervising their children. Attach must bind the
// runtime to the node's actor system before the first activation.
func (rt *Runtime) Kind() *cluster.Kind {
	return actorpb.NewOrganizationGrainKind(func() actorpb.OrganizationGrain {
		return &organizationGrain{}
	}, rt.opts.IdleTimeout,
		actor.WithSupervisor(&childSupervisor{rt: rt}),
		actor.WithReceiverMiddleware(rt.observe),
		// The lock-free queue costs a few words while empty; the default
		// ring buffer preallocates ten slots per mailbox.
		actor.WithMailbox(actor.UnboundedLockfree(&mailboxClock{metrics: rt.opts.Metrics})),
	)
}

// Counters are the node's grain counters since it started.
type Counters struct {
	Active, Activations, Passivations, ChildRestarts int64
}

// Counters returns the node's grain counters.
func (rt *Runtime) Counters() Counters {
	return Counters{
		Active: rt.active.Load(), Activations: rt.activations.Load(),
		Passivations: rt.passivations.Load(), ChildRestarts: rt.restarts.Load(),
	}
}

// Started is when the node's runtime was made.
func (rt *Runtime) Started() time.Time { return rt.started }

// Hosted lists the identities (organization ids) of the grains active on
// this node, in no particular order: where an organization lives, without
// activating it.
func (rt *Runtime) Hosted() []string {
	var out []string
	rt.hosted.Range(func(k, _ any) bool {
		out = append(out, k.(string))
		return true
	})
	return out
}

// IsHosted reports whether the grain of org is active on this node.
func (rt *Runtime) IsHosted(org uuid.UUID) bool {
	_, ok := rt.hosted.Load(org.String())
	return ok
}

// FailedChildren lists the children stopped after failing repeatedly,
// newest last.
func (rt *Runtime) FailedChildren() []*actorpb.FailedChild {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]*actorpb.FailedChild(nil), rt.failed...)
}

func (rt *Runtime) recordFailed(f *actorpb.FailedChild) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.failed = append(rt.failed, f)
	if len(rt.failed) > maxFailedChildren {
		rt.failed = rt.failed[len(rt.failed)-maxFailedChildren:]
	}
}

// observe counts passivations: the generated grain stops itself on the
// receive timeout this middleware sees first.
func (rt *Runtime) observe(next actor.ReceiverFunc) actor.ReceiverFunc {
	return func(c actor.ReceiverContext, env *actor.MessageEnvelope) {
		switch m := env.Message.(type) {
		case *actor.ReceiveTimeout:
			rt.passivations.Add(1)
			rt.opts.Metrics.passivations.Inc()
		case *cluster.GrainRequest:
			rt.opts.Metrics.observeWait(m)
		}
		next(c, env)
	}
}
