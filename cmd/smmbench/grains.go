package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/actors"
	"github.com/socialmediamanager/smm/cluster"
	"github.com/socialmediamanager/smm/config"
)

// SectionGrains is the report section of the organization grain
// scenarios: <!-- bench:grains:start --> … <!-- bench:grains:end -->.
const SectionGrains = "grains"

// Sizes of the grain scenarios.
const (
	// callTargets is how many grains (or, for the reference, plain actors)
	// the round trips spread their calls over.
	callTargets = 64
	// remoteCandidates are activated from one of two members to find
	// callTargets grains hosted by the other.
	remoteCandidates = 4 * callTargets
	// activationWorkers is how many callers activate grains in bulk.
	activationWorkers = 16
	// heapWarmOrgs are activated before the heap is first read, so that
	// what every node allocates once (pool connections, maps grown to
	// size) is not counted per grain.
	heapWarmOrgs = 200
	// heapGoal is the goal per idle grain: 100k organizations in 1 GiB.
	heapGoal        = 10 << 10
	projectedGrains = 100_000
	// activationOrgs are activated one after another for the latency of a
	// first call; activationWarm before them are not measured.
	activationOrgs, activationOrgsQuick = 1000, 200
	activationWarm                      = 20
	// failoverOrgs are activated across three members before one is killed.
	failoverOrgs, failoverOrgsQuick = 300, 90
	// failoverAttempt bounds each call to a grain of the killed member;
	// failoverLimit bounds the whole recovery.
	failoverAttempt = 500 * time.Millisecond
	failoverPause   = 10 * time.Millisecond
	failoverLimit   = 30 * time.Second
)

// grainScenarios are the organization grain measurements, in run order.
func grainScenarios() []Scenario {
	return []Scenario{grainCallLocal(), grainCallRemote(), grainActivation(), grainHeap(), grainFailover()}
}

// grainCallLocal measures Describe on active grains hosted by the caller's
// own node against a raw request to plain actors of one actor system.
func grainCallLocal() Scenario {
	return Scenario{
		Name:    "grain_call_local",
		Section: SectionGrains,
		Grains:  true,
		Doc: fmt.Sprintf("`Describe` of an already active grain (%d accounts, %d children) through the typed client `actors.OrganizationClient`, on one node (single provider) hosting the %d grains called; "+
			"reference `raw_local`: `RequestFuture` → `Respond` of `NodeInfoRequest` → a ready-made `NodeInfo` to %d plain actors of one actor system (no serialization)",
			labAccounts, 2*labAccounts, callTargets, callTargets),
		Run: func(ctx context.Context, env *Env, _ Fixture, opts RunOptions) (Result, error) {
			lab := env.Grains
			orgs, err := lab.orgs(ctx, callTargets)
			if err != nil {
				return Result{}, err
			}
			node, _, err := lab.startNode(lab.clusterConfig(clusterName(), config.ClusterSingle, nil, 0))
			if err != nil {
				return Result{}, err
			}
			defer closeNodes(node)
			if _, _, err := activate(ctx, node.Organizations(), orgs, activationWorkers); err != nil {
				return Result{}, err
			}
			echo, err := newEchoActors(callTargets, false, lab.cfg.Cluster.RequestTimeout)
			if err != nil {
				return Result{}, err
			}
			defer echo.close()
			return roundTrips(ctx, env, opts, "raw_local", echo.call, describeCall(ctx, node.Organizations(), orgs, node.ID()))
		},
	}
}

// grainCallRemote measures Describe from one member on grains hosted by
// another against a raw request between two actor systems over remoting.
func grainCallRemote() Scenario {
	return Scenario{
		Name:    "grain_call_remote",
		Section: SectionGrains,
		Grains:  true,
		Doc: fmt.Sprintf("the same `Describe` across nodes: two members (seeds provider) in this process, the calls sent from the member that does not host the %d grains called; "+
			"reference `raw_remote`: the same request as `raw_local` from one actor system to %d plain actors of another, over gRPC remoting on loopback",
			callTargets, callTargets),
		Run: func(ctx context.Context, env *Env, _ Fixture, opts RunOptions) (Result, error) {
			lab := env.Grains
			orgs, err := lab.orgs(ctx, remoteCandidates)
			if err != nil {
				return Result{}, err
			}
			nodes, err := startSeedsNodes(ctx, lab, 2)
			defer closeNodes(nodes...)
			if err != nil {
				return Result{}, err
			}
			caller, host := nodes[0], nodes[1]
			acts, _, err := activate(ctx, caller.Organizations(), orgs, activationWorkers)
			if err != nil {
				return Result{}, err
			}
			var remote []uuid.UUID
			for i, act := range acts {
				if act.MemberID == host.ID() {
					remote = append(remote, orgs[i])
				}
			}
			if len(remote) < callTargets {
				return Result{}, fmt.Errorf("only %d of %d grains landed on the other member, want %d", len(remote), len(orgs), callTargets)
			}
			remote = remote[:callTargets]
			echo, err := newEchoActors(callTargets, true, lab.cfg.Cluster.RequestTimeout)
			if err != nil {
				return Result{}, err
			}
			defer echo.close()
			return roundTrips(ctx, env, opts, "raw_remote", echo.call, describeCall(ctx, caller.Organizations(), remote, host.ID()))
		},
	}
}

// startSeedsNodes starts n members of a new seeds cluster in this process
// and waits until they see each other. The nodes it started are returned
// even on error, for the caller to close.
func startSeedsNodes(ctx context.Context, lab *grainLab, n int) ([]*cluster.Node, error) {
	seeds, ports, err := seedsCluster(n)
	if err != nil {
		return nil, err
	}
	name := clusterName()
	var nodes []*cluster.Node
	for _, port := range ports {
		node, _, err := lab.startNode(lab.clusterConfig(name, config.ClusterSeeds, seeds, port))
		if err != nil {
			return nodes, err
		}
		nodes = append(nodes, node)
	}
	return nodes, waitMembers(ctx, n, nodes...)
}

// describeCall is one round trip: Describe of the (w+i)-th of orgs, which
// must be answered by member.
func describeCall(ctx context.Context, client *actors.OrganizationClient, orgs []uuid.UUID, member string) func(w, i int) error {
	return func(w, i int) error {
		org := orgs[(w+i)%len(orgs)]
		act, err := client.Describe(ctx, org)
		switch {
		case err != nil:
			return err
		case act.OrganizationID != org:
			return errors.New("answered for another organization")
		case act.MemberID != member:
			return errors.New("answered by another member")
		}
		return nil
	}
}

// roundTrips measures call between two runs of its reference, each after
// its own warm-up; the result carries the reference runs.
func roundTrips(ctx context.Context, env *Env, opts RunOptions, refName string, ref, call func(w, i int) error) (Result, error) {
	before := measureCalls(ctx, refName, opts, ref)
	env.progressLine(before)
	res := measureCalls(ctx, "", opts, call)
	after := measureCalls(ctx, refName, opts, ref)
	env.progressLine(after)
	res.References = []Result{before, after}
	return res, ctx.Err()
}

// measureCalls runs call from opts.Workers goroutines back to back, for
// opts.Warmup (discarded) and then for opts.Duration, measured.
func measureCalls(ctx context.Context, name string, opts RunOptions, call func(w, i int) error) Result {
	if opts.Warmup > 0 {
		runCalls(ctx, opts.Workers, opts.Warmup, call)
	}
	cpu0, wall0 := processCPU(), time.Now()
	t := runCalls(ctx, opts.Workers, opts.Duration, call)
	r := t.result(name, SectionGrains)
	r.CPU = cpuShare(processCPU()-cpu0, time.Since(wall0))
	return r
}

// runCalls calls call from workers goroutines, back to back, for d (or
// until ctx ends), and tallies every call. Worker w's i-th call is
// call(w, i).
func runCalls(ctx context.Context, workers int, d time.Duration, call func(w, i int) error) *tally {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	tallies := make([]*tally, workers)
	var wg sync.WaitGroup
	for w := range workers {
		t := tallyWithCapacity(1024)
		tallies[w] = t
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				start := time.Now()
				err := call(w, i)
				t.observe(start, time.Since(start), err)
			}
		})
	}
	wg.Wait()
	out := tallyWithCapacity(0)
	for _, t := range tallies {
		out.merge(t)
	}
	return out
}

// grainActivation measures the first call to grains of fresh
// organizations, one after another.
func grainActivation() Scenario {
	return Scenario{
		Name:    "grain_activation",
		Section: SectionGrains,
		Grains:  true,
		Doc: fmt.Sprintf("activation latency: the first `Describe` of organizations not active yet, one at a time, on one node (single provider): placement, the grain's start, its two PostgreSQL reads (organization, accounts) and its %d children's start; "+
			"%d organizations (%d with `-quick`) after %d unmeasured ones; requests/s is activations per second of that single caller",
			2*labAccounts, activationOrgs, activationOrgsQuick, activationWarm),
		Run: func(ctx context.Context, env *Env, _ Fixture, opts RunOptions) (Result, error) {
			lab := env.Grains
			n := activationOrgs
			if opts.Quick {
				n = activationOrgsQuick
			}
			orgs, err := lab.orgs(ctx, n+activationWarm)
			if err != nil {
				return Result{}, err
			}
			node, _, err := lab.startNode(lab.clusterConfig(clusterName(), config.ClusterSingle, nil, 0))
			if err != nil {
				return Result{}, err
			}
			defer closeNodes(node)
			client := node.Organizations()
			if _, _, err := activate(ctx, client, orgs[n:], 1); err != nil {
				return Result{}, err
			}
			t := tallyWithCapacity(n)
			for _, org := range orgs[:n] {
				if ctx.Err() != nil {
					return Result{}, ctx.Err()
				}
				start := time.Now()
				act, err := client.Describe(ctx, org)
				lat := time.Since(start)
				if err == nil {
					err = checkActivation(act, org)
				}
				if err == nil && act.Loads != 1 {
					err = fmt.Errorf("grain loaded %d times, want a fresh activation", act.Loads)
				}
				t.observe(start, lat, err)
			}
			return t.result("", SectionGrains), nil
		},
	}
}

// heapReading is the Go heap and goroutines after a full collection.
type heapReading struct {
	inuse, alloc uint64
	goroutines   int
}

func readHeap() heapReading {
	// The second collection frees what the first one's finalizers released.
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return heapReading{inuse: m.HeapInuse, alloc: m.HeapAlloc, goroutines: runtime.NumGoroutine()}
}

// heapPerGrain divides the growth between two readings by n grains.
func heapPerGrain(before, after heapReading, n int) (inuse, alloc, goroutines float64) {
	if n <= 0 {
		return 0, 0, 0
	}
	d := func(a, b uint64) float64 { return (float64(b) - float64(a)) / float64(n) }
	return d(before.inuse, after.inuse), d(before.alloc, after.alloc), float64(after.goroutines-before.goroutines) / float64(n)
}

// heapVerdict compares the heap per grain with the goal.
func heapVerdict(perGrain float64) string {
	q := perGrain / heapGoal
	if perGrain <= heapGoal {
		return fmt.Sprintf("met (%.2f of it)", q)
	}
	return fmt.Sprintf("**not met** (%.1f× the goal)", q)
}

// formatBytes renders n bytes with a binary unit: 812 B, 8.3 KiB, 1.25 GiB.
func formatBytes(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for ; (n >= 1024 || n <= -1024) && i < len(units)-1; i++ {
		n /= 1024
	}
	switch {
	case i == 0:
		return fmt.Sprintf("%.0f B", n)
	case n < 10 && n > -10:
		return fmt.Sprintf("%.2f %s", n, units[i])
	case n < 100 && n > -100:
		return fmt.Sprintf("%.1f %s", n, units[i])
	}
	return fmt.Sprintf("%.0f %s", n, units[i])
}

// grainHeap measures the Go heap an idle, active organization grain holds.
func grainHeap() Scenario {
	return Scenario{
		Name:    "grain_heap",
		Section: SectionGrains,
		Grains:  true,
		Doc: fmt.Sprintf("heap per idle grain: one node (single provider) activates `-orgs` organizations (%d accounts each, so %d children), %d callers at a time, after %d unmeasured ones; "+
			"the Go heap after `runtime.GC()` (live: `HeapAlloc`, the objects; in use: `HeapInuse`, the spans holding them), after minus before, ÷ the grains, so it counts everything the node holds for them (grain and children, mailboxes, process registry, placement, PID cache); goal ≤ %s a grain, i.e. %dk organizations in ≤ 1 GiB, judged on the larger of the two",
			labAccounts, 2*labAccounts, activationWorkers, heapWarmOrgs, formatBytes(heapGoal), projectedGrains/1000),
		Run: func(ctx context.Context, env *Env, _ Fixture, opts RunOptions) (Result, error) {
			lab := env.Grains
			orgs, err := lab.orgs(ctx, heapWarmOrgs+opts.Orgs)
			if err != nil {
				return Result{}, err
			}
			warm, measured := orgs[:heapWarmOrgs], orgs[heapWarmOrgs:]
			node, rt, err := lab.startNode(lab.clusterConfig(clusterName(), config.ClusterSingle, nil, 0))
			if err != nil {
				return Result{}, err
			}
			defer closeNodes(node)
			client := node.Organizations()
			if _, _, err := activate(ctx, client, warm, activationWorkers); err != nil {
				return Result{}, err
			}
			before := readHeap()
			if err := writeHeapProfile(lab.memProfile, ".base"); err != nil {
				return Result{}, err
			}
			start := time.Now()
			if _, _, err := activate(ctx, client, measured, activationWorkers); err != nil {
				return Result{}, err
			}
			elapsed := time.Since(start)
			after := readHeap()
			if err := writeHeapProfile(lab.memProfile, ""); err != nil {
				return Result{}, err
			}
			if active := rt.Counters().Active; active != int64(len(orgs)) {
				return Result{}, fmt.Errorf("%d grains active after activating %d: some passivated or stopped during the measurement", active, len(orgs))
			}
			inuse, alloc, gor := heapPerGrain(before, after, len(measured))
			// Live is exact; in use adds the spans' free room, but its growth
			// can also hide in room freed before the first reading. The goal
			// is judged on the larger.
			per := max(inuse, alloc)
			return Result{
				Requests: uint64(len(measured)),
				Extra: []Metric{
					{"grains measured", fmt.Sprintf("%d (%d children each)", len(measured), 2*labAccounts)},
					{"live heap per grain", formatBytes(alloc)},
					{"heap in use per grain", formatBytes(inuse)},
					{fmt.Sprintf("%dk grains", projectedGrains/1000), formatBytes(per * projectedGrains)},
					{"goal ≤ " + formatBytes(heapGoal), heapVerdict(per)},
					{"goroutines per grain", fmt.Sprintf("%.2f", gor)},
					{fmt.Sprintf("activations/s (%d callers)", activationWorkers), fmt.Sprintf("%.0f", float64(len(measured))/elapsed.Seconds())},
				},
			}, nil
		},
	}
}

// writeHeapProfile writes the heap profile to path+suffix (nothing when
// path is empty), after a collection so that it shows live objects.
func writeHeapProfile(path, suffix string) error {
	if path == "" {
		return nil
	}
	runtime.GC()
	f, err := os.Create(path + suffix)
	if err != nil {
		return err
	}
	return errors.Join(pprof.Lookup("heap").WriteTo(f, 0), f.Close())
}

// atomicMax raises a to v unless it is already larger.
func atomicMax(a *atomic.Int64, v int64) {
	for {
		if cur := a.Load(); v <= cur || a.CompareAndSwap(cur, v) {
			return
		}
	}
}

// recovery summarizes how long each grain of a killed member took to
// answer again (negative: never, within the limit).
type recovery struct {
	recovered     []time.Duration
	lost          int
	p50, p99, max time.Duration
}

func summarizeRecovery(times []time.Duration) recovery {
	var r recovery
	for _, d := range times {
		if d < 0 {
			r.lost++
			continue
		}
		r.recovered = append(r.recovered, d)
	}
	slices.Sort(r.recovered)
	if len(r.recovered) > 0 {
		r.p50, r.p99 = percentile(r.recovered, 0.50), percentile(r.recovered, 0.99)
		r.max = r.recovered[len(r.recovered)-1]
	}
	return r
}

// grainFailover kills one of three members and measures how long its
// grains take to answer from the survivors.
func grainFailover() Scenario {
	return Scenario{
		Name:    "grain_failover",
		Section: SectionGrains,
		Grains:  true,
		Doc: fmt.Sprintf("recovery after a node kill: three members (seeds provider, membership polled every second as in the service), two in this process and one a child process (this binary re-executed); "+
			"%d organizations (%d with `-quick`) are activated, then the child is killed with SIGKILL (no graceful leave, no deregistration) and every grain it hosted is called from a survivor, "+
			"each call bounded by %s and repeated %s after a failure, until one answers from a survivor; recovered = time from the kill to that answer",
			failoverOrgs, failoverOrgsQuick, failoverAttempt, failoverPause),
		Run: func(ctx context.Context, env *Env, _ Fixture, opts RunOptions) (Result, error) {
			lab := env.Grains
			n := failoverOrgs
			if opts.Quick {
				n = failoverOrgsQuick
			}
			orgs, err := lab.orgs(ctx, n)
			if err != nil {
				return Result{}, err
			}
			return failover(ctx, lab, orgs)
		},
	}
}

func failover(ctx context.Context, lab *grainLab, orgs []uuid.UUID) (Result, error) {
	seeds, ports, err := seedsCluster(3)
	if err != nil {
		return Result{}, err
	}
	name := clusterName()
	var survivors []*cluster.Node
	defer func() { closeNodes(survivors...) }()
	for _, port := range ports[:2] {
		node, _, err := lab.startNode(lab.clusterConfig(name, config.ClusterSeeds, seeds, port))
		if err != nil {
			return Result{}, err
		}
		survivors = append(survivors, node)
	}
	child, err := startChildNode(ctx, childSpec{
		Cluster:     lab.clusterConfig(name, config.ClusterSeeds, seeds, ports[2]),
		DatabaseURL: lab.cfg.DatabaseURL, MaxConns: lab.cfg.DatabaseMaxConns, Members: 3,
	})
	if err != nil {
		return Result{}, err
	}
	defer child.stop()
	if err := waitMembers(ctx, 3, survivors...); err != nil {
		return Result{}, err
	}

	acts, _, err := activate(ctx, survivors[0].Organizations(), orgs, activationWorkers)
	if err != nil {
		return Result{}, err
	}
	var victims, others []int
	for i, act := range acts {
		if act.MemberID == child.id {
			victims = append(victims, i)
		} else {
			others = append(others, i)
		}
	}
	if len(victims) == 0 {
		return Result{}, fmt.Errorf("none of %d grains landed on the member to kill", len(orgs))
	}

	killed := time.Now()
	if err := child.kill(); err != nil {
		return Result{}, fmt.Errorf("kill the child member: %w", err)
	}
	// When each survivor's topology drops the killed member.
	var topology atomic.Int64
	var wg sync.WaitGroup
	for _, s := range survivors {
		wg.Go(func() {
			for time.Since(killed) < failoverLimit && s.Members() > 2 {
				time.Sleep(5 * time.Millisecond)
			}
			atomicMax(&topology, int64(time.Since(killed)))
		})
	}
	times := make([]time.Duration, len(victims))
	var failed, slowest atomic.Int64
	for k, i := range victims {
		client := survivors[k%len(survivors)].Organizations()
		wg.Go(func() {
			times[k] = -1
			for time.Since(killed) < failoverLimit && ctx.Err() == nil {
				actx, cancel := context.WithTimeout(ctx, failoverAttempt)
				start := time.Now()
				act, err := client.Describe(actx, orgs[i])
				took := time.Since(start)
				cancel()
				if err == nil && act.MemberID != child.id {
					times[k] = time.Since(killed)
					return
				}
				failed.Add(1)
				atomicMax(&slowest, int64(took))
				time.Sleep(failoverPause)
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return Result{}, ctx.Err()
	}
	rec := summarizeRecovery(times)

	// The grains of the survivors should not have moved.
	moved := 0
	for _, i := range others {
		act, err := survivors[0].Organizations().Describe(ctx, orgs[i])
		if err != nil || !act.ActivatedAt.Equal(acts[i].ActivatedAt) || act.MemberID != acts[i].MemberID {
			moved++
		}
	}
	res := Result{Requests: uint64(len(victims)), Errors: uint64(rec.lost)}
	if rec.lost > 0 {
		res.ErrorCauses = []string{fmt.Sprintf("no answer from a survivor within %s (×%d)", failoverLimit, rec.lost)}
	}
	res.Extra = []Metric{
		{"grains on the killed member", fmt.Sprintf("%d of %d", len(victims), len(orgs))},
		{"survivors' topology without it", formatLatency(time.Duration(topology.Load()))},
		{"recovered p50", formatLatency(rec.p50)},
		{"recovered p99", formatLatency(rec.p99)},
		{"recovered max", formatLatency(rec.max)},
		{"not recovered", fmt.Sprint(rec.lost)},
		{"failed calls meanwhile", fmt.Sprint(failed.Load())},
		{"slowest failed call", formatLatency(time.Duration(slowest.Load()))},
		{"survivors' grains disturbed", fmt.Sprintf("%d of %d", moved, len(others))},
	}
	return res, nil
}
