package main

import (
	"fmt"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"
)

// Result is the outcome of one scenario run, HTTP or custom. The HTTP
// runner fills every field but Extra; a custom runner fills what applies
// (leaving Elapsed zero hides requests/s, leaving Max zero hides latencies)
// and puts its own metrics in Extra.
type Result struct {
	// Scenario and Section say what was run and where it is reported.
	Scenario string
	Section  string
	// Requests counts the responses (and transport failures) of the
	// measured run; Errors those the scenario's Check rejected.
	Requests uint64
	Errors   uint64
	// Elapsed runs from the first request sent to the last response
	// received.
	Elapsed time.Duration
	// P50, P99 and Max are latencies over every measured request.
	P50, P99, Max time.Duration
	// CPU is the share of the machine's CPUs this process (servers and
	// load generator together) used during the measured run, 0 when not
	// measured. Well under 1, other processes took CPU from the run.
	CPU float64
	// BytesIn is the total size of the response bodies.
	BytesIn uint64
	// StatusCodes counts responses by status (0 for transport errors).
	StatusCodes map[int]uint64
	// ErrorCauses are the most frequent reasons for errors, with counts.
	ErrorCauses []string
	// Extra are the scenario's own columns.
	Extra []Metric
	// References are runs of the scenario's own reference, measured in the
	// same run just before and just after it (a raw actor request for a
	// grain call): its ratio divides by their mean instead of the HTTP
	// baseline's.
	References []Result
}

// ReferenceRate is the mean requests/s of r's reference runs, 0 without.
func (r Result) ReferenceRate() float64 {
	if len(r.References) == 0 {
		return 0
	}
	var sum float64
	for _, ref := range r.References {
		sum += ref.Rate()
	}
	return sum / float64(len(r.References))
}

// ReferenceDrift is the last reference run's requests/s ÷ the first's,
// and false with fewer than two.
func (r Result) ReferenceDrift() (float64, bool) {
	if len(r.References) < 2 {
		return 0, false
	}
	return ratio(r.References[len(r.References)-1].Rate(), r.References[0].Rate())
}

// Successes is the number of responses the scenario's Check accepted.
func (r Result) Successes() uint64 { return r.Requests - r.Errors }

// Rate is successful responses per second of the measured run; zero when
// the run has no duration.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Successes()) / r.Elapsed.Seconds()
}

// ratio is rate ÷ base, and false when there is no base to divide by.
func ratio(rate, base float64) (float64, bool) {
	if base <= 0 {
		return 0, false
	}
	return rate / base, true
}

// RunInfo is the header of a report: when, where and how it was measured.
type RunInfo struct {
	Date       time.Time
	Command    string
	GoVersion  string
	GOMAXPROCS int
	NumCPU     int
	CPUModel   string
	Vegeta     string
	// Protoactor is the protoactor-go module the grains run on.
	Protoactor string
	Options    RunOptions
	// ServiceLogLevel is the service's log level during the run.
	ServiceLogLevel string
	// LoadAvg is /proc/loadavg's 1, 5 and 15-minute load when the run
	// started: other work on the machine shows there (and in Drift).
	LoadAvg string
}

// Report is a whole run: the baseline runs (before and after the
// scenarios) and every scenario's result, HTTP or custom.
type Report struct {
	Info     RunInfo
	Baseline []Result
	Results  []Result
	// Docs describes each scenario by name, for the list under the table.
	Docs map[string]string
}

// BaselineRate is the mean requests/s of the baseline runs, what every
// ratio divides by.
func (r Report) BaselineRate() float64 {
	if len(r.Baseline) == 0 {
		return 0
	}
	var sum float64
	for _, b := range r.Baseline {
		sum += b.Rate()
	}
	return sum / float64(len(r.Baseline))
}

// maxDrift is how far the last baseline run may move from the first
// before the report warns that the machine was not quiet.
const maxDrift = 0.10

// Drift is the last baseline run's requests/s ÷ the first's, and false with
// fewer than two runs. Far from 1, something else used the machine.
func (r Report) Drift() (float64, bool) {
	if len(r.Baseline) < 2 {
		return 0, false
	}
	return ratio(r.Baseline[len(r.Baseline)-1].Rate(), r.Baseline[0].Rate())
}

// Drifted reports whether the baseline moved by more than maxDrift.
func (r Report) Drifted() bool {
	d, ok := r.Drift()
	return ok && (d < 1-maxDrift || d > 1+maxDrift)
}

// minCPU is the share of the machine's CPUs below which a run is flagged as
// contended: a saturating run on an idle machine uses nearly all of them.
const minCPU = 0.85

// Contended lists the runs that got less than minCPU of the machine, by
// their row label.
func (r Report) Contended() []string {
	var out []string
	for i, b := range r.Baseline {
		if b.CPU > 0 && b.CPU < minCPU {
			out = append(out, baselineLabel(i, len(r.Baseline)))
		}
	}
	for _, res := range r.Results {
		out = append(out, contended(res)...)
	}
	return out
}

// contended lists res and its reference runs that got less than minCPU.
func contended(res Result) []string {
	var out []string
	for i, ref := range res.References {
		if ref.CPU > 0 && ref.CPU < minCPU {
			out = append(out, referenceLabel(ref.Scenario, i, len(res.References)))
		}
	}
	if res.CPU > 0 && res.CPU < minCPU {
		out = append(out, res.Scenario)
	}
	return out
}

// Sections lists the sections that have results, in first-seen order; a
// baseline-only run reports in the HTTP section.
func (r Report) Sections() []string {
	var out []string
	seen := map[string]bool{}
	for _, res := range r.Results {
		s := res.Section
		if s == "" {
			s = SectionHTTP
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		out = []string{SectionHTTP}
	}
	return out
}

// Errors is the number of errors over every run, baseline included.
func (r Report) Errors() uint64 {
	var n uint64
	for _, res := range append(append([]Result{}, r.Baseline...), r.Results...) {
		n += res.Errors
		for _, ref := range res.References {
			n += ref.Errors
		}
	}
	return n
}

// baselineLabel names the baseline row i of n.
func baselineLabel(i, n int) string {
	switch {
	case n == 2 && i == 0:
		return "baseline (before)"
	case n == 2 && i == 1:
		return "baseline (after)"
	}
	return fmt.Sprintf("baseline (run %d)", i+1)
}

// referenceLabel names the reference run i of n of a scenario.
func referenceLabel(name string, i, n int) string {
	switch {
	case n == 2 && i == 0:
		return "`" + name + "` (before)"
	case n == 2 && i == 1:
		return "`" + name + "` (after)"
	}
	return fmt.Sprintf("`%s` (run %d)", name, i+1)
}

// writeRunHeader writes the lines every section starts with: when, the
// command, the machine.
func writeRunHeader(b *strings.Builder, info RunInfo) {
	fmt.Fprintf(b, "Measured %s.\n\n", info.Date.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(b, "- Command: `%s`\n", info.Command)
	fmt.Fprintf(b, "- Machine: %s, %d logical CPUs, GOMAXPROCS %d, %s", info.CPUModel, info.NumCPU, info.GOMAXPROCS, info.GoVersion)
	if info.LoadAvg != "" {
		fmt.Fprintf(b, ", load average %s at start", info.LoadAvg)
	}
	b.WriteString("\n")
}

// tableHeader starts the main table of a section; ratioTo names what the
// ratio divides by.
func tableHeader(b *strings.Builder, ratioTo string) {
	fmt.Fprintf(b, "| scenario | requests/s | ratio to %s | p50 | p99 | max | errors | CPU used |\n", ratioTo)
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|\n")
}

// tableRow writes one row of a main table: res's requests/s and its ratio
// to base (— without one), latencies, errors and CPU share.
func tableRow(b *strings.Builder, label string, res Result, base float64) {
	rate, ratioCell := "—", "—"
	if res.Elapsed > 0 {
		rate = fmt.Sprintf("%.0f", res.Rate())
		if q, ok := ratio(res.Rate(), base); ok {
			ratioCell = fmt.Sprintf("%.2f", q)
		}
	}
	p50, p99, maxCell := "—", "—", "—"
	if res.Max > 0 {
		p50, p99, maxCell = formatLatency(res.P50), formatLatency(res.P99), formatLatency(res.Max)
	}
	cpu := "—"
	if res.CPU > 0 {
		cpu = fmt.Sprintf("%.0f%%", res.CPU*100)
	}
	fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %d | %s |\n", label, rate, ratioCell, p50, p99, maxCell, res.Errors, cpu)
}

// writeDetails writes what follows a section's main table: each
// scenario's description, its extra columns, and the causes of errors
// (those of the baseline runs given first).
func (r Report) writeDetails(b *strings.Builder, names []string, results, baseline []Result) {
	b.WriteString("\n")
	for _, name := range names {
		if doc := r.Docs[name]; doc != "" {
			fmt.Fprintf(b, "- `%s`: %s\n", name, doc)
		}
	}
	for _, res := range results {
		if len(res.Extra) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n`%s`:\n\n|", res.Scenario)
		for _, m := range res.Extra {
			fmt.Fprintf(b, " %s |", cell(m.Name))
		}
		b.WriteString("\n|")
		for range res.Extra {
			b.WriteString("--:|")
		}
		b.WriteString("\n|")
		for _, m := range res.Extra {
			fmt.Fprintf(b, " %s |", cell(m.Value))
		}
		b.WriteString("\n")
	}
	var causes []string
	for i, res := range baseline {
		for _, c := range res.ErrorCauses {
			causes = append(causes, fmt.Sprintf("- %s: %s", baselineLabel(i, len(baseline)), oneLine(c)))
		}
	}
	for _, res := range results {
		for i, ref := range res.References {
			for _, c := range ref.ErrorCauses {
				causes = append(causes, fmt.Sprintf("- %s: %s", referenceLabel(ref.Scenario, i, len(res.References)), oneLine(c)))
			}
		}
		for _, c := range res.ErrorCauses {
			causes = append(causes, fmt.Sprintf("- `%s`: %s", res.Scenario, oneLine(c)))
		}
	}
	if len(causes) > 0 {
		b.WriteString("\nErrors, most frequent causes:\n\n")
		b.WriteString(strings.Join(causes, "\n"))
		b.WriteString("\n")
	}
}

// writeContended warns about the runs named in busy, if any.
func writeContended(b *strings.Builder, busy []string) {
	if len(busy) > 0 {
		fmt.Fprintf(b, "\n**Warning:** this process got less than %.0f%% of the machine's CPUs during %s, so other processes were competing for the CPU; those rows are unreliable.\n", minCPU*100, strings.Join(busy, ", "))
	}
}

// resultsIn are the results reported in section, in run order.
func (r Report) resultsIn(section string) []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Section == section || (res.Section == "" && section == SectionHTTP) {
			out = append(out, res)
		}
	}
	return out
}

// Markdown renders one section of the report: the header, the main table
// (baseline runs first and last, their mean, the section's scenarios in
// between, each with its ratio to the mean), the scenario descriptions, the
// extra columns and the error causes. The grains section has its own
// layout (grainsMarkdown).
func (r Report) Markdown(section string) string {
	if section == SectionGrains {
		return r.grainsMarkdown()
	}
	if isPublishSection(section) {
		return r.publishMarkdown(section)
	}
	var b strings.Builder
	base := r.BaselineRate()
	info := r.Info

	writeRunHeader(&b, info)
	fmt.Fprintf(&b, "- Load: %s as a library in the same process, %d workers (one keep-alive connection each), unlimited rate; per scenario %s warm-up (discarded), then %s measured\n",
		info.Vegeta, info.Options.Workers, info.Options.Warmup, info.Options.Duration)
	fmt.Fprintf(&b, "- Service: the real service (`cmd/app`) in the same process, logging at %s; ratio = requests/s ÷ mean of the baseline runs; CPU used = this process's CPU time ÷ (wall time × logical CPUs) during the measured run\n\n", info.ServiceLogLevel)

	tableHeader(&b, "baseline")
	results := r.resultsIn(section)
	n := len(r.Baseline)
	if n > 0 {
		tableRow(&b, baselineLabel(0, n), r.Baseline[0], base)
	}
	for _, res := range results {
		tableRow(&b, "`"+res.Scenario+"`", res, base)
	}
	for i := 1; i < n; i++ {
		tableRow(&b, baselineLabel(i, n), r.Baseline[i], base)
	}
	if n > 0 {
		fmt.Fprintf(&b, "| **baseline (mean)** | **%.0f** | 1.00 | | | | | |\n", base)
	}

	if d, ok := r.Drift(); ok {
		fmt.Fprintf(&b, "\nBaseline drift (after ÷ before): %.2f.", d)
		if r.Drifted() {
			fmt.Fprintf(&b, " **Warning:** the baseline moved by more than %.0f%% during the run, so something else was using the CPU and the ratios are unreliable; run again on a quiet machine.", maxDrift*100)
		}
		b.WriteString("\n")
	}
	var busy []string
	for i, res := range r.Baseline {
		if res.CPU > 0 && res.CPU < minCPU {
			busy = append(busy, baselineLabel(i, n))
		}
	}
	for _, res := range results {
		busy = append(busy, contended(res)...)
	}
	writeContended(&b, busy)

	names := []string{baselineName}
	for _, res := range results {
		names = append(names, res.Scenario)
	}
	r.writeDetails(&b, names, results, r.Baseline)
	return b.String()
}

// grainsMarkdown renders the grains section: the header, one table whose
// round trips sit between the two runs of their own reference (a raw
// protoactor request) and whose other timed scenarios follow, then each
// scenario's description and its own metrics (heap, recovery).
func (r Report) grainsMarkdown() string {
	var b strings.Builder
	info := r.Info
	results := r.resultsIn(SectionGrains)

	writeRunHeader(&b, info)
	fmt.Fprintf(&b, "- Cluster: %s; every member in this process (but the one `grain_failover` kills), remoting over loopback; grains load from PostgreSQL (`SMM_DATABASE_URL`) and log at %s to `io.Discard`\n", info.Protoactor, info.ServiceLogLevel)
	fmt.Fprintf(&b, "- Round trips: %d callers (goroutines) in the same process, closed loop, unlimited rate, over %d grains or plain actors; each run %s warm-up (discarded), then %s measured: the reference, the grain calls, the reference again; ratio = requests/s ÷ mean of the reference's two runs; CPU used as in the HTTP table\n\n",
		info.Options.Workers, callTargets, info.Options.Warmup, info.Options.Duration)

	tableHeader(&b, "reference")
	var drifts []string
	var timed bool
	for _, res := range results {
		if len(res.References) == 0 && res.Elapsed <= 0 {
			continue
		}
		timed = true
		base := res.ReferenceRate()
		n := len(res.References)
		if n > 0 {
			tableRow(&b, referenceLabel(res.References[0].Scenario, 0, n), res.References[0], base)
		}
		tableRow(&b, "`"+res.Scenario+"`", res, base)
		for i := 1; i < n; i++ {
			tableRow(&b, referenceLabel(res.References[i].Scenario, i, n), res.References[i], base)
		}
		if d, ok := res.ReferenceDrift(); ok {
			text := fmt.Sprintf("`%s` %.2f", res.References[0].Scenario, d)
			if d < 1-maxDrift || d > 1+maxDrift {
				text += " (**more than " + fmt.Sprintf("%.0f", maxDrift*100) + "%: unreliable**)"
			}
			drifts = append(drifts, text)
		}
	}
	if !timed {
		b.WriteString("| — | | | | | | | |\n")
	}
	if len(drifts) > 0 {
		fmt.Fprintf(&b, "\nReference drift (after ÷ before): %s.\n", strings.Join(drifts, ", "))
	}
	var busy []string
	for _, res := range results {
		busy = append(busy, contended(res)...)
	}
	writeContended(&b, busy)

	var names []string
	for _, res := range results {
		names = append(names, res.Scenario)
	}
	r.writeDetails(&b, names, results, nil)
	return b.String()
}

// formatLatency renders d in milliseconds with three significant digits or
// so: 0.412 ms, 3.21 ms, 42.1 ms, 512 ms.
func formatLatency(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 1:
		return fmt.Sprintf("%.3f ms", ms)
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

// cell makes s safe inside a markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(oneLine(s), "|", `\|`)
}

// oneLine folds s onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// sectionMarkers returns the comment lines that delimit section in a file.
func sectionMarkers(section string) (start, end string) {
	return "<!-- bench:" + section + ":start -->", "<!-- bench:" + section + ":end -->"
}

// replaceSection puts body between the markers of section in doc, leaving
// everything else (other sections included) untouched. A section without
// markers yet is appended at the end; markers that are unpaired, repeated
// or out of order are an error rather than a guess.
func replaceSection(doc, section, body string) (string, error) {
	start, end := sectionMarkers(section)
	body = strings.TrimRight(body, "\n")
	ns, ne := strings.Count(doc, start), strings.Count(doc, end)
	switch {
	case ns == 0 && ne == 0:
		if doc != "" && !strings.HasSuffix(doc, "\n") {
			doc += "\n"
		}
		if doc != "" {
			doc += "\n"
		}
		return doc + start + "\n" + body + "\n" + end + "\n", nil
	case ns != 1 || ne != 1:
		return "", fmt.Errorf("section %q: want one %s and one %s, found %d and %d", section, start, end, ns, ne)
	}
	i, j := strings.Index(doc, start), strings.Index(doc, end)
	if j < i {
		return "", fmt.Errorf("section %q: %s comes before %s", section, end, start)
	}
	return doc[:i+len(start)] + "\n" + body + "\n" + doc[j:], nil
}

// cpuModel returns the first "model name" of a /proc/cpuinfo text, or
// fallback when there is none (other kernels, some ARM boards).
func cpuModel(cpuinfo, fallback string) string {
	for line := range strings.Lines(cpuinfo) {
		key, value, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(key) == "model name" {
			if v := strings.TrimSpace(value); v != "" {
				return v
			}
		}
	}
	return fallback
}

// commandLine renders the command that produced the report, shell-quoted.
// A binary built by `go run` (in a go-build temporary directory) is shown
// as the `go run ./cmd/smmbench` that built it.
func commandLine(exe string, args []string) string {
	parts := []string{exe}
	if strings.Contains(filepath.ToSlash(exe), "/go-build") {
		parts = []string{"go", "run", "./cmd/smmbench"}
	}
	for _, a := range args {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,/:+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// vegetaVersion names the vegeta module this binary was built with.
func vegetaVersion() string { return moduleVersion("github.com/tsenart/vegeta/v12", "vegeta", "v12") }

// protoactorVersion names the protoactor-go module this binary was built with.
func protoactorVersion() string {
	return moduleVersion("github.com/asynkron/protoactor-go", "protoactor-go", "")
}

// moduleVersion is "name version" of the module at path this binary was
// built with, or "name fallback".
func moduleVersion(path, name, fallback string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				return name + " " + d.Version
			}
		}
	}
	return strings.TrimSpace(name + " " + fallback)
}

// docsOf maps each scenario's name to its Doc.
func docsOf(ss ...Scenario) map[string]string {
	m := make(map[string]string, len(ss))
	for _, s := range ss {
		m[s.Name] = s.Doc
	}
	return m
}

// statusSummary renders status counts as "200×1234, 404×5", by status.
func statusSummary(codes map[int]uint64) string {
	keys := make([]int, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d×%d", k, codes[k])
	}
	return strings.Join(parts, ", ")
}

// loadAvg keeps the three load averages of a /proc/loadavg text.
func loadAvg(raw string) string {
	f := strings.Fields(raw)
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " / ")
}
