#!/usr/bin/env node
// Benchmarks for drift (not a test; run with `npm run bench`, which builds dist/ first).
//
// (a) diff of a large config: clerkguard's normalized path vs raw json-diff on the same data
// (b) a drift run against the emulator with 50 ms latency per request, against the critical-path bound
// (c) Clerk API requests per drift run
//
// Results go to stdout as a table and as JSON (BENCH_JSON=file writes them to a file).
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { diffSettings } = require(path.join(root, 'dist/drift/index.js'));
const { KEYED_ARRAY_PATHS } = require(path.join(root, 'dist/drift/normalize.js'));
const { runDriftJob } = require(path.join(root, 'dist/drift/job.js'));
const { exportLive } = require(path.join(root, 'dist/export/index.js'));
const { startEmulator } = require(path.join(root, 'dist/emulator/index.js'));
const { loadBaselineFile } = require(path.join(root, 'dist/baseline/load.js'));

const RAW_CAP_MS = Number(process.env.BENCH_RAW_CAP_MS ?? 300_000);
const SIZES = { templates: 2000, identifiers: 5000, origins: 500 };

// --- (a) data -----------------------------------------------------------------------------
// Modelled as Clerk's APIs return them: JWT templates and allowlist identifiers are arrays of
// objects with server ids and timestamps; origins an array of strings. The live side has the
// same content in another order plus four real changes. clerkguard normalizes the arrays into
// records keyed by template name / identifier (ids and timestamps dropped) and origins into a
// sorted set; raw json-diff gets the arrays as they are.
function seeded(seed) {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
}
function shuffle(items, random) {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
function largeConfig() {
  const templates = Array.from({ length: SIZES.templates }, (_, i) => ({
    object: 'jwt_template', id: `jtmp_${String(i).padStart(6, '0')}`, name: `service-${i}`,
    claims: { aud: `svc-${i}`, org_id: '{{org.id}}', role: i % 3 === 0 ? 'admin' : 'member', scopes: ['read', 'write'] },
    lifetime: 60, allowed_clock_skew: 5, signing_algorithm: 'RS256', custom_signing_key: false, created_at: 1700000000000 + i, updated_at: 1700000000000 + i,
  }));
  const identifiers = Array.from({ length: SIZES.identifiers }, (_, i) => ({
    object: 'allowlist_identifier', id: `alid_${i}`, identifier: `user${i}@example.com`, identifier_type: 'email_address', created_at: 1700000000000 + i, updated_at: 1700000000000 + i,
  }));
  const origins = Array.from({ length: SIZES.origins }, (_, i) => `https://app-${i}.example.com`);
  const before = { instance: { allowed_origins: origins }, restrictions: { allowlist_identifiers: identifiers }, jwt_templates: templates };
  const random = seeded(42);
  const liveTemplates = shuffle(templates.map((t) => JSON.parse(JSON.stringify(t))), random);
  liveTemplates.find((t) => t.name === 'service-7').lifetime = 3600;
  liveTemplates.find((t) => t.name === 'service-11').claims.email = '{{user.primary_email_address}}';
  const liveIdentifiers = shuffle(identifiers.filter((x) => x.identifier !== 'user99@example.com').map((x) => ({ ...x, updated_at: x.updated_at + 1 })), random);
  const liveOrigins = shuffle([...origins, 'https://evil.example.net'], random);
  const after = { instance: { allowed_origins: liveOrigins }, restrictions: { allowlist_identifiers: liveIdentifiers }, jwt_templates: liveTemplates };
  return { before, after };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function benchNormalized() {
  const { before, after } = largeConfig();
  const options = { keyedArrays: { ...KEYED_ARRAY_PATHS, 'restrictions.allowlist_identifiers': 'identifier' } };
  let changes = [];
  for (let i = 0; i < 2; i++) changes = diffSettings(before, after, options); // warm-up
  const times = [];
  for (let i = 0; i < 9; i++) {
    const start = performance.now();
    changes = diffSettings(before, after, options);
    times.push(performance.now() - start);
  }
  return { ms: median(times), changes: changes.map((c) => `${c.kind} ${c.path} (${c.direction})`) };
}

/** Raw json-diff runs in a child process so that a cap can stop it. */
function benchRaw() {
  return new Promise((resolve) => {
    const child = fork(fileURLToPath(import.meta.url), ['--raw-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ ms: RAW_CAP_MS, capped: true });
    }, RAW_CAP_MS);
    child.on('message', (message) => {
      clearTimeout(timer);
      resolve({ ms: message.ms, capped: false, reportedEntries: message.entries });
      child.kill();
    });
  });
}


// --- (b), (c) drift against the emulator ------------------------------------------------------
const LATENCY_MS = 50;

/** Longest chain of requests that must wait for each other, from what the run requested. */
function criticalChain(requests) {
  const pages = new Map();
  let detail = false;
  for (const request of requests) {
    const offset = Number(request.query?.offset ?? 0);
    const key = `${request.method} ${request.path}`;
    pages.set(key, Math.max(pages.get(key) ?? 0, offset > 0 ? 2 : 1));
    if (/^\/v1\/jwt_templates\/[^/]+$/.test(request.path) || /^\/v1\/organization_roles\/[^/]+$/.test(request.path)) detail = true;
  }
  const longestList = Math.max(...pages.values());
  return longestList + (detail ? 1 : 0);
}

async function benchEmulator(concurrency) {
  const loaded = loadBaselineFile(path.join(root, 'baselines/production.json'));
  const emulator = await startEmulator({ seed: loaded, rateLimit: false });
  try {
    emulator.faults.add({ kind: 'latency', path: '*', ms: LATENCY_MS });
    const env = { ...emulator.env(), ...(concurrency ? { CLERKGUARD_HTTP_CONCURRENCY: String(concurrency) } : {}) };
    const runOnce = async () => {
      emulator.requests.length = 0;
      const start = performance.now();
      const result = await runDriftJob({ baselines: [loaded], exporter: (item) => exportLive(item, { env, now: new Date() }), today: '2026-11-26', now: new Date() });
      const ms = performance.now() - start;
      const requests = emulator.requests.filter((request) => request.api !== 'admin');
      return { ms, status: result.report.status, requests: requests.length, chain: criticalChain(requests) };
    };
    await runOnce(); // warm-up (module loading, connection setup)
    const runs = [];
    for (let i = 0; i < 7; i++) runs.push(await runOnce());
    const chain = Math.max(...runs.map((run) => run.chain));
    const wall = median(runs.map((run) => run.ms));
    return { concurrency: concurrency ?? 'default', latency_ms: LATENCY_MS, wall_ms: wall, chain, bound_ms: chain * LATENCY_MS, ratio: wall / (chain * LATENCY_MS), requests: runs[0].requests, status: runs[0].status };
  } finally {
    await emulator.close();
  }
}

async function main() {
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
  console.log(`(a) diff of ${SIZES.templates} JWT templates, ${SIZES.identifiers} allowlist identifiers, ${SIZES.origins} origins (live side reordered, 4 real changes)`);
  const normalized = await benchNormalized();
  console.log(`    clerkguard normalized diff: ${normalized.ms.toFixed(1)} ms (median of 9), ${normalized.changes.length} changes:`);
  for (const change of normalized.changes) console.log(`      ${change}`);
  console.log(`    raw json-diff on the same arrays (cap ${RAW_CAP_MS / 1000} s)…`);
  const raw = process.env.BENCH_SKIP_RAW ? { ms: NaN, capped: false } : await benchRaw();
  const ratio = raw.ms / normalized.ms;
  console.log(`    raw json-diff: ${raw.capped ? '>' : ''}${(raw.ms / 1000).toFixed(1)} s${raw.capped ? ' (capped: killed at the cap)' : ' (one full run)'}`);
  console.log(`    speed-up: ${raw.capped ? '>' : ''}${Math.round(ratio)}x  (goal >= 100x and < 100 ms: ${ratio >= 100 && normalized.ms < 100 ? 'met' : 'NOT met'})`);

  console.log(`(b) drift run against the emulator, ${LATENCY_MS} ms latency per request`);
  const emulatedRuns = [];
  // The Clerk client caps requests in flight (CLERKGUARD_HTTP_CONCURRENCY, default 4): measure the
  // default and a cap that lets every independent request of a run go at once.
  for (const concurrency of [undefined, 16]) {
    const emulated = await benchEmulator(concurrency);
    emulatedRuns.push(emulated);
    console.log(`    concurrency ${concurrency ?? 'default (10)'}: wall time ${emulated.wall_ms.toFixed(0)} ms (median of 7), longest dependent chain ${emulated.chain} request(s) -> bound ${emulated.bound_ms} ms, ratio ${emulated.ratio.toFixed(2)}x (goal <= 1.5x: ${emulated.ratio <= 1.5 ? 'met' : 'NOT met'})`);
  }
  console.log(`(c) ${emulatedRuns[0].requests} Clerk API requests per drift run (one environment)`);

  const results = { node: process.version, sizes: SIZES, normalized_ms: normalized.ms, raw_ms: raw.ms, raw_capped: raw.capped, speedup: ratio, emulator: emulatedRuns };
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(results, null, 2)}\n`);
  if (!process.env.BENCH_SKIP_SCAN) await (await import('./bench-scan.mjs')).benchScan();
}

// Dispatch last: main() needs every declaration above.
if (process.argv.includes('--raw-child')) {
  const { diff } = require(path.join(root, 'node_modules/json-diff'));
  const { before, after } = largeConfig();
  const start = performance.now();
  const result = diff(before, after);
  const ms = performance.now() - start;
  const entries = JSON.stringify(result ?? {}).length;
  process.send({ ms, entries });
} else {
  await main();
}
