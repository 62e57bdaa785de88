/**
 * Audit finding 2: a hand-made dashboard export stood in for every setting no API answered (test
 * mode and MFA without a publishable key: `CLEAN`). Now it fills only what no API exposes (the
 * allow-list in src/export/sources.ts), names every other value it is not used for, needs
 * `exported_at` and `exported_by`, and stops counting after a maximum age.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBaselineFile } from '../../src/baseline/load';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { dashboardStaleness, exportLive } from '../../src/export/export';
import { readDashboardExportFile } from '../../src/export/files';
import { DASHBOARD_EXPORT_MAX_AGE_DAYS, type DashboardExport } from '../../src/export/types';
import { BIN, PINNED_TODAY, REPO_ROOT, type CliResult } from '../helpers/cli';

const BASELINE = path.join(REPO_ROOT, 'baselines', 'production.json');
const loaded = loadBaselineFile(BASELINE);
const NOW = new Date(`${PINNED_TODAY}T12:00:00Z`);

let emulator: RunningEmulator;
let dir: string;

/** The audit's file, plus what the dashboard really is the only source of. */
const HAND_MADE = {
  schema_version: 1,
  settings: {
    instance: { test_mode: false },
    sign_in: { second_factor: { required: true } },
    session: { inactivity_timeout_minutes: 30 },
  },
} as const;

function dashboard(extra: Partial<DashboardExport> = {}): DashboardExport {
  return { ...structuredClone(HAND_MADE), exported_at: '2026-11-20', exported_by: 'platform-team', ...extra } as DashboardExport;
}

/** The environment without a publishable key: FAPI (test mode, MFA) cannot be read. */
function withoutFrontend(): Record<string, string> {
  const env = { ...emulator.env() };
  delete env.CLERK_PUBLISHABLE_KEY;
  delete env.CLERK_FRONTEND_API_URL;
  return env;
}

function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', CLERKGUARD_TODAY: PINNED_TODAY, CLERKGUARD_HTTP_RETRIES: '0', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

beforeAll(async () => {
  emulator = await startEmulator({ seed: loaded, rateLimit: false });
  // Live: test mode on and MFA off (both critical in production).
  emulator.applySettings({ instance: { test_mode: true }, sign_in: { second_factor: { required: false } } });
  dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-dashboard-'));
});

afterAll(async () => {
  await emulator?.close();
});

describe('a dashboard export fills only what no API exposes', () => {
  it('API-readable settings no API answered stay unverified, each named in a warning', async () => {
    const warnings: string[] = [];
    const live = await exportLive(loaded, { env: withoutFrontend(), now: NOW, dashboardExport: dashboard(), onWarning: (message) => warnings.push(message) });
    expect(live.settings.instance?.test_mode).toBeUndefined();
    expect(live.settings.sign_in).toBeUndefined();
    expect(live.coverage['instance.test_mode']).toBe('unverified');
    expect(live.coverage['sign_in.second_factor']).toBe('unverified');
    // What the file is the only source of is used.
    expect(live.settings.session?.inactivity_timeout_minutes).toBe(30);
    expect(live.coverage['session.inactivity_timeout_minutes']).toBe('export-file');
    expect(warnings).toEqual([
      "environment production: dashboard export: settings.instance.test_mode is read from Clerk's API, which did not answer it this run; the file's value is not used and settings.instance.test_mode stays unverified",
      "environment production: dashboard export: settings.sign_in.second_factor is read from Clerk's API, which did not answer it this run; the file's value is not used and settings.sign_in.second_factor stays unverified",
    ]);
  });

  it('with the API answering, the API wins and the disagreement is named', async () => {
    const warnings: string[] = [];
    const live = await exportLive(loaded, { env: emulator.env(), now: NOW, dashboardExport: dashboard(), onWarning: (message) => warnings.push(message) });
    expect(live.settings.instance?.test_mode).toBe(true);
    expect(live.coverage['instance.test_mode']).toBe('fapi');
    expect(warnings).toContain('environment production: dashboard export: settings.instance.test_mode differs from what fapi returned; the fapi value is used');
  });

  it('on the CLI (the audit reproduction): no CLEAN on the file\'s word; the settings are listed as unverified', async () => {
    const file = path.join(dir, 'dash.json');
    writeFileSync(file, JSON.stringify(dashboard()));
    const run = await cli(['drift', BASELINE, '--dashboard-export', file, '--format', 'json'], withoutFrontend());
    const report = JSON.parse(run.stdout) as { environments: { status: string; unverified: { path: string }[] }[] };
    const unverified = report.environments[0]!.unverified.map((entry) => entry.path);
    expect(unverified).toEqual(expect.arrayContaining(['settings.instance.test_mode', 'settings.sign_in.second_factor']));
    expect(report.environments[0]!.status).toBe('clean');
    expect(run.stderr).toContain("warning: environment production: dashboard export: settings.instance.test_mode is read from Clerk's API, which did not answer it this run");
    const strict = await cli(['drift', BASELINE, '--dashboard-export', file, '--strict'], withoutFrontend());
    expect(strict.status).toBe(2);
  });
});

describe('exported_at and exported_by are required', () => {
  it('an old file without them: a clear error with a hint, naming the file and the keys', () => {
    const file = path.join(dir, 'old.json');
    writeFileSync(file, `${JSON.stringify(HAND_MADE, null, 2)}\n`);
    let message = '';
    let hint = '';
    try {
      readDashboardExportFile(file);
    } catch (error) {
      message = (error as Error).message;
      hint = (error as { hint?: string }).hint ?? '';
    }
    expect(message).toContain(`${file} has 2 problems`);
    expect(message).toMatch(/missing required key "exported_at"/);
    expect(message).toMatch(/missing required key "exported_by"/);
    expect(hint).toMatch(/^a dashboard export needs "exported_at" \(the day the values were copied from the dashboard, YYYY-MM-DD\) and "exported_by"/);
  });

  it.each([
    ['2026-02-30', false],
    ['yesterday', false],
    ['2026-11-20', true],
    ['2026-11-20T09:30:00Z', true],
    ['2026-11-20T23:30:00-05:00', true],
  ])('exported_at %j is accepted: %s', (exportedAt, valid) => {
    const file = path.join(dir, 'dated.json');
    writeFileSync(file, JSON.stringify({ ...HAND_MADE, exported_at: exportedAt, exported_by: 'ops' }));
    if (valid) expect(readDashboardExportFile(file).exported_at).toBe(exportedAt);
    else expect(() => readDashboardExportFile(file)).toThrow(/exported_at: expected a real date as YYYY-MM-DD/);
  });

  it('an empty exported_by is refused', () => {
    const file = path.join(dir, 'anonymous.json');
    writeFileSync(file, JSON.stringify({ ...HAND_MADE, exported_at: '2026-11-20', exported_by: ' ' }));
    expect(() => readDashboardExportFile(file)).toThrow(/exported_by/);
  });
});

describe('a dashboard export ages out', () => {
  it.each([
    ['exported today', '2026-11-26', 100, undefined],
    ['exactly the maximum age', '2026-08-18', 100, undefined],
    ['one day past it', '2026-08-17', 100, 'is 101 days old, more than the 100 days a dashboard export counts (CLERKGUARD_DASHBOARD_EXPORT_MAX_AGE_DAYS)'],
    ['a shorter configured age', '2026-11-01', 7, 'is 25 days old, more than the 7 days a dashboard export counts (CLERKGUARD_DASHBOARD_EXPORT_MAX_AGE_DAYS)'],
    ['dated after today', '2026-12-01', 100, 'is dated after today (2026-11-26)'],
    ['a timestamp of today that is tomorrow in UTC', '2026-11-26T23:30:00-02:00', 100, 'is dated after today (2026-11-26)'],
    ['a timestamp of today in UTC', '2026-11-26T20:00:00-02:00', 100, undefined],
  ] as const)('%s', (_name, exportedAt, maxAge, stale) => {
    expect(dashboardStaleness({ exported_at: exportedAt }, PINNED_TODAY, maxAge)).toBe(stale);
  });

  it(`defaults to ${DASHBOARD_EXPORT_MAX_AGE_DAYS} days; past it, nothing in it counts and the warning names what stays unverified`, async () => {
    const warnings: string[] = [];
    const live = await exportLive(loaded, { env: emulator.env(), now: NOW, dashboardExport: dashboard({ exported_at: '2026-01-05' }), onWarning: (message) => warnings.push(message) });
    expect(live.settings.session?.inactivity_timeout_minutes).toBeUndefined();
    expect(live.coverage['session.inactivity_timeout_minutes']).toBe('unverified');
    expect(warnings).toEqual([
      'environment production: dashboard export (exported 2026-01-05 by platform-team) is 325 days old, more than the 100 days a dashboard export counts (CLERKGUARD_DASHBOARD_EXPORT_MAX_AGE_DAYS): its values are not used; settings.session.inactivity_timeout_minutes, settings.webhooks.endpoints stay unverified. Copy them from the dashboard again and update exported_at',
    ]);
  });

  it('CLERKGUARD_DASHBOARD_EXPORT_MAX_AGE_DAYS changes the age; a bad value is an error', async () => {
    const old = dashboard({ exported_at: '2026-01-05' });
    const kept = await exportLive(loaded, { env: { ...emulator.env(), CLERKGUARD_DASHBOARD_EXPORT_MAX_AGE_DAYS: '365' }, now: NOW, dashboardExport: old });
    expect(kept.coverage['session.inactivity_timeout_minutes']).toBe('export-file');
    await expect(exportLive(loaded, { env: { ...emulator.env(), CLERKGUARD_DASHBOARD_EXPORT_MAX_AGE_DAYS: 'forever' }, now: NOW, dashboardExport: old })).rejects.toThrow(
      'CLERKGUARD_DASHBOARD_EXPORT_MAX_AGE_DAYS must be a whole number of days from 1 to 3650, got "forever"',
    );
  });
});
