/**
 * The package as users get it: `npm pack`, the tarball installed into an empty folder, then
 * `npx clerkguard …` there against the emulator, which also runs from that install. One pack
 * and one install per run (about 10–20 s of this file's time). Nothing here uses the checkout's
 * code except to start a Slack stand-in and, for the Pulumi export, to lend its @pulumi/pulumi.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackServer, type SlackServer } from '../notify/slack-server';
import { REPO_ROOT } from '../helpers/cli';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let work: string;
let project: string;
let tarball: string;
let packed: string[];
let emulator: ChildProcessWithoutNullStreams | undefined;
let emulatorEnv: Record<string, string> = {};
let slack: SlackServer;

/** A command in the user's project, with a clean environment (no CLERK_* of the developer's). */
function run(command: string, args: readonly string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      {
        cwd: project,
        encoding: 'utf8',
        timeout: timeoutMs,
        maxBuffer: 32 * 1024 * 1024,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', CLERKGUARD_TODAY: '2026-11-26', npm_config_update_notifier: 'false', ...env },
      },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

// `--` keeps npx from taking clerkguard's options (`--version`) as its own.
const npx = (args: readonly string[], env: Record<string, string> = {}) => run('npx', ['--no', '--', 'clerkguard', ...args], env);

/** Every file under `dir` with its size and mtime: to prove a run wrote nothing there. */
function fingerprint(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      const stats = statSync(file);
      return `${path.relative(dir, file)} ${stats.size} ${stats.mtimeMs}`;
    })
    .sort();
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-pack-'));
  project = path.join(work, 'my-app');
  mkdirSync(project);
  // dist/ is built by `npm test` (and `npm ci`); --ignore-scripts keeps `prepare` from rebuilding
  // the checkout while other test files read it.
  const pack = await new Promise<Run>((resolve) =>
    execFile('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? 1 : 0, stdout, stderr }),
    ),
  );
  expect(pack.code, pack.stderr).toBe(0);
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(work, info!.filename);
  packed = info!.files.map((file) => file.path);

  writeFileSync(path.join(project, 'package.json'), `${JSON.stringify({ name: 'my-app', private: true }, null, 2)}\n`);
  // Offline from the npm cache where it can be; the registry is reachable for anything missing.
  const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', tarball]);
  expect(install.code, install.stderr).toBe(0);

  slack = await startSlackServer();
}, 240_000);

afterAll(async () => {
  if (emulator && emulator.exitCode === null) emulator.kill('SIGKILL');
  await slack?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('ships the CLI, its build, the example baselines and the policy pack, and nothing else', () => {
    for (const file of ['package.json', 'README.md', 'bin/clerkguard', 'dist/cli/main.js', 'dist/provider/program.js', 'baselines/production.json', 'baselines/schema.json', 'policy/index.cjs', 'policy/PulumiPolicy.yaml', 'policy/package.json', 'docs/settings.md', 'docs/pulumi.md']) {
      expect(packed, file).toContain(file);
    }
    expect(packed.filter((file) => /^(src|test|scripts|\.ci)\/|node_modules\/|\.map$|tsbuildinfo|^Pulumi\.yaml$|^action\.yml$/.test(file))).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.private).toBeUndefined();
    expect(manifest.bin).toEqual({ clerkguard: 'bin/clerkguard' });
    expect(manifest.peerDependenciesMeta).toEqual({ '@pulumi/pulumi': { optional: true } });
    expect(Object.keys(manifest.dependencies as object)).not.toContain('@pulumi/pulumi');
    // The repository itself still installs the SDK (`npm ci` for the README's Pulumi project).
    expect(Object.keys(manifest.devDependencies as object)).toContain('@pulumi/pulumi');
  });

  it('installs without the Pulumi SDK (an optional peer dependency)', () => {
    expect(existsSync(path.join(project, 'node_modules', 'clerkguard', 'bin', 'clerkguard'))).toBe(true);
    expect(existsSync(path.join(project, 'node_modules', '@pulumi'))).toBe(false);
    expect(existsSync(path.join(project, 'node_modules', '@opentelemetry'))).toBe(false);
  });
});

describe('npx clerkguard in an empty project, against the emulator from the same install', () => {
  it('--version and --help', async () => {
    const version = await npx(['--version']);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    expect((await npx(['--help'])).stdout).toContain('Exit codes:');
  });

  it('without baselines of its own: a clear error that points at the user’s repository, not the package', async () => {
    const check = await npx(['check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toBe(
      'clerkguard: baselines: no such file or directory\n  hint: run clerkguard in the repository that holds your baselines/ folder, or pass baseline files; to start one from your instance, run `clerkguard init --from-live` (or copy an example such as node_modules/clerkguard/baselines/production.json; node_modules/clerkguard/docs/settings.md explains each setting)\n',
    );
  });

  it('init --from-live, check, drift (with Slack and its state) and demo work, and write only into the project', async () => {
    const untouched = fingerprint(path.join(project, 'node_modules', 'clerkguard'));

    // The emulator, from the installed package, pointed at by the env lines it prints. Seeded
    // from the package's example baseline: a hardened instance.
    emulator = spawn('npx', ['--no', 'clerkguard', 'emulator', '--seed', 'node_modules/clerkguard/baselines/production.json', '--format', 'env'], {
      cwd: project,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
    });
    let output = '';
    emulator.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the emulator never said it was ready: ${output}`)), 30_000);
      emulator!.stdout.on('data', () => {
        if (!output.includes('ready')) return;
        clearTimeout(timer);
        resolve();
      });
    });
    emulatorEnv = Object.fromEntries([...output.matchAll(/^export ([A-Z_]+)='([^']*)'$/gm)].map((match) => [match[1]!, match[2]!]));
    expect(Object.keys(emulatorEnv)).toHaveLength(7);

    // The user's baseline, from the instance they have: init --from-live, then check and drift clean.
    const init = await npx(['init', '--from-live'], emulatorEnv);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('wrote baselines/production.json: environment production (production), profile saas, from the live instance');
    expect(init.stdout).toContain('Nothing the instance showed fails the saas checklist.');
    const written = readFileSync(path.join(project, 'baselines', 'production.json'), 'utf8');
    // $schema points at the installed package's schema, which exists.
    expect((JSON.parse(written) as { $schema: string }).$schema).toBe('../node_modules/clerkguard/baselines/schema.json');
    expect(existsSync(path.join(project, 'baselines', '../node_modules/clerkguard/baselines/schema.json'))).toBe(true);
    for (const secret of [emulatorEnv.CLERK_SECRET_KEY!, emulatorEnv.CLERK_PLATFORM_API_KEY!]) expect(written + init.stdout + init.stderr).not.toContain(secret);

    const check = await npx(['check']);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('baselines/production.json');

    const sarif = await npx(['check', '--format', 'sarif']);
    expect((JSON.parse(sarif.stdout) as { version: string }).version).toBe('2.1.0');

    const slackEnv = { SLACK_BOT_TOKEN: 'xoxb-pack-test', SLACK_CHANNEL_ID: 'C0PACK', SLACK_API_URL: slack.apiUrl };
    const drift = await npx(['drift', '--out', 'reports', '--slack'], { ...emulatorEnv, ...slackEnv });
    expect(drift.code, drift.stderr).toBe(0);
    expect(drift.stdout).toContain('no drift in 1 of 1 environment');
    expect(drift.stdout).toMatch(/production \(baseline 1\.0\.0, baselines\/production\.json\): CLEAN — no changes\n {2}coverage: \d+ verified settings \(bapi \d+, fapi \d+, platform 1\), 0 unverified/);
    expect(existsSync(path.join(project, 'reports', 'report.md'))).toBe(true);
    // One alert state file per environment beside --state (.clerkguard/state.json → .clerkguard/state/).
    expect(existsSync(path.join(project, '.clerkguard', 'state', 'production.json'))).toBe(true);
    expect(drift.stderr).toContain('slack: no drift for production, nothing to send');

    const demo = await npx(['demo']);
    expect(demo.code, demo.stderr).toBe(0);
    expect(existsSync(path.join(project, 'clerkguard-demo', 'report.md'))).toBe(true);

    // As the ready line says: `kill PID` of the emulator itself (npx does not pass a SIGTERM it
    // receives on to the command it runs; Ctrl-C and `kill %1` reach the whole process group).
    const pid = Number(/ready \(pid (\d+)\)/.exec(output)?.[1]);
    expect(pid).not.toBe(emulator.pid);
    const stopped = new Promise<number | null>((resolve) => emulator!.on('exit', (code) => resolve(code)));
    process.kill(pid, 'SIGTERM');
    expect(await stopped).toBe(0);

    // Baselines, state and reports are the project's; the installed package is as installed.
    expect(fingerprint(path.join(project, 'node_modules', 'clerkguard'))).toEqual(untouched);
  }, 180_000);

  it('clerkguard/pulumi without the SDK stops with one sentence that says what to install; with it, it is the program', async () => {
    const missing = await run(process.execPath, ['-e', "require('clerkguard/pulumi')"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      'Error: clerkguard: `pulumi up` needs the Pulumi SDK (@pulumi/pulumi), an optional peer dependency of clerkguard that is not installed (hint: run `npm install --save-dev @pulumi/pulumi@~3.248.0` in the project that runs pulumi;',
    );
    expect(missing.stderr).not.toContain("Cannot find module '@pulumi/pulumi'");

    // Lend the checkout's SDK (the same version the package peers on) instead of installing 87 MB more.
    symlinkSync(path.join(REPO_ROOT, 'node_modules', '@pulumi'), path.join(project, 'node_modules', '@pulumi'), 'dir');
    const present = await run(process.execPath, ['-e', "process.stdout.write(typeof require('clerkguard/pulumi'))"]);
    expect(present.stderr).toBe('');
    expect(present.stdout).toBe('function');
  });
});
