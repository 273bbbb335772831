//go:build !race

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/socialmediamanager/smm/telemetry"
)

// twoActivationsGrace bounds the wait after the window's end: a claim
// taken over by the other activation is reconciled with the provider, and
// one whose post is not listed yet waits out the unknown-outcome grace
// (twice SMM_PROVIDER_TIMEOUT, shortened below) or TikTok's processing
// grace (2 minutes, fixed) before it is reconciled again; that happens in
// some runs, which then last about two minutes.
const twoActivationsGrace = 4 * time.Minute

// TestTwoActivationsAcrossMembers gives every organization two live grains
// at once: two members that are NOT one cluster (two single-provider
// clusters with different SMM_CLUSTER_NAME, the full service each) share
// the database and one simulator, as a split cluster or two deployments
// pointed at one database by mistake would. Both grains of every
// organization fire the same publications at the same time; the claim in
// PostgreSQL must let exactly one provider call through: every publication
// is posted exactly once, no publication has two attempts that posted and
// exactly one finished it, the two members' provider calls that posted add
// up to one per publication, and both members did fire (each one's
// smm_publish_attempts_total or smm_publish_claims_lost_total moved), and
// each publication has exactly one attempt: a claim held by another
// cluster's member is left to its lease, never taken over as abandoned.
func TestTwoActivationsAcrossMembers(t *testing.T) {
	lab := publishLab(t)
	ctx := context.Background()
	const orgs, count, window = 10, 60, 3 * time.Second
	var progress limitedBuffer
	progress.max = 64 << 10
	r, err := preparePublishRun(ctx, lab, &progress, orgs, count, window)
	if err != nil {
		t.Fatal(err)
	}
	defer r.close(ctx)

	var (
		members [2]*member
		logs    [2]*latenessLog
		warns   [2]*limitedBuffer
	)
	defer func() { stopMembers(&progress, members[:]...) }()
	for i := range members {
		cfg := r.cfg
		// A cluster of its own: the other member is never seen, so each
		// hosts a grain of every organization.
		cfg.Cluster.Name = clusterName()
		// The unknown-outcome grace is twice the provider timeout: a claim
		// taken over while the other activation's call runs is not asked
		// again for a minute with the default 30 s. The simulator answers
		// in milliseconds.
		cfg.Providers.Timeout = 5 * time.Second
		logs[i], warns[i] = newLatenessLog(count), &limitedBuffer{max: 32 << 10}
		logger := telemetry.NewLogger(warns[i], cfg.LogFormat, slog.LevelWarn)
		if members[i], err = startMember(ctx, cfg, logger, logs[i].observe); err != nil {
			t.Fatal(err)
		}
	}
	report := func() string {
		return fmt.Sprintf("progress:\n%s\nmember 0 warnings:\n%s\nmember 1 warnings:\n%s", progress.String(), warns[0].String(), warns[1].String())
	}
	ids := [2]string{members[0].app.Node().ID(), members[1].app.Node().ID()}
	if ids[0] == ids[1] {
		t.Fatalf("got one member id %q for both members, want two", ids[0])
	}
	for i, m := range members {
		if err := waitMembers(ctx, 1, m.app.Node()); err != nil {
			t.Fatalf("member %d: %v", i, err)
		}
	}

	// Activate every grain on both members while the publications are
	// still parked a day ahead, and check where each one lives.
	for i, m := range members {
		acts, _, err := activate(ctx, m.app.Node().Organizations(), r.fx.orgs, activationWorkers)
		if err != nil {
			t.Fatalf("activate the grains on member %d: %v", i, err)
		}
		for j, act := range acts {
			if act.MemberID != ids[i] {
				t.Fatalf("organization %s through member %d: got its grain on %q, want on %q (its own cluster)", r.fx.orgs[j], i, act.MemberID, ids[i])
			}
		}
	}

	start, _, err := r.openWindow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Wake both activations of every organization at once.
	var wg sync.WaitGroup
	var wakeErrs [2]error
	for i, m := range members {
		wg.Go(func() { _, wakeErrs[i] = wakeAll(ctx, m.app.Node().Organizations(), r.fx) })
	}
	wg.Wait()
	if err := errors.Join(wakeErrs[:]...); err != nil {
		t.Fatalf("wake the grains: %v", err)
	}
	if late := time.Since(start); late > 0 {
		t.Logf("every grain woken only %s after the window opened", late.Round(time.Millisecond))
	}

	all, err := r.awaitDone(ctx, start.Add(window+twoActivationsGrace), func() int { return logs[0].count() + logs[1].count() })
	if err != nil {
		t.Fatalf("%v\n%s", err, report())
	}
	took := time.Since(start)
	var scraped [2]map[string]float64
	for i, m := range members {
		if scraped[i], err = publishAttemptsMetric(ctx, m.app.Addr()); err != nil {
			t.Fatalf("member %d: %v", i, err)
		}
	}
	stopMembers(&progress, members[:]...)
	members = [2]*member{}

	states, err := readPublishStates(ctx, lab.pool, r.fx.orgs)
	if err != nil {
		t.Fatal(err)
	}
	attempts, err := readAttempts(ctx, lab.pool, r.fx.orgs)
	if err != nil {
		t.Fatal(err)
	}
	posts := tallyPosts(r.sim.Published(""))
	lost, dup := posts.lostAndDuplicated(r.fx.ids())

	if !all {
		t.Errorf("got publications unfinished %s after the window's end (statuses: %s), want all finished\n%s", twoActivationsGrace, statusCounts(states), report())
	}
	if lost != 0 || dup != 0 {
		t.Errorf("got %d lost and %d duplicated at the simulator, want 0 and 0 (statuses: %s)\n%s", lost, dup, statusCounts(states), report())
	}
	taken := 0
	for _, p := range r.fx.pubs {
		if s := states[p.id]; s.status != "published" {
			t.Errorf("publication %s: got status %q, want published", p.id, s.status)
		}
		var posted, finished, open int
		for _, a := range attempts[p.id] {
			switch a.outcome {
			case "published":
				posted++
				finished++
			case "reconciled":
				finished++
			case "in_progress":
				open++
			}
		}
		// Only the claim's holder may record an attempt's end: of every
		// attempt, at most one made the post and exactly one finished the
		// publication (by posting, or by finding the other activation's
		// post at the provider).
		if posted > 1 || finished != 1 || open != 0 {
			t.Errorf("publication %s: got %d attempts that posted, %d that finished it, %d still in progress (%s); want at most 1, 1 and 0",
				p.id, posted, finished, open, describeAttempts(attempts[p.id], ids))
		}
		if len(attempts[p.id]) > 1 {
			taken++
		}
		// Each cluster judges only its own members gone: the other
		// activation's live claim is held, not taken over.
		if len(attempts[p.id]) != 1 {
			t.Errorf("publication %s: got %d attempts (%s), want 1: the other activation's claim must be left to it",
				p.id, len(attempts[p.id]), describeAttempts(attempts[p.id], ids))
		}
	}

	// Both activations fired: each member made attempts, or found the
	// other's claim (smm_publish_claims_lost_total), and between them every
	// publication was fired twice.
	var claimsBy [2]int
	outcomes := map[string]int{}
	for _, list := range attempts {
		for _, a := range list {
			outcomes[a.outcome]++
			for i, id := range ids {
				if strings.HasSuffix(a.member, "/"+id) {
					claimsBy[i]++
				}
			}
		}
	}
	for i := range members {
		total := 0.0
		for _, n := range scraped[i] {
			total += n
		}
		if total == 0 {
			t.Errorf("member %d: got no publishing attempts nor lost claims (claims in the table: %d), want some: both activations must fire", i, claimsBy[i])
		}
	}
	if lostClaims := scraped[0][claimsLost] + scraped[1][claimsLost]; lostClaims < float64(count) {
		t.Errorf("got %v claims lost across both members, want at least %d: every publication fired by both activations, one of them refused", lostClaims, count)
	}
	// The metric counts a provider call that posted even when its attempt
	// could not be recorded (its claim was taken over meanwhile), so across
	// both members it is the number of posts the engine made.
	if got := scraped[0]["published"] + scraped[1]["published"]; got != count {
		t.Errorf("got %v attempts that posted across both members (smm_publish_attempts_total{outcome=\"published\"}: %v and %v), want %d: one per publication",
			got, scraped[0]["published"], scraped[1]["published"], count)
	}
	t.Logf("done %s after the window opened; claims in publication_attempts: member 0 %d, member 1 %d; outcomes %v; "+
		"smm_publish_attempts_total: member 0 %v, member 1 %v; first claims observed: member 0 %d, member 1 %d",
		took.Round(time.Millisecond), claimsBy[0], claimsBy[1], outcomes, scraped[0], scraped[1], logs[0].count(), logs[1].count())
	if taken > 0 {
		// Each cluster lists only its own members as live, so a claim held
		// by the other cluster's member looks abandoned and is taken over at
		// once (as unknown_outcome, reconciled with the provider): one post,
		// but a second attempt and a reconciliation call per publication.
		t.Logf("%d of %d publications were claimed by both activations: the second took the first's live claim over as if its member had left the cluster, then reconciled", taken, count)
	}
}

// attemptRow is one row of publication_attempts.
type attemptRow struct {
	number  int
	member  string
	outcome string
	message string
}

// readAttempts reads every attempt of orgs' publications, by publication,
// in number order, one round trip per organization.
func readAttempts(ctx context.Context, pool *pgxpool.Pool, orgs []uuid.UUID) (map[uuid.UUID][]attemptRow, error) {
	var mu sync.Mutex
	out := map[uuid.UUID][]attemptRow{}
	err := forEachOrg(ctx, orgs, publishFixtureWriters, func(ctx context.Context, org uuid.UUID) error {
		b := &pgx.Batch{}
		b.Queue(`SELECT set_config('smm.organization_id', $1, true)`, org.String())
		b.Queue(`SELECT publication_id, number, member, outcome, error_message FROM publication_attempts
			WHERE organization_id = $1 ORDER BY publication_id, number`, org)
		br := pool.SendBatch(ctx, b)
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return err
		}
		rows, _ := br.Query()
		mine := map[uuid.UUID][]attemptRow{}
		var id uuid.UUID
		var a attemptRow
		_, err := pgx.ForEachRow(rows, []any{&id, &a.number, &a.member, &a.outcome, &a.message}, func() error {
			mine[id] = append(mine[id], a)
			return nil
		})
		if err = errors.Join(err, br.Close()); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for k, v := range mine {
			out[k] = v
		}
		return nil
	})
	return out, err
}

// describeAttempts renders a publication's attempts with the member index
// (0 or 1) that made each.
func describeAttempts(list []attemptRow, ids [2]string) string {
	parts := make([]string, 0, len(list))
	for _, a := range list {
		who := strconv.Itoa(slices.Index(ids[:], a.member))
		s := fmt.Sprintf("#%d member %s %s", a.number, who, a.outcome)
		if a.message != "" {
			s += " (" + a.message + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// claimsLost is the key publishAttemptsMetric files
// smm_publish_claims_lost_total under: the publications a member fired and
// found claimed, or finished, by the other activation.
const claimsLost = "claims lost"

// publishAttemptsMetric scrapes a member's /metrics and sums
// smm_publish_attempts_total by outcome, and smm_publish_claims_lost_total.
func publishAttemptsMetric(ctx context.Context, addr string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scrape /metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil, fmt.Errorf("scrape /metrics: status %s", resp.Status)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "smm_publish_claims_lost_total "); ok {
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return nil, fmt.Errorf("scrape /metrics: %q: %w", sc.Text(), err)
			}
			out[claimsLost] += n
			continue
		}
		labels, ok := strings.CutPrefix(sc.Text(), "smm_publish_attempts_total{")
		if !ok {
			continue
		}
		labels, value, ok := strings.Cut(labels, "} ")
		if !ok {
			return nil, fmt.Errorf("scrape /metrics: malformed sample %q", sc.Text())
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return nil, fmt.Errorf("scrape /metrics: %q: %w", sc.Text(), err)
		}
		outcome := ""
		for _, kv := range strings.Split(labels, ",") {
			if v, ok := strings.CutPrefix(kv, `outcome="`); ok {
				outcome = strings.TrimSuffix(v, `"`)
			}
		}
		out[outcome] += n
	}
	return out, sc.Err()
}
