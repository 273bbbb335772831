package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/cmd/app"
	"github.com/socialmediamanager/smm/config"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/encryption"
	"github.com/socialmediamanager/smm/providers/simulator"
)

// The publishing scenarios report in sections of their own, so that a run
// of one leaves the other's figures in docs/benchmarks.md:
// <!-- bench:publish_window:start --> … and <!-- bench:publish_failover:start --> ….
const (
	SectionPublishWindow   = "publish_window"
	SectionPublishFailover = "publish_failover"
)

// Goals of the publishing scenarios (issue 6).
const (
	goalP99      = time.Second
	goalMax      = 2 * time.Second
	goalDeadNode = 5 * time.Second
)

// Sizes of the publishing scenarios.
const (
	// publishGrace is how long after the window's end the run waits for
	// the last publications to finish.
	publishGrace = 2 * time.Minute
	// publishWakers wake the organizations' grains once the window is set.
	publishWakers = 32
	// publishLeadBase + publishLeadPerOrg × organizations separate the end
	// of the set-up from the window's start, room for waking every grain.
	publishLeadBase   = 5 * time.Second
	publishLeadPerOrg = 2 * time.Millisecond
)

// PublishOptions are the sizes of the publishing scenarios.
type PublishOptions struct {
	// Orgs organizations with 3 accounts each get Count publications due
	// uniformly within Window (publish_window).
	Orgs   int
	Count  int
	Window time.Duration
	// The same for publish_failover's three members.
	FailoverOrgs   int
	FailoverCount  int
	FailoverWindow time.Duration
}

// publishDefaults are the sizes without flags, and with -quick.
var (
	publishDefaults = PublishOptions{Orgs: 10_000, Count: 100_000, Window: 10 * time.Minute,
		FailoverOrgs: 300, FailoverCount: 3000, FailoverWindow: 2 * time.Minute}
	publishQuick = PublishOptions{Orgs: 100, Count: 600, Window: 20 * time.Second,
		FailoverOrgs: 60, FailoverCount: 360, FailoverWindow: 30 * time.Second}
)

// publishFlags are the publishing scenarios' flags, registered on the
// command's flag set.
type publishFlags struct {
	orgs, count, fOrgs, fCount *int
	window, fWindow            *time.Duration
}

// registerPublishFlags adds the publishing scenarios' flags to fl.
func registerPublishFlags(fl *flag.FlagSet) *publishFlags {
	d := publishDefaults
	return &publishFlags{
		orgs:    fl.Int("publish-orgs", d.Orgs, fmt.Sprintf("publish_window: organizations (3 accounts each, one per network); -quick: %d", publishQuick.Orgs)),
		count:   fl.Int("publish-count", d.Count, fmt.Sprintf("publish_window: publications, spread over the organizations and their accounts; -quick: %d", publishQuick.Count)),
		window:  fl.Duration("publish-window", d.Window, fmt.Sprintf("publish_window: the window the publications are due in, uniformly; -quick: %s", publishQuick.Window)),
		fOrgs:   fl.Int("publish-failover-orgs", d.FailoverOrgs, fmt.Sprintf("publish_failover: organizations; -quick: %d", publishQuick.FailoverOrgs)),
		fCount:  fl.Int("publish-failover-count", d.FailoverCount, fmt.Sprintf("publish_failover: publications; -quick: %d", publishQuick.FailoverCount)),
		fWindow: fl.Duration("publish-failover-window", d.FailoverWindow, fmt.Sprintf("publish_failover: the window (a member is killed at its middle); -quick: %s", publishQuick.FailoverWindow)),
	}
}

// resolve applies -quick to the flags not set and checks the sizes.
func (f *publishFlags) resolve(quick bool, set map[string]bool) (PublishOptions, error) {
	o := PublishOptions{Orgs: *f.orgs, Count: *f.count, Window: *f.window,
		FailoverOrgs: *f.fOrgs, FailoverCount: *f.fCount, FailoverWindow: *f.fWindow}
	if quick {
		q := publishQuick
		for name, apply := range map[string]func(){
			"publish-orgs": func() { o.Orgs = q.Orgs }, "publish-count": func() { o.Count = q.Count },
			"publish-window": func() { o.Window = q.Window }, "publish-failover-orgs": func() { o.FailoverOrgs = q.FailoverOrgs },
			"publish-failover-count": func() { o.FailoverCount = q.FailoverCount }, "publish-failover-window": func() { o.FailoverWindow = q.FailoverWindow },
		} {
			if !set[name] {
				apply()
			}
		}
	}
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"-publish-orgs", o.Orgs >= 1}, {"-publish-count", o.Count >= 1}, {"-publish-window", o.Window >= time.Second},
		{"-publish-failover-orgs", o.FailoverOrgs >= 3}, {"-publish-failover-count", o.FailoverCount >= 1},
		{"-publish-failover-window", o.FailoverWindow >= 10*time.Second},
	} {
		if !c.ok {
			return o, fmt.Errorf("%s is too small (at least 1 publication and organization, a 1s window; failover: 3 organizations, a 10s window)", c.name)
		}
	}
	return o, nil
}

// publishScenarios are the publishing measurements, in run order.
func publishScenarios() []Scenario { return []Scenario{publishWindow(), publishFailover()} }

// isPublishSection tells the report which sections publishMarkdown renders.
func isPublishSection(section string) bool {
	return section == SectionPublishWindow || section == SectionPublishFailover
}

// publishWindow measures how late one node fires a window of scheduled
// publications, next to the minute-polling scheduler's lateness computed
// from the same publish times.
func publishWindow() Scenario {
	return Scenario{
		Name:    "publish_window",
		Section: SectionPublishWindow,
		Grains:  true,
		Doc: "one node (`cmd/app`, single provider, default `SMM_SCHEDULE_SWEEP` 1m) publishing to the provider simulators (an external `simulator.Listen` in this process, no latency, caps raised; `SMM_YOUTUBE_DAILY_QUOTA` huge): " +
			"`-publish-orgs` organizations × 3 accounts (one per network, tokens minted by the simulator and sealed as `socialaccounts` does), `-publish-count` video publications due uniformly at random within `-publish-window`, " +
			"written with SQL (one batch per organization), moved to a window starting a few seconds after set-up, every grain woken once (`Wake`); " +
			"lateness = first claim − publish_at (`app.WithPublishObserver`); lost = not posted at the simulator, duplicated = posted more than once (captions carry the publication id); " +
			"baseline: a scheduler polling every whole minute would fire each at the next minute, lateness computed from the same publish times",
		Run: func(ctx context.Context, env *Env, _ Fixture, opts RunOptions) (Result, error) {
			o := opts.Publish
			return runPublishWindow(ctx, env.Grains, env.Progress, o.Orgs, o.Count, o.Window)
		},
	}
}

// publishFailover kills one of three publishing members mid-window.
func publishFailover() Scenario {
	return Scenario{
		Name:    "publish_failover",
		Section: SectionPublishFailover,
		Grains:  true,
		Doc: "three members (`cmd/app` each, seeds provider, sharing PostgreSQL and one simulator started in this process, `SMM_SIMULATOR_URL`), two in this process and one a child process (this binary re-executed); " +
			"`-publish-failover-orgs` organizations × 3 accounts, `-publish-failover-count` publications due uniformly within `-publish-failover-window`; every grain is activated, then the child is killed with SIGKILL at mid-window; " +
			"lateness = first attempt's start − publish_at, from `publication_attempts` (every member's); the dead node's publications are those of the organizations it hosted due after the kill",
		Run: func(ctx context.Context, env *Env, _ Fixture, opts RunOptions) (Result, error) {
			o := opts.Publish
			return runPublishFailover(ctx, env.Grains, env.Progress, o.FailoverOrgs, o.FailoverCount, o.FailoverWindow)
		},
	}
}

// benchSimulatorConfig is the simulators' configuration for publishing at
// scale: the per-account caps and the project quota raised, so that what is
// measured is the engine, not the simulated providers' daily limits.
func benchSimulatorConfig() simulator.Config {
	return simulator.Config{
		InstagramPublishCap:   1 << 20,
		InstagramCallsPerHour: 1 << 20,
		TikTokPostsPerDay:     1 << 20,
		YouTubeQuota:          1 << 40,
	}
}

// publishConfig is the service's configuration for a publishing member:
// cfg (from the environment) on free loopback ports, with the simulator at
// simURL, a YouTube quota that cannot run out, and the encryption keys the
// fixture seals with.
func publishConfig(cfg config.Config, simURL, keys string) config.Config {
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.Cluster.Addr, cfg.Cluster.AdvertisedAddr = "127.0.0.1:0", ""
	cfg.Cluster.Name, cfg.Cluster.Provider, cfg.Cluster.Seeds, cfg.Cluster.SeedPort = clusterName(), config.ClusterSingle, nil, 0
	cfg.Providers.Mode = config.ProvidersSandbox
	cfg.Providers.SimulatorURL = simURL
	cfg.Publishing.YouTubeDailyQuota = 1 << 40
	cfg.EncryptionKeys = keys
	cfg.ShutdownTimeout = 5 * time.Second
	return cfg
}

// publishKeys are the encryption keys of the run: the environment's, or a
// fresh key when it names none (the service would otherwise generate one
// into SMM_DATA_DIR; the fixture must seal with the very same).
func publishKeys(cfg config.Config) (string, *encryption.Keyring, error) {
	spec := cfg.EncryptionKeys
	if spec == "" {
		var err error
		if spec, err = encryption.GenerateKeySpec("bench1"); err != nil {
			return "", nil, err
		}
	}
	ring, err := encryption.ParseKeys(spec)
	if err != nil {
		return "", nil, fmt.Errorf("SMM_ENCRYPTION_KEYS: %w", err)
	}
	return spec, ring, nil
}

// latenessLog collects what the publish observer is told.
type latenessLog struct {
	mu   sync.Mutex
	late map[uuid.UUID]time.Duration
	dups int
}

func newLatenessLog(n int) *latenessLog {
	return &latenessLog{late: make(map[uuid.UUID]time.Duration, n)}
}

// observe is the app's publish observer.
func (l *latenessLog) observe(_ uuid.UUID, p domain.Publication, late time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, seen := l.late[p.ID]; seen {
		l.dups++
		return
	}
	l.late[p.ID] = late
}

func (l *latenessLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.late)
}

// snapshot copies what was observed.
func (l *latenessLog) snapshot() (map[uuid.UUID]time.Duration, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.late), l.dups
}

// member is one publishing service running in this process.
type member struct {
	app  *app.App
	stop func() error
}

// startMember runs the service with cfg, logging to io.Discard at level,
// telling observe each publication's lateness.
func startMember(ctx context.Context, cfg config.Config, logger *slog.Logger, observe func(uuid.UUID, domain.Publication, time.Duration)) (*member, error) {
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a, err := app.New(runCtx, cfg, logger, app.WithPublishObserver(observe))
	if err != nil {
		cancel()
		return nil, fmt.Errorf("start a publishing member: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	return &member{app: a, stop: func() error {
		cancel()
		return errors.Join(<-done, a.Close())
	}}, nil
}

// stopMembers stops the members concurrently, ignoring nil ones.
func stopMembers(progress io.Writer, members ...*member) {
	var wg sync.WaitGroup
	for _, m := range members {
		if m != nil {
			wg.Go(func() {
				if err := m.stop(); err != nil && progress != nil {
					fmt.Fprintf(progress, "smmbench: stopping a publishing member: %v\n", err)
				}
			})
		}
	}
	wg.Wait()
}

// latenessStats are the percentiles of a set of latenesses.
type latenessStats struct {
	n             int
	p50, p99, max time.Duration
}

func statsOf(values []time.Duration) latenessStats {
	s := slices.Clone(values)
	slices.Sort(s)
	st := latenessStats{n: len(s)}
	if len(s) > 0 {
		st.p50, st.p99, st.max = percentile(s, 0.50), percentile(s, 0.99), s[len(s)-1]
	}
	return st
}

// minuteLateness is how late a scheduler that polls at every whole minute
// (the seed's "every minute" check) fires a publication due at at: at the
// next whole minute, or at once when at is one.
func minuteLateness(at time.Time) time.Duration {
	floor := at.Truncate(time.Minute)
	if floor.Equal(at) {
		return 0
	}
	return floor.Add(time.Minute).Sub(at)
}

// formatLateness renders a lateness: milliseconds below a second, seconds
// with two decimals above.
func formatLateness(d time.Duration) string {
	if d < time.Second && d > -time.Second {
		return formatLatency(d)
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

// ratioCell is baseline ÷ measured, "×N" (how many times less late), or —.
func ratioCell(baseline, measured time.Duration) string {
	if measured <= 0 {
		return "—"
	}
	if q := float64(baseline) / float64(measured); q < 10 {
		return fmt.Sprintf("%.2f×", q)
	}
	return fmt.Sprintf("%.0f×", float64(baseline)/float64(measured))
}

// verdict says whether got met goal (at most).
func verdict(got, goal time.Duration) string {
	if got <= goal {
		return "met"
	}
	return "**not met**"
}

// countVerdict says whether a count that must be zero was.
func countVerdict(n int) string {
	if n == 0 {
		return "met"
	}
	return "**not met**"
}

// postTally is what reached the simulated networks, by publication.
type postTally struct {
	posts   map[uuid.UUID]int
	foreign int
}

// tallyPosts counts the simulator's posts by the publication id their
// caption (title on YouTube) carries.
func tallyPosts(posts []simulator.Publication) postTally {
	t := postTally{posts: map[uuid.UUID]int{}}
	for _, p := range posts {
		id, ok := publicationIDOf(p.Caption)
		if !ok {
			t.foreign++
			continue
		}
		t.posts[id]++
	}
	return t
}

// lostAndDuplicated compares the posts with the fixture's publications.
func (t postTally) lostAndDuplicated(ids []uuid.UUID) (lost, duplicated int) {
	for _, id := range ids {
		switch n := t.posts[id]; {
		case n == 0:
			lost++
		case n > 1:
			duplicated++
		}
	}
	return lost, duplicated
}

// publicationIDOf finds the publication id after captionMarker.
func publicationIDOf(caption string) (uuid.UUID, bool) {
	_, rest, ok := strings.Cut(caption, captionMarker)
	if !ok || len(rest) < 36 {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(rest[:36])
	return id, err == nil
}

// progressf prints one progress line, when there is somewhere to.
func progressf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, "smmbench: "+format+"\n", args...)
	}
}

// statusCounts renders counts by status, most frequent first.
func statusCounts(states map[uuid.UUID]pubState) string {
	by := map[string]int{}
	for _, s := range states {
		by[s.status]++
	}
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if by[keys[i]] != by[keys[j]] {
			return by[keys[i]] > by[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, by[k]))
	}
	return strings.Join(parts, ", ")
}

// lastErrors lists the most frequent last errors of the publications
// (at most n, with counts), and the number of publications retried.
func lastErrors(states map[uuid.UUID]pubState, n int) string {
	causes := map[string]uint64{}
	retried := 0
	for _, s := range states {
		if s.lastError != "" {
			causes[s.lastError]++
		}
		if s.attempts > 1 {
			retried++
		}
	}
	if len(causes) == 0 && retried == 0 {
		return "none"
	}
	return fmt.Sprintf("%d publications took more than one attempt; last errors: %s", retried, strings.Join(topCauses(causes, n), "; "))
}

// publishMarkdown renders a publishing section: the run header, then per
// scenario its description and its figures as a two-column table (there
// are too many for one row), and the causes of its errors.
func (r Report) publishMarkdown(section string) string {
	var b strings.Builder
	writeRunHeader(&b, r.Info)
	fmt.Fprintf(&b, "- Service: the real service (`cmd/app`), logging at %s to `io.Discard`, against PostgreSQL (`SMM_DATABASE_URL`) and Redis; cluster: %s\n", r.Info.ServiceLogLevel, r.Info.Protoactor)
	for _, res := range r.resultsIn(section) {
		if doc := r.Docs[res.Scenario]; doc != "" {
			fmt.Fprintf(&b, "- `%s`: %s\n", res.Scenario, doc)
		}
		b.WriteString("\n| figure | value |\n|---|--:|\n")
		for _, m := range res.Extra {
			fmt.Fprintf(&b, "| %s | %s |\n", cell(m.Name), cell(m.Value))
		}
		if len(res.ErrorCauses) > 0 {
			b.WriteString("\nErrors:\n\n")
			for _, c := range res.ErrorCauses {
				fmt.Fprintf(&b, "- `%s`: %s\n", res.Scenario, oneLine(c))
			}
		}
	}
	return b.String()
}
