#!/usr/bin/env node
// Benchmarks (not tests; `npm run bench` builds dist/ first). Every ratio compares variants
// measured side by side in this one run, alternating, so that they share the machine's load.
//
// (a) normalized diff of a large settings model vs a minimal keyed comparator (scripts/bench/diff.mjs)
// (b) drift against the emulator at 50 ms per request vs the critical-path bound (scripts/bench/emulated.mjs)
// (c) Clerk API requests per drift run
// (d) clerkguard scan of generated application trees (scripts/bench-scan.mjs; BENCH_SKIP_SCAN=1 skips it)
// (e) SARIF vs text output at scale, through the CLI (scripts/bench/sarif.mjs)
// (f) CLI start-up vs bare `node -e 0` (scripts/bench/startup.mjs)
// (g) 50,000 JWT templates: drift wall time and peak RSS; emulator seeding (scripts/bench/scale.mjs)
// (h) `clerkguard emulator`: SIGTERM to exit, idle and with a request in flight (scripts/bench/emulator-stop.mjs)
// (i) fleet: 100 emulated instances at 50 ms latency, and 12 environments sharing one development
//     instance's rate limit, through the CLI (scripts/bench/fleet.mjs)
//
// Results go to stdout; BENCH_JSON=file also writes them as JSON. BENCH_ONLY=a,e runs a subset.
// BENCH_COMPARE_WITH=DIR: a built checkout of the code before a change (e.g. `git archive main`
// unpacked, `npm ci`), measured in the same rounds for (a), (b), (f), (g) and (i)'s 100 instances.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDiff } from './bench/diff.mjs';
import { benchEmulated } from './bench/emulated.mjs';
import { benchFleet } from './bench/fleet.mjs';
import { benchEmulatorStop } from './bench/emulator-stop.mjs';
import { benchSarif } from './bench/sarif.mjs';
import { benchLargeDrift, benchSeeding } from './bench/scale.mjs';
import { benchStartup } from './bench/startup.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : undefined;
const wanted = (part) => !only || only.has(part);
const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : String(value));
const verdict = (met) => (met ? 'met' : 'NOT met');

const machine = {
  node: process.version,
  platform: `${process.platform}/${process.arch}`,
  cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
  memory_gib: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
  load_average_start: os.loadavg().map((value) => Number(value.toFixed(2))),
  started_at: new Date().toISOString(),
};
console.log(`node ${machine.node}, ${machine.platform}, ${machine.cpus}, ${machine.memory_gib} GiB, load average ${machine.load_average_start.join(' ')}`);
const compareWith = process.env.BENCH_COMPARE_WITH ? path.resolve(process.env.BENCH_COMPARE_WITH) : undefined;
const results = { machine, ...(compareWith ? { compared_with: compareWith } : {}) };

if (wanted('a')) {
  const a = await benchDiff(root, { rawCapMs: Number(process.env.BENCH_RAW_CAP_MS ?? 300_000), compareWith });
  results.diff = a;
  console.log(`(a) diff of ${a.sizes.templates} JWT templates and ${a.sizes.origins} origins as settings-model values (live side reordered, 4 real changes); medians of 31 after 5 warm-ups, interleaved`);
  console.log(`    minimal keyed comparator (keyed normalization + json-diff): ${fixed(a.comparator_ms)} ms`);
  console.log(`    clerkguard diffSettings (normalize, diff, classify):        ${fixed(a.diff_settings_ms)} ms = ${fixed(a.ratio, 2)}x the comparator (goal <= 1.2x and < 60 ms: ${verdict(a.ratio <= 1.2 && a.diff_settings_ms < 60)})`);
  console.log(`    clerkguard diffBaseline (drift's path: + coverage, unmanaged, suppressions): ${fixed(a.diff_baseline_ms)} ms = ${fixed(a.baseline_ratio, 2)}x`);
  if (compareWith) console.log(`    before (${compareWith}) diffSettings: ${fixed(a.before_diff_settings_ms)} ms = ${fixed(a.before_ratio, 2)}x; same changes: ${a.same_changes_as_before}`);
  for (const change of a.changes) console.log(`      ${change}`);
  console.log(`    context only: raw json-diff on the same values (origins as shuffled arrays): ${a.raw_capped ? '>' : ''}${fixed(a.raw_ms)} ms, reporting order noise as changes`);
}

if (wanted('b')) {
  results.emulated = [];
  console.log('(b) drift run against the emulator (another process), 50 ms latency on every request; medians of 7 after a warm-up (50,000 templates: of 3)');
  for (const templates of [0, 2000, 12000, 50000]) {
    const run = await benchEmulated(root, { templates, runs: templates >= 50000 ? 3 : 7, compareWith });
    results.emulated.push(run);
    console.log(
      `    ${templates === 0 ? 'baselines/production.json' : `${templates} templates`}: ${run.requests} requests (${run.list_pages} list pages), wall ${fixed(run.wall_ms, 0)} ms, bound ${run.rounds} round(s) x 50 ms = ${run.bound_ms} ms, ratio ${fixed(run.ratio, 2)}x (goal <= 1.3x: ${verdict(run.ratio <= 1.3)}); the same run without latency ${fixed(run.zero_latency_ms, 0)} ms (CPU ${fixed(run.zero_latency_cpu_ms, 0)} ms)`,
    );
    if (run.before) console.log(`      before: wall ${fixed(run.before.wall_ms, 0)} ms = ${fixed(run.before.ratio, 2)}x; without latency ${fixed(run.before.zero_latency_ms, 0)} ms (CPU ${fixed(run.before.zero_latency_cpu_ms, 0)} ms)`);
    console.log(`      floor: the same requests from a client that drops the answers ${fixed(run.floor_ms, 0)} ms = ${fixed(run.floor_ratio, 2)}x (the emulator's and the transport's share)`);
  }
  results.requests_per_run = results.emulated[0].requests;
  console.log(`(c) ${results.requests_per_run} Clerk API requests per drift run of baselines/production.json`);
}

if (wanted('d') && !process.env.BENCH_SKIP_SCAN) {
  results.scan = await (await import('./bench-scan.mjs')).benchScan();
}

if (wanted('e')) {
  console.log('(e) SARIF vs text through the CLI, side by side (medians of 3)…');
  const d = await benchSarif(root, { runs: Number(process.env.BENCH_SARIF_RUNS ?? 3) });
  results.sarif = d;
  for (const row of d.drift) {
    console.log(
      `    drift, ${row.changes} changes on a ${fixed(d.baseline_bytes / 1024, 0)} KB baseline: text ${fixed(row.text.ms, 0)} ms, sarif ${fixed(row.sarif.ms, 0)} ms = ${fixed(row.ratio, 2)}x (goal <= 1.5x: ${verdict(row.ratio <= 1.5)}); text + --out (all four files) ${fixed(row.out.ms, 0)} ms = ${fixed(row.out_ratio, 2)}x`,
    );
  }
  console.log(`    check, ${d.check.findings} failing findings: text ${fixed(d.check.text.ms, 0)} ms, sarif ${fixed(d.check.sarif.ms, 0)} ms = ${fixed(d.check.ratio, 2)}x (goal <= 1.5x: ${verdict(d.check.ratio <= 1.5)})`);
}

if (wanted('f')) {
  const e = benchStartup(root, { runs: Number(process.env.BENCH_STARTUP_RUNS ?? 31), compareWith });
  results.startup = e;
  console.log('(f) CLI start-up vs bare node, spawned round-robin (medians of 31 after 2 warm-up rounds)');
  for (const row of e) console.log(`    ${row.command.padEnd(44)} ${fixed(row.ms).padStart(6)} ms  ${fixed(row.ratio, 2)}x${row.command === 'node -e 0' ? '' : ` (goal <= 2x: ${verdict(row.ratio <= 2)})`}`);
}

if (wanted('g')) {
  const seeding = await benchSeeding(root);
  results.seeding = seeding;
  console.log(`(g) emulator seeding: ${seeding.map((row) => `${row.templates} templates ${fixed(row.ms, 0)} ms`).join(', ')} (linear: time per template ${seeding.map((row) => fixed((row.ms / row.templates) * 1000, 1)).join(' / ')} µs)`);
  const large = await benchLargeDrift(root, { runs: Number(process.env.BENCH_SCALE_RUNS ?? 2), compareWith });
  results.large_drift = large;
  for (const row of large) {
    console.log(`    ${row.command}, ${row.templates} templates, ${row.baseline} (${fixed(row.baseline_mib)} MiB): ${fixed(row.wall_ms, 0)} ms, peak RSS ${fixed(row.max_rss_mib, 0)} MiB (goal <= 250 MiB: ${verdict(row.max_rss_mib <= 250)})`);
    if (compareWith) console.log(`      before: ${fixed(row.before_wall_ms, 0)} ms, peak RSS ${fixed(row.before_max_rss_mib, 0)} MiB${row.before_error ? `, failed: ${row.before_error}` : ''}`);
  }
}

if (wanted('h')) {
  const h = await benchEmulatorStop(root, { rounds: Number(process.env.BENCH_EMULATOR_STOP_RUNS ?? 7) });
  results.emulator_stop = h;
  console.log('(h) clerkguard emulator: SIGTERM to exit of its process');
  for (const row of h) console.log(`    ${row.case}: median ${fixed(row.median_ms, 0)} ms, max ${fixed(row.max_ms, 0)} ms over ${row.rounds} stops (goal <= 200 ms: ${verdict(row.max_ms <= 200)})`);
}

if (wanted('i')) {
  results.fleet = [];
  console.log('(i) fleet: clerkguard drift over many environments through the CLI, emulated instances in another process, 50 ms latency, Clerk\'s development rate limit (100 requests / 10 s per instance); medians of 3 after a warm-up');
  for (const [instances, environments] of [
    [100, 100],
    [1, 12],
  ]) {
    // The earlier build only where it costs no waiting: the shared-budget case waits out Clerk's window per run.
    const run = await benchFleet(root, { instances, environments, runs: Number(process.env.BENCH_FLEET_RUNS ?? 3), ...(compareWith && instances > 1 ? { compareWith } : {}) });
    results.fleet.push(run);
    console.log(
      `    ${environments} environments on ${instances} instance${instances === 1 ? '' : 's'}: ${run.requests} requests, wall ${fixed(run.wall_ms, 0)} ms, bound ${fixed(run.bound_ms, 0)} ms (latency ${run.latency_rounds} rounds = ${run.latency_bound_ms} ms, rate ${fixed(run.rate_bound_ms, 0)} ms) = ${fixed(run.ratio, 2)}x; CPU ${fixed(run.cpu_ms, 0)} ms = ${fixed(run.cpu_per_environment_ms, 1)} ms per environment (${instances > 1 ? `goal <= 10: ${verdict(run.cpu_per_environment_ms <= 10)}` : 'the process\'s fixed cost spread over few environments; the goal is the 100-instance case\'s'})${run.main_thread_cpu_per_environment_ms === undefined ? '' : ` [main thread ${fixed(run.main_thread_cpu_per_environment_ms, 1)} + helper threads ${fixed(run.helper_threads_cpu_per_environment_ms, 1)}]`}; ${run.connections} connections; peak in flight ${run.peak_in_flight}; 429s ${run.rate_limited} (goal 0: ${verdict(run.rate_limited === 0)}); peak RSS ${fixed(run.max_rss_mib, 0)} MiB; emulator CPU ${fixed(run.emulator_cpu_ms, 0)} ms; exit ${run.exit_status}`,
    );
    if (run.before_cpu_per_environment_ms !== undefined) console.log(`      before: wall ${fixed(run.before_wall_ms, 0)} ms, CPU ${fixed(run.before_cpu_per_environment_ms, 1)} ms per environment; exit ${run.before_exit_status}`);
  }
}

results.machine.load_average_end = os.loadavg().map((value) => Number(value.toFixed(2)));
results.machine.finished_at = new Date().toISOString();
console.log(`load average at the end ${results.machine.load_average_end.join(' ')}`);
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(results, null, 2)}\n`);
