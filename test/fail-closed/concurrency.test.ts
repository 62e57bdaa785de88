/**
 * One writer at a time, with real parallel processes (the compiled CLI, as users run it):
 * parallel `drift --slack` runs on one state file post one alert, parallel `snapshot --commit`
 * runs in one repository make one verified commit. The lock itself (stale owners, waiting,
 * giving up) is tested in-process below.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import { readAlertStates } from '../../src/notify/state';
import { acquireLock } from '../../src/util/lock';
import { PRODUCTION_BASELINE_FILE, productionBaseline } from '../drift/fixtures';
import { runCliAsync } from '../drift/cli';
import { startSlackServer, type SlackServer } from '../notify/slack-server';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-concurrency-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('parallel processes', () => {
  let emulator: RunningEmulator | undefined;
  let slack: SlackServer | undefined;
  afterEach(async () => {
    await emulator?.close();
    await slack?.close();
    emulator = undefined;
    slack = undefined;
  });

  test('five drift --slack runs on one state file post one alert and leave a valid state', async () => {
    emulator = await startEmulator({ seed: productionBaseline(), rateLimit: false });
    slack = await startSlackServer();
    emulator.applySettings({ session: { maximum_lifetime_minutes: 43200 } });
    const env = { ...emulator.env(), SLACK_BOT_TOKEN: 'xoxb-concurrency', SLACK_CHANNEL_ID: 'C0CLERKGUARD', SLACK_API_URL: slack.apiUrl };
    const state = path.join(dir, 'state.json');
    const runs = await Promise.all(Array.from({ length: 5 }, (_, index) => runCliAsync(['drift', PRODUCTION_BASELINE_FILE, '--slack', '--state', state, '--out', path.join(dir, `out-${index}`)], { env })));
    expect(runs.map((run) => run.code)).toEqual([2, 2, 2, 2, 2]);
    expect(slack.messages().map((message) => message.text)).toEqual(['Clerk settings drift in production: 1 weakening']);
    expect(readAlertStates(state).environments.production?.status).toBe('drift');
    // The environment's own file and its lock (state.ts); no lock is left behind.
    expect(existsSync(path.join(dir, 'state', 'production.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'state', 'production.json.lock'))).toBe(false);
  });

  test('two snapshot --commit runs in one repository: one verified commit, the other "nothing to commit", no leftovers', async () => {
    emulator = await startEmulator({ seed: productionBaseline(), rateLimit: false });
    const repo = path.join(dir, 'repo');
    mkdirSync(path.join(repo, 'baselines'), { recursive: true });
    writeFileSync(path.join(repo, 'baselines', 'production.json'), readFileSync(PRODUCTION_BASELINE_FILE));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
    git('init', '-q');
    git('config', 'user.email', 'ci@example.com');
    git('config', 'user.name', 'CI');
    git('commit', '-q', '--allow-empty', '-m', 'init');
    const runs = await Promise.all([0, 1].map(() => runCliAsync(['snapshot', '--commit', '--format', 'json'], { cwd: repo, env: emulator!.env() })));
    expect(runs.map((run) => run.code), runs.map((run) => run.stderr).join('\n')).toEqual([0, 0]);
    const results = runs.map((run) => JSON.parse(run.stdout) as { committed: boolean; environments: { commit: { id: string } | null }[] });
    const commits = results.map((result) => result.environments[0]!.commit?.id).filter((id): id is string => id !== undefined);
    expect(commits).toHaveLength(1);
    expect(results.map((result) => result.committed).sort()).toEqual([false, true]);
    // The reported commit is the one on the branch, and it holds the snapshot.
    expect(git('rev-parse', 'HEAD').trim()).toBe(commits[0]);
    expect(git('log', '--format=%s')).toBe('clerkguard: 2026-Q4 review snapshot for production\ninit\n');
    expect(git('show', '--name-only', '--format=', 'HEAD').trim().split('\n').sort()).toEqual(['snapshots/production/2026-Q4.json', 'snapshots/production/2026-Q4.md']);
    expect(git('status', '--porcelain', '--', 'snapshots')).toBe('');
    expect(readdirSync(path.join(repo, '.git')).filter((name) => name.startsWith('index.clerkguard-') || name.includes('lock'))).toEqual([]);
    expect(readdirSync(repo).filter((name) => name.includes('lock'))).toEqual([]);
  });
});

describe('the lock', () => {
  test('a lock whose owner no longer runs is stale and taken over', async () => {
    const file = path.join(dir, 'state.json.lock');
    writeFileSync(file, JSON.stringify({ pid: 999_999_999, host: os.hostname(), started_at: '2026-11-26T03:00:00Z', token: 'dead' }));
    const lock = await acquireLock(file, { what: 'the alert state', waitMs: 0 });
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(file)).toBe(false);
  });

  test('a lock held by a running process makes the second run wait, then fail naming the owner', async () => {
    const file = path.join(dir, 'state.json.lock');
    const first = await acquireLock(file, { what: 'the alert state state.json' });
    await expect(acquireLock(file, { what: 'the alert state state.json', waitMs: 300, pollMs: 20 })).rejects.toThrow(`another run holds the lock on the alert state state.json (pid ${process.pid} on ${os.hostname()}`);
    // Released while waiting: the waiter gets it.
    const waiting = acquireLock(file, { what: 'the alert state', waitMs: 5_000, pollMs: 20 });
    setTimeout(() => first.release(), 100);
    const second = await waiting;
    expect(JSON.parse(readFileSync(file, 'utf8')).token).not.toBe(undefined);
    second.release();
    expect(existsSync(file)).toBe(false);
  });

  test('a lock older than the staleness limit is taken over whoever owns it; release never removes another owner\'s lock', async () => {
    const file = path.join(dir, 'x.lock');
    writeFileSync(file, JSON.stringify({ pid: process.pid, host: 'another-host', started_at: '2026-01-01T00:00:00Z', token: 'old' }));
    const lock = await acquireLock(file, { what: 'x', waitMs: 0, staleMs: 0 });
    writeFileSync(file, JSON.stringify({ pid: process.pid, host: os.hostname(), started_at: 'now', token: 'someone-else' }));
    lock.release();
    expect(JSON.parse(readFileSync(file, 'utf8')).token).toBe('someone-else');
  });
});
