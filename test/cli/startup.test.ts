/**
 * How bin/clerkguard starts: the bundled CLI (dist/cli/clerkguard.js, built by `npm run build`)
 * with a V8 code cache in a folder of the user's (bin/load-cli.js). Timings are in
 * `npm run bench`; these tests check that the fast path gives the same answers as the plain one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PINNED_TODAY, REPO_ROOT, fixtureDir, runCli, type CliResult } from '../helpers/cli';

/**
 * The CLI as plain tsc output (dist/cli/main.js), without bundle or code cache: the reference.
 * All of a table's command lines run in one process, one after the other, each through `main`
 * with the process's own streams, whose writes are captured per command line: one start of the
 * unbundled CLI (its ~230 modules, compiled without a cache) instead of one per case.
 */
function runUnbundled(argvs: readonly string[][]): CliResult[] {
  const script = `const { main } = require('./dist/cli/main.js');
    const streams = [process.stdout, process.stderr];
    const writes = streams.map((stream) => stream.write);
    (async () => {
      const results = [];
      for (const argv of JSON.parse(process.argv[1])) {
        const captured = ['', ''];
        streams.forEach((stream, index) => {
          stream.write = (chunk, encoding, callback) => {
            captured[index] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
            const done = typeof encoding === 'function' ? encoding : callback;
            if (typeof done === 'function') process.nextTick(done);
            return true;
          };
        });
        const status = await main(argv);
        streams.forEach((stream, index) => (stream.write = writes[index]));
        results.push({ status, stdout: captured[0], stderr: captured[1] });
      }
      process.stdout.write(JSON.stringify(results));
    })();`;
  const result = spawnSync(process.execPath, ['-e', script, JSON.stringify(argvs)], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', CLERKGUARD_TODAY: PINNED_TODAY },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(result.stderr, 'the reference runs').toBe('');
  expect(result.status, 'the reference runs').toBe(0);
  const results = JSON.parse(result.stdout) as CliResult[];
  expect(results).toHaveLength(argvs.length);
  return results;
}

/** The references of a table's command lines, computed once (before its first case) for all of them. */
function referencesFor(argvs: readonly string[][]): (argv: readonly string[]) => CliResult {
  let references: Map<string, CliResult> | undefined;
  beforeAll(() => {
    const results = runUnbundled(argvs);
    references = new Map(argvs.map((argv, index) => [JSON.stringify(argv), results[index]!]));
  });
  return (argv) => {
    const reference = references?.get(JSON.stringify(argv));
    if (!reference) throw new Error(`no reference run for ${JSON.stringify(argv)}`);
    return reference;
  };
}

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'clerkguard-cache-test-'));
}

describe('CLI start-up', () => {
  it('is built as one bundle next to the tsc output, without the large dependencies few commands load', () => {
    const bundle = path.join(REPO_ROOT, 'dist/cli/clerkguard.js');
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(path.join(REPO_ROOT, 'dist/cli/main.js'))).toBe(true);
    // ~2 MB with zod and commander; typescript or the Clerk SDK inside would make it several times larger.
    expect(statSync(bundle).size).toBeLessThan(3 * 1024 * 1024);
    // check's own bundle leaves out what other commands load in their actions.
    expect(statSync(path.join(REPO_ROOT, 'dist/cli/clerkguard-check.js')).size).toBeLessThan(statSync(bundle).size * 0.8);
  });

  it('builds only the command a command line names, with the same help as among all commands', () => {
    const script = `const { buildProgram } = require('./dist/cli/main.js');
      const context = { io: { stdout() {}, stderr() {}, cwd: process.cwd(), env: {}, color: false, columns: 100 }, today: () => '2026-11-26', now: () => new Date(), setExitCode() {} };
      const all = buildProgram(context);
      const rows = all.commands.map((command) => {
        const alone = buildProgram(context, command.name());
        const same = alone.commands.find((other) => other.name() === command.name());
        return { name: command.name(), built: alone.commands.length, same: same.helpInformation() === command.helpInformation() };
      });
      process.stdout.write(JSON.stringify({ rows, unknown: buildProgram(context, 'nonsense').commands.length, total: all.commands.length }));`;
    const result = spawnSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const { rows, unknown, total } = JSON.parse(result.stdout) as { rows: { name: string; built: number; same: boolean }[]; unknown: number; total: number };
    expect(rows.length).toBeGreaterThanOrEqual(13);
    expect(unknown).toBe(total);
    for (const row of rows) expect(row).toEqual({ name: row.name, built: ['schema', 'rules'].includes(row.name) ? 2 : 1, same: true });
  });

  describe('check through its own bundle answers byte for byte as the tsc output', () => {
    // The tsc output (one file per module, no bundle, no code cache) is the reference: the shipped
    // baselines and invalid ones (a syntax error, a wrong type, an unknown key, an ignore of a whole
    // group, a missing file), every format, with and without --verbose.
    const invalid = fixtureDir({
      'syntax.json': '{\n  "schema_version": 1,\n  "version": "1"\n  "environment": "x"\n}\n',
      'types.json': { schema_version: 1, version: '1', environment: 'prod', profile: 'saas', target: { environment_type: 'production' }, settings: { session: { maximum_lifetime_minutes: 'yes' }, keys: { expected_environmnet: 'live' } } },
      'ignore.json': { schema_version: 1, version: '1', environment: 'prod', profile: 'banking', target: { environment_type: 'production' }, settings: { session: { maximum_lifetime_minutes: 60 } }, ignore: [{ path: 'settings.session', reason: 'r', owner: 'o', expires: '2027-01-01' }] },
    });
    const cases: string[][] = [['baselines/production.json'], ['baselines/staging.json'], [], ...['syntax.json', 'types.json', 'ignore.json', 'missing.json'].map((name) => [path.join(invalid, name), 'baselines/production.json'])];
    const formats = [['--format', 'text'], ['--format', 'text', '--verbose'], ['--format', 'json'], ['--format', 'markdown'], ['--format', 'sarif']];
    const table = cases.flatMap((files) => formats.map((format) => [...files, ...format]));
    const referenceOf = referencesFor(table.map((args) => ['check', ...args]));
    it.each(table.map((args) => [args]))('check %j', (args) => {
      const argv = ['check', ...args];
      const reference = referenceOf(argv);
      const cache = path.join(tempDir(), 'compile');
      const first = runCli(argv, { env: { CLERKGUARD_COMPILE_CACHE: cache } });
      const cached = runCli(argv, { env: { CLERKGUARD_COMPILE_CACHE: cache } });
      expect(readdirSync(cache)).toEqual([expect.stringMatching(/-check\.bin$/)]);
      for (const result of [first, cached]) expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: reference.status, stdout: reference.stdout, stderr: reference.stderr });
      expect(reference.stdout.length).toBeGreaterThan(0);
    });
  });

  describe('rules and the bare overview through their own bundles answer byte for byte as the tsc output', () => {
    const cases: string[][] = [[], ['--help'], ['-h'], ['help'], ['help', 'check'], ['rules'], ['rules', '--format', 'json'], ['rules', '--format', 'markdown'], ['rules', 'jwt-short-lifetime'], ['rules', '17', '--format', 'markdown'], ['rules', 'no-such-rule'], ['rules', '--help'], ['rules', '--format', 'yaml']];
    const referenceOf = referencesFor(cases);
    it.each(cases.map((args) => [args]))('%j', (argv) => {
      const reference = referenceOf(argv);
      const cache = path.join(tempDir(), 'compile');
      const first = runCli(argv, { env: { CLERKGUARD_COMPILE_CACHE: cache } });
      const cached = runCli(argv, { env: { CLERKGUARD_COMPILE_CACHE: cache } });
      // The bare overview's cache is named apart from the `help` command's (which runs on the whole
      // bundle, so with bin/v8-tiering.js's flags where this Node has any: `-tiered`).
      const overview = argv.length === 0 || (argv.length === 1 && ['--help', '-h'].includes(argv[0]!));
      expect(readdirSync(cache)).toEqual([expect.stringMatching(overview ? /-_help\.bin$/ : argv[0] === 'help' ? /-help(-tiered)?\.bin$/ : new RegExp(`-${argv[0]}\\.bin$`))]);
      for (const result of [first, cached]) expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: reference.status, stdout: reference.stdout, stderr: reference.stderr });
      expect(reference.stdout.length + reference.stderr.length).toBeGreaterThan(0);
    });
  });

  it('bundles hold one zod, its CommonJS build, and check of a valid baseline never evaluates it', () => {
    for (const name of ['clerkguard.js', 'clerkguard-check.js', 'clerkguard-rules.js', 'clerkguard-help.js']) {
      const text = readFileSync(path.join(REPO_ROOT, 'dist/cli', name), 'latin1');
      // esbuild names an ES module's export namespace `<name>_exports`: zod's ES module build would bring `zod_exports` and every locale.
      expect(text, name).not.toMatch(/\bzod_exports\b|\blocales_exports\b/);
    }
    const run = (file: string) => {
      const script = `const { loadBundledCli } = require('./bin/load-cli.js');
        const argv = ['check', ${JSON.stringify(file)}];
        const io = { stdout() {}, stderr() {}, cwd: process.cwd(), env: {}, color: false };
        loadBundledCli(argv).cli.main(argv, io).then((code) => process.stdout.write(JSON.stringify({ code, zod: globalThis.__zod_globalConfig !== undefined })));`;
      const result = spawnSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, CLERKGUARD_COMPILE_CACHE: '0', CLERKGUARD_TODAY: PINNED_TODAY } });
      expect(result.stderr).toBe('');
      return JSON.parse(result.stdout) as { code: number; zod: boolean };
    };
    expect(run('baselines/production.json')).toEqual({ code: 0, zod: false });
    // An invalid one goes to zod, which words its errors (their text: the byte-for-byte cases above).
    const invalid = fixtureDir({ 'bad.json': { schema_version: 2 } });
    expect(run(path.join(invalid, 'bad.json'))).toEqual({ code: 1, zod: true });
  });

  it.each([[['--help']], [['rules']], [['check', '--help']], [['drift', '--help']], [['scan', '--help']], [['probe', '--help']]])('%j loads no schema code (zod), no SDK and no job code', (args) => {
    // The tsc output, where every module is its own file: what the bundle keeps lazy is what these keep lazy.
    const script = `const io = { stdout() {}, stderr() {}, cwd: process.cwd(), env: {}, color: false };
      require('./dist/cli/main.js').main(${JSON.stringify(args)}, io).then((code) => {
        const loaded = Object.keys(require.cache).filter((file) => /node_modules[\\/](zod|@clerk|@slack|cron|typescript|json-diff)[\\/]/.test(file) || /dist[\\/](schedule|drift|export|snapshot|emulator|scan|probe[\\/](?!defaults))[\\/]?/.test(file));
        process.stdout.write(JSON.stringify({ code, loaded }));
      });`;
    const result = spawnSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ code: 0, loaded: [] });
  });

  it.each([[['--help']], [['rules']], [['check', 'baselines/production.json']]])('%j through bin/clerkguard loads none of node:crypto, node:child_process and node:http(s)', (args) => {
    const probe = path.join(tempDir(), 'probe.cjs');
    writeFileSync(probe, "process.on('exit', () => process.stderr.write('builtins:' + JSON.stringify(process.moduleLoadList.filter((m) => /^NativeModule (crypto|child_process|https?)$/.test(m)))));");
    const result = spawnSync(process.execPath, ['-r', probe, path.join(REPO_ROOT, 'bin/clerkguard'), ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('builtins:[]');
  });

  it.each([[['--help']], [['rules']], [['check', 'baselines/production.json']]])('%j creates process.stderr only to write to it (a piped stderr loads no node:net)', (args) => {
    const probe = path.join(tempDir(), 'probe.cjs');
    writeFileSync(probe, "process.on('exit', () => require('node:fs').writeSync(2, 'net:' + process.moduleLoadList.includes('NativeModule net')));");
    const result = spawnSync(process.execPath, ['-r', probe, path.join(REPO_ROOT, 'bin/clerkguard'), ...args], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('net:false');
  });

  it.each([[['rules']], [['check', 'baselines/production.json']], [['check', 'no-such-file.json']]])('%j: a reader that closes stdout at once is not an error', async (args) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/clerkguard'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' } });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const plain = runCli(args);
    // The exit status and the messages on stderr are those of a run whose stdout was read.
    expect({ status, stderr }).toEqual({ status: plain.status, stderr: plain.stderr });
  });

  it('writes a code cache per command, readable by the user only, and answers the same with it, without it and from it', () => {
    const cache = path.join(tempDir(), 'compile');
    const plain = runCli(['rules', '--format', 'json'], { env: { CLERKGUARD_COMPILE_CACHE: '0' } });
    const first = runCli(['rules', '--format', 'json'], { env: { CLERKGUARD_COMPILE_CACHE: cache } });
    const files = readdirSync(cache);
    expect(files).toEqual([expect.stringMatching(new RegExp(`^clerkguard-${process.version}-${process.arch}-[0-9a-f]{8}-\\d+-\\d+-rules\\.bin$`))]);
    if (process.platform !== 'win32') {
      expect(statSync(cache).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(cache, files[0]!)).mode & 0o777).toBe(0o600);
    }
    const cached = runCli(['rules', '--format', 'json'], { env: { CLERKGUARD_COMPILE_CACHE: cache } });
    for (const result of [plain, first, cached]) expect(result.status).toBe(0);
    expect(first.stdout).toBe(plain.stdout);
    expect(cached.stdout).toBe(plain.stdout);
    // Writing a cache removes this installation's older builds, never another installation's.
    const installation = /^(clerkguard-.+-[0-9a-f]{8})-\d+-\d+-rules\.bin$/.exec(files[0]!)![1]!;
    const otherInstallation = `clerkguard-${process.version}-${process.arch}-${installation.endsWith('00000000') ? '11111111' : '00000000'}-1-2-rules.bin`;
    writeFileSync(path.join(cache, otherInstallation), 'not a cache');
    writeFileSync(path.join(cache, `${installation}-1-2-rules.bin`), 'an older build');
    const check = runCli(['check', 'baselines/production.json', '--format', 'json'], { env: { CLERKGUARD_COMPILE_CACHE: cache } });
    expect(check.status).toBe(0);
    const after = readdirSync(cache);
    expect(after).toContain(otherInstallation);
    expect(after.filter((name) => name !== otherInstallation).sort()).toEqual([expect.stringMatching(/-check\.bin$/), expect.stringMatching(/-rules\.bin$/)]);
    expect(after).not.toContain(`${installation}-1-2-rules.bin`);
    expect(runCli(['check', 'baselines/production.json', '--format', 'json'], { env: { CLERKGUARD_COMPILE_CACHE: cache } }).stdout).toBe(check.stdout);
  });

  it('runs a command bundle changed in place (same length, modification time set back) from its new bytes, not from the cache of the old ones', () => {
    // An installation of its own (bin/ and dist/ copied, node_modules linked): the repository's bundles stay as built.
    const install = tempDir();
    cpSync(path.join(REPO_ROOT, 'bin'), path.join(install, 'bin'), { recursive: true });
    cpSync(path.join(REPO_ROOT, 'dist'), path.join(install, 'dist'), { recursive: true });
    cpSync(path.join(REPO_ROOT, 'package.json'), path.join(install, 'package.json'));
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(install, 'node_modules'), 'dir');
    const cache = path.join(tempDir(), 'compile');
    const run = () =>
      spawnSync(process.execPath, [path.join(install, 'bin/clerkguard'), 'check', 'baselines/production.json'], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', CLERKGUARD_TODAY: PINNED_TODAY, CLERKGUARD_COMPILE_CACHE: cache },
        encoding: 'utf8',
      });
    const before = run();
    expect(before.status).toBe(0);
    expect(before.stdout).toContain('no failing findings at or above');
    expect(readdirSync(cache)).toEqual([expect.stringMatching(/-check\.bin$/)]);
    // The check bundle alone changes, to bytes of the same length; clerkguard.js stays as it was.
    const bundle = path.join(install, 'dist/cli/clerkguard-check.js');
    const { atime, mtime, size } = statSync(bundle);
    const source = readFileSync(bundle, 'latin1');
    expect(source).toContain('no failing findings at or above');
    writeFileSync(bundle, source.replace('no failing findings at or above', 'NO FAILING FINDINGS AT OR ABOVE'), 'latin1');
    utimesSync(bundle, atime, mtime);
    expect(statSync(bundle).size).toBe(size);
    const after = run();
    expect(after.status).toBe(0);
    expect(after.stdout).toContain('NO FAILING FINDINGS AT OR ABOVE');
    expect(after.stdout).not.toContain('no failing findings at or above');
    // The old bytes' cache is gone, the new bytes' is written.
    expect(readdirSync(cache)).toEqual([expect.stringMatching(/-check\.bin$/)]);
  });

  it.skipIf(process.platform === 'win32' || process.getuid?.() === undefined)('never reads or writes a cache in a folder others can write', () => {
    const shared = path.join(tempDir(), 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const result = runCli(['rules'], { env: { CLERKGUARD_COMPILE_CACHE: shared } });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('jwt-short-lifetime');
    expect(readdirSync(shared)).toEqual([]);
  });

  it('a cache folder that cannot be created changes nothing', () => {
    const file = path.join(tempDir(), 'not-a-folder');
    mkdirSync(path.dirname(file), { recursive: true });
    const result = runCli(['rules'], { env: { CLERKGUARD_COMPILE_CACHE: path.join('/dev/null', 'cache') } });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('shows the scheduled jobs\' options in the schedule help, however it is asked for', () => {
    for (const args of [['schedule', '--help'], ['help', 'schedule']]) {
      const result = runCli(args);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('--cron <expr>');
      expect(result.stdout).toContain('--snapshot-cron <expr>');
    }
    expect(runCli(['--help']).stdout).toMatch(/schedule \[options\] \[baselines\.\.\.\]/);
  });
});
