// (b) A drift run against the emulator (in another process) with a fixed latency on every request,
// against the critical-path bound of the requests the run made; (c) requests per run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { largeBaseline, pretty } from './fixtures.mjs';

const require = createRequire(import.meta.url);
export const LATENCY_MS = 50;

/** A list page or a detail read that needs an earlier answer: at which step it can start at the earliest. */
function stepOf(request, multiPage) {
  const detail = /^\/v1\/(jwt_templates|organization_roles|organization_permissions)\/[^/]+$/.exec(request.path);
  if (detail) return multiPage.has(`${request.method} /v1/${detail[1]}`) ? 3 : 2;
  return Number(request.query?.offset ?? 0) > 0 ? 2 : 1;
}

/**
 * The least number of latency-long rounds the requests of a run need, whatever the client does:
 * a list's first page comes first (it tells total_count), its other pages can all follow at
 * once, a detail read follows the list page that named it; and at most `concurrency` requests
 * are in flight. Rounds ≥ (s − 1) + ⌈requests that cannot start before step s / concurrency⌉
 * for every step s. Holds for any number of pages and lists (the previous bound counted at most
 * two steps per list whatever the cap).
 */
export function roundsBound(requests, concurrency) {
  const multiPage = new Set(requests.filter((request) => Number(request.query?.offset ?? 0) > 0).map((request) => `${request.method} ${request.path}`));
  const steps = requests.map((request) => stepOf(request, multiPage));
  const deepest = Math.max(1, ...steps);
  let rounds = 0;
  for (let step = 1; step <= deepest; step++) {
    const later = steps.filter((s) => s >= step).length;
    rounds = Math.max(rounds, step - 1 + Math.ceil(later / concurrency));
  }
  const listPages = requests.filter((request) => /^\/v1\/(jwt_templates|organization_roles|organization_permissions)$/.test(request.path)).length;
  return { rounds, steps: deepest, pages: listPages };
}

/**
 * The floor the emulator allows: the run's own requests sent again by a client that does nothing
 * with the answers (read and dropped), in the bound's order: every first request at once, a
 * list's later pages when its first page is back, detail reads after the lists, at most
 * `concurrency` in flight. What this takes beyond the bound is the emulator's and the transport's
 * (not clerkguard's), so a reader can tell how much of the ratio is left to clerkguard.
 */
async function replayFloor(requests, instance, concurrency, agent) {
  const target = (request) =>
    request.api === 'fapi'
      ? { base: instance.CLERK_FRONTEND_API_URL, bearer: undefined }
      : request.api === 'platform'
        ? { base: instance.CLERK_PLATFORM_API_URL, bearer: instance.CLERK_PLATFORM_API_KEY }
        : { base: instance.CLERK_API_URL, bearer: instance.CLERK_SECRET_KEY };
  const send = (request) =>
    new Promise((resolve, reject) => {
      const { base, bearer } = target(request);
      const url = new URL(request.path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`);
      for (const [key, value] of Object.entries(request.query ?? {})) for (const item of [value].flat()) url.searchParams.append(key, String(item));
      const sent = http.get(url, { agent, headers: bearer ? { Authorization: `Bearer ${bearer}` } : {} }, (response) => {
        response.resume();
        response.on('end', resolve);
      });
      sent.on('error', reject);
    });
  const listOf = (request) => `${request.method} ${request.path}`;
  const laterPages = new Map();
  const first = [];
  const details = [];
  for (const request of requests) {
    if (Number(request.query?.offset ?? 0) > 0) laterPages.set(listOf(request), [...(laterPages.get(listOf(request)) ?? []), request]);
    else if (/^\/v1\/(jwt_templates|organization_roles|organization_permissions)\/[^/]+$/.test(request.path)) details.push(request);
    else first.push(request);
  }
  const queue = [...first];
  let inFlight = 0;
  let listsOpen = first.filter((request) => laterPages.has(listOf(request))).length;
  const start = performance.now();
  await new Promise((resolve, reject) => {
    const pump = () => {
      if (queue.length === 0 && inFlight === 0) return resolve();
      while (inFlight < concurrency && queue.length > 0) {
        const request = queue.shift();
        inFlight++;
        send(request).then(() => {
          inFlight--;
          const pages = Number(request.query?.offset ?? 0) === 0 ? laterPages.get(listOf(request)) : undefined;
          if (pages) {
            laterPages.delete(listOf(request));
            queue.push(...pages);
            if (--listsOpen === 0) queue.push(...details);
          }
          pump();
        }, reject);
      }
    };
    if (listsOpen === 0) queue.push(...details);
    pump();
  });
  return performance.now() - start;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Drift runs of one baseline against an emulator seeded with its own settings (no drift). The
 * emulator runs in another process (fleet-host.mjs): what is measured is clerkguard's time, with
 * Clerk's side answering from elsewhere as it does in real life. `compareWith`: a built checkout
 * of earlier code, run in the same rounds against the same emulator (`before`).
 */
export async function benchEmulated(root, { templates = 0, runs = 7, compareWith } = {}) {
  const build = (dir) => ({
    runDriftJob: require(path.join(dir, 'dist/drift/job.js')).runDriftJob,
    exportLive: require(path.join(dir, 'dist/export/index.js')).exportLive,
  });
  const builds = [build(root), ...(compareWith ? [build(compareWith)] : [])];
  const { loadBaselineFile, parseBaseline } = require(path.join(root, 'dist/baseline/load.js'));
  const { DEFAULT_RETRY_POLICY } = require(path.join(root, 'dist/clerk/connection.js'));
  const { startHost } = await import('./fleet.mjs');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-bench-emulated-'));
  const seedFile = templates === 0 ? path.join(root, 'baselines/production.json') : path.join(dir, 'production.json');
  if (templates > 0) writeFileSync(seedFile, pretty(largeBaseline(root, templates, { full: true })));
  const loaded = templates === 0 ? loadBaselineFile(seedFile) : parseBaseline(readFileSync(seedFile, 'utf8'), 'production.json');
  const concurrency = Number(process.env.CLERKGUARD_HTTP_CONCURRENCY || DEFAULT_RETRY_POLICY.concurrency);
  // The instance's own servers, not the fleet's front server: one origin either way, and the
  // front's copying of every answer (this process's one thread, in series) is not Clerk's latency.
  const host = await startHost(root, { instances: 1, latencyMs: LATENCY_MS, environmentType: null, seedFile, rateLimit: false, direct: true });
  // Kept-alive connections across the floor's replays, as clerkguard's client keeps its own.
  const floorAgent = new http.Agent({ keepAlive: true });
  try {
    const instance = host.instances[0];
    const env = { CLERK_SECRET_KEY: instance.CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY: instance.CLERK_PUBLISHABLE_KEY, CLERK_API_URL: instance.CLERK_API_URL, CLERK_FRONTEND_API_URL: instance.CLERK_FRONTEND_API_URL, CLERK_PLATFORM_API_URL: instance.CLERK_PLATFORM_API_URL, CLERK_PLATFORM_API_KEY: instance.CLERK_PLATFORM_API_KEY, CLERK_APPLICATION_ID: instance.CLERK_APPLICATION_ID };
    const runOnce = async ({ runDriftJob, exportLive }) => {
      await host.ask('reset');
      const cpu = process.cpuUsage();
      const start = performance.now();
      // As the CLI's exporter (src/drift/exporter.ts) does: the drift hears the templates as they are read.
      const exporter = (item, listener) => exportLive(item, { env, now: new Date(), ...listener });
      const result = await runDriftJob({ baselines: [loaded], exporter, today: '2026-11-26', now: new Date() });
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu);
      const { requests } = await host.ask('requests');
      return { ms, cpu_ms: (used.user + used.system) / 1000, status: result.report.status, requests, bound: roundsBound(requests, concurrency) };
    };
    // Round-robin: each round runs every build once, the first build alternating, so they share the load.
    const floors = [];
    const rounds = async ({ floor = false } = {}) => {
      const measured = builds.map(() => []);
      for (let i = 0; i < runs; i++) {
        const order = i % 2 === 0 ? builds.map((_, index) => index) : builds.map((_, index) => index).reverse();
        for (const index of order) measured[index].push(await runOnce(builds[index]));
        if (floor) floors.push(await replayFloor(measured[0].at(-1).requests, instance, concurrency, floorAgent));
      }
      return measured;
    };
    for (const one of builds) await runOnce(one); // warm-up (module loading, connection setup)
    const loadedRuns = await rounds({ floor: true });
    // The same runs without the latency: what the run costs besides waiting (clerkguard's CPU, loopback).
    await host.ask('latency-off');
    const unloadedRuns = await rounds();
    const summary = (measured, unloaded) => {
      const bound = measured.reduce((worst, run) => (run.bound.rounds > worst.rounds ? run.bound : worst), measured[0].bound);
      const wall = median(measured.map((run) => run.ms));
      return {
        wall_ms: wall,
        cpu_ms: median(measured.map((run) => run.cpu_ms)),
        zero_latency_ms: median(unloaded.map((run) => run.ms)),
        zero_latency_cpu_ms: median(unloaded.map((run) => run.cpu_ms)),
        rounds: bound.rounds,
        steps: bound.steps,
        bound_ms: bound.rounds * LATENCY_MS,
        ratio: wall / (bound.rounds * LATENCY_MS),
        // The least of the replays: it runs in this process right after a drift, whose garbage a
        // collection may take inside it; the least is the floor's own time, never flattering.
        floor_ms: Math.min(...floors),
        floor_ratio: Math.min(...floors) / (bound.rounds * LATENCY_MS),
        requests: measured[0].requests.length,
        list_pages: bound.pages,
        status: [...new Set([...measured, ...unloaded].map((run) => run.status))].join('/'),
      };
    };
    const now = summary(loadedRuns[0], unloadedRuns[0]);
    const before = compareWith ? summary(loadedRuns[1], unloadedRuns[1]) : undefined;
    return {
      templates: Object.keys(loaded.baseline.settings.jwt_templates ?? {}).length,
      concurrency,
      latency_ms: LATENCY_MS,
      ...now,
      ...(before ? { before: { wall_ms: before.wall_ms, cpu_ms: before.cpu_ms, zero_latency_ms: before.zero_latency_ms, zero_latency_cpu_ms: before.zero_latency_cpu_ms, ratio: before.ratio, bound_ms: before.bound_ms, status: before.status } } : {}),
    };
  } finally {
    floorAgent.destroy();
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
  // node scripts/bench/emulated.mjs 2000,50000 [runs] (BENCH_COMPARE_WITH=DIR: an earlier build, round-robin)
  const compareWith = process.env.BENCH_COMPARE_WITH ? path.resolve(process.env.BENCH_COMPARE_WITH) : undefined;
  for (const templates of (process.argv[2] ?? '0').split(',').map(Number)) console.log(JSON.stringify(await benchEmulated(root, { templates, runs: Number(process.argv[3] ?? 7), compareWith })));
}
