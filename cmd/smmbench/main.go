// Command smmbench measures the HTTP service under load, next to a baseline
// measured in the same run: a bare fiber handler returning a small JSON body,
// served by the same process on the same machine; and the organization
// grains of the actor cluster (scenarios grain_*), next to raw protoactor
// requests measured in the same run. `make bench` runs it.
//
//	go run ./cmd/smmbench                          print the tables
//	go run ./cmd/smmbench -out docs/benchmarks.md  also update that file's sections
//	go run ./cmd/smmbench -quick -scenarios health_live
//	go run ./cmd/smmbench -scenarios grain_heap -memprofile /tmp/grains.heap
//
// The real service (cmd/app) and the bare fiber app both run in this
// process, and vegeta, used as a library, loads them from it too, so all
// share the same CPUs under the same conditions. For each scenario the
// harness runs a short warm-up (discarded), then measures at the highest
// rate a fixed number of workers sustain. The baseline runs before the
// scenarios and again after them; ratios divide by the mean of the two, and
// the two rows show the drift.
//
// The service is configured from the SMM_* environment as `smm serve` is,
// except that it listens on a free loopback port and logs at -log-level
// (warn by default) to io.Discard. It needs its database migrated: make
// bench runs `smm migrate up` first.
//
// The grain scenarios (grains.go) start cluster members in this process
// with the same configuration (on free loopback ports), on fixture
// organizations they keep in that database for later runs; grain_failover
// re-executes this binary as the member it kills (SMMBENCH_CHILD_NODE). The
// HTTP baseline runs only when an HTTP scenario is selected.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	if spec := os.Getenv(childNodeEnv); spec != "" {
		// grain_failover's member to kill, re-executed from this binary.
		os.Exit(runChildNode(spec, os.Stdin, os.Stdout, os.Stderr))
	}
	if spec := os.Getenv(publishNodeEnv); spec != "" {
		// publish_failover's member to kill, re-executed from this binary.
		os.Exit(runPublishNode(spec, os.Stdin, os.Stdout, os.Stderr))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[0], os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the command's flags, resolved.
type options struct {
	run        RunOptions
	out        string
	filter     []string
	logLevel   slog.Level
	cpuProfile string
	memProfile string
}

// parseFlags reads the command line. -quick shortens the default warm-up
// and duration for smoke runs; an explicit -duration or -warmup still wins.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	fl := flag.NewFlagSet("smmbench", flag.ContinueOnError)
	fl.SetOutput(stderr)
	duration := fl.Duration("duration", 5*time.Second, "measured time per scenario")
	warmup := fl.Duration("warmup", time.Second, "warm-up time per scenario, discarded")
	workers := fl.Int("workers", 64, "concurrent requesters, one keep-alive connection each, or grain callers (rate is unlimited)")
	quick := fl.Bool("quick", false, "smoke run: 1s measured and 250ms warm-up per scenario")
	out := fl.String("out", "", "markdown file whose marked sections get the results (e.g. docs/benchmarks.md); created if missing")
	filter := fl.String("scenarios", "", "comma-separated scenario names to run (default all); the HTTP baseline runs with any HTTP scenario")
	level := fl.String("log-level", "warn", "the service's log level (debug, info, warn, error); it logs to io.Discard")
	cpuProfile := fl.String("cpuprofile", "", "write a CPU profile of the whole run (service and load generator) to this file")
	memProfile := fl.String("memprofile", "", "grain_heap writes heap profiles to this file (its grains active) and to this file + .base (just before activating them): go tool pprof -diff_base FILE.base FILE")
	orgs := fl.Int("orgs", 5000, "organization grains grain_heap activates (3 social accounts each); -quick: 500")
	publish := registerPublishFlags(fl)
	fl.Usage = func() {
		fmt.Fprintf(stderr, "usage: smmbench [flags]\n\nMeasures the service's HTTP scenarios next to a bare fiber baseline run in the same process.\n\n")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return options{}, err
	}
	if fl.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments %q", fl.Args())
	}
	set := map[string]bool{}
	fl.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *quick {
		if !set["duration"] {
			*duration = time.Second
		}
		if !set["warmup"] {
			*warmup = 250 * time.Millisecond
		}
		if !set["orgs"] {
			*orgs = 500
		}
	}
	pub, err := publish.resolve(*quick, set)
	if err != nil {
		return options{}, err
	}
	o := options{
		run:        RunOptions{Warmup: *warmup, Duration: *duration, Workers: *workers, Orgs: *orgs, Quick: *quick, Publish: pub},
		out:        *out,
		cpuProfile: *cpuProfile,
		memProfile: *memProfile,
	}
	switch {
	case *duration <= 0:
		return options{}, fmt.Errorf("-duration must be positive, got %s", *duration)
	case *warmup < 0:
		return options{}, fmt.Errorf("-warmup must not be negative, got %s", *warmup)
	case *workers < 1:
		return options{}, fmt.Errorf("-workers must be at least 1, got %d", *workers)
	case *orgs < 1:
		return options{}, fmt.Errorf("-orgs must be at least 1, got %d", *orgs)
	}
	if err := o.logLevel.UnmarshalText([]byte(*level)); err != nil {
		return options{}, fmt.Errorf("-log-level: %w", err)
	}
	for name := range strings.SplitSeq(*filter, ",") {
		if name = strings.TrimSpace(name); name != "" {
			o.filter = append(o.filter, name)
		}
	}
	return o, nil
}

// run is the whole command; it returns the exit status: 0, 1 when the run
// failed or some scenario had errors (the results are still printed and
// written), 2 for a bad command line.
func run(ctx context.Context, exe string, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "smmbench: %v\n", err)
		return 2
	}
	selected, err := selectScenarios(scenarios(), o.filter)
	if err != nil {
		fmt.Fprintf(stderr, "smmbench: %v\n", err)
		return 2
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "smmbench: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "smmbench: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	if o.memProfile != "" {
		// Sample every 4 KiB allocated rather than every 512 KiB, so that
		// small per-grain objects show in the profile.
		runtime.MemProfileRate = 4096
	}

	info := RunInfo{
		Date:            time.Now(),
		Command:         commandLine(exe, args),
		GoVersion:       runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		GOMAXPROCS:      runtime.GOMAXPROCS(0),
		NumCPU:          runtime.NumCPU(),
		CPUModel:        readCPUModel(),
		Vegeta:          vegetaVersion(),
		Protoactor:      protoactorVersion(),
		Options:         o.run,
		ServiceLogLevel: strings.ToLower(o.logLevel.String()),
		LoadAvg:         readLoadAvg(),
	}
	rep, runErr := measure(ctx, selected, o, info, stderr)
	if runErr != nil && len(rep.Baseline) == 0 && len(rep.Results) == 0 {
		fmt.Fprintf(stderr, "smmbench: %v\n", runErr)
		return 1
	}

	for _, section := range rep.Sections() {
		fmt.Fprintf(stdout, "## %s\n\n%s\n", section, rep.Markdown(section))
	}
	if runErr != nil {
		// A partial run is shown but never written over a complete one.
		fmt.Fprintf(stderr, "smmbench: %v\n", runErr)
		return 1
	}
	if o.out != "" {
		if err := writeReport(o.out, rep); err != nil {
			fmt.Fprintf(stderr, "smmbench: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "smmbench: wrote %s\n", o.out)
	}
	if rep.Drifted() {
		d, _ := rep.Drift()
		fmt.Fprintf(stderr, "smmbench: warning: the baseline drifted to %.2f× its first run; the machine was busy with something else, so the ratios are unreliable\n", d)
	}
	if c := rep.Contended(); len(c) > 0 {
		fmt.Fprintf(stderr, "smmbench: warning: other processes competed for the CPU during %s; those rows are unreliable\n", strings.Join(c, ", "))
	}
	if n := rep.Errors(); n > 0 {
		fmt.Fprintf(stderr, "smmbench: %d requests failed their scenario's check; see the errors above\n", n)
		return 1
	}
	return 0
}

// measure starts the servers the selection needs and runs the baseline,
// the selected scenarios, and the baseline again. The HTTP baseline runs
// only when an HTTP scenario is selected (or nothing else is); the grain
// scenarios carry their own references. On error it returns what was
// measured so far.
func measure(ctx context.Context, selected []Scenario, o options, info RunInfo, progress io.Writer) (Report, error) {
	baseline := baselineScenario()
	withBaseline := len(selected) == 0 || slices.ContainsFunc(selected, func(s Scenario) bool { return s.section() == SectionHTTP })
	docs := selected
	if withBaseline {
		docs = append([]Scenario{baseline}, selected...)
	}
	rep := Report{Info: info, Docs: docsOf(docs...)}
	for _, s := range docs {
		if err := s.validate(); err != nil {
			return rep, err
		}
	}

	setupClient := newLoadClient(4)
	defer setupClient.CloseIdleConnections()
	env := &Env{Client: setupClient, Progress: progress}

	if withBaseline {
		bare, err := startBaseline()
		if err != nil {
			return rep, err
		}
		defer func() {
			if err := bare.Stop(); err != nil {
				fmt.Fprintf(progress, "smmbench: stopping the baseline app: %v\n", err)
			}
		}()
		env.BaselineURL = bare.url
		if err := waitReady(ctx, setupClient, bare.url+baselinePath, 5*time.Second); err != nil {
			return rep, fmt.Errorf("baseline app: %w", err)
		}
	}

	// The service, when needed, starts before the first baseline run and
	// stops after the last, so every run shares the same background.
	if slices.ContainsFunc(selected, func(s Scenario) bool { return s.Service }) {
		svc, err := startService(ctx, o.logLevel, setupClient)
		if err != nil {
			return rep, err
		}
		defer func() {
			if err := svc.Stop(); err != nil {
				fmt.Fprintf(progress, "smmbench: stopping the service: %v\n", err)
			}
		}()
		env.ServiceURL = svc.url
	}
	if slices.ContainsFunc(selected, func(s Scenario) bool { return s.Grains }) {
		lab, err := newGrainLab(ctx, o.logLevel, progress)
		if err != nil {
			return rep, err
		}
		defer lab.Close()
		lab.memProfile = o.memProfile
		env.Grains = lab
	}

	runOne := func(s Scenario) (Result, error) {
		res, err := runScenario(ctx, s, env, o.run)
		if err != nil {
			return res, err
		}
		env.progressLine(res)
		return res, ctx.Err()
	}

	if withBaseline {
		first, err := runOne(baseline)
		if err != nil {
			return rep, err
		}
		rep.Baseline = append(rep.Baseline, first)
	}
	for _, s := range selected {
		res, err := runOne(s)
		if err != nil {
			return rep, err
		}
		rep.Results = append(rep.Results, res)
	}
	if withBaseline {
		last, err := runOne(baseline)
		if err != nil {
			return rep, err
		}
		rep.Baseline = append(rep.Baseline, last)
	}
	return rep, nil
}

// runScenario runs one scenario: its Setup, its run (the HTTP runner or its
// own), its Cleanup.
func runScenario(ctx context.Context, s Scenario, env *Env, opts RunOptions) (res Result, err error) {
	var fx Fixture
	if s.Setup != nil {
		if fx, err = s.Setup(ctx, env); err != nil {
			return Result{}, fmt.Errorf("scenario %s: setup: %w", s.Name, err)
		}
	}
	if fx.Cleanup != nil {
		defer func() {
			// Cleanup runs even when ctx was cancelled mid-run.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if cerr := fx.Cleanup(cctx); cerr != nil {
				err = errors.Join(err, fmt.Errorf("scenario %s: cleanup: %w", s.Name, cerr))
			}
		}()
	}
	if s.Run != nil {
		res, err = s.Run(ctx, env, fx, opts)
		if err != nil {
			return res, fmt.Errorf("scenario %s: %w", s.Name, err)
		}
		res.Scenario, res.Section = s.Name, s.section()
		return res, nil
	}
	return runHTTP(ctx, s, env, fx, opts), nil
}

// readCPUModel names the CPU from /proc/cpuinfo, or the architecture.
func readCPUModel() string {
	raw, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	return cpuModel(string(raw), runtime.GOARCH)
}

// readLoadAvg returns the 1, 5 and 15-minute load averages, or "".
func readLoadAvg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	return loadAvg(string(raw))
}

// writeReport replaces each of the report's sections in the file at path,
// creating the file with its introduction when it does not exist.
func writeReport(path string, rep Report) error {
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		raw = []byte(docIntro)
	case err != nil:
		return err
	}
	doc := string(raw)
	for _, section := range rep.Sections() {
		if doc, err = replaceSection(doc, section, rep.Markdown(section)); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(doc), 0o644)
}
