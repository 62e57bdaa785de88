/**
 * The compiled CLI as users run it: `probe` (findings, dry run, a URL the baseline does not
 * name), `check --probe`, and `drift --probe` / `snapshot --probe` against the Clerk emulator,
 * with the test application and the emulator in this process (hence async spawns).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBaseline } from '../../src/baseline/load';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import { runCliAsync } from '../drift/cli';
import { fixtureDir } from '../helpers/cli';
import { LEAKED_SECRET_KEY, LIVE_PUBLISHABLE_KEY, SIGNING_SECRET, startApp, startForeignServer, type RunningServer } from './app-server';
import { WEBHOOK_PATH, probeBaseline } from './fixtures';

const APP_ENV = { CLERK_PUBLISHABLE_KEY: LIVE_PUBLISHABLE_KEY, CLERK_WEBHOOK_SIGNING_SECRET: SIGNING_SECRET };

let vulnerable: RunningServer;
let fixed: RunningServer;
let foreign: RunningServer;

beforeAll(async () => {
  foreign = await startForeignServer();
  vulnerable = await startApp({ variant: 'vulnerable', foreignScripts: [foreign.origin] });
  fixed = await startApp({ variant: 'fixed', foreignScripts: [foreign.origin] });
}, 120_000);

afterAll(async () => {
  await Promise.all([vulnerable, fixed, foreign].map((server) => server?.close()));
});

function repoFor(origin: string): string {
  return fixtureDir({ 'baselines/production.json': probeBaseline({ origin }) });
}

describe('clerkguard probe', () => {
  it('exits 2 on the vulnerable app with each failing check and its URL, and prints no secret', async () => {
    const cwd = repoFor(vulnerable.origin);
    const result = await runCliAsync(['probe', '-v'], { cwd, env: APP_ENV });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/FAIL\s+9 critical webhook-signature-verification\n\s+accepted a forged delivery with a wrong signature \(HTTP 200\)/);
    expect(result.stdout).toContain(`at ${vulnerable.origin}${WEBHOOK_PATH} [webhook-forged-signature, high confidence, evidence probe]`);
    expect(result.stdout).toContain(`at ${vulnerable.origin}/dashboard [unauthenticated-access`);
    expect(result.stdout).toMatch(/Requests: \d+ sent of a budget of 60/);
    expect(`${result.stdout}${result.stderr}`).not.toContain(LEAKED_SECRET_KEY);
    expect(`${result.stdout}${result.stderr}`).not.toContain(SIGNING_SECRET);
    expect(foreign.requests).toEqual([]);
  });

  it('exits 0 on the fixed app; --format sarif is valid SARIF', async () => {
    const cwd = repoFor(fixed.origin);
    const text = await runCliAsync(['probe'], { cwd, env: APP_ENV });
    expect(text.code, text.stderr).toBe(0);
    const sarif = await runCliAsync(['probe', '--format', 'sarif'], { cwd, env: APP_ENV });
    expect((JSON.parse(sarif.stdout) as { version: string }).version).toBe('2.1.0');
  });

  it('--dry-run prints every request and sends nothing; a --url the baseline does not name exits 1 unsent', async () => {
    const cwd = repoFor(vulnerable.origin);
    const before = vulnerable.requests.length;
    const dry = await runCliAsync(['probe', '--dry-run'], { cwd, env: APP_ENV });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`POST ${vulnerable.origin}${WEBHOOK_PATH}`);
    expect(dry.stdout).toContain(`GET ${vulnerable.origin}/dashboard`);
    expect(dry.stdout).toContain('nothing was sent');
    const outside = await runCliAsync(['probe', '--url', `${foreign.origin}/admin`], { cwd, env: APP_ENV });
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain('which baselines/production.json does not name');
    expect(outside.stderr).not.toMatch(/\n\s+at /);
    expect(vulnerable.requests.length).toBe(before);
    expect(foreign.requests).toEqual([]);
  });

  it('check --probe puts the probe into the checklist', async () => {
    const cwd = repoFor(vulnerable.origin);
    const result = await runCliAsync(['check', 'baselines/production.json', '--probe', '--format', 'json'], { cwd, env: APP_ENV });
    expect(result.code).toBe(2);
    const findings = (JSON.parse(result.stdout) as { findings: { checklist_item: number | null; evidence: string; status: string }[] }).findings;
    for (const item of [2, 7, 8, 9]) expect(findings.some((finding) => finding.checklist_item === item && finding.evidence === 'probe' && finding.status === 'fail'), `item ${item}`).toBe(true);
  });
});

describe('drift --probe and snapshot --probe against the emulator', () => {
  let emulator: RunningEmulator;
  let cwd: string;
  let fixedCwd: string;

  beforeAll(async () => {
    cwd = repoFor(vulnerable.origin);
    fixedCwd = repoFor(fixed.origin);
    const text = readFileSync(path.join(cwd, 'baselines', 'production.json'), 'utf8');
    emulator = await startEmulator({ seed: parseBaseline(text, 'baselines/production.json'), rateLimit: false });
  }, 60_000);

  afterAll(async () => {
    await emulator?.close();
  });

  const env = () => ({ ...emulator.env(), ...APP_ENV, CLERKGUARD_HTTP_RETRIES: '0', CLERKGUARD_HTTP_BACKOFF_MS: '1' });

  it('drift --probe reports what the running app contradicts as drift with source probe (exit 2)', async () => {
    const result = await runCliAsync(['drift', 'baselines/production.json', '--probe', '--format', 'json'], { cwd, env: env() });
    expect(result.code, result.stderr).toBe(2);
    const report = JSON.parse(result.stdout) as { environments: { changes: { path: string; source: string; checklist_items: number[] }[]; application?: { sources: { source: string }[] } }[] };
    const changes = report.environments[0]?.changes ?? [];
    expect(changes.some((change) => change.source === 'probe' && change.path.startsWith('settings.webhooks.signature_verification['))).toBe(true);
    expect(report.environments[0]?.application?.sources.map((source) => source.source)).toEqual(['probe']);
  });

  it('schedule --once --probe: the nightly job reports the same drift and writes it to --out', async () => {
    const result = await runCliAsync(['schedule', 'baselines/production.json', '--once', '--probe', '--out', 'reports'], { cwd, env: env() });
    expect(result.code, result.stderr).toBe(2);
    const report = JSON.parse(readFileSync(path.join(cwd, 'reports', 'report.json'), 'utf8')) as { environments: { changes: { source: string }[] }[] };
    expect(report.environments[0]?.changes.filter((change) => change.source === 'probe').length).toBeGreaterThan(3);
    expect(readFileSync(path.join(cwd, 'reports', 'report.md'), 'utf8')).toContain('**Application evidence:** probe');
  });

  it('snapshot --probe: the quarterly review shows items 2, 7, 8, 9 with evidence probe', async () => {
    const text = readFileSync(path.join(fixedCwd, 'baselines', 'production.json'), 'utf8');
    const own = await startEmulator({ seed: parseBaseline(text, 'baselines/production.json'), rateLimit: false });
    try {
      const result = await runCliAsync(['snapshot', 'baselines/production.json', '--probe', '--quarter', '2026-Q4'], { cwd: fixedCwd, env: { ...own.env(), ...APP_ENV } });
      expect(result.stderr).not.toMatch(/could not/);
      const markdown = readFileSync(path.join(fixedCwd, 'snapshots', 'production', '2026-Q4.md'), 'utf8');
      for (const item of [2, 7, 8, 9]) expect(markdown, `item ${item}`).toMatch(new RegExp(`^\\| ${item} \\|[^\\n]*\\| [^|\\n]*probe[^|\\n]* \\|`, 'm'));
      expect(markdown).toMatch(/^\| 9 \|[^\n]*\| PASS \|/m);
      expect(markdown).not.toContain(SIGNING_SECRET);
    } finally {
      await own.close();
    }
  });
});
