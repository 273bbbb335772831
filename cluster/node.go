package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/automanaged"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/etcd"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/test"
	"github.com/asynkron/protoactor-go/cluster/identitylookup/disthash"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/socialmediamanager/smm/actors"
	"github.com/socialmediamanager/smm/config"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Options configure one cluster member.
type Options struct {
	Config  config.Cluster
	Runtime *actors.Runtime
	Logger  *slog.Logger
	// SeedRefresh is how often the seeds provider polls the members
	// (default 1s): a killed member leaves the topology within about that.
	SeedRefresh time.Duration
}

// Node is this process's member of the actor cluster: it hosts organization
// grains and sends commands to grains wherever they live.
type Node struct {
	opts    Options
	system  *actor.ActorSystem
	cluster *cluster.Cluster
	orgs    *actors.OrganizationClient
	started time.Time
	topo    *topology
	closed  sync.Once
}

// Start joins the cluster (or forms it) and returns once this member
// hosts the organization kind.
func Start(opts Options) (n *Node, err error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.SeedRefresh <= 0 {
		opts.SeedRefresh = time.Second
	}
	cfg := opts.Config
	host, portText, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("cluster address %q: %w", cfg.Addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("cluster address %q: %w", cfg.Addr, err)
	}
	provider, err := newProvider(cfg, opts.SeedRefresh)
	if err != nil {
		return nil, err
	}
	// protoactor logs at every level through slog; keep its warnings and
	// errors, tagged, on the service's log.
	logger := opts.Logger.With(slog.String("component", "protoactor"))
	system := actor.NewActorSystemWithConfig(actor.Configure(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return logger }),
	))
	// The copy of the topology is kept from the first event on; waiting
	// requests are woken after the identity lookup has seen a change (the
	// event stream calls subscribers in order, and the lookup subscribes
	// in StartMember).
	topo := newTopology()
	system.EventStream.Subscribe(topo.record)
	opts.Runtime.SetMembers(topo.ids)
	remoteOpts := []remote.ConfigOption{}
	if cfg.AdvertisedAddr != "" {
		remoteOpts = append(remoteOpts, remote.WithAdvertisedHost(cfg.AdvertisedAddr))
	}
	clusterConfig := cluster.Configure(cfg.Name, provider, disthash.New(),
		remote.Configure(host, port, remoteOpts...),
		cluster.WithKinds(opts.Runtime.Kind()),
		cluster.WithRequestTimeout(cfg.RequestTimeout),
		cluster.WithClusterContextProducer(func(c *cluster.Cluster) cluster.Context {
			return &requests{cluster: c, topology: topo}
		}),
	)
	c := cluster.New(system, clusterConfig)
	opts.Runtime.Attach(system)
	// StartMember panics on what it cannot do (a port taken, etcd down).
	defer func() {
		if r := recover(); r != nil {
			opts.Runtime.Detach(system)
			err = fmt.Errorf("start cluster member (%s provider): %v", cfg.Provider, r)
		}
	}()
	c.StartMember()
	system.EventStream.Subscribe(topo.announce)
	n = &Node{opts: opts, system: system, cluster: c, started: time.Now(), topo: topo,
		orgs: actors.NewOrganizationClient(c, cfg.RequestTimeout)}
	if _, err := system.Root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return &operator{node: n} }), operatorName); err != nil {
		c.Shutdown(false)
		opts.Runtime.Detach(system)
		return nil, fmt.Errorf("start operator actor: %w", err)
	}
	opts.Logger.Info("cluster member started", slog.String("member_id", system.ID),
		slog.String("address", system.Address()), slog.String("provider", cfg.Provider))
	return n, nil
}

func newProvider(cfg config.Cluster, refresh time.Duration) (cluster.ClusterProvider, error) {
	switch cfg.Provider {
	case config.ClusterSeeds:
		return automanaged.NewWithConfig(refresh, cfg.SeedPort, cfg.Seeds...), nil
	case config.ClusterEtcd:
		p, err := etcd.NewWithConfig("/smm/cluster", clientv3.Config{
			Endpoints: cfg.EtcdEndpoints, DialTimeout: 5 * time.Second,
		})
		if err != nil {
			return nil, fmt.Errorf("etcd provider: %w", err)
		}
		return p, nil
	default:
		return test.NewTestProvider(test.NewInMemAgent()), nil
	}
}

// Organizations is the typed client of the organization grains.
func (n *Node) Organizations() *actors.OrganizationClient { return n.orgs }

// ID is this member's id in the cluster.
func (n *Node) ID() string { return n.system.ID }

// Runtime is the runtime of the grains this member hosts.
func (n *Node) Runtime() *actors.Runtime { return n.opts.Runtime }

// TopologyChanged is closed at the next change of the cluster's members.
func (n *Node) TopologyChanged() <-chan struct{} { return n.topo.next() }

// Address is the host:port other members reach this one at.
func (n *Node) Address() string { return n.system.Address() }

// Members is the number of members this one currently sees.
func (n *Node) Members() int {
	members, _ := n.topo.snapshot()
	return len(members)
}

// Close leaves the cluster gracefully: the grains hosted here stop (they
// are activated elsewhere on their next message).
// It is safe to call more than once.
func (n *Node) Close() error {
	n.closed.Do(func() {
		// A lone member has no one to hand anything over to.
		n.cluster.Shutdown(n.opts.Config.Provider != config.ClusterSingle)
		n.opts.Runtime.Detach(n.system)
	})
	return nil
}

// Healthy reports whether the member sees at least itself in the topology.
func (n *Node) Healthy(context.Context) error {
	if n.topo.hasID(n.system.ID) {
		return nil
	}
	return fmt.Errorf("member %s is not in the cluster topology yet", n.system.ID)
}
