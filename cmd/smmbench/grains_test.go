package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/persistence/pgtest"
)

func TestTallyObserveAndMerge(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a, b := tallyWithCapacity(0), tallyWithCapacity(0)
	a.observe(t0.Add(10*time.Millisecond), 3*time.Millisecond, nil)
	a.observe(t0.Add(20*time.Millisecond), time.Millisecond, errors.New("boom"))
	b.observe(t0, 2*time.Millisecond, nil)
	b.observe(t0.Add(30*time.Millisecond), 4*time.Millisecond, errors.New("boom"))
	out := tallyWithCapacity(0)
	out.merge(a)
	out.merge(tallyWithCapacity(0))
	out.merge(b)
	r := out.result("x", SectionGrains)
	if r.Requests != 4 || r.Errors != 2 || r.Elapsed != 34*time.Millisecond {
		t.Errorf("requests %d errors %d elapsed %s; want 4, 2, 34ms", r.Requests, r.Errors, r.Elapsed)
	}
	if r.P50 != 2*time.Millisecond || r.Max != 4*time.Millisecond || len(r.StatusCodes) != 0 {
		t.Errorf("p50 %s max %s codes %v", r.P50, r.Max, r.StatusCodes)
	}
	if len(r.ErrorCauses) != 1 || r.ErrorCauses[0] != "boom (×2)" {
		t.Errorf("causes %q", r.ErrorCauses)
	}
}

func TestRunCalls(t *testing.T) {
	var mu sync.Mutex
	seen := map[int]int{}
	tl := runCalls(context.Background(), 3, 50*time.Millisecond, func(w, i int) error {
		mu.Lock()
		defer mu.Unlock()
		if i != seen[w] {
			t.Errorf("worker %d: call %d after %d calls", w, i, seen[w])
		}
		seen[w]++
		if i%2 == 1 {
			return errors.New("odd")
		}
		time.Sleep(time.Millisecond)
		return nil
	})
	r := tl.result("calls", SectionGrains)
	if len(seen) != 3 || r.Requests < 6 || r.Errors == 0 || r.Errors >= r.Requests {
		t.Fatalf("workers %d, requests %d, errors %d", len(seen), r.Requests, r.Errors)
	}
	if r.Elapsed < 40*time.Millisecond || r.Elapsed > 2*time.Second {
		t.Errorf("elapsed %s for a 50ms run", r.Elapsed)
	}
}

func TestHeapFigures(t *testing.T) {
	before := heapReading{inuse: 1 << 20, alloc: 1 << 19, goroutines: 10}
	after := heapReading{inuse: 1<<20 + 1000*12288, alloc: 1<<19 + 1000*8192, goroutines: 10}
	inuse, alloc, gor := heapPerGrain(before, after, 1000)
	if inuse != 12288 || alloc != 8192 || gor != 0 {
		t.Errorf("per grain: in use %v, live %v, goroutines %v", inuse, alloc, gor)
	}
	if a, b, c := heapPerGrain(before, after, 0); a != 0 || b != 0 || c != 0 {
		t.Error("no grains must give zeros")
	}
	if got := heapVerdict(8192); got != "met (0.80 of it)" {
		t.Errorf("verdict %q", got)
	}
	if got := heapVerdict(12288); got != "**not met** (1.2× the goal)" {
		t.Errorf("verdict %q", got)
	}
	for n, want := range map[float64]string{
		812: "812 B", 8500: "8.30 KiB", 12288 * 100_000: "1.14 GiB", 50 << 20: "50.0 MiB", 300 << 20: "300 MiB", -2048: "-2.00 KiB",
	} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%v) = %q, want %q", n, got, want)
		}
	}
}

func TestSummarizeRecovery(t *testing.T) {
	var times []time.Duration
	for i := 1; i <= 100; i++ {
		times = append(times, time.Duration(i)*10*time.Millisecond)
	}
	times = append(times, -1, -1)
	r := summarizeRecovery(times)
	if r.lost != 2 || len(r.recovered) != 100 || r.p50 != 500*time.Millisecond || r.p99 != 990*time.Millisecond || r.max != time.Second {
		t.Errorf("%+v", r)
	}
	if r := summarizeRecovery([]time.Duration{-1}); r.lost != 1 || r.max != 0 {
		t.Errorf("all lost: %+v", r)
	}
}

func TestGrainsMarkdown(t *testing.T) {
	info := RunInfo{
		Date: time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC), Command: "go run ./cmd/smmbench -scenarios grain_call_local",
		GoVersion: "go1.26.0 linux/amd64", GOMAXPROCS: 2, NumCPU: 2, CPUModel: "Test CPU", Protoactor: "protoactor-go v0.0.0-test",
		Options: RunOptions{Warmup: time.Second, Duration: 5 * time.Second, Workers: 64}, ServiceLogLevel: "warn", LoadAvg: "0.10 / 0.20 / 0.30",
	}
	ref := func(rate uint64, cpu float64) Result {
		return Result{Scenario: "raw_local", Section: SectionGrains, Requests: rate, Elapsed: time.Second, P50: time.Microsecond, P99: 20 * time.Microsecond, Max: time.Millisecond, CPU: cpu}
	}
	local := Result{Scenario: "grain_call_local", Section: SectionGrains, Requests: 30000, Elapsed: time.Second,
		P50: 10 * time.Microsecond, P99: 2 * time.Millisecond, Max: 9 * time.Millisecond, CPU: 0.98,
		References: []Result{ref(100000, 0.99), ref(80000, 0.5)}}
	activation := Result{Scenario: "grain_activation", Section: SectionGrains, Requests: 200, Elapsed: 100 * time.Millisecond,
		P50: 400 * time.Microsecond, P99: time.Millisecond, Max: 2 * time.Millisecond}
	heap := Result{Scenario: "grain_heap", Section: SectionGrains, Requests: 500, Extra: []Metric{{"live heap per grain", "13.7 KiB"}, {"goal ≤ 10.0 KiB", "**not met** (1.4× the goal)"}}}
	lost := Result{Scenario: "grain_failover", Section: SectionGrains, Requests: 20, Errors: 1, ErrorCauses: []string{"no answer (×1)"}}
	http := Result{Scenario: "health_live", Section: SectionHTTP, Requests: 5000, Elapsed: time.Second, Max: time.Millisecond}
	rep := Report{Info: info, Results: []Result{http, local, activation, heap, lost},
		Docs: map[string]string{"grain_call_local": "describe", "grain_heap": "heap", baselineName: "bare fiber"}}

	got := rep.Markdown(SectionGrains)
	for _, w := range []string{
		"Measured 2026-03-01 12:30 UTC.\n\n- Command: `go run ./cmd/smmbench -scenarios grain_call_local`\n",
		"load average 0.10 / 0.20 / 0.30 at start",
		"- Cluster: protoactor-go v0.0.0-test;",
		"log at warn",
		"64 callers (goroutines)",
		"1s warm-up (discarded), then 5s measured",
		"| scenario | requests/s | ratio to reference | p50 | p99 | max | errors | CPU used |\n|---|--:|--:|--:|--:|--:|--:|--:|\n" +
			"| `raw_local` (before) | 100000 | 1.11 | 0.001 ms | 0.020 ms | 1.00 ms | 0 | 99% |\n" +
			"| `grain_call_local` | 30000 | 0.33 | 0.010 ms | 2.00 ms | 9.00 ms | 0 | 98% |\n" +
			"| `raw_local` (after) | 80000 | 0.89 | 0.001 ms | 0.020 ms | 1.00 ms | 0 | 50% |\n" +
			"| `grain_activation` | 2000 | — | 0.400 ms | 1.00 ms | 2.00 ms | 0 | — |\n",
		"Reference drift (after ÷ before): `raw_local` 0.80 (**more than 10%: unreliable**).",
		"less than 85% of the machine's CPUs during `raw_local` (after), so",
		"- `grain_call_local`: describe\n- `grain_heap`: heap\n",
		"`grain_heap`:\n\n| live heap per grain | goal ≤ 10.0 KiB |\n|--:|--:|\n| 13.7 KiB | **not met** (1.4× the goal) |\n",
		"Errors, most frequent causes:\n\n- `grain_failover`: no answer (×1)\n",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("missing\n%s\nin\n%s", w, got)
		}
	}
	for _, w := range []string{"health_live", "baseline", "| `grain_heap` |", "| `grain_failover` |", "vegeta"} {
		if strings.Contains(got, w) {
			t.Errorf("unexpected %q in\n%s", w, got)
		}
	}
	if httpPart := rep.Markdown(SectionHTTP); strings.Contains(httpPart, "| `grain") || strings.Contains(httpPart, "raw_local") || !strings.Contains(httpPart, "| `health_live` |") {
		t.Errorf("the HTTP section shows grain rows or lacks its own:\n%s", httpPart)
	}
	if got := rep.Sections(); strings.Join(got, ",") != "http,grains" {
		t.Errorf("sections %q", got)
	}
	if n := rep.Errors(); n != 1 {
		t.Errorf("errors %d, want 1", n)
	}
	if c := rep.Contended(); strings.Join(c, ",") != "`raw_local` (after)" {
		t.Errorf("contended %q", c)
	}
	if empty := (Report{Info: info, Results: []Result{heap}}).Markdown(SectionGrains); !strings.Contains(empty, "| — | | | | | | | |") {
		t.Errorf("a section without timed rows needs a placeholder row:\n%s", empty)
	}
}

// TestMeasureWithoutHTTPBaseline checks that a run of grain scenarios only
// starts no HTTP baseline and reports the scenarios' own references.
func TestMeasureWithoutHTTPBaseline(t *testing.T) {
	s := Scenario{Name: "grain_fake", Section: SectionGrains, Doc: "fake",
		Run: func(ctx context.Context, env *Env, _ Fixture, opts RunOptions) (Result, error) {
			if env.BaselineURL != "" || env.Grains != nil {
				return Result{}, errors.New("an unneeded server or lab was started")
			}
			return roundTrips(ctx, env, opts, "raw_fake", func(int, int) error { return nil }, func(int, int) error { return nil })
		}}
	var progress bytes.Buffer
	o := options{run: RunOptions{Duration: 20 * time.Millisecond, Workers: 2}}
	rep, err := measure(context.Background(), []Scenario{s}, o, RunInfo{}, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Baseline) != 0 || len(rep.Results) != 1 || len(rep.Results[0].References) != 2 {
		t.Fatalf("baseline %d, results %+v", len(rep.Baseline), rep.Results)
	}
	if res := rep.Results[0]; res.Scenario != "grain_fake" || res.Rate() <= 0 || res.ReferenceRate() <= 0 || res.References[0].Scenario != "raw_fake" {
		t.Errorf("implausible result %+v", res)
	}
	if p := progress.String(); strings.Count(p, "raw_fake") != 2 || !strings.Contains(p, "grain_fake") {
		t.Errorf("progress:\n%s", p)
	}
	if got := rep.Sections(); strings.Join(got, ",") != SectionGrains {
		t.Errorf("sections %q", got)
	}
}

// TestEchoActors runs the local round trip's reference briefly (the one
// over remoting is in members_test.go).
func TestEchoActors(t *testing.T) { echoActorsSmoke(t, false) }

func echoActorsSmoke(t *testing.T, remoting bool) {
	t.Helper()
	e, err := newEchoActors(4, remoting, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r := measureCalls(context.Background(), "raw", RunOptions{Warmup: 10 * time.Millisecond, Duration: 100 * time.Millisecond, Workers: 4}, e.call)
	e.close()
	if r.Requests == 0 || r.Errors != 0 || r.Rate() <= 0 {
		t.Errorf("remoting %v: requests %d, errors %d (%q)", remoting, r.Requests, r.Errors, r.ErrorCauses)
	}
}

func TestChildNodeSpec(t *testing.T) {
	var stderr bytes.Buffer
	if code := runChildNode("{not json", strings.NewReader(""), io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), childNodeEnv) {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	b := &limitedBuffer{max: 5}
	_, _ = b.Write([]byte("abc"))
	if n, _ := b.Write([]byte("defgh")); n != 5 || b.String() != "abcde" {
		t.Errorf("limited buffer %q", b.String())
	}
}

// TestGrainScenariosSmoke runs the grain scenarios of one member, briefly,
// against the package's database: fixtures, round trips, activation and
// the heap reading (those of several members are in members_test.go).
func TestGrainScenariosSmoke(t *testing.T) {
	grainScenariosSmoke(t, func(name string) bool { return !acrossMembers[name] })
}

// acrossMembers names the scenarios that run several members in this
// process.
var acrossMembers = map[string]bool{"grain_call_remote": true, "grain_failover": true}

// grainScenariosSmoke runs the grain scenarios that pick accepts.
func grainScenariosSmoke(t *testing.T, pick func(name string) bool) {
	t.Helper()
	t.Setenv("SMM_DATABASE_URL", pgtest.AppURL(t))
	t.Setenv("SMM_DATABASE_OWNER_URL", pgtest.OwnerURL(t))
	ctx := context.Background()
	var progress bytes.Buffer
	lab, err := newGrainLab(ctx, slog.LevelWarn, &progress)
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Close()
	env := &Env{Grains: lab}
	opts := RunOptions{Duration: 100 * time.Millisecond, Workers: 8, Orgs: 30, Quick: true}
	for _, s := range grainScenarios() {
		if !pick(s.Name) {
			continue
		}
		t.Run(s.Name, func(t *testing.T) {
			res, err := runScenario(ctx, s, env, opts)
			if err != nil {
				t.Fatalf("%v\nprogress:\n%s", err, progress.String())
			}
			if res.Requests == 0 || res.Errors != 0 || res.Section != SectionGrains {
				t.Fatalf("requests %d, errors %d (%q), section %q", res.Requests, res.Errors, res.ErrorCauses, res.Section)
			}
			for _, ref := range res.References {
				if ref.Requests == 0 || ref.Errors != 0 {
					t.Errorf("reference %s: requests %d, errors %d (%q)", ref.Scenario, ref.Requests, ref.Errors, ref.ErrorCauses)
				}
			}
			extra := map[string]string{}
			for _, m := range res.Extra {
				extra[m.Name] = m.Value
			}
			switch s.Name {
			case "grain_call_local", "grain_call_remote":
				if len(res.References) != 2 {
					t.Errorf("references %d, want 2", len(res.References))
				}
			case "grain_heap":
				if extra["grains measured"] != "30 (6 children each)" || extra["live heap per grain"] == "" {
					t.Errorf("extra %v", extra)
				}
			case "grain_failover":
				if extra["not recovered"] != "0" || !strings.HasPrefix(extra["survivors' grains disturbed"], "0 of ") {
					t.Errorf("extra %v", extra)
				}
			}
		})
	}
	// A second run reuses the fixtures.
	if ids, err := lab.orgs(ctx, 10); err != nil || len(ids) != 10 {
		t.Fatalf("orgs: %v, %d", err, len(ids))
	}
	again, err := newGrainLab(ctx, slog.LevelWarn, &progress)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	before := strings.Count(progress.String(), "creating")
	if _, err := again.orgs(ctx, 30); err != nil {
		t.Fatal(err)
	}
	if strings.Count(progress.String(), "creating") != before {
		t.Errorf("a second lab created fixtures again:\n%s", progress.String())
	}
}
