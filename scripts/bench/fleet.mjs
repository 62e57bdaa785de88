// Fleet: `clerkguard drift` over many environments, each its own emulated Clerk instance, with a
// latency on every request; and many environments sharing one development instance, whose rate
// limit (100 requests per 10 s) is then the bound. Through the CLI as users run it; the emulated
// instances live in another process (fleet-host.mjs), so CPU and memory are clerkguard's alone.
//
// Reported: wall time against the bound implied by latency, the in-flight caps and the rate
// limits; CPU per environment; the peak of requests in flight (as the servers saw them); 429s.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runCliMeasured } from './measured-cli.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLIENT_CAP = 10; // DEFAULT_RETRY_POLICY.concurrency
const GLOBAL_CAP = 64; // DEFAULT_GLOBAL_CONCURRENCY
const DEVELOPMENT_LIMIT = { requests: 100, windowMs: 10_000 }; // Clerk docs, "Rate limits"

/** The emulated instances, in a child process; `ask` sends a command and resolves with its JSON answer. */
export async function startHost(root, spec) {
  const child = spawn(process.execPath, [path.join(here, 'fleet-host.mjs'), root, JSON.stringify(spec)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const next = () => new Promise((resolve) => lines.once('line', (line) => resolve(JSON.parse(line))));
  const ready = await next();
  return {
    instances: ready.instances,
    ask: async (command) => {
      const answer = next();
      child.stdin.write(`${command}\n`);
      return answer;
    },
    close: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.stdin.write('close\n');
      }),
  };
}

/** One baseline per environment, each bound to the instance `instanceOf(index)` by its own env var names. */
function writeFleet(root, dir, host, environments, instanceOf) {
  const template = JSON.parse(readFileSync(path.join(root, 'baselines/production.json'), 'utf8'));
  const env = {};
  for (let index = 0; index < environments; index++) {
    const instance = host.instances[instanceOf(index)];
    const name = `app-${String(index).padStart(3, '0')}`;
    const suffix = name.toUpperCase().replace(/-/g, '_');
    const baseline = JSON.parse(JSON.stringify(template));
    baseline.environment = name;
    baseline.target = {
      environment_type: 'development',
      secret_key_env: `CLERK_SECRET_KEY_${suffix}`,
      publishable_key_env: `CLERK_PUBLISHABLE_KEY_${suffix}`,
      platform_api_key_env: `CLERK_PLATFORM_API_KEY_${suffix}`,
      api_url: instance.CLERK_API_URL,
      frontend_api_url: instance.CLERK_FRONTEND_API_URL,
      platform_api_url: instance.CLERK_PLATFORM_API_URL,
      application_id: instance.CLERK_APPLICATION_ID,
    };
    baseline.settings.instance = { ...baseline.settings.instance, environment_type: 'development' };
    // A development instance's keys are sk_test_/pk_test_: a baseline that expects live keys
    // reports that (correctly) as critical drift, which made every fleet run exit 2.
    baseline.settings.keys = { ...baseline.settings.keys, expected_environment: 'test' };
    writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(baseline, null, 2)}\n`);
    env[`CLERK_SECRET_KEY_${suffix}`] = instance.CLERK_SECRET_KEY;
    env[`CLERK_PUBLISHABLE_KEY_${suffix}`] = instance.CLERK_PUBLISHABLE_KEY;
    env[`CLERK_PLATFORM_API_KEY_${suffix}`] = instance.CLERK_PLATFORM_API_KEY;
  }
  return env;
}

/**
 * The least time any client could take: latency rounds (a run's requests through the per-client
 * and the global in-flight cap), and for an instance asked more than its limit, one whole window
 * of Clerk's per full limit's worth of requests before the last ones can go.
 */
function boundFor({ totalRequests, perEnvironment, perInstance, latencyMs }) {
  const latencyRounds = Math.max(Math.ceil(perEnvironment / CLIENT_CAP), Math.ceil(totalRequests / GLOBAL_CAP));
  const rateMs = Math.max(0, ...perInstance.map((requests) => (Math.ceil(requests / DEVELOPMENT_LIMIT.requests) - 1) * DEVELOPMENT_LIMIT.windowMs + latencyMs));
  return { latency_rounds: latencyRounds, latency_bound_ms: latencyRounds * latencyMs, rate_bound_ms: rateMs, bound_ms: Math.max(latencyRounds * latencyMs, rateMs) };
}

/**
 * `instances` emulated development instances and `environments` baselines; environment i uses
 * instance i % instances (so environments > instances share instances and their budgets).
 */
export async function benchFleet(root, { instances = 100, environments = instances, latencyMs = 50, runs = 3, compareWith } = {}) {
  const host = await startHost(root, { instances, latencyMs, environmentType: 'development', seedFile: path.join(root, 'baselines/production.json'), rateLimit: DEVELOPMENT_LIMIT });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-bench-fleet-'));
  const beforeCache = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-bench-before-cache-'));
  try {
    const env = writeFleet(root, dir, host, environments, (index) => index % instances);
    const measured = [];
    const before = [];
    for (let i = 0; i < runs + 1; i++) {
      const { hostCpuMs: hostCpuBefore } = await host.ask('reset');
      // A run that follows another within Clerk's window would find the shared budgets spent by
      // the last one (a fresh process knows nothing of it): wait out the window between runs.
      if (i > 0 && environments > instances) await new Promise((resolve) => setTimeout(resolve, DEVELOPMENT_LIMIT.windowMs + 1000));
      const run = await runCliMeasured(root, ['drift', '.', '--format', 'json'], env, dir);
      const stats = await host.ask('stats');
      stats.hostCpuMs -= hostCpuBefore;
      if (i > 0) measured.push({ ...run, ...stats }); // the first run writes the code cache
      // The earlier build, in the same rounds (its own code cache folder: builds before 2026-11-30
      // deleted every other build's cache in a shared one).
      if (compareWith) {
        await host.ask('reset');
        const earlier = await runCliMeasured(compareWith, ['drift', '.', '--format', 'json'], { ...env, CLERKGUARD_COMPILE_CACHE: beforeCache }, dir);
        if (i > 0) before.push(earlier);
      }
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const middle = measured.find((run) => run.ms === median(measured.map((item) => item.ms)));
    const perInstance = middle.perInstanceBapi;
    const bound = boundFor({ totalRequests: middle.requests, perEnvironment: Math.ceil(middle.requests / environments), perInstance, latencyMs });
    return {
      instances,
      environments,
      latency_ms: latencyMs,
      runs,
      wall_ms: middle.ms,
      ...bound,
      ratio: middle.ms / bound.bound_ms,
      cpu_ms: middle.cpu_ms,
      cpu_per_environment_ms: middle.cpu_ms / environments,
      // Linux: the same split into the main thread (clerkguard's JavaScript, node:http, GC pauses)
      // and the helper threads (V8's optimizing compiler and parallel GC, libuv's pool).
      ...(middle.main_thread_cpu_ms === undefined
        ? {}
        : { main_thread_cpu_per_environment_ms: middle.main_thread_cpu_ms / environments, helper_threads_cpu_per_environment_ms: (middle.cpu_ms - middle.main_thread_cpu_ms) / environments }),
      emulator_cpu_ms: middle.hostCpuMs,
      max_rss_mib: middle.max_rss_mib,
      requests: middle.requests,
      peak_in_flight: Math.max(...measured.map((run) => run.peakInFlight)),
      // Connections clerkguard opened in the median run (kept-alive sockets are reused across
      // environments on the shared API origin; each instance's Frontend API is its own host).
      connections: middle.connections,
      rate_limited: measured.reduce((sum, run) => sum + run.rateLimited, 0),
      exit_status: [...new Set(measured.map((run) => run.status))].join('/'),
      ...(compareWith
        ? {
            before_cpu_per_environment_ms: median(before.map((run) => run.cpu_ms)) / environments,
            before_wall_ms: median(before.map((run) => run.ms)),
            before_exit_status: [...new Set(before.map((run) => run.status))].join('/'),
          }
        : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(beforeCache, { recursive: true, force: true });
    await host.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(here, '../..');
  const [instances = '100', environments = instances, runs = '3', compareWith] = process.argv.slice(2);
  console.log(JSON.stringify(await benchFleet(root, { instances: Number(instances), environments: Number(environments), runs: Number(runs), ...(compareWith ? { compareWith: path.resolve(compareWith) } : {}) })));
}
