package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/socialmediamanager/smm/actors"
	"github.com/socialmediamanager/smm/actors/actorpb"
	"github.com/socialmediamanager/smm/cluster"
	"github.com/socialmediamanager/smm/config"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/postgres"
	"github.com/socialmediamanager/smm/telemetry"
)

// The grain scenarios' organizations live in the database of
// SMM_DATABASE_URL under one owner, and are reused from run to run: the
// rows a run leaves behind are bounded by the largest -orgs ever asked for.
const (
	labEmail = "smmbench-grains@example.com"
	// labOrgName marks a finished fixture; one still being set up (or left
	// half-made by an interrupted run) has labPendingName and is ignored.
	labOrgName     = "smmbench grains"
	labPendingName = "smmbench grains (setting up)"
	// labAccounts is how many social accounts each organization has: its
	// grain supervises two children per account.
	labAccounts = 3
	// labWriters is how many fixtures are created concurrently.
	labWriters = 8
	// labIdleTimeout is the least idle timeout of the bench's grains, so
	// that none passivates while it is measured.
	labIdleTimeout = 10 * time.Minute
	// memberWait bounds the wait for a cluster's members to see each other.
	memberWait = 30 * time.Second
)

// grainLab is what the grain scenarios share during one run: the service's
// configuration, a connection pool to its database, the fixture
// organizations, and a log like the service's (JSON at -log-level, to
// io.Discard).
type grainLab struct {
	cfg        config.Config
	logger     *slog.Logger
	pool       *pgxpool.Pool
	store      *postgres.Store
	progress   io.Writer
	memProfile string

	mu     sync.Mutex
	owner  uuid.UUID
	listed bool
	ids    []uuid.UUID
}

// newGrainLab connects to the service's database, configured from the
// environment as `smm serve` is.
func newGrainLab(ctx context.Context, level slog.Level, progress io.Writer) (*grainLab, error) {
	cfg, err := config.FromEnv()
	if err != nil {
		return nil, fmt.Errorf("service configuration: %w", err)
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL, cfg.DatabaseMaxConns)
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := postgres.Ping(pctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("the grain scenarios need PostgreSQL at SMM_DATABASE_URL, migrated (make bench does both): %w", err)
	}
	return &grainLab{
		cfg:      cfg,
		logger:   telemetry.NewLogger(io.Discard, cfg.LogFormat, level),
		pool:     pool,
		store:    postgres.NewStore(pool),
		progress: progress,
	}, nil
}

// Close closes the pool.
func (l *grainLab) Close() {
	if l != nil {
		l.pool.Close()
	}
}

// orgs returns n fixture organizations, each with labAccounts connected
// Instagram accounts, creating those missing.
func (l *grainLab) orgs(ctx context.Context, n int) ([]uuid.UUID, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ids) >= n {
		return l.ids[:n], nil
	}
	if !l.listed {
		if err := l.list(ctx); err != nil {
			return nil, err
		}
		l.listed = true
	}
	if missing := n - len(l.ids); missing > 0 {
		fmt.Fprintf(l.progress, "smmbench: creating %d organizations with %d social accounts each (kept for later runs)\n", missing, labAccounts)
		created, err := l.create(ctx, missing)
		l.ids = append(l.ids, created...)
		if err != nil {
			return nil, err
		}
	}
	return l.ids[:n], nil
}

// list finds the fixture owner and their finished organizations.
func (l *grainLab) list(ctx context.Context) error {
	u, err := l.store.UserByEmail(ctx, labEmail)
	switch {
	case domain.ErrorCode(err) == domain.CodeNotFound:
		return nil
	case err != nil:
		return fmt.Errorf("fixture owner %s: %w", labEmail, err)
	}
	l.owner = u.ID
	after := uuid.Nil
	for {
		page, err := l.store.Memberships(ctx, l.owner, after, 1000)
		if err != nil {
			return fmt.Errorf("fixture organizations: %w", err)
		}
		for _, m := range page {
			if m.OrganizationName == labOrgName {
				l.ids = append(l.ids, m.OrganizationID)
			}
		}
		if len(page) < 1000 {
			return nil
		}
		after = page[len(page)-1].OrganizationID
	}
}

// create makes n fixture organizations (and their owner on first use),
// labWriters at a time, returning those it finished.
func (l *grainLab) create(ctx context.Context, n int) ([]uuid.UUID, error) {
	newOrg := func() domain.Organization {
		return domain.Organization{ID: uuid.Must(uuid.NewV7()), Name: labPendingName, Settings: map[string]any{}, CreatedAt: time.Now().UTC()}
	}
	var first []domain.Organization
	if l.owner == uuid.Nil {
		u := domain.User{ID: uuid.Must(uuid.NewV7()), Email: labEmail, Name: "smmbench", CreatedAt: time.Now().UTC()}
		o := newOrg()
		// The password hash is not a hash: nobody can sign in as the owner.
		if err := l.store.Register(ctx, u, "!", o); err != nil {
			return nil, fmt.Errorf("fixture owner: %w", err)
		}
		l.owner, first = u.ID, []domain.Organization{o}
	}
	done := make([]uuid.UUID, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, labWriters)
	for w := range labWriters {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				var o domain.Organization
				if i < len(first) {
					o = first[i]
				} else {
					o = newOrg()
					if err := l.store.CreateOrganization(ctx, o, l.owner); err != nil {
						errs[w] = fmt.Errorf("fixture organization: %w", err)
						return
					}
				}
				if err := l.finish(ctx, o.ID); err != nil {
					errs[w] = err
					return
				}
				done[i] = o.ID
			}
		})
	}
	wg.Wait()
	var out []uuid.UUID
	for _, id := range done {
		if id != uuid.Nil {
			out = append(out, id)
		}
	}
	if err := errors.Join(append(errs, ctx.Err())...); err != nil {
		return out, err
	}
	return out, nil
}

// finish connects the accounts of a new organization, then names it as
// finished.
func (l *grainLab) finish(ctx context.Context, org uuid.UUID) error {
	st := l.store.Org(org)
	for range labAccounts {
		a := domain.SocialAccount{
			ID: uuid.Must(uuid.NewV7()), OrganizationID: org, Provider: domain.ProviderInstagram,
			ExternalID: "smmbench-" + uuid.NewString(), Username: "smmbench", Status: domain.AccountConnected,
			CreatedAt: time.Now().UTC(),
		}
		if err := st.CreateSocialAccount(ctx, a); err != nil {
			return fmt.Errorf("fixture account: %w", err)
		}
	}
	name := labOrgName
	if _, err := st.UpdateOrganization(ctx, &name, nil); err != nil {
		return fmt.Errorf("fixture organization: %w", err)
	}
	return nil
}

// runtime returns the grain runtime of one bench node, as the service
// configures it (no writer: the bench sends no settings change).
func (l *grainLab) runtime() *actors.Runtime {
	return actors.NewRuntime(actors.Options{
		Store:       func(org uuid.UUID) actors.OrgStore { return l.store.Org(org) },
		Logger:      l.logger.With(slog.String("component", "actors")),
		IdleTimeout: max(l.cfg.Cluster.OrgIdleTimeout, labIdleTimeout),
	})
}

// clusterConfig is the service's cluster configuration for one bench node
// on a free loopback port: provider single, or seeds listing seeds with
// this node's membership endpoint on seedPort.
func (l *grainLab) clusterConfig(name, provider string, seeds []string, seedPort int) config.Cluster {
	c := l.cfg.Cluster
	c.Name, c.Provider, c.Addr, c.AdvertisedAddr = name, provider, "127.0.0.1:0", ""
	c.Seeds, c.SeedPort = seeds, seedPort
	return c
}

// startNode starts one member in this process.
func (l *grainLab) startNode(c config.Cluster) (*cluster.Node, *actors.Runtime, error) {
	rt := l.runtime()
	node, err := cluster.Start(cluster.Options{Config: c, Runtime: rt, Logger: l.logger})
	if err != nil {
		return nil, nil, err
	}
	return node, rt, nil
}

// clusterName is a fresh cluster name, so that no two bench clusters (nor
// a developer's) ever merge.
func clusterName() string { return "smmbench-" + uuid.NewString()[:8] }

// seedsCluster picks n free membership ports and returns the seeds list of
// a cluster of n members on loopback.
func seedsCluster(n int) (seeds []string, ports []int, err error) {
	// All are held open until all are picked, so that they differ.
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}()
	for range n {
		// The seeds provider listens on every interface.
		ln, err := net.Listen("tcp", ":0")
		if err != nil {
			return nil, nil, fmt.Errorf("pick a membership port: %w", err)
		}
		lns = append(lns, ln)
		port := ln.Addr().(*net.TCPAddr).Port
		ports = append(ports, port)
		seeds = append(seeds, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	}
	return seeds, ports, nil
}

// waitMembers waits until every node sees want members.
func waitMembers(ctx context.Context, want int, nodes ...*cluster.Node) error {
	ctx, cancel := context.WithTimeout(ctx, memberWait)
	defer cancel()
	for {
		ok := true
		var saw []string
		for _, n := range nodes {
			m := n.Members()
			ok = ok && m == want
			saw = append(saw, strconv.Itoa(m))
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the members did not see each other within %s: want %d members each, they see %s", memberWait, want, strings.Join(saw, ", "))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// closeNodes closes nodes concurrently (a seeds member takes two seconds
// to leave gracefully).
func closeNodes(nodes ...*cluster.Node) {
	var wg sync.WaitGroup
	for _, n := range nodes {
		if n != nil {
			wg.Go(func() { _ = n.Close() })
		}
	}
	wg.Wait()
}

// activate sends the first Describe to each organization, workers at a
// time, and returns each grain's answer and latency (by index). Every grain
// must hold 2×labAccounts running children.
func activate(ctx context.Context, client *actors.OrganizationClient, orgs []uuid.UUID, workers int) ([]domain.GrainActivation, []time.Duration, error) {
	acts := make([]domain.GrainActivation, len(orgs))
	lat := make([]time.Duration, len(orgs))
	errs := make([]error, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(orgs) || ctx.Err() != nil {
					return
				}
				start := time.Now()
				act, err := client.Describe(ctx, orgs[i])
				lat[i] = time.Since(start)
				if err == nil {
					err = checkActivation(act, orgs[i])
				}
				if err != nil {
					errs[w] = fmt.Errorf("activate organization %s: %w", orgs[i], err)
					return
				}
				acts[i] = act
			}
		})
	}
	wg.Wait()
	return acts, lat, errors.Join(append(errs, ctx.Err())...)
}

// checkActivation verifies that a grain answered for org with its
// children running.
func checkActivation(act domain.GrainActivation, org uuid.UUID) error {
	if act.OrganizationID != org {
		return fmt.Errorf("answered for organization %s", act.OrganizationID)
	}
	running := 0
	for _, c := range act.Children {
		if c.Status == "running" {
			running++
		}
	}
	if len(act.Children) != 2*labAccounts || running != len(act.Children) {
		return fmt.Errorf("grain holds %d children (%d running), want %d running", len(act.Children), running, 2*labAccounts)
	}
	return nil
}

// echoActors are the reference of the round trips: plain actors answering
// NodeInfoRequest with a small, ready-made NodeInfo, and the root context
// that asks them (in the same actor system, or in another one over
// remoting).
type echoActors struct {
	root    *actor.RootContext
	pids    []*actor.PID
	timeout time.Duration
	close   func()
}

type echoActor struct{ info *actorpb.NodeInfo }

func (e *echoActor) Receive(c actor.Context) {
	if _, ok := c.Message().(*actorpb.NodeInfoRequest); ok {
		c.Respond(e.info)
	}
}

var nodeInfoRequest = &actorpb.NodeInfoRequest{}

// quietSystem is an actor system logging nowhere.
func quietSystem() *actor.ActorSystem {
	quiet := slog.New(slog.DiscardHandler)
	return actor.NewActorSystemWithConfig(actor.Configure(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return quiet })))
}

// newEchoActors spawns n echo actors. Remote: they live in a second actor
// system, and both systems talk gRPC remoting over loopback as cluster
// members do; otherwise the askers share their actor system.
func newEchoActors(n int, remoting bool, timeout time.Duration) (*echoActors, error) {
	asker := quietSystem()
	host := asker
	var remotes []*remote.Remote
	if remoting {
		host = quietSystem()
		for _, s := range []*actor.ActorSystem{asker, host} {
			r := remote.NewRemote(s, remote.Configure("127.0.0.1", 0))
			r.Start()
			remotes = append(remotes, r)
		}
	}
	e := &echoActors{root: asker.Root, timeout: timeout, close: func() {
		for _, r := range remotes {
			r.Shutdown(false)
		}
		asker.Shutdown()
		if host != asker {
			host.Shutdown()
		}
	}}
	info := &actorpb.NodeInfo{MemberId: host.ID, Address: host.Address(), Kinds: []string{"echo"}}
	for i := range n {
		pid, err := host.Root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return &echoActor{info: info} }), "echo-"+strconv.Itoa(i))
		if err != nil {
			e.close()
			return nil, fmt.Errorf("spawn echo actor: %w", err)
		}
		e.pids = append(e.pids, pid)
	}
	return e, nil
}

// call asks one echo actor, the (w+i)-th, and checks its answer.
func (e *echoActors) call(w, i int) error {
	res, err := e.root.RequestFuture(e.pids[(w+i)%len(e.pids)], nodeInfoRequest, e.timeout).Result()
	if err != nil {
		return err
	}
	if _, ok := res.(*actorpb.NodeInfo); !ok {
		return fmt.Errorf("unexpected answer %T", res)
	}
	return nil
}

// childNodeEnv, when set (to a JSON childSpec), makes the bench binary a
// cluster member and nothing else: grain_failover runs the member it kills
// as a child process, so that the kill is a real SIGKILL.
const childNodeEnv = "SMMBENCH_CHILD_NODE"

// childSpec is what the child member is told.
type childSpec struct {
	Cluster     config.Cluster
	DatabaseURL string
	MaxConns    int32
	// Members is how many members the child waits to see before it says
	// it is ready.
	Members int
}

// runChildNode is the child member: it joins the cluster, prints
// "ready MEMBER-ID ADDRESS" once it sees every member, and leaves when its
// standard input closes (unless it is killed first, which is its purpose).
func runChildNode(spec string, stdin io.Reader, stdout, stderr io.Writer) int {
	var s childSpec
	if err := json.Unmarshal([]byte(spec), &s); err != nil {
		fmt.Fprintf(stderr, "smmbench child: %s: %v\n", childNodeEnv, err)
		return 2
	}
	ctx := context.Background()
	pool, err := postgres.Open(ctx, s.DatabaseURL, s.MaxConns)
	if err != nil {
		fmt.Fprintf(stderr, "smmbench child: %v\n", err)
		return 1
	}
	defer pool.Close()
	lab := &grainLab{logger: slog.New(slog.DiscardHandler), pool: pool, store: postgres.NewStore(pool)}
	node, _, err := lab.startNode(s.Cluster)
	if err != nil {
		fmt.Fprintf(stderr, "smmbench child: %v\n", err)
		return 1
	}
	defer closeNodes(node)
	if err := waitMembers(ctx, s.Members, node); err != nil {
		fmt.Fprintf(stderr, "smmbench child: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "ready %s %s\n", node.ID(), node.Address())
	_, _ = io.Copy(io.Discard, stdin)
	return 0
}

// childNode is a member running in a child process.
type childNode struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *limitedBuffer
	id     string
	addr   string
	waited chan error
}

// startChildNode re-executes this binary as a member of spec.Cluster and
// returns once the child sees spec.Members members.
func startChildNode(ctx context.Context, spec childSpec) (*childNode, error) {
	return startChild(ctx, childNodeEnv, spec, memberWait+5*time.Second)
}

// startChild re-executes this binary with env set to spec's JSON and
// returns once it prints "ready MEMBER-ID ADDRESS", within limit: the
// members grain_failover and publish_failover kill.
func startChild(ctx context.Context, env string, spec any, limit time.Duration) (*childNode, error) {
	raw, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("child member: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), env+"="+string(raw))
	c := &childNode{cmd: cmd, stderr: &limitedBuffer{max: 16 << 10}, waited: make(chan error, 1)}
	cmd.Stderr = c.stderr
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("child member: %w", err)
	}
	// The ready line, or "" when the child ends without one (what else it
	// prints, the membership server's banner, is skipped).
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "ready ") {
				lines <- sc.Text()
				_, _ = io.Copy(io.Discard, stdout)
				return
			}
		}
		lines <- ""
	}()
	go func() { c.waited <- cmd.Wait() }()
	select {
	case line := <-lines:
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == "ready" {
			c.id, c.addr = f[1], f[2]
			return c, nil
		}
		c.stop()
		return nil, fmt.Errorf("child member did not start: %q: %s", line, c.stderr.String())
	case <-time.After(limit):
		c.stop()
		return nil, fmt.Errorf("child member not ready after %s: %s", limit, c.stderr.String())
	case <-ctx.Done():
		c.stop()
		return nil, ctx.Err()
	}
}

// kill sends SIGKILL: no graceful leave, no deregistration, the sockets
// closed by the kernel.
func (c *childNode) kill() error { return c.cmd.Process.Kill() }

// stop asks the child to leave (closing its standard input), kills it if
// it has not within ten seconds, and reaps it.
func (c *childNode) stop() {
	_ = c.stdin.Close()
	select {
	case <-c.waited:
		return
	case <-time.After(10 * time.Second):
	}
	_ = c.cmd.Process.Kill()
	<-c.waited
}

// limitedBuffer keeps the first max bytes written to it; it is safe for
// concurrent use.
type limitedBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - len(b.buf); room > 0 {
		b.buf = append(b.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(string(b.buf))
}
