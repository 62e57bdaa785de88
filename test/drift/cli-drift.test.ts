import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadBaselineFile } from '../../src/baseline/load';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import { startSlackServer, type SlackServer } from '../notify/slack-server';
import { PRODUCTION_BASELINE_FILE } from './fixtures';
import { runCliAsync } from './cli';

let emulator: RunningEmulator;
let dir: string;

beforeEach(async () => {
  emulator = await startEmulator({ seed: loadBaselineFile(PRODUCTION_BASELINE_FILE), rateLimit: false });
  dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-drift-cli-'));
});
afterEach(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = (extra: NodeJS.ProcessEnv = {}) => ({ ...emulator.env(), CLERKGUARD_HTTP_TIMEOUT_MS: '5000', ...extra });

/** Dashboard-style changes through the emulator's APIs (Platform config and BAPI). */
async function weaken(): Promise<void> {
  const platform = `${emulator.platform_api_url}/v1/platform/applications/${emulator.application_id}/instances/production/config`;
  const response = await fetch(platform, { method: 'PATCH', headers: { authorization: `Bearer ${emulator.platform_api_key}`, 'content-type': 'application/json' }, body: JSON.stringify({ session: { lifetime: 2592000 } }) });
  expect(response.status).toBeLessThan(300);
  const instance = await fetch(`${emulator.bapi_url}/v1/instance`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${emulator.secret_key}`, 'content-type': 'application/json', 'clerk-api-version': '2026-05-12' },
    body: JSON.stringify({ test_mode: true }),
  });
  expect(instance.status).toBeLessThan(300);
}

describe('clerkguard drift against the emulator', () => {
  test('clean exits 0; changes made through the API are reported exactly, with direction, and exit 2', async () => {
    const clean = await runCliAsync(['drift', PRODUCTION_BASELINE_FILE, '--format', 'json'], { env: env() });
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    const cleanReport = JSON.parse(clean.stdout) as { status: string; environments: { status: string; changes: unknown[] }[] };
    expect(cleanReport.status).toBe('clean');
    expect(cleanReport.environments[0]?.changes).toEqual([]);

    await weaken();
    const drifted = await runCliAsync(['drift', PRODUCTION_BASELINE_FILE, '--format', 'json', '--out', dir], { env: env() });
    expect(drifted.code).toBe(2);
    const report = JSON.parse(drifted.stdout) as { status: string; environments: { environment: string; status: string; changes: { path: string; kind: string; baseline: unknown; live: unknown; direction: string; severity: string; source: string }[]; coverage: Record<string, string> }[] };
    expect(report.status).toBe('drift');
    const [production] = report.environments;
    expect(production?.changes.map(({ path: p, kind, baseline, live, direction, severity, source }) => ({ path: p, kind, baseline, live, direction, severity, source }))).toEqual([
      { path: 'settings.instance.test_mode', kind: 'changed', baseline: false, live: true, direction: 'weakening', severity: 'critical', source: 'fapi' },
      { path: 'settings.session.maximum_lifetime_minutes', kind: 'changed', baseline: 10080, live: 43200, direction: 'weakening', severity: 'high', source: 'platform' },
    ]);
    for (const name of ['report.md', 'report.json', 'report.sarif', 'report.txt']) expect(existsSync(path.join(dir, name)), name).toBe(true);
    expect(readFileSync(path.join(dir, 'report.md'), 'utf8')).toContain('settings.instance.test_mode');
    // The emulator's secret key never reaches output or files.
    for (const text of [drifted.stdout, drifted.stderr, readFileSync(path.join(dir, 'report.json'), 'utf8')]) expect(text).not.toContain(emulator.secret_key);
  });

  test('one environment failing does not stop the others and the run exits 1', async () => {
    const staging = JSON.parse(readFileSync(PRODUCTION_BASELINE_FILE, 'utf8')) as Record<string, unknown> & { target: Record<string, unknown> };
    staging.environment = 'staging';
    staging.target = { ...staging.target, secret_key_env: 'CLERK_STAGING_SECRET_KEY' };
    delete staging.$schema;
    writeFileSync(path.join(dir, 'staging.json'), JSON.stringify(staging));
    writeFileSync(path.join(dir, 'production.json'), readFileSync(PRODUCTION_BASELINE_FILE, 'utf8').replace('"$schema": "./schema.json",', ''));
    await weaken();
    const result = await runCliAsync(['drift', dir], { env: env() });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/production \(baseline 1\.0\.0[^)]*\): DRIFT — 2 weakening/);
    expect(result.stdout).toMatch(/staging \(baseline 1\.0\.0[^)]*\): ERROR/);
    expect(result.stdout).toContain('CLERK_STAGING_SECRET_KEY');
    expect(result.stdout).toContain('drift in 1 of 2 environments; 1 could not be checked');
  });

  test('an API failure is an error (exit 1), not drift and not clean', async () => {
    emulator.faults.add({ kind: 'status', path: '/v1/instance', status: 401 });
    const result = await runCliAsync(['drift', PRODUCTION_BASELINE_FILE, '--format', 'json'], { env: env() });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { status: string; environments: { status: string; errors: { message: string; endpoint?: string; status?: number }[] }[] };
    expect(report.status).toBe('error');
    expect(report.environments[0]?.status).toBe('error');
    expect(report.environments[0]?.errors[0]).toMatchObject({ endpoint: 'GET /v1/instance', status: 401 });
  });
});

describe('clerkguard drift --slack', () => {
  let slack: SlackServer;
  beforeEach(async () => {
    slack = await startSlackServer();
  });
  afterEach(async () => {
    await slack.close();
  });
  const slackEnv = () => env({ SLACK_BOT_TOKEN: 'xoxb-9999-SENTINELtoken', SLACK_CHANNEL_ID: 'C0CLERKGUARD', SLACK_API_URL: slack.apiUrl, CLERKGUARD_SLACK_TIMEOUT_MS: '1000' });

  test('without SLACK_BOT_TOKEN it exits 1 with a hint, before calling anything', async () => {
    const result = await runCliAsync(['drift', PRODUCTION_BASELINE_FILE, '--slack'], { env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--slack needs SLACK_BOT_TOKEN and SLACK_CHANNEL_ID');
    expect(result.stderr).toContain('hint:');
    expect(emulator.requests).toHaveLength(0);
  });

  test('three runs (drift, same drift, fixed) post exactly one alert and one resolved message', async () => {
    const state = path.join(dir, 'state.json');
    const args = ['drift', PRODUCTION_BASELINE_FILE, '--slack', '--state', state, '--out', path.join(dir, 'out')];
    await weaken();
    const first = await runCliAsync(args, { env: slackEnv() });
    expect(first.code).toBe(2);
    expect(first.stderr).toContain('slack: drift alert for production');
    const second = await runCliAsync(args, { env: slackEnv() });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('slack: drift unchanged for production, no new alert');
    expect(second.stderr).not.toMatch(/slack: (drift alert|drift update|resolved)/);
    emulator.applySettings({ instance: { test_mode: false }, session: { maximum_lifetime_minutes: 10080 } });
    const third = await runCliAsync(args, { env: slackEnv() });
    expect(third.code).toBe(0);
    expect(third.stderr).toContain('slack: resolved for production');
    const texts = slack.messages().map((message) => String(message.text));
    expect(texts).toEqual(['Clerk settings drift in production: 2 weakening', 'Clerk drift resolved in production: the verified live settings match baseline 1.0.0 again (2 managed settings unverified)']);
    for (const output of [first, second, third]) expect(output.stdout + output.stderr).not.toContain('SENTINELtoken');
  });

  test('Slack answering 500 exits 1 with the report on disk and the state not advanced', async () => {
    slack.mode = 'error500';
    const state = path.join(dir, 'state.json');
    await weaken();
    const result = await runCliAsync(['drift', PRODUCTION_BASELINE_FILE, '--slack', '--state', state, '--out', path.join(dir, 'out')], { env: slackEnv() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Slack chat.postMessage failed');
    expect(result.stderr).not.toContain('SENTINELtoken');
    expect(readFileSync(path.join(dir, 'out', 'report.md'), 'utf8')).toContain('settings.instance.test_mode');
    expect(existsSync(state)).toBe(false);
    expect(existsSync(path.join(dir, 'state', 'production.json'))).toBe(false);
  });

  test('an --out folder that cannot be written: clear error, report still on stdout, Slack not contacted, exit 1', async () => {
    writeFileSync(path.join(dir, 'a-file'), 'not a folder');
    const state = path.join(dir, 'state.json');
    await weaken();
    const result = await runCliAsync(['drift', PRODUCTION_BASELINE_FILE, '--slack', '--state', state, '--out', path.join(dir, 'a-file', 'out')], { env: slackEnv() });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('settings.instance.test_mode');
    expect(result.stderr).toContain('could not write the report files');
    expect(result.stderr).not.toContain('bug in clerkguard');
    expect(slack.requests).toHaveLength(0);
    expect(existsSync(state)).toBe(false);
    expect(existsSync(path.join(dir, 'state', 'production.json'))).toBe(false);
  });

  test('a Slack timeout exits 1 too, with the report on disk', async () => {
    slack.mode = 'hang';
    await weaken();
    const result = await runCliAsync(['drift', PRODUCTION_BASELINE_FILE, '--slack', '--state', path.join(dir, 'state.json'), '--out', path.join(dir, 'out')], { env: slackEnv() });
    expect(result.code).toBe(1);
    expect(existsSync(path.join(dir, 'out', 'report.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'state.json'))).toBe(false);
    expect(existsSync(path.join(dir, 'state', 'production.json'))).toBe(false);
  });
});
