package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/actors"
	"github.com/socialmediamanager/smm/config"
	"github.com/socialmediamanager/smm/providers/simulator"
)

// publishRun is what both publishing scenarios set up: the simulator, the
// configuration, the fixture written and parked a day ahead.
type publishRun struct {
	lab      *grainLab
	progress io.Writer
	sim      *simulator.Server
	cfg      config.Config
	fx       *publishFixture
	parked   time.Time
	setup    time.Duration
}

// preparePublishRun starts the simulator and writes the fixture of orgs
// organizations and count publications within window.
func preparePublishRun(ctx context.Context, lab *grainLab, progress io.Writer, orgs, count int, window time.Duration) (*publishRun, error) {
	if lab == nil {
		return nil, errors.New("the publishing scenarios need the database (the grain lab)")
	}
	if err := cancelStalePublishFixtures(ctx, lab.pool, lab.store, progress); err != nil {
		return nil, fmt.Errorf("remove an earlier run's fixture: %w", err)
	}
	sim, err := simulator.Listen(simulator.New(benchSimulatorConfig()), "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start the provider simulators: %w", err)
	}
	spec, ring, err := publishKeys(lab.cfg)
	if err != nil {
		_ = sim.Close()
		return nil, err
	}
	r := &publishRun{lab: lab, progress: progress, sim: sim, cfg: publishConfig(lab.cfg, sim.URL, spec),
		fx: planPublishFixture(orgs, count, window, uint64(orgs)<<32|uint64(count)),
		// PostgreSQL keeps microseconds: the parked times are exact.
		parked: time.Now().Add(publishParking).Truncate(time.Second)}
	start := time.Now()
	progressf(progress, "writing %d organizations × %d accounts and %d publications", orgs, len(publishProviders), count)
	if err := writePublishFixture(ctx, lab.pool, sim, ring, r.fx, r.parked); err != nil {
		r.close(ctx)
		return nil, fmt.Errorf("write the publishing fixture: %w", err)
	}
	r.setup = time.Since(start)
	progressf(progress, "fixture written in %s", r.setup.Round(time.Millisecond))
	return r, nil
}

// close retires the fixture and stops the simulator.
func (r *publishRun) close(ctx context.Context) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := retirePublishFixture(cctx, r.lab.store, r.lab.pool, r.fx.orgs); err != nil {
		progressf(r.progress, "cancelling the publishing fixture's unfinished publications: %v", err)
	}
	_ = r.sim.Close()
}

// openWindow moves the publications to a window starting lead from now
// and returns its start.
func (r *publishRun) openWindow(ctx context.Context) (time.Time, time.Duration, error) {
	lead := publishLeadBase + time.Duration(len(r.fx.orgs))*publishLeadPerOrg
	start := time.Now().Add(lead).Truncate(time.Millisecond)
	t0 := time.Now()
	if err := setWindow(ctx, r.lab.pool, r.fx, r.parked, start); err != nil {
		return time.Time{}, 0, fmt.Errorf("set the window: %w", err)
	}
	return start, time.Since(t0), nil
}

// awaitDone waits until every publication of the fixture is published or
// failed, or until deadline, printing progress; it says whether all ended.
func (r *publishRun) awaitDone(ctx context.Context, deadline time.Time, observed func() int) (bool, error) {
	lastPrint := time.Now()
	for {
		left, err := remainingOrgs(ctx, r.lab.store, r.fx)
		if err != nil {
			return false, err
		}
		if left == 0 && time.Now().After(r.fx.start.Add(r.fx.window)) {
			return true, nil
		}
		if time.Now().After(deadline) {
			return false, nil
		}
		if time.Since(lastPrint) >= 30*time.Second {
			lastPrint = time.Now()
			progressf(r.progress, "%s into the window: %d first claims observed here, %d posts at the simulator, %d organizations with work left",
				time.Since(r.fx.start).Round(time.Second), observed(), len(r.sim.Published("")), left)
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// wakeAll wakes every organization's grain through client, those due
// first first, and returns how long it took.
func wakeAll(ctx context.Context, client *actors.OrganizationClient, fx *publishFixture) (time.Duration, error) {
	start := time.Now()
	err := forEachOrg(ctx, fx.orgsByFirstDue(), publishWakers, func(ctx context.Context, org uuid.UUID) error {
		_, err := client.Wake(ctx, org, false)
		return err
	})
	return time.Since(start), err
}

// runPublishWindow is publish_window.
func runPublishWindow(ctx context.Context, lab *grainLab, progress io.Writer, orgs, count int, window time.Duration) (Result, error) {
	r, err := preparePublishRun(ctx, lab, progress, orgs, count, window)
	if err != nil {
		return Result{}, err
	}
	defer r.close(ctx)

	log := newLatenessLog(count)
	m, err := startMember(ctx, r.cfg, lab.logger, log.observe)
	if err != nil {
		return Result{}, err
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			stopMembers(progress, m)
		}
	}
	defer stop()
	// The grains are activated first (they find nothing due: the
	// publications are parked), so that the wake after the window is set
	// only reads each one's due list.
	activated, err := wakeAll(ctx, m.app.Node().Organizations(), r.fx)
	if err != nil {
		return Result{}, fmt.Errorf("activate the grains: %w", err)
	}
	before := readHeap()
	start, shiftTook, err := r.openWindow(ctx)
	if err != nil {
		return Result{}, err
	}
	woke, err := wakeAll(ctx, m.app.Node().Organizations(), r.fx)
	if err != nil {
		return Result{}, fmt.Errorf("wake the grains: %w", err)
	}
	wokeLate := time.Since(start)
	progressf(progress, "grains activated in %s; window moved in %s, grains woken in %s, %s; waiting for %d publications",
		activated.Round(time.Millisecond), shiftTook.Round(time.Millisecond), woke.Round(time.Millisecond), wokeText(wokeLate), count)

	all, err := r.awaitDone(ctx, start.Add(window+publishGrace), log.count)
	if err != nil {
		return Result{}, err
	}
	ended := time.Now()
	heap := readHeap()
	stop()

	states, err := readPublishStates(ctx, lab.pool, r.fx.orgs)
	if err != nil {
		return Result{}, fmt.Errorf("read the publications: %w", err)
	}
	return windowResult(r, start, ended, all, wokeLate, before, heap, log, states), nil
}

// windowResult summarizes publish_window.
func windowResult(r *publishRun, start, ended time.Time, all bool, wokeLate time.Duration, before, after heapReading, log *latenessLog, states map[uuid.UUID]pubState) Result {
	fx := r.fx
	late, doubleObserved := log.snapshot()
	var measured, baseline []time.Duration
	for _, p := range fx.pubs {
		baseline = append(baseline, minuteLateness(p.at(start)))
		if l, ok := late[p.id]; ok {
			measured = append(measured, l)
		}
	}
	got, base := statsOf(measured), statsOf(baseline)
	posts := tallyPosts(r.sim.Published(""))
	lost, dup := posts.lostAndDuplicated(fx.ids())
	published, lastPublished := 0, start
	for _, s := range states {
		if s.status == "published" {
			published++
			if s.publishedAt != nil && s.publishedAt.After(lastPublished) {
				lastPublished = *s.publishedAt
			}
		}
	}
	res := Result{Requests: uint64(len(fx.pubs)), Errors: uint64(lost + dup), P50: got.p50, P99: got.p99, Max: got.max}
	if lost > 0 {
		res.ErrorCauses = append(res.ErrorCauses, fmt.Sprintf("lost: %d publications never reached the simulator (statuses: %s)", lost, statusCounts(states)))
	}
	if dup > 0 {
		res.ErrorCauses = append(res.ErrorCauses, fmt.Sprintf("duplicated: %d publications posted more than once", dup))
	}
	if !all {
		res.ErrorCauses = append(res.ErrorCauses, fmt.Sprintf("not finished %s after the window's end", publishGrace))
	}
	rate := "—"
	if d := lastPublished.Sub(start); published > 0 && d > 0 {
		rate = fmt.Sprintf("%.1f (offered %.1f)", float64(published)/d.Seconds(), float64(len(fx.pubs))/fx.window.Seconds())
	}
	end := fmt.Sprintf("all done %s after the window's start", ended.Sub(start).Round(time.Second))
	if !all {
		end = fmt.Sprintf("**not all done** %s after the window's end", publishGrace)
	}
	res.Extra = []Metric{
		{"scale", fmt.Sprintf("%d organizations × %d accounts, %d publications in %s (at most %d per account)", len(fx.orgs), len(publishProviders), len(fx.pubs), fx.window, fx.maxPerAccount())},
		{"set-up", fmt.Sprintf("fixture written in %s; %s", r.setup.Round(time.Millisecond), wokeText(wokeLate))},
		{"first claims observed", fmt.Sprintf("%d of %d (observed twice: %d)", got.n, len(fx.pubs), doubleObserved)},
		{"lateness p50", formatLateness(got.p50)},
		{"lateness p99", formatLateness(got.p99)},
		{"lateness max", formatLateness(got.max)},
		{"minute-polling baseline p50 / p99 / max", fmt.Sprintf("%s / %s / %s", formatLateness(base.p50), formatLateness(base.p99), formatLateness(base.max))},
		{"baseline ÷ measured (p50 / p99 / max)", fmt.Sprintf("%s / %s / %s", ratioCell(base.p50, got.p50), ratioCell(base.p99, got.p99), ratioCell(base.max, got.max))},
		{"publications/s", rate},
		{"statuses at the end", statusCounts(states)},
		{"errors", lastErrors(states, 3)},
		{"window end", end},
		{"heap in use at the end (after GC)", fmt.Sprintf("%s (live %s; %s more than before the window, simulator's posts included)", formatBytes(float64(after.inuse)), formatBytes(float64(after.alloc)), formatBytes(float64(after.inuse)-float64(before.inuse)))},
		{"lost", fmt.Sprint(lost)},
		{"duplicated", fmt.Sprint(dup)},
		{"goal p99 ≤ 1 s", verdict(got.p99, goalP99)},
		{"goal max ≤ 2 s", verdict(got.max, goalMax)},
		{"goal 0 lost, 0 duplicated", countVerdict(lost + dup)},
	}
	return res
}

// wokeText says when the last grain was woken relative to the window's
// start (late: after it, so the first publications could not be on time).
func wokeText(late time.Duration) string {
	if late <= 0 {
		return "every grain woken " + formatLateness(-late) + " before the window opened"
	}
	return "**every grain woken only " + formatLateness(late) + " after the window opened**"
}
