// SARIF vs text at scale, end to end through the CLI as users run it: `drift` against the
// in-process emulator (each format on stdout; `--out` as context) and `check` of a baseline
// whose every template fails a rule. Each pair runs alternately so both see the same load.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { driftedSettings, failingBaseline, largeBaseline, pretty } from './fixtures.mjs';

const CAP_MS = Number(process.env.BENCH_SARIF_CAP_MS ?? 300_000);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Runs the CLI once (asynchronously: the emulator answers from this process); returns wall ms
 * (the cap when it was killed there), its exit status and stdout size.
 */
export function runCli(root, args, env, cwd) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [path.join(root, 'bin/clerkguard'), ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', CLERKGUARD_TODAY: '2026-11-26', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk) => (bytes += chunk.length));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    let capped = false;
    const timer = setTimeout(() => {
      capped = true;
      child.kill('SIGKILL');
    }, CAP_MS);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ ms: capped ? CAP_MS : performance.now() - start, capped, status, bytes, stderr });
    });
  });
}

/** Runs each variant `runs` times, interleaved; the median per variant. */
async function sideBySide(root, variants, runs) {
  const times = variants.map(() => []);
  const last = [];
  for (let i = 0; i < runs; i++) {
    for (const [index, variant] of variants.entries()) {
      const result = await runCli(root, variant.args, variant.env, variant.cwd);
      if (!result.capped && (result.status === null || result.status === 1)) throw new Error(`${variant.args.join(' ')} failed (${result.status}): ${result.stderr}`);
      times[index].push(result.ms);
      last[index] = result;
    }
  }
  return variants.map((variant, index) => ({ name: variant.name, ms: median(times[index]), capped: last[index].capped, stdout_bytes: last[index].bytes, runs }));
}

export async function benchSarif(root, { sizes = [2000, 4000], runs = 3 } = {}) {
  const { startEmulator } = await import(path.join(root, 'dist/emulator/index.js'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-bench-sarif-'));
  const results = { baseline_bytes: 0, templates: 2000, drift: [], check: undefined };
  try {
    const baseline = largeBaseline(root, results.templates);
    const baselineText = pretty(baseline);
    results.baseline_bytes = Buffer.byteLength(baselineText);
    writeFileSync(path.join(dir, 'production.json'), baselineText);
    for (const changes of sizes) {
      const emulator = await startEmulator({ seed: driftedSettings(baseline, changes), rateLimit: false });
      try {
        const env = emulator.env();
        const [text, sarif, out] = await sideBySide(
          root,
          [
            { name: 'text', args: ['drift', 'production.json'], env, cwd: dir },
            { name: 'sarif', args: ['drift', 'production.json', '--format', 'sarif'], env, cwd: dir },
            { name: 'text + --out', args: ['drift', 'production.json', '--out', 'out'], env, cwd: dir },
          ],
          runs,
        );
        results.drift.push({ changes, text, sarif, out, ratio: sarif.ms / text.ms, out_ratio: out.ms / text.ms });
      } finally {
        await emulator.close();
      }
    }
    const findings = sizes[0];
    writeFileSync(path.join(dir, 'failing.json'), pretty(failingBaseline(root, findings)));
    const [text, sarif] = await sideBySide(
      root,
      [
        { name: 'text', args: ['check', 'failing.json'], env: {}, cwd: dir },
        { name: 'sarif', args: ['check', 'failing.json', '--format', 'sarif'], env: {}, cwd: dir },
      ],
      runs,
    );
    results.check = { findings, text, sarif, ratio: sarif.ms / text.ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

// Standalone: node scripts/bench/sarif.mjs [runs]
if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
  const runs = Number(process.argv[2] ?? 1);
  console.log(JSON.stringify(await benchSarif(root, { runs }), null, 2));
}
