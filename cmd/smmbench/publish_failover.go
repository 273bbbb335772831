package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/config"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/telemetry"
)

// publishNodeEnv, when set (to a JSON publishNodeSpec), makes the bench
// binary a publishing member and nothing else: publish_failover runs the
// member it kills as a child process, so that the kill is a real SIGKILL.
const publishNodeEnv = "SMMBENCH_PUBLISH_NODE"

// publishNodeSpec is what the child member is told; the rest of its
// configuration comes from the SMM_* environment it inherits.
type publishNodeSpec struct {
	ClusterName    string
	Seeds          []string
	SeedPort       int
	SimulatorURL   string
	EncryptionKeys string
	// Members is how many members the child waits to see before it says
	// it is ready.
	Members int
}

// runPublishNode is the child member: the whole service (cmd/app) joined
// to the parent's cluster; it prints "ready MEMBER-ID ADDRESS" once it sees
// every member and leaves when its standard input closes (unless it is
// killed first, which is its purpose).
func runPublishNode(spec string, stdin io.Reader, stdout, stderr io.Writer) int {
	var s publishNodeSpec
	if err := json.Unmarshal([]byte(spec), &s); err != nil {
		fmt.Fprintf(stderr, "smmbench publishing member: %s: %v\n", publishNodeEnv, err)
		return 2
	}
	base, err := config.FromEnv()
	if err != nil {
		fmt.Fprintf(stderr, "smmbench publishing member: %v\n", err)
		return 1
	}
	cfg := seedsMember(publishConfig(base, s.SimulatorURL, s.EncryptionKeys), s.ClusterName, s.Seeds, s.SeedPort)
	ctx := context.Background()
	m, err := startMember(ctx, cfg, telemetry.NewLogger(io.Discard, cfg.LogFormat, slog.LevelWarn), func(uuid.UUID, domain.Publication, time.Duration) {})
	if err != nil {
		fmt.Fprintf(stderr, "smmbench publishing member: %v\n", err)
		return 1
	}
	defer stopMembers(stderr, m)
	if err := waitMembers(ctx, s.Members, m.app.Node()); err != nil {
		fmt.Fprintf(stderr, "smmbench publishing member: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "ready %s %s\n", m.app.Node().ID(), m.app.Node().Address())
	_, _ = io.Copy(io.Discard, stdin)
	return 0
}

// seedsMember makes cfg a member of the seeds cluster name, with its
// membership endpoint on seedPort.
func seedsMember(cfg config.Config, name string, seeds []string, seedPort int) config.Config {
	cfg.Cluster.Name, cfg.Cluster.Provider, cfg.Cluster.Seeds, cfg.Cluster.SeedPort = name, config.ClusterSeeds, seeds, seedPort
	return cfg
}

// startPublishNode re-executes this binary as a publishing member and
// returns once it sees spec.Members members.
func startPublishNode(ctx context.Context, spec publishNodeSpec) (*childNode, error) {
	return startChild(ctx, publishNodeEnv, spec, memberWait+15*time.Second)
}

// runPublishFailover is publish_failover.
func runPublishFailover(ctx context.Context, lab *grainLab, progress io.Writer, orgs, count int, window time.Duration) (Result, error) {
	r, err := preparePublishRun(ctx, lab, progress, orgs, count, window)
	if err != nil {
		return Result{}, err
	}
	defer r.close(ctx)

	seeds, ports, err := seedsCluster(3)
	if err != nil {
		return Result{}, err
	}
	name := clusterName()
	log := newLatenessLog(count)
	var survivors []*member
	defer func() { stopMembers(progress, survivors...) }()
	for _, port := range ports[:2] {
		m, err := startMember(ctx, seedsMember(r.cfg, name, seeds, port), lab.logger, log.observe)
		if err != nil {
			return Result{}, err
		}
		survivors = append(survivors, m)
	}
	child, err := startPublishNode(ctx, publishNodeSpec{ClusterName: name, Seeds: seeds, SeedPort: ports[2],
		SimulatorURL: r.sim.URL, EncryptionKeys: r.cfg.EncryptionKeys, Members: 3})
	if err != nil {
		return Result{}, err
	}
	defer child.stop()
	for _, m := range survivors {
		if err := waitMembers(ctx, 3, m.app.Node()); err != nil {
			return Result{}, err
		}
	}

	start, _, err := r.openWindow(ctx)
	if err != nil {
		return Result{}, err
	}
	// Describe activates each grain (which loads its due publications)
	// and says which member hosts it.
	acts, _, err := activate(ctx, survivors[0].app.Node().Organizations(), r.fx.orgs, activationWorkers)
	if err != nil {
		return Result{}, err
	}
	victims := map[uuid.UUID]bool{}
	for i, act := range acts {
		if act.MemberID == child.id {
			victims[r.fx.orgs[i]] = true
		}
	}
	if len(victims) == 0 {
		return Result{}, fmt.Errorf("none of %d organizations landed on the member to kill", orgs)
	}
	progressf(progress, "window of %s opens in %s; %d of %d organizations on the member to kill", window, time.Until(start).Round(time.Millisecond), len(victims), orgs)

	select {
	case <-ctx.Done():
		return Result{}, ctx.Err()
	case <-time.After(time.Until(start.Add(window / 2))):
	}
	killed := time.Now()
	if err := child.kill(); err != nil {
		return Result{}, fmt.Errorf("kill the child member: %w", err)
	}
	progressf(progress, "killed member %s at %s into the window", child.id, killed.Sub(start).Round(time.Millisecond))

	all, err := r.awaitDone(ctx, start.Add(window+publishGrace), log.count)
	if err != nil {
		return Result{}, err
	}
	stopMembers(progress, survivors...)
	survivors = nil
	states, err := readPublishStates(ctx, lab.pool, r.fx.orgs)
	if err != nil {
		return Result{}, fmt.Errorf("read the publications: %w", err)
	}
	return failoverResult(r, start, killed, child.id, victims, all, states), nil
}

// failoverResult summarizes publish_failover from PostgreSQL (every
// member's attempts) and the simulator's posts.
func failoverResult(r *publishRun, start, killed time.Time, dead string, victims map[uuid.UUID]bool, all bool, states map[uuid.UUID]pubState) Result {
	fx := r.fx
	var every, deadAfter, survivorsAfter, inFlight []time.Duration
	unclaimed := 0
	for _, p := range fx.pubs {
		s, ok := states[p.id]
		if !ok || s.firstAttempt == nil {
			unclaimed++
			continue
		}
		late := s.firstAttempt.Sub(s.publishAt)
		every = append(every, late)
		switch {
		case victims[p.org] && !s.publishAt.Before(killed):
			deadAfter = append(deadAfter, late)
		case !s.publishAt.Before(killed):
			survivorsAfter = append(survivorsAfter, late)
		case s.firstMember == dead && s.publishedAt != nil && s.publishedAt.After(killed):
			// Claimed by the dead member, published by a survivor after the
			// kill: from publish_at to the post.
			inFlight = append(inFlight, s.publishedAt.Sub(s.publishAt))
		}
	}
	all1, dead1, surv1, flight := statsOf(every), statsOf(deadAfter), statsOf(survivorsAfter), statsOf(inFlight)
	posts := tallyPosts(r.sim.Published(""))
	lost, dup := posts.lostAndDuplicated(fx.ids())
	res := Result{Requests: uint64(len(fx.pubs)), Errors: uint64(lost + dup), P50: all1.p50, P99: all1.p99, Max: all1.max}
	if lost > 0 {
		res.ErrorCauses = append(res.ErrorCauses, fmt.Sprintf("lost: %d publications never reached the simulator (statuses: %s)", lost, statusCounts(states)))
	}
	if dup > 0 {
		res.ErrorCauses = append(res.ErrorCauses, fmt.Sprintf("duplicated: %d publications posted more than once", dup))
	}
	done := "yes"
	if !all {
		done = fmt.Sprintf("**no**, %s after the window's end", publishGrace)
		res.ErrorCauses = append(res.ErrorCauses, fmt.Sprintf("not finished %s after the window's end", publishGrace))
	}
	res.Extra = []Metric{
		{"scale", fmt.Sprintf("%d organizations × %d accounts, %d publications in %s, 3 members", len(fx.orgs), len(publishProviders), len(fx.pubs), fx.window)},
		{"killed", fmt.Sprintf("the child member (SIGKILL) at %s into the window, hosting %d of %d organizations", killed.Sub(start).Round(time.Millisecond), len(victims), len(fx.orgs))},
		{"all finished", done},
		{"statuses at the end", statusCounts(states)},
		{"errors", lastErrors(states, 3)},
		{"lateness p50 / p99 / max, every publication", fmt.Sprintf("%s / %s / %s (%d without an attempt)", formatLateness(all1.p50), formatLateness(all1.p99), formatLateness(all1.max), unclaimed)},
		{"dead node's publications due after the kill", fmt.Sprint(dead1.n)},
		{"their lateness p50 / p99 / max", fmt.Sprintf("%s / %s / %s", formatLateness(dead1.p50), formatLateness(dead1.p99), formatLateness(dead1.max))},
		{"survivors' publications due after the kill, lateness p99 / max", fmt.Sprintf("%s / %s", formatLateness(surv1.p99), formatLateness(surv1.max))},
		{"claimed by the dead node before the kill, finished by a survivor", fmt.Sprintf("%d (publish_at → post max %s)", flight.n, formatLateness(flight.max))},
		{"lost", fmt.Sprint(lost)},
		{"duplicated", fmt.Sprint(dup)},
		{"goal 0 lost, 0 duplicated", countVerdict(lost + dup)},
		{"goal dead node's max ≤ 5 s", verdict(dead1.max, goalDeadNode)},
	}
	return res
}
