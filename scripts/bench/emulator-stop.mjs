// (h) How long `clerkguard emulator` takes to stop after SIGTERM (goal: within 200 ms), as a
// person runs it: its own process, one idle keep-alive connection, and in the second case one
// request held in flight by a 5 s latency fault. Alone: `node scripts/bench/emulator-stop.mjs [rounds]`.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

function stopOnce(root, inFlight) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'clerkguard'), 'emulator', '--format', 'env'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let started = false;
    child.on('error', reject);
    child.stdout.on('data', async (chunk) => {
      out += chunk;
      if (started || !out.includes('ready')) return;
      started = true;
      const env = Object.fromEntries([...out.matchAll(/^export ([A-Z_]+)='([^']*)'$/gm)].map((match) => [match[1], match[2]]));
      const headers = { Authorization: `Bearer ${env.CLERK_SECRET_KEY}` };
      await fetch(`${env.CLERK_API_URL}/v1/instance`, { headers });
      if (inFlight) {
        await fetch(`${env.CLERK_API_URL}/__emulator/faults`, { method: 'POST', body: JSON.stringify({ kind: 'latency', ms: 5000, path: '/v1/instance' }) });
        fetch(`${env.CLERK_API_URL}/v1/instance`, { headers }).catch(() => undefined);
        await new Promise((done) => setTimeout(done, 100));
      }
      const signalled = performance.now();
      child.on('exit', (code) => resolve({ code, ms: performance.now() - signalled }));
      child.kill('SIGTERM');
    });
  });
}

/** Median and maximum time from SIGTERM to exit, per case. */
export async function benchEmulatorStop(root, { rounds = 7 } = {}) {
  const results = [];
  for (const inFlight of [false, true]) {
    const times = [];
    for (let round = 0; round < rounds; round++) {
      const { code, ms } = await stopOnce(root, inFlight);
      if (code !== 0) throw new Error(`the emulator exited ${code}`);
      times.push(ms);
    }
    times.sort((a, b) => a - b);
    results.push({ case: inFlight ? 'a request in flight (5 s latency fault)' : 'idle keep-alive connection', median_ms: times[Math.floor(times.length / 2)], max_ms: times[times.length - 1], rounds });
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  for (const row of await benchEmulatorStop(root, { rounds: Number(process.argv[2] ?? 7) })) {
    console.log(`${row.case}: median ${row.median_ms.toFixed(0)} ms, max ${row.max_ms.toFixed(0)} ms over ${row.rounds} stops`);
  }
}
