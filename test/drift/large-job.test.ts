/**
 * A drift job over a baseline larger than LARGE_BASELINE_BYTES takes the large-run path of
 * src/drift/job.ts: full collections between phases and V8's sooner collections during the diff
 * (`collectSooner`, a process-wide V8 flag). That flag must end with the job: a `schedule`
 * process runs later jobs in the same process, and the CLI saves its code cache after the
 * command, which V8 accepts only under the flags it was made with (a cache made under a changed
 * flag was rejected at every next start, so every large drift recompiled the bundle).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Script } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { liveExporter } from '../../src/drift/exporter';
import { runDriftJob } from '../../src/drift/job';
import { startEmulator } from '../../src/emulator/index';
import { LARGE_BASELINE_BYTES } from '../../src/util/memory';
import { productionBaseline } from './fixtures';

const TODAY = '2026-11-26';
const NOW = new Date('2026-11-26T03:00:00Z');
const workDir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-large-job-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const PROBE_SOURCE = 'function answer(value) { return value * 2; }\nanswer(21);\n';

/** Whether a new Node process (started as the CLI starts: no V8 flags) rejects a code cache made by this process now. */
function nextStartRejects(name: string): boolean {
  const cacheFile = path.join(workDir, `${name}.cache`);
  writeFileSync(cacheFile, new Script(PROBE_SOURCE, { filename: 'large-job-probe.js' }).createCachedData());
  const probe = `const { Script } = require('node:vm'); const data = require('node:fs').readFileSync(${JSON.stringify(cacheFile)}); process.stdout.write(String(new Script(${JSON.stringify(PROBE_SOURCE)}, { filename: 'large-job-probe.js', cachedData: data }).cachedDataRejected));`;
  const answer = execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
  expect(['true', 'false']).toContain(answer);
  return answer === 'true';
}

/** The production baseline with enough JWT templates to pass LARGE_BASELINE_BYTES. */
function largeProductionBaseline() {
  return productionBaseline((raw) => {
    const settings = raw.settings as { jwt_templates: Record<string, unknown> };
    for (let i = 0; i < 20_000; i++) {
      settings.jwt_templates[`service-${String(i).padStart(5, '0')}`] = {
        claims: { aud: `svc-${i}`, role: 'member', note: 'a service token for the large-baseline drift job test' },
        lifetime: 60,
      };
    }
  });
}

describe('drift job over a large baseline', () => {
  it('reports the instance, writes its files, and leaves the V8 flags as they were (a code cache made after it is accepted by the next start)', async () => {
    const loaded = largeProductionBaseline();
    expect(loaded.text.length).toBeGreaterThan(LARGE_BASELINE_BYTES);
    // The probe itself works: a cache made before the job is accepted by the next start.
    expect(nextStartRejects('before')).toBe(false);
    const emulator = await startEmulator({ seed: loaded, rateLimit: false });
    try {
      const outDir = path.join(workDir, 'out');
      const result = await runDriftJob({ baselines: [loaded], exporter: liveExporter(emulator.env(), () => NOW, undefined), today: TODAY, now: NOW, outDir });
      expect(result.report.environments.map((environment) => environment.status)).toEqual(['clean']);
      expect(result.exitCode).toBe(0);
      expect(result.files.map((file) => path.basename(file)).sort()).toEqual(['report.json', 'report.md', 'report.sarif', 'report.txt']);
      expect(result.files.every((file) => existsSync(file))).toBe(true);
    } finally {
      await emulator.close();
    }
    expect(nextStartRejects('after')).toBe(false);
  }, 120_000);
});
