package main

// docIntro starts docs/benchmarks.md when -out names a file that does not
// exist yet. Only the marked sections are rewritten afterwards, so this text
// can be edited freely in the file.
const docIntro = `# Benchmarks

Produced by ` + "`make bench`" + ` (PostgreSQL and Redis bootstrapped, migrations applied,
then ` + "`go run ./cmd/smmbench $(BENCH_FLAGS)`" + `). To refresh this file run
` + "`go run ./cmd/smmbench -out docs/benchmarks.md`" + ` (or
` + "`make bench BENCH_FLAGS='-out docs/benchmarks.md'`" + `); ` + "`-quick`" + ` gives a 1-second smoke run,
` + "`-scenarios a,b`" + ` a subset, ` + "`-workers`" + ` and ` + "`-duration`" + ` change the load, and ` + "`-log-level info`" + `
measures the service with its access log on.

## Method

- **One process.** ` + "`cmd/smmbench`" + ` starts the real service (` + "`cmd/app`" + `, configured from the
  ` + "`SMM_*`" + ` environment like ` + "`smm serve`" + `, with PostgreSQL and Redis) on a free loopback port,
  waits for ` + "`/health/ready`" + `, and starts a **baseline** beside it: a bare ` + "`fiber.New()`" + ` app
  whose one GET handler returns ` + "`c.JSON(fiber.Map{\"status\":\"ok\"})`" + `. The load generator,
  [vegeta](https://github.com/tsenart/vegeta) used as a library, runs in the same process. All
  three share the same CPUs under the same conditions.
- **Closed loop at saturation.** A fixed number of workers (64 by default), each on one
  keep-alive connection, send requests back to back (no rate limit). Requests/s is therefore
  the throughput the machine sustains, and latency includes the queueing that this many
  concurrent requests cause: fewer workers (` + "`-workers 8`" + `) give lower latencies.
- **Per scenario**: a warm-up (1 s, discarded), then the measured run (5 s). A response counts
  as a success only if it has the scenario's expected status and body (the 404 scenario expects
  404 with the JSON error envelope); anything else, transport failures included, is an error.
  Requests/s counts successes only; p50/p99/max are over every measured request.
- **Baseline twice.** The baseline runs before the scenarios and again after them; ratios
  divide by the mean of the two, and the two rows show how much the machine drifted meanwhile.
- **Logging at warn.** The service logs at warn to ` + "`io.Discard`" + ` during the run, so no access log
  line is formatted; an access log written to a file or a terminal would be measured too.

## Reading the numbers

The numbers come from a **2-core machine on which the load generator shares the CPU with the
servers**. A CPU profile of a run (` + "`-cpuprofile`" + `) shows about 60% of the CPU in vegeta and Go's
HTTP client and under a third in the servers, most of that in socket reads and writes, so
absolute numbers are far below what a dedicated load machine would show, and the machine must be
otherwise idle. Three signs show when it was not: the load average at start in the header; the
*CPU used* column, this process's CPU time ÷ (wall time × logical CPUs) during each measured
run, which is close to 100% for a saturating run on an idle machine (below 85% is flagged); and
the baseline drift, after ÷ before (beyond ±10% is flagged). Compare **ratios**, not absolute
requests/s, across machines and runs.

*Ratio to baseline* = the scenario's requests/s ÷ the baseline's (mean) requests/s. 1.00 means
the route costs no more than fiber's minimum; 0.50 means half the throughput. Because the
client's own cost per request sits in both denominators, a ratio of *r* understates the
server-side difference: the service spends more than 1/*r* times the bare handler's CPU per
request. Performance goals of later issues are stated as ratios (authenticated reads: ≥ 1/3,
later ≥ 1/2).

Each table below sits between ` + "`<!-- bench:NAME:start -->`" + ` and ` + "`<!-- bench:NAME:end -->`" + `
markers; a run rewrites only the sections of the scenarios it ran and leaves the rest of the file
as it is, so later scenarios add their own sections.

## HTTP scenarios

<!-- bench:http:start -->
<!-- bench:http:end -->

## Organization grains

The ` + "`grain_*`" + ` scenarios measure the organization grains: ` + "`Describe`" + ` round trips on one node and
across nodes, each between two runs of a raw protoactor request measured in the same run (ratio =
grain requests/s ÷ the reference's mean); activation latency; heap per idle grain with 3 accounts
(goal ≤ 10 KiB); recovery after a member is killed with SIGKILL. Their organizations are kept in
the database for later runs.

<!-- bench:grains:start -->
<!-- bench:grains:end -->
`
