package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/persistence/pgtest"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// TestMain gives the package a fresh migrated database (the grain
// scenarios' smoke test uses it), unless this test binary was re-executed
// as grain_failover's child member, which it then is and nothing else.
func TestMain(m *testing.M) {
	if spec := os.Getenv(childNodeEnv); spec != "" {
		os.Exit(runChildNode(spec, os.Stdin, os.Stdout, os.Stderr))
	}
	if spec := os.Getenv(publishNodeEnv); spec != "" {
		os.Exit(runPublishNode(spec, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(pgtest.Main(m))
}

func TestRatio(t *testing.T) {
	tests := []struct {
		name       string
		rate, base float64
		want       float64
		wantOK     bool
	}{
		{"equal", 1000, 1000, 1, true},
		{"a third", 1000, 3000, 1.0 / 3, true},
		{"faster than baseline", 1500, 1000, 1.5, true},
		{"nothing measured", 0, 1000, 0, true},
		{"no baseline", 1000, 0, 0, false},
		{"negative baseline", 1000, -1, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ratio(tt.rate, tt.base)
			if ok != tt.wantOK || (ok && !approxEqual(got, tt.want)) {
				t.Errorf("ratio(%v, %v) = %v, %v; want %v, %v", tt.rate, tt.base, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestResultRateAndBaselineMean(t *testing.T) {
	tests := []struct {
		name     string
		baseline []Result
		wantMean float64
		wantDrft float64
		drifted  bool
	}{
		{"no runs", nil, 0, 0, false},
		{"one run", []Result{{Requests: 1000, Elapsed: time.Second}}, 1000, 0, false},
		{"steady", []Result{{Requests: 1000, Elapsed: time.Second}, {Requests: 2000, Elapsed: 2 * time.Second}}, 1000, 1, false},
		{"errors do not count", []Result{{Requests: 1100, Errors: 100, Elapsed: time.Second}, {Requests: 1000, Elapsed: time.Second}}, 1000, 1, false},
		{"drifted", []Result{{Requests: 1000, Elapsed: time.Second}, {Requests: 800, Elapsed: time.Second}}, 900, 0.8, true},
		{"zero elapsed has no rate", []Result{{Requests: 1000}, {Requests: 1000, Elapsed: time.Second}}, 500, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Report{Baseline: tt.baseline}
			if got := r.BaselineRate(); !approxEqual(got, tt.wantMean) {
				t.Errorf("BaselineRate = %v, want %v", got, tt.wantMean)
			}
			if got, _ := r.Drift(); !approxEqual(got, tt.wantDrft) {
				t.Errorf("Drift = %v, want %v", got, tt.wantDrft)
			}
			if got := r.Drifted(); got != tt.drifted {
				t.Errorf("Drifted = %v, want %v", got, tt.drifted)
			}
		})
	}
}

func approxEqual(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		q      float64
		want   time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one", []time.Duration{7}, 0.99, 7},
		{"p50 of 100", hundred, 0.50, 50 * time.Millisecond},
		{"p99 of 100", hundred, 0.99, 99 * time.Millisecond},
		{"p100 of 100", hundred, 1, 100 * time.Millisecond},
		{"p50 of 3", []time.Duration{1, 2, 3}, 0.5, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.q); got != tt.want {
				t.Errorf("percentile(q=%v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestReplaceSection(t *testing.T) {
	const other = "<!-- bench:publish:start -->\nlateness table\n<!-- bench:publish:end -->\n"
	tests := []struct {
		name    string
		doc     string
		section string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "replaces only its own section", section: "http", body: "new\n",
			doc:  "# B\n\nintro\n<!-- bench:http:start -->\nold\nrows\n<!-- bench:http:end -->\n\n" + other + "tail\n",
			want: "# B\n\nintro\n<!-- bench:http:start -->\nnew\n<!-- bench:http:end -->\n\n" + other + "tail\n",
		},
		{
			name: "fills empty markers", section: "http", body: "table",
			doc:  "<!-- bench:http:start -->\n<!-- bench:http:end -->\n",
			want: "<!-- bench:http:start -->\ntable\n<!-- bench:http:end -->\n",
		},
		{
			name: "appends a section that has no markers yet", section: "grain", body: "g",
			doc:  "# B\n" + other,
			want: "# B\n" + other + "\n<!-- bench:grain:start -->\ng\n<!-- bench:grain:end -->\n",
		},
		{
			name: "appends to a file without final newline", section: "http", body: "t",
			doc:  "# B",
			want: "# B\n\n<!-- bench:http:start -->\nt\n<!-- bench:http:end -->\n",
		},
		{
			name: "creates in an empty file", section: "http", body: "t",
			doc:  "",
			want: "<!-- bench:http:start -->\nt\n<!-- bench:http:end -->\n",
		},
		{
			name: "a section name is not a prefix match", section: "http", body: "new",
			doc:  "<!-- bench:https:start -->\nkeep\n<!-- bench:https:end -->\n<!-- bench:http:start -->\nold\n<!-- bench:http:end -->\n",
			want: "<!-- bench:https:start -->\nkeep\n<!-- bench:https:end -->\n<!-- bench:http:start -->\nnew\n<!-- bench:http:end -->\n",
		},
		{
			name: "unpaired start", section: "http", body: "x",
			doc:     "<!-- bench:http:start -->\nold\n",
			wantErr: "found 1 and 0",
		},
		{
			name: "repeated markers", section: "http", body: "x",
			doc:     strings.Repeat("<!-- bench:http:start -->\n<!-- bench:http:end -->\n", 2),
			wantErr: "found 2 and 2",
		},
		{
			name: "end before start", section: "http", body: "x",
			doc:     "<!-- bench:http:end -->\n<!-- bench:http:start -->\n",
			wantErr: "comes before",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := replaceSection(tt.doc, tt.section, tt.body)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			again, err := replaceSection(got, tt.section, tt.body)
			if err != nil || again != got {
				t.Errorf("replacing again is not idempotent: %v\n%s", err, again)
			}
		})
	}
}

func TestMarkdown(t *testing.T) {
	info := RunInfo{
		Date:            time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC),
		Command:         "go run ./cmd/smmbench -out docs/benchmarks.md",
		GoVersion:       "go1.26.0 linux/amd64",
		GOMAXPROCS:      2,
		NumCPU:          2,
		CPUModel:        "Test CPU",
		Vegeta:          "vegeta v12.13.0",
		Options:         RunOptions{Warmup: time.Second, Duration: 5 * time.Second, Workers: 64},
		ServiceLogLevel: "warn",
		LoadAvg:         "0.10 / 0.20 / 0.30",
	}
	before := Result{Scenario: baselineName, Requests: 10000, Elapsed: time.Second, CPU: 0.97, P50: 900 * time.Microsecond, P99: 4500 * time.Microsecond, Max: 12 * time.Millisecond}
	after := Result{Scenario: baselineName, Requests: 30000, Elapsed: 3 * time.Second, P50: time.Millisecond, P99: 5 * time.Millisecond, Max: 150 * time.Millisecond}
	live := Result{Scenario: "health_live", Section: SectionHTTP, Requests: 5000, Elapsed: time.Second, P50: 2 * time.Millisecond, P99: 8 * time.Millisecond, Max: 20 * time.Millisecond}
	failing := Result{Scenario: "not_found_envelope", Requests: 2500, Errors: 500, Elapsed: time.Second, P50: time.Millisecond, P99: time.Millisecond, Max: time.Millisecond,
		ErrorCauses: []string{"status 500, want 404 (×500)"}}
	custom := Result{Scenario: "publish_run", Section: "publish", Requests: 100,
		Extra: []Metric{{"lateness p99", "180 ms"}, {"lost", "0"}, {"dup|licated", "0"}}}
	docs := map[string]string{baselineName: "bare fiber", "health_live": "GET /health/live", "publish_run": "publishes"}

	tests := []struct {
		name    string
		rep     Report
		section string
		want    []string
		notWant []string
	}{
		{
			name:    "header and HTTP table in run order, ratios to the baseline mean",
			rep:     Report{Info: info, Baseline: []Result{before, after}, Results: []Result{live, custom}, Docs: docs},
			section: SectionHTTP,
			want: []string{
				"Measured 2026-03-01 12:30 UTC.",
				"- Command: `go run ./cmd/smmbench -out docs/benchmarks.md`",
				"- Machine: Test CPU, 2 logical CPUs, GOMAXPROCS 2, go1.26.0 linux/amd64, load average 0.10 / 0.20 / 0.30 at start",
				"64 workers",
				"1s warm-up (discarded), then 5s measured",
				"logging at warn",
				"| scenario | requests/s | ratio to baseline | p50 | p99 | max | errors | CPU used |\n|---|--:|--:|--:|--:|--:|--:|--:|\n" +
					"| baseline (before) | 10000 | 1.00 | 0.900 ms | 4.50 ms | 12.0 ms | 0 | 97% |\n" +
					"| `health_live` | 5000 | 0.50 | 2.00 ms | 8.00 ms | 20.0 ms | 0 | — |\n" +
					"| baseline (after) | 10000 | 1.00 | 1.00 ms | 5.00 ms | 150 ms | 0 | — |\n" +
					"| **baseline (mean)** | **10000** | 1.00 | | | | | |\n",
				"Baseline drift (after ÷ before): 1.00.\n",
				"- `baseline`: bare fiber\n- `health_live`: GET /health/live\n",
			},
			notWant: []string{"publish_run", "Warning", "Errors, most frequent"},
		},
		{
			name:    "errors are counted, excluded from requests/s and explained",
			rep:     Report{Info: info, Baseline: []Result{before, before}, Results: []Result{failing}},
			section: SectionHTTP,
			want: []string{
				"| `not_found_envelope` | 2000 | 0.20 | 1.00 ms | 1.00 ms | 1.00 ms | 500 | — |",
				"Errors, most frequent causes:\n\n- `not_found_envelope`: status 500, want 404 (×500)\n",
			},
		},
		{
			name:    "a custom section shows the baseline, dashes for what it did not measure, and its own columns",
			rep:     Report{Info: info, Baseline: []Result{before, after}, Results: []Result{live, custom}, Docs: docs},
			section: "publish",
			want: []string{
				"| baseline (before) | 10000 | 1.00 |",
				"| `publish_run` | — | — | — | — | — | 0 | — |",
				"- `publish_run`: publishes",
				"`publish_run`:\n\n| lateness p99 | lost | dup\\|licated |\n|--:|--:|--:|\n| 180 ms | 0 | 0 |\n",
			},
			notWant: []string{"health_live"},
		},
		{
			name:    "drift beyond 10% is flagged",
			rep:     Report{Info: info, Baseline: []Result{before, {Requests: 7000, Elapsed: time.Second, Max: 1}}},
			section: SectionHTTP,
			want:    []string{"Baseline drift (after ÷ before): 0.70. **Warning:**", "| **baseline (mean)** | **8500** |"},
		},
		{
			name:    "runs that did not get the CPU are flagged",
			rep:     Report{Info: info, Baseline: []Result{before, before}, Results: []Result{{Scenario: "health_live", Requests: 1, Elapsed: time.Second, CPU: 0.5}}},
			section: SectionHTTP,
			want:    []string{"| 0 | 50% |", "less than 85% of the machine's CPUs during health_live, so"},
		},
		{
			name:    "no baseline: no ratios, no mean row",
			rep:     Report{Info: info, Results: []Result{live}},
			section: SectionHTTP,
			want:    []string{"| `health_live` | 5000 | — |"},
			notWant: []string{"baseline (mean)", "drift"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.rep.Markdown(tt.section)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing\n%s\nin\n%s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("unexpected %q in\n%s", w, got)
				}
			}
		})
	}
}

func TestSections(t *testing.T) {
	tests := []struct {
		name    string
		results []Result
		want    []string
	}{
		{"baseline only", nil, []string{SectionHTTP}},
		{"unnamed is http", []Result{{Scenario: "a"}}, []string{SectionHTTP}},
		{"first-seen order, no repeats", []Result{{Section: "publish"}, {Section: SectionHTTP}, {Section: "publish"}}, []string{"publish", SectionHTTP}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Report{Results: tt.results}.Sections()
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("Sections = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMachineDescription(t *testing.T) {
	cpuTests := []struct {
		name, cpuinfo, want string
	}{
		{"x86", "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n", "AMD EPYC 7B13"},
		{"no model name", "processor\t: 0\nBogoMIPS\t: 50.00\n", "arm64"},
		{"empty model name", "model name\t:\n", "arm64"},
	}
	for _, tt := range cpuTests {
		t.Run("cpu "+tt.name, func(t *testing.T) {
			if got := cpuModel(tt.cpuinfo, "arm64"); got != tt.want {
				t.Errorf("cpuModel = %q, want %q", got, tt.want)
			}
		})
	}
	cmdTests := []struct {
		name string
		exe  string
		args []string
		want string
	}{
		{"go run", "/tmp/go-build123/b001/exe/smmbench", []string{"-out", "docs/benchmarks.md"}, "go run ./cmd/smmbench -out docs/benchmarks.md"},
		{"built binary", "bin/smmbench", []string{"-quick"}, "bin/smmbench -quick"},
		{"quoting", "smmbench", []string{"-scenarios", "a b", "it's", ""}, `smmbench -scenarios 'a b' 'it'\''s' ''`},
	}
	for _, tt := range cmdTests {
		t.Run("command "+tt.name, func(t *testing.T) {
			if got := commandLine(tt.exe, tt.args); got != tt.want {
				t.Errorf("commandLine = %q, want %q", got, tt.want)
			}
		})
	}
	if got := loadAvg("0.52 0.58 0.59 1/467 12345\n"); got != "0.52 / 0.58 / 0.59" {
		t.Errorf("loadAvg = %q", got)
	}
}

func TestSelectScenarios(t *testing.T) {
	all := []Scenario{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	tests := []struct {
		name    string
		filter  []string
		want    string
		wantErr string
	}{
		{"all by default", nil, "a,b,c", ""},
		{"kept in registry order", []string{"c", "a"}, "a,c", ""},
		{"baseline alone", []string{baselineName}, "", ""},
		{"unknown", []string{"a", "zz"}, "", `unknown scenario ["zz"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := selectScenarios(all, tt.filter)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			var names []string
			for _, s := range got {
				names = append(names, s.Name)
			}
			if strings.Join(names, ",") != tt.want {
				t.Errorf("selected %q, want %s", names, tt.want)
			}
		})
	}
}

func TestScenariosAreValid(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range append([]Scenario{baselineScenario()}, scenarios()...) {
		if err := s.validate(); err != nil {
			t.Error(err)
		}
		if seen[s.Name] {
			t.Errorf("scenario %s listed twice", s.Name)
		}
		seen[s.Name] = true
		if s.Doc == "" {
			t.Errorf("scenario %s has no Doc", s.Name)
		}
	}
}

func TestExpectBody(t *testing.T) {
	check := ExpectBody(http.StatusNotFound, `"code":"not_found"`, `"request_id":"`)
	tests := []struct {
		name    string
		res     vegeta.Result
		wantErr string
	}{
		{"expected", vegeta.Result{Code: 404, Body: []byte(`{"errors":[{"code":"not_found"}],"meta":{"request_id":"x"}}`)}, ""},
		{"wrong status", vegeta.Result{Code: 500, Body: []byte(`{"errors":[{"code":"not_found"}]}`)}, "status 500, want 404"},
		{"wrong body", vegeta.Result{Code: 404, Body: []byte(`not found`)}, `lacks "code":"not_found"`},
		{"transport error", vegeta.Result{Error: "connection refused"}, "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := check(&tt.res)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("check = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// TestBaselineSmoke loads the bare fiber app for a moment through the real
// runner: no database needed.
func TestBaselineSmoke(t *testing.T) {
	bare, err := startBaseline()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := bare.Stop(); err != nil {
			t.Errorf("stop baseline: %v", err)
		}
	})
	env := &Env{BaselineURL: bare.url, Client: http.DefaultClient}
	res, err := runScenario(context.Background(), baselineScenario(), env, RunOptions{Warmup: 50 * time.Millisecond, Duration: 300 * time.Millisecond, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Errors != 0 {
		t.Fatalf("requests %d, errors %d (%q); want some requests and no errors", res.Requests, res.Errors, res.ErrorCauses)
	}
	if res.Rate() <= 0 || res.P50 <= 0 || res.P99 < res.P50 || res.Max < res.P99 || res.StatusCodes[http.StatusOK] != res.Requests {
		t.Errorf("implausible result %+v", res)
	}
	if res.CPU <= 0 || res.CPU > 1.05 {
		t.Errorf("CPU share %v, want within (0, 1]", res.CPU)
	}
	if res.Elapsed < 250*time.Millisecond || res.Elapsed > 5*time.Second {
		t.Errorf("elapsed %s for a 300ms run", res.Elapsed)
	}
}

// TestRunBaselineOnly runs the command itself with only the baseline (so no
// service, no database) and checks the file it writes.
func TestRunBaselineOnly(t *testing.T) {
	out := filepath.Join(t.TempDir(), "docs", "benchmarks.md")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), "smmbench", []string{"-scenarios", "baseline", "-duration", "200ms", "-warmup", "0s", "-workers", "4", "-out", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, w := range []string{"# Benchmarks", "## Method", "<!-- bench:http:start -->\nMeasured ", "| baseline (before) |", "| baseline (after) |", "<!-- bench:http:end -->", "`smmbench -scenarios baseline -duration 200ms -warmup 0s -workers 4 -out " + out + "`"} {
		if !strings.Contains(doc, w) {
			t.Errorf("written file lacks %q:\n%s", w, doc)
		}
	}
	if !strings.Contains(stdout.String(), "| baseline (before) |") {
		t.Errorf("stdout lacks the table:\n%s", stdout.String())
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    RunOptions
		filter  string
		wantErr string
	}{
		{"defaults", nil, RunOptions{Warmup: time.Second, Duration: 5 * time.Second, Workers: 64, Orgs: 5000, Publish: publishDefaults}, "", ""},
		{"quick", []string{"-quick"}, RunOptions{Warmup: 250 * time.Millisecond, Duration: time.Second, Workers: 64, Orgs: 500, Quick: true, Publish: publishQuick}, "", ""},
		{"explicit values win over quick", []string{"-quick", "-duration", "2s", "-workers", "8", "-orgs", "50"}, RunOptions{Warmup: 250 * time.Millisecond, Duration: 2 * time.Second, Workers: 8, Orgs: 50, Quick: true, Publish: publishQuick}, "", ""},
		{"filter", []string{"-scenarios", " health_live, ,not_found_envelope"}, RunOptions{Warmup: time.Second, Duration: 5 * time.Second, Workers: 64, Orgs: 5000, Publish: publishDefaults}, "health_live,not_found_envelope", ""},
		{"zero workers", []string{"-workers", "0"}, RunOptions{}, "", "-workers"},
		{"zero orgs", []string{"-orgs", "0"}, RunOptions{}, "", "-orgs"},
		{"bad level", []string{"-log-level", "loud"}, RunOptions{}, "", "-log-level"},
		{"stray argument", []string{"now"}, RunOptions{}, "", "unexpected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args, &bytes.Buffer{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.run != tt.want || strings.Join(o.filter, ",") != tt.filter {
				t.Errorf("got %+v %q, want %+v %q", o.run, o.filter, tt.want, tt.filter)
			}
		})
	}
}

// TestCustomRunnerAndCleanup checks that a custom Run replaces the HTTP
// runner, gets the fixture, and that Cleanup runs even when the run fails.
func TestCustomRunnerAndCleanup(t *testing.T) {
	var cleaned int
	s := Scenario{
		Name:    "custom",
		Section: "publish",
		Setup: func(context.Context, *Env) (Fixture, error) {
			return Fixture{Header: http.Header{"X-Test": {"1"}}, Cleanup: func(context.Context) error { cleaned++; return nil }}, nil
		},
		Run: func(_ context.Context, _ *Env, fx Fixture, _ RunOptions) (Result, error) {
			if fx.Header.Get("X-Test") != "1" {
				return Result{}, errors.New("fixture not passed")
			}
			return Result{Requests: 10, Extra: []Metric{{"lost", "0"}}}, nil
		},
	}
	res, err := runScenario(context.Background(), s, &Env{}, RunOptions{})
	if err != nil || res.Scenario != "custom" || res.Section != "publish" || len(res.Extra) != 1 || cleaned != 1 {
		t.Fatalf("res %+v, err %v, cleaned %d", res, err, cleaned)
	}
	s.Run = func(context.Context, *Env, Fixture, RunOptions) (Result, error) { return Result{}, errors.New("boom") }
	if _, err := runScenario(context.Background(), s, &Env{}, RunOptions{}); err == nil || !strings.Contains(err.Error(), "boom") || cleaned != 2 {
		t.Fatalf("err %v, cleaned %d; want boom and a second cleanup", err, cleaned)
	}
}
