// One CLI run in its own process with report-rss.cjs preloaded: wall time, exit status, peak RSS
// and CPU time of the CLI alone (the emulator answers from another process or this one), and on
// Linux the main thread's part of it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Exit 1 (could not complete) rejects unless `allowFailure`, then the result names the error line. */
export function runCliMeasured(root, args, env, cwd, { allowFailure = false } = {}) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    // BENCH_NODE_ARGS: extra node flags for the CLI process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p" to profile it.
    const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
    const child = spawn(process.execPath, [...nodeArgs, '-r', path.join(here, 'report-rss.cjs'), path.join(root, 'bin/clerkguard'), ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', CLERKGUARD_TODAY: '2026-11-26', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      const ms = performance.now() - start;
      const usage = /clerkguard-bench-maxrss-kb=(\d+) cpu-us=(\d+)(?: main-cpu-us=(\d+))?/.exec(stderr);
      if ((status === 1 && !allowFailure) || !usage) reject(new Error(`clerkguard ${args.join(' ')} failed (${status}): ${stderr.slice(-3000)}`));
      else
        resolve({
          ms,
          status,
          max_rss_mib: Number(usage[1]) / 1024,
          cpu_ms: Number(usage[2]) / 1000,
          // Linux only: the main thread's share of cpu_ms (the rest: V8's compiler and GC helper threads, libuv's pool).
          ...(usage[3] === undefined ? {} : { main_thread_cpu_ms: Number(usage[3]) / 1000 }),
          ...(status === 1 ? { error: stderr.split('\n').find((line) => line.startsWith('clerkguard:')) } : {}),
        });
    });
  });
}
