/**
 * `clerkguard drift` over a baseline larger than LARGE_BASELINE_BYTES takes the large-run path of
 * src/drift/job.ts: a full collection of what loading left (`--expose-gc` for a moment) and V8's
 * sooner collections from the first request to the end of the job (`collectSooner`, a
 * process-wide V8 flag). Those flags must end
 * with the job: the CLI saves its code cache after the command, and V8 accepts a cache only under
 * the flags it was made with. While they stayed on, every large drift saved a cache the next
 * start rejected and wrote again (and a `schedule` process kept the policy for later jobs).
 *
 * Run through the CLI as users run it, in processes of their own: V8 flags are process-wide, and
 * other test files of a vitest worker (isolate: false) set some (Pulumi's closure serializer does).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index';
import { LARGE_BASELINE_BYTES } from '../../src/util/memory';
import { productionBaseline } from './fixtures';
import { BIN, PINNED_TODAY } from '../helpers/cli';

const workDir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-large-job-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

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

/** The CLI as a process of its own (asynchronously: the emulator answers from this process). */
function clerkguard(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: workDir, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', CLERKGUARD_TODAY: PINNED_TODAY, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The code cache files and their identity (a rewrite renames a new file into place: a new inode). */
function cacheFiles(folder: string): Record<string, string> {
  return Object.fromEntries(readdirSync(folder).filter((name) => name.endsWith('.bin')).map((name) => {
    const stat = statSync(path.join(folder, name), { bigint: true });
    return [name, `${stat.ino}-${stat.mtimeNs}`];
  }));
}

describe('drift over a large baseline', () => {
  it('reports the instance clean, writes its files, and saves a code cache the next start accepts (the V8 flags ended with the job)', async () => {
    const loaded = largeProductionBaseline();
    expect(loaded.text.length).toBeGreaterThan(LARGE_BASELINE_BYTES);
    writeFileSync(path.join(workDir, 'production.json'), loaded.text);
    const cacheFolder = path.join(workDir, 'cache');
    const emulator = await startEmulator({ seed: loaded, rateLimit: false });
    try {
      const env = { ...emulator.env(), CLERKGUARD_COMPILE_CACHE: cacheFolder } as Record<string, string>;
      const first = await clerkguard(['drift', 'production.json', '--out', 'out'], env);
      expect([first.code, first.stderr]).toEqual([0, 'wrote out/report.md, out/report.json, out/report.sarif, out/report.txt\n']);
      expect(first.stdout).toContain('no drift in 1 of 1 environment');
      expect(readdirSync(path.join(workDir, 'out')).sort()).toEqual(['report.json', 'report.md', 'report.sarif', 'report.txt']);
      const saved = cacheFiles(cacheFolder);
      expect(Object.keys(saved)).toHaveLength(1);

      const second = await clerkguard(['drift', 'production.json'], env);
      expect([second.code, second.stderr]).toEqual([0, '']);
      // Accepted, so not written again.
      expect(cacheFiles(cacheFolder)).toEqual(saved);
    } finally {
      await emulator.close();
    }
  }, 120_000);
});
