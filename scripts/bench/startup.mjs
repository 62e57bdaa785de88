// CLI start-up: each command against bare `node -e 0`, spawned alternately (round-robin) so
// every variant sees the same machine load; medians of wall time per spawn.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export const STARTUP_COMMANDS = [['--help'], ['rules'], ['check', 'baselines/production.json']];

/** `compareWith`: another built checkout (e.g. main before a change), measured in the same rounds. */
export function benchStartup(root, { runs = 21, commands = STARTUP_COMMANDS, bin = path.join(root, 'bin/clerkguard'), compareWith } = {}) {
  const variants = [{ name: 'node -e 0', args: ['-e', '0'] }, ...commands.map((command) => ({ name: `clerkguard ${command.join(' ')}`, args: [bin, ...command] }))];
  // The earlier build runs in its own checkout: `check baselines/production.json` then checks the
  // example baseline of its own version (the baseline's keys change between versions).
  // Its own code cache folder: builds before 2026-11-30 deleted every other build's cache in a shared one.
  const beforeCache = compareWith && mkdtempSync(path.join(os.tmpdir(), 'clerkguard-bench-before-cache-'));
  if (compareWith) variants.push(...commands.map((command) => ({ name: `before: clerkguard ${command.join(' ')}`, args: [path.join(compareWith, 'bin/clerkguard'), ...command], cwd: compareWith, env: { CLERKGUARD_COMPILE_CACHE: beforeCache } })));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', CLERKGUARD_TODAY: '2026-11-26' };
  const times = variants.map(() => []);
  for (let i = 0; i < runs + 2; i++) {
    variants.forEach((variant, index) => {
      const start = performance.now();
      const result = spawnSync(process.execPath, variant.args, { cwd: variant.cwd ?? root, env: { ...env, ...variant.env }, stdio: ['ignore', 'ignore', 'pipe'] });
      const ms = performance.now() - start;
      if (result.status !== 0) throw new Error(`${variant.name} exited ${result.status}: ${result.stderr}`);
      if (i >= 2) times[index].push(ms); // two warm-up rounds (file cache)
    });
  }
  const bare = median(times[0]);
  return variants.map((variant, index) => ({ command: variant.name, ms: median(times[index]), ratio: median(times[index]) / bare }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
  for (const row of benchStartup(root, { runs: Number(process.argv[2] ?? 21) })) console.log(`${row.command.padEnd(46)} ${row.ms.toFixed(1).padStart(7)} ms  ${row.ratio.toFixed(2)}x`);
}
