package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"runtime"
	"slices"
	"sort"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// SectionHTTP is the report section of the HTTP scenarios: the part of
// docs/benchmarks.md between <!-- bench:http:start --> and
// <!-- bench:http:end -->.
const SectionHTTP = "http"

// Scenario is one measurement of the harness, a small value: a name, an
// optional Setup that creates state against the running service, and either
// a vegeta Targeter with a per-response Check (the common case: the harness
// warms up, attacks at full speed and measures) or a fully custom Run.
//
// State shared between Setup and Targeter (tokens, ids) lives in variables
// captured by both closures, so a scenario is built by a function such as
// healthLive and adding one is appending its constructor to scenarios.
type Scenario struct {
	// Name identifies the scenario in the table and in -scenarios.
	Name string
	// Doc says in one line what is measured, for the report.
	Doc string
	// Section is the report section the result goes to; empty means
	// SectionHTTP. A section is a marked region of the output file, so a
	// later issue can give its scenarios their own table.
	Section string
	// Service tells whether the scenario needs the real service running
	// (Env.ServiceURL); the baseline alone does not.
	Service bool
	// Grains tells whether the scenario needs the grain lab (Env.Grains):
	// the service's database and the fixture organizations.
	Grains bool

	// Setup, when set, prepares state before the run (and before the
	// warm-up) and returns what every request needs.
	Setup func(ctx context.Context, env *Env) (Fixture, error)
	// Targeter builds the requests of an HTTP scenario.
	Targeter func(env *Env, fx Fixture) vegeta.Targeter
	// Check decides whether one response is a success; anything else,
	// including a transport error, counts as an error.
	Check Check
	// Columns, when set, derives extra result columns from the measured
	// HTTP result; they are rendered in a small table of their own.
	Columns func(r Result) []Metric

	// Run, when set, replaces the HTTP runner entirely (Targeter, Check and
	// Columns are then unused): a publishing run measuring lateness, say.
	// It must honour opts (warm-up, duration, workers) and ctx, and return
	// a Result whose Extra carries its own metrics.
	Run func(ctx context.Context, env *Env, fx Fixture, opts RunOptions) (Result, error)
}

// section returns the report section of s.
func (s Scenario) section() string {
	if s.Section == "" {
		return SectionHTTP
	}
	return s.Section
}

// validate reports a scenario that cannot run, before anything starts.
func (s Scenario) validate() error {
	switch {
	case s.Name == "":
		return errors.New("scenario without a name")
	case s.Run == nil && (s.Targeter == nil || s.Check == nil):
		return fmt.Errorf("scenario %s: needs Run, or Targeter and Check", s.Name)
	}
	return nil
}

// Check inspects one response of a measured run and returns why it is not
// the expected one, or nil. It runs on the load generator's hot path, so it
// should compare bytes rather than decode JSON; validate the full shape once
// in Setup instead.
type Check func(res *vegeta.Result) error

// Fixture is what Setup hands to the run: headers every request carries and
// a Cleanup undoing what Setup created.
type Fixture struct {
	// Header is sent with every request of the run (an Authorization
	// header, say); it may be nil.
	Header http.Header
	// Cleanup, when set, runs after the scenario, even if the run failed.
	Cleanup func(ctx context.Context) error
}

// Env is what a scenario can reach: the servers under test and a client for
// set-up calls (not the load client, which the runner owns).
type Env struct {
	// ServiceURL is the base URL of the real service ("http://127.0.0.1:P"),
	// empty when no selected scenario needs it.
	ServiceURL string
	// BaselineURL is the base URL of the bare fiber app.
	BaselineURL string
	// Client is for Setup and custom runners' own calls.
	Client *http.Client
	// Grains is the grain scenarios' database and fixtures, nil when no
	// selected scenario needs them.
	Grains *grainLab
	// Progress receives the runners' progress lines (nil: none).
	Progress io.Writer
}

// progressLine reports one measured run on env.Progress.
func (env *Env) progressLine(res Result) {
	if env.Progress != nil {
		fmt.Fprintln(env.Progress, progressText(res))
	}
}

// progressText is the one-line summary of a run printed as it ends.
func progressText(res Result) string {
	s := fmt.Sprintf("smmbench: %-20s", res.Scenario)
	if res.Elapsed > 0 {
		s += fmt.Sprintf(" %8.0f req/s", res.Rate())
	}
	if res.Max > 0 {
		s += fmt.Sprintf("  p50 %s  p99 %s", formatLatency(res.P50), formatLatency(res.P99))
	}
	s += fmt.Sprintf("  errors %d", res.Errors)
	if res.CPU > 0 {
		s += fmt.Sprintf("  cpu %3.0f%%", res.CPU*100)
	}
	if len(res.StatusCodes) > 0 {
		s += "  [" + statusSummary(res.StatusCodes) + "]"
	}
	for _, m := range res.Extra {
		s += "  " + m.Name + ": " + m.Value
	}
	return s
}

// RunOptions are the load parameters shared by every scenario of a run.
type RunOptions struct {
	// Warmup is run first and discarded.
	Warmup time.Duration
	// Duration is the measured part.
	Duration time.Duration
	// Workers is the fixed number of concurrent requesters (and
	// connections): rate is unlimited, so this sets the offered load.
	Workers int
	// Orgs is how many organization grains grain_heap activates.
	Orgs int
	// Quick asks the scenarios with fixed sizes for smaller ones.
	Quick bool
	// Publish sizes the publishing scenarios (publish.go).
	Publish PublishOptions
}

// Metric is one extra, named result column.
type Metric struct {
	Name  string
	Value string
}

// ExpectBody returns a Check accepting exactly status with a body that
// contains every one of parts.
func ExpectBody(status int, parts ...string) Check {
	want := make([][]byte, len(parts))
	for i, p := range parts {
		want[i] = []byte(p)
	}
	return func(res *vegeta.Result) error {
		if res.Code != uint16(status) {
			if res.Code == 0 {
				return errors.New(res.Error)
			}
			return fmt.Errorf("status %d, want %d", res.Code, status)
		}
		for i, w := range want {
			if !bytes.Contains(res.Body, w) {
				return fmt.Errorf("status %d body lacks %s", res.Code, parts[i])
			}
		}
		return nil
	}
}

// getTargeter sends GET url with hdr, over and over.
func getTargeter(url string, hdr http.Header) vegeta.Targeter {
	return vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: url, Header: hdr})
}

// newLoadClient is the load generator's HTTP client: one keep-alive
// connection per worker, no proxy, no compression, no redirects, so every
// request is one round trip on a warm connection.
func newLoadClient(workers int) *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        2 * workers,
			MaxIdleConnsPerHost: workers,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// runHTTP warms the scenario up, then measures it at the highest rate
// opts.Workers requesters sustain.
func runHTTP(ctx context.Context, s Scenario, env *Env, fx Fixture, opts RunOptions) Result {
	client := newLoadClient(opts.Workers)
	defer client.CloseIdleConnections()
	tr := s.Targeter(env, fx)
	if opts.Warmup > 0 {
		attack(ctx, client, tr, opts.Workers, opts.Warmup, s.Name+"-warmup", func(*vegeta.Result) {})
	}
	t := newTally(opts.Duration, opts.Workers)
	cpu0, wall0 := processCPU(), time.Now()
	attack(ctx, client, tr, opts.Workers, opts.Duration, s.Name, func(res *vegeta.Result) { t.add(res, s.Check(res)) })
	cpu, wall := processCPU()-cpu0, time.Since(wall0)
	r := t.result(s.Name, s.section())
	r.CPU = cpuShare(cpu, wall)
	if s.Columns != nil {
		r.Extra = append(r.Extra, s.Columns(r)...)
	}
	return r
}

// attack runs one vegeta attack at unlimited rate with exactly workers
// requesters for d, handing each result to observe. A vegeta Attacker is
// good for one attack only; the client, and so its warm connections, is
// shared between the warm-up and the measured run.
func attack(ctx context.Context, client *http.Client, tr vegeta.Targeter, workers int, d time.Duration, name string, observe func(*vegeta.Result)) {
	atk := vegeta.NewAttacker(
		vegeta.Client(client),
		vegeta.Workers(uint64(workers)),
		vegeta.MaxWorkers(uint64(workers)),
	)
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	for res := range atk.Attack(tr, vegeta.ConstantPacer{}, d, name) {
		observe(res)
	}
}

// cpuShare is cpu time used during wall time as a share of all the
// machine's CPUs; 0 when either is unknown.
func cpuShare(cpu, wall time.Duration) float64 {
	if cpu <= 0 || wall <= 0 {
		return 0
	}
	return cpu.Seconds() / wall.Seconds() / float64(runtime.NumCPU())
}

// processCPU is the user and system CPU time this process has used so far,
// 0 where the platform does not say.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// tally accumulates the results of one measured run.
type tally struct {
	latencies []time.Duration
	errors    uint64
	bytesIn   uint64
	codes     map[int]uint64
	causes    map[string]uint64
	first     time.Time
	last      time.Time
}

// newTally sizes a tally for a run of d with workers requesters.
func newTally(d time.Duration, workers int) *tally {
	// Room for ~20k requests/s, so appending rarely reallocates mid-run.
	t := tallyWithCapacity(int(d.Seconds()*20000) + workers)
	t.codes = map[int]uint64{}
	return t
}

// tallyWithCapacity is an empty tally with room for capacity latencies;
// it counts no status codes (calls that are not HTTP requests).
func tallyWithCapacity(capacity int) *tally {
	return &tally{latencies: make([]time.Duration, 0, capacity), causes: map[string]uint64{}}
}

// add counts one result; checkErr is the scenario's verdict on it.
func (t *tally) add(res *vegeta.Result, checkErr error) {
	t.observe(res.Timestamp, res.Latency, checkErr)
	t.bytesIn += res.BytesIn
	t.codes[int(res.Code)]++
}

// observe counts one call started at start that took latency and failed
// with err (nil: a success).
func (t *tally) observe(start time.Time, latency time.Duration, err error) {
	if t.first.IsZero() || start.Before(t.first) {
		t.first = start
	}
	if end := start.Add(latency); end.After(t.last) {
		t.last = end
	}
	t.latencies = append(t.latencies, latency)
	if err != nil {
		t.errors++
		t.causes[err.Error()]++
	}
}

// merge adds what o counted to t.
func (t *tally) merge(o *tally) {
	if len(o.latencies) == 0 {
		return
	}
	if t.first.IsZero() || o.first.Before(t.first) {
		t.first = o.first
	}
	if o.last.After(t.last) {
		t.last = o.last
	}
	t.latencies = append(t.latencies, o.latencies...)
	t.errors += o.errors
	t.bytesIn += o.bytesIn
	for k, v := range o.causes {
		t.causes[k] += v
	}
	for k, v := range o.codes {
		if t.codes == nil {
			t.codes = map[int]uint64{}
		}
		t.codes[k] += v
	}
}

// maxCauses bounds the distinct error causes a result keeps.
const maxCauses = 3

// result summarizes the run; it sorts the latencies in place.
func (t *tally) result(name, section string) Result {
	r := Result{
		Scenario:    name,
		Section:     section,
		Requests:    uint64(len(t.latencies)),
		Errors:      t.errors,
		BytesIn:     t.bytesIn,
		StatusCodes: t.codes,
	}
	if r.Requests > 0 {
		r.Elapsed = t.last.Sub(t.first)
		slices.Sort(t.latencies)
		r.P50 = percentile(t.latencies, 0.50)
		r.P99 = percentile(t.latencies, 0.99)
		r.Max = t.latencies[len(t.latencies)-1]
	}
	r.ErrorCauses = topCauses(t.causes, maxCauses)
	return r
}

// percentile returns the nearest-rank q-quantile of sorted (ascending).
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	// The epsilon keeps 0.99×100 at rank 99 despite floating point.
	rank := int(math.Ceil(q*float64(len(sorted)) - 1e-9))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// topCauses lists the n most frequent causes as "cause (×count)", most
// frequent first, ties by text.
func topCauses(causes map[string]uint64, n int) []string {
	keys := make([]string, 0, len(causes))
	for k := range causes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if causes[keys[i]] != causes[keys[j]] {
			return causes[keys[i]] > causes[keys[j]]
		}
		return keys[i] < keys[j]
	})
	out := make([]string, 0, min(n, len(keys)))
	for _, k := range keys[:min(n, len(keys))] {
		out = append(out, fmt.Sprintf("%s (×%d)", k, causes[k]))
	}
	return out
}
