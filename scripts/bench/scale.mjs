// Scale: a drift of 50,000 JWT templates through the CLI (wall time and peak RSS of the CLI
// process), and emulator seeding at growing sizes (it must grow linearly).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runCliMeasured } from './measured-cli.mjs';
import { driftedSettings, largeBaseline, pretty } from './fixtures.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Drift of `templates` JWT templates, 4 of them changed. `full`: the baseline declares every
 * template field the export reads; otherwise only claims and lifetime, so the other three
 * fields of every template are unmanaged live settings (150,000 entries in the report).
 */
export async function benchLargeDrift(root, { templates = 50_000, runs = 2, compareWith } = {}) {
  const { startEmulator } = require(path.join(root, 'dist/emulator/index.js'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-bench-scale-'));
  const results = [];
  try {
    for (const full of [true, false]) {
      const baseline = largeBaseline(root, templates, { full });
      const text = pretty(baseline);
      writeFileSync(path.join(dir, 'production.json'), text);
      const emulator = await startEmulator({ seed: driftedSettings(baseline, 4), rateLimit: false });
      try {
        for (const out of [false, true]) {
          const args = ['drift', 'production.json', ...(out ? ['--out', 'out'] : [])];
          const measured = [];
          const before = [];
          for (let i = 0; i < runs; i++) {
            measured.push(await runCliMeasured(root, args, emulator.env(), dir));
            if (compareWith) before.push(await runCliMeasured(compareWith, args, emulator.env(), dir, { allowFailure: true }));
          }
          results.push({
            ...(compareWith
              ? { before_wall_ms: Math.min(...before.map((run) => run.ms)), before_max_rss_mib: Math.max(...before.map((run) => run.max_rss_mib)), before_error: before.find((run) => run.error)?.error }
              : {}),
            templates,
            baseline: full ? 'every template field declared' : 'claims and lifetime only (150,000 unmanaged)',
            baseline_mib: Buffer.byteLength(text) / 1048576,
            command: `clerkguard ${args.join(' ')}`,
            wall_ms: Math.min(...measured.map((run) => run.ms)),
            max_rss_mib: Math.max(...measured.map((run) => run.max_rss_mib)),
            runs,
          });
        }
      } finally {
        await emulator.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/** startEmulator seeded with n templates, n/10 roles and n/10 permissions. */
export async function benchSeeding(root, sizes = [12_500, 25_000, 50_000]) {
  const { startEmulator } = require(path.join(root, 'dist/emulator/index.js'));
  const rows = [];
  for (const n of sizes) {
    const settings = { jwt_templates: {}, organizations: { roles: {}, permissions: {} } };
    for (let i = 0; i < n; i++) settings.jwt_templates[`service-${i}`] = { claims: { aud: `svc-${i}` }, lifetime: 60 };
    for (let i = 0; i < n / 10; i++) {
      settings.organizations.permissions[`org:p${i}:manage`] = { name: `P${i}` };
      settings.organizations.roles[`org:r${i}`] = { name: `R${i}`, permissions: [`org:p${i}:manage`] };
    }
    const start = performance.now();
    const emulator = await startEmulator({ seed: settings, rateLimit: false });
    const ms = performance.now() - start;
    await emulator.close();
    rows.push({ templates: n, roles: n / 10, permissions: n / 10, ms });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(here, '../..');
  console.log(JSON.stringify(await benchSeeding(root), null, 2));
  console.log(JSON.stringify(await benchLargeDrift(root, { runs: 1 }), null, 2));
}
