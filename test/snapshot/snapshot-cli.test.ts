/**
 * `clerkguard snapshot` end to end: the compiled CLI reads a real (local) Clerk emulator
 * through the real export, writes into a real git repository and commits with real git.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import { parseBaseline } from '../../src/baseline/load';
import { BIN, PINNED_TODAY, REPO_ROOT, type CliResult } from '../helpers/cli';
import { tempRepo, type TempRepo } from './git-fixture';
import { startSlackServer } from './slack-server';

const SENTINEL_SECRET_KEY = 'sk_live_SENTINELemulatorKEY0123456789abcdef';
const SENTINEL_PLATFORM_KEY = 'ak_SENTINELplatformKEY0123456789abcdef';
const BASELINE_TEXT = readFileSync(path.join(REPO_ROOT, 'baselines', 'production.json'), 'utf8');

let emulator: RunningEmulator;

/** Async so the in-process emulator keeps answering while the CLI runs. */
function runCliAsync(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, HOME: options.cwd, NO_COLOR: '1', CLERKGUARD_TODAY: PINNED_TODAY, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function newRepo(): TempRepo {
  const repo = tempRepo();
  repo.write('baselines/production.json', BASELINE_TEXT);
  repo.git('add', 'baselines');
  repo.git('commit', '-q', '-m', 'baseline');
  return repo;
}

function snapshotEnv(repo: TempRepo, today: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...repo.env, ...emulator.env(), CLERKGUARD_TODAY: today, CLERKGUARD_HTTP_RETRIES: '0', CLERKGUARD_HTTP_BACKOFF_MS: '1', ...extra };
}

function everyFile(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

beforeAll(async () => {
  emulator = await startEmulator({
    seed: parseBaseline(BASELINE_TEXT, 'baselines/production.json'),
    secretKey: SENTINEL_SECRET_KEY,
    platformApiKey: SENTINEL_PLATFORM_KEY,
    rateLimit: false,
  });
}, 120_000);

afterAll(async () => {
  await emulator?.close();
});

describe('clerkguard snapshot against the emulator', () => {
  it('commits both files; a later quarter shows emulator changes under changes since last-known-good', async () => {
    const repo = newRepo();
    const first = await runCliAsync(['snapshot', '--commit', '--format', 'json'], { cwd: repo.dir, env: snapshotEnv(repo, '2026-11-26') });
    expect(first.stderr).toBe('');
    expect([0, 2]).toContain(first.status);
    const firstRun = JSON.parse(first.stdout);
    expect(firstRun.environments[0]).toMatchObject({
      environment: 'production',
      quarter: '2026-Q4',
      written: ['snapshots/production/2026-Q4.json', 'snapshots/production/2026-Q4.md'],
      commit: { message: 'clerkguard: 2026-Q4 review snapshot for production' },
    });
    expect(repo.git('show', '--name-only', '--format=%s', 'HEAD').trim().split('\n')).toEqual([
      'clerkguard: 2026-Q4 review snapshot for production',
      '',
      'snapshots/production/2026-Q4.json',
      'snapshots/production/2026-Q4.md',
    ]);
    const firstMarkdown = readFileSync(path.join(repo.dir, 'snapshots/production/2026-Q4.md'), 'utf8');
    expect(firstMarkdown).toContain('First snapshot');
    expect(firstMarkdown.match(/^\| \d+ \|/gm)).toHaveLength(20);
    // Values came from the emulator's APIs, and the report says so.
    const snapshot = JSON.parse(readFileSync(path.join(repo.dir, 'snapshots/production/2026-Q4.json'), 'utf8'));
    expect(snapshot.coverage['instance.allowed_origins'] ?? snapshot.coverage.instance).toBe('bapi');
    expect(firstMarkdown).toMatch(/\| 3 \| [^|]+\| critical \| PASS \| bapi \|/);

    // Nothing changed on the instance: no new commit, nothing written.
    const again = await runCliAsync(['snapshot', '--commit', '--format', 'json'], { cwd: repo.dir, env: snapshotEnv(repo, '2026-11-30') });
    expect(again.stderr).toBe('');
    expect(JSON.parse(again.stdout).environments[0]).toMatchObject({ written: [], commit: null });
    expect(repo.log()).toHaveLength(2);

    // Changes made through the emulator: one through the Backend API, one dashboard-style.
    const patch = await fetch(`${emulator.bapi_url}/v1/instance`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${SENTINEL_SECRET_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ allowed_origins: ['https://app.example.com', 'https://www.example.com', 'https://evil.example.net'] }),
    });
    expect(patch.status).toBeLessThan(300);
    const admin = await fetch(`${emulator.bapi_url}/__emulator/settings`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sign_in: { second_factor: { required: false } } }),
    });
    expect(admin.status).toBeLessThan(300);

    const second = await runCliAsync(['snapshot', '--commit'], { cwd: repo.dir, env: snapshotEnv(repo, '2027-01-05') });
    expect(second.stderr).toBe('');
    expect(second.status).toBe(2);
    expect(second.stdout).toContain('production 2027-Q1: wrote snapshots/production/2027-Q1.json, snapshots/production/2027-Q1.md');
    expect(second.stdout).toMatch(/since last-known-good: 2 changes since 2026-Q4/);
    expect(second.stdout).toContain('committed');
    expect(repo.git('log', '--format=%s').trim().split('\n')).toEqual([
      'clerkguard: 2027-Q1 review snapshot for production',
      'clerkguard: 2026-Q4 review snapshot for production',
      'baseline',
    ]);
    const markdown = readFileSync(path.join(repo.dir, 'snapshots/production/2027-Q1.md'), 'utf8');
    const since = markdown.slice(markdown.indexOf('## Changes since last-known-good'), markdown.indexOf('## Exceptions'));
    expect(since).toContain('Compared with 2026-Q4');
    expect(since).toContain('| `settings.instance.allowed_origins["https://evil.example.net"]` | added | — | `"https://evil.example.net"` | weakening |');
    expect(since).toMatch(/\| `settings\.sign_in\.second_factor\.required` \| changed \| `true` \| `false` \| weakening \| \w+ \| [^|]+ \| fapi \|/);

    const diff = await runCliAsync(['review', 'diff', 'snapshots/production/2026-Q4.json', 'snapshots/production/2027-Q1.json', '--format', 'json'], { cwd: repo.dir });
    expect(diff.status).toBe(2);
    expect(JSON.parse(diff.stdout).environments[0].changes.map((change: { path: string }) => change.path).sort()).toEqual([
      'settings.instance.allowed_origins["https://evil.example.net"]',
      'settings.sign_in.second_factor.required',
    ]);

    // The emulator's keys never reach a file, a commit or the output.
    for (const file of everyFile(path.join(repo.dir, 'snapshots'))) {
      const text = readFileSync(file, 'utf8');
      expect(text).not.toContain('SENTINEL');
    }
    expect(repo.git('log', '-p')).not.toContain('SENTINEL');
    expect(first.stdout + second.stdout + again.stdout).not.toContain('SENTINEL');
  });

  it('an API error: exit 1 naming the failure, no files and no commit', async () => {
    const repo = newRepo();
    const fault = emulator.faults.add({ kind: 'status', path: '/v1/instance', status: 503 });
    try {
      const result = await runCliAsync(['snapshot', '--commit'], { cwd: repo.dir, env: snapshotEnv(repo, '2026-11-26') });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^clerkguard: production: could not read the live settings: .*503/m);
      expect(result.stderr).not.toContain('    at ');
      expect(result.stderr).not.toContain('SENTINEL');
    } finally {
      emulator.faults.remove(fault.id);
    }
    expect(existsSync(path.join(repo.dir, 'snapshots'))).toBe(false);
    expect(repo.log()).toHaveLength(1);
  });

  it('a failing pre-commit hook: exit 1 with the hook output, no files, no commit', async () => {
    const repo = newRepo();
    repo.failingPreCommitHook('hook: snapshots need a ticket');
    const result = await runCliAsync(['snapshot', '--commit'], { cwd: repo.dir, env: snapshotEnv(repo, '2026-11-26') });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('git commit failed: hook: snapshots need a ticket');
    expect(result.stderr).toContain('no snapshot was committed');
    expect(existsSync(path.join(repo.dir, 'snapshots'))).toBe(false);
    expect(repo.log()).toHaveLength(1);
    expect(repo.git('status', '--porcelain')).toBe('');
  });

  it('staged unrelated files: refused, nothing changed', async () => {
    const repo = newRepo();
    repo.write('app.ts', 'work in progress\n');
    repo.git('add', 'app.ts');
    const result = await runCliAsync(['snapshot', '--commit'], { cwd: repo.dir, env: snapshotEnv(repo, '2026-11-26') });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('clerkguard: refusing to commit: other changes are staged (app.ts)');
    expect(result.stderr).toContain('hint: commit or unstage them first');
    expect(existsSync(path.join(repo.dir, 'snapshots'))).toBe(false);
    expect(repo.git('diff', '--cached', '--name-only')).toBe('app.ts\n');
    expect(repo.log()).toHaveLength(1);
  });

  it('validates --quarter and --author with clear errors', async () => {
    const repo = newRepo();
    const badQuarter = await runCliAsync(['snapshot', '--quarter', '2026-Q5'], { cwd: repo.dir, env: snapshotEnv(repo, '2026-11-26') });
    expect(badQuarter.status).toBe(1);
    expect(badQuarter.stderr).toBe('clerkguard: --quarter "2026-Q5" is not a quarter\n  hint: expected YYYY-Qn with n from 1 to 4, e.g. 2026-Q4\n');
    const badAuthor = await runCliAsync(['snapshot', '--commit', '--author', 'nobody'], { cwd: repo.dir, env: snapshotEnv(repo, '2026-11-26') });
    expect(badAuthor.status).toBe(1);
    expect(badAuthor.stderr).toContain('--author "nobody" is not in the form "Name <email>"');
    expect(existsSync(path.join(repo.dir, 'snapshots'))).toBe(false);
  });

  it('--quarter files an earlier quarter and --dir picks the folder, without git', async () => {
    const repo = newRepo();
    const result = await runCliAsync(['snapshot', 'baselines/production.json', '--quarter', '2026-Q3', '--dir', 'audit/clerk'], { cwd: repo.dir, env: snapshotEnv(repo, '2026-11-26') });
    // Backdated: said once, on stderr (and in the review's capture line, tested in test/cli/first-use).
    expect(result.stderr).toBe(
      "notice: 2026-Q3 is an earlier quarter than today's (2026-Q4): the snapshot files the settings as read today (2026-11-26) under 2026-Q3, not the settings during 2026-Q3; its review says so\n",
    );
    expect(result.stdout).toContain('production 2026-Q3: wrote audit/clerk/production/2026-Q3.json, audit/clerk/production/2026-Q3.md');
    expect(repo.log()).toHaveLength(1);
    expect(repo.git('status', '--porcelain')).toBe('?? audit/\n');
  });

  it('--dashboard-export fills settings no API shows, with export-file evidence', async () => {
    const repo = newRepo();
    repo.write(
      'dashboard.json',
      JSON.stringify({
        schema_version: 1,
        environment: 'production',
        exported_at: '2026-11-20',
        exported_by: 'ops@example.com',
        // The inactivity timeout has no documented API field: the dashboard is its only source.
        settings: { session: { inactivity_timeout_minutes: 30 } },
      }),
    );
    const result = await runCliAsync(['snapshot', '--dashboard-export', 'dashboard.json'], { cwd: repo.dir, env: snapshotEnv(repo, '2026-11-26') });
    expect(result.stderr).toBe('');
    const markdown = readFileSync(path.join(repo.dir, 'snapshots/production/2026-Q4.md'), 'utf8');
    expect(markdown).toMatch(/\| 5 \| [^|]+\| high \| PASS \| [^|]*export-file[^|]* \|/);
    // Revocation and SameSite are declarations (attested), never read from Clerk or the dashboard.
    expect(markdown).toMatch(/\| 6 \| [^|]+\| high \| PASS \| [^|]*attested[^|]* \|/);

    const bad = await runCliAsync(['snapshot', '--dashboard-export', 'missing.json'], { cwd: repo.dir, env: snapshotEnv(repo, '2026-11-26') });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('missing.json');
  });

  it('--slack posts a summary per environment with the report in its thread; a Slack failure keeps the snapshot', async () => {
    const slack = await startSlackServer();
    const token = 'xoxb-SENTINEL-slack-token-0123456789';
    try {
      const repo = newRepo();
      const slackEnv = { SLACK_BOT_TOKEN: token, SLACK_CHANNEL_ID: 'C0SNAPSHOT', SLACK_API_URL: slack.url };
      const result = await runCliAsync(['snapshot', '--commit', '--slack'], { cwd: repo.dir, env: snapshotEnv(repo, '2026-11-26', slackEnv) });
      expect([0, 2]).toContain(result.status);
      expect(result.stderr).toBe('posted 1 review summary to Slack\n');
      const post = slack.requests.find((request) => request.path.endsWith('/chat.postMessage'))!;
      expect(post.authorization).toBe(`Bearer ${token}`);
      expect(post.fields.channel).toBe('C0SNAPSHOT');
      expect(String(post.fields.text)).toContain('Clerk 2026-Q4 review snapshot: production');
      expect(String(post.fields.blocks)).toContain('clerkguard: 2026-Q4 review snapshot for production');
      const upload = slack.requests.find((request) => request.path.startsWith('/upload/'))!;
      expect(upload.body).toContain('# Clerk settings review: production, 2026-Q4');
      const complete = slack.requests.find((request) => request.path.endsWith('/files.completeUploadExternal'))!;
      expect(JSON.stringify(complete.fields)).toContain('1700000000.000001');
      for (const file of everyFile(path.join(repo.dir, 'snapshots'))) expect(readFileSync(file, 'utf8')).not.toContain('SENTINEL');

      slack.failWith = 'channel_not_found';
      const other = newRepo();
      const failed = await runCliAsync(['snapshot', '--commit', '--slack'], { cwd: other.dir, env: snapshotEnv(other, '2026-11-26', slackEnv) });
      expect(failed.status).toBe(1);
      expect(failed.stderr).toContain('the snapshot is complete, but posting to Slack failed');
      expect(failed.stderr).toContain('channel_not_found');
      expect(failed.stderr).not.toContain('SENTINEL');
      expect(other.log()).toHaveLength(2);
    } finally {
      await slack.close();
    }
  });

  it('schedule --once --snapshot catches up on the quarterly snapshot once per quarter; plain --once runs drift only', async () => {
    const repo = newRepo();
    const first = await runCliAsync(['schedule', '--once', '--snapshot', '--snapshot-commit'], { cwd: repo.dir, env: snapshotEnv(repo, '2026-11-26') });
    expect(first.stderr).toMatch(/snapshot: run started/);
    expect(first.stderr).toContain('snapshot: production 2026-Q4 wrote snapshots/production/2026-Q4.json, snapshots/production/2026-Q4.md, committed');
    expect([0, 2]).toContain(first.status);
    expect(repo.git('log', '-1', '--format=%s').trim()).toBe('clerkguard: 2026-Q4 review snapshot for production');

    const second = await runCliAsync(['schedule', '--once', '--snapshot', '--snapshot-commit'], { cwd: repo.dir, env: snapshotEnv(repo, '2026-12-15') });
    expect(second.stderr).toContain('snapshot: every environment already has its 2026-Q4 snapshot; nothing to do');
    expect(repo.log()).toHaveLength(2);

    const other = newRepo();
    for (const args of [['--once'], ['--once', '--snapshot', '--no-snapshot']]) {
      const off = await runCliAsync(['schedule', ...args], { cwd: other.dir, env: snapshotEnv(other, '2026-11-26') });
      expect(off.stderr).toContain('drift: run started');
      expect(off.stderr).not.toContain('snapshot:');
      expect(existsSync(path.join(other.dir, 'snapshots'))).toBe(false);
    }

    const badCron = await runCliAsync(['schedule', '--once', '--snapshot', '--snapshot-cron', '0 9 1 13 *'], { cwd: other.dir, env: snapshotEnv(other, '2026-11-26') });
    expect(badCron.status).toBe(1);
    expect(badCron.stderr).toContain('the snapshot schedule "0 9 1 13 *" is not a valid cron expression');
  });
});
