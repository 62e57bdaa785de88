/**
 * The evidence slots of items 4, 19 and 20 through the built CLI (bin/clerkguard, as users run
 * it): `check` points each item at its slot and says it is the baseline's word (evidence
 * `baseline`), a stale rotation fails `check`; `drift` against the emulator names the slots'
 * source (`attested`) in its coverage, in JSON and in the markdown report.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBaselineFile } from '../../src/baseline/load';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import { stableStringify } from '../../src/util/json';
import { runCliAsync } from '../drift/cli';
import { baselineWith } from '../helpers/baselines';
import { REPO_ROOT } from '../helpers/cli';

interface JsonFinding {
  rule: string;
  status: string;
  evidence: string;
  path?: string;
  message: string;
}

let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({ seed: loadBaselineFile(path.join(REPO_ROOT, 'baselines', 'production.json')), rateLimit: false });
  dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-evidence-slots-'));
  mkdirSync(path.join(dir, 'baselines'));
});
afterAll(async () => {
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function writeBaseline(mutate: (settings: Record<string, any>) => void = () => {}): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  writeFileSync(path.join(dir, 'baselines', 'production.json'), stableStringify(baselineWith((baseline) => mutate(baseline.settings as Record<string, any>)))); // eslint-disable-line @typescript-eslint/no-explicit-any
}

const SLOTS = [
  ['keys-rotation', 'settings.keys.last_rotation', /the secret key was rotated 56 days ago \(2026-10-01, by platform-team: CHG-2291/],
  ['monitoring-failed-login-alerts', 'settings.monitoring.failed_login_alerts.test_alert', /a test alert reached siem:clerk-auth-failures: attested by security-team on 2026-10-20 \(INC-4410/],
  ['monitoring-settings-review', 'settings.monitoring.settings_review.last_review', /the quarterly settings review: attested by security-team on 2026-10-01/],
] as const;

describe('check: items 4, 19 and 20 on their evidence slots', () => {
  it('json names the slot and the evidence kind (baseline: a check is intent); markdown shows the slot', async () => {
    writeBaseline();
    const run = await runCliAsync(['check', '--format', 'json', '--verbose'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const findings = (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings;
    for (const [rule, slot, message] of SLOTS) {
      const finding = findings.find((candidate) => candidate.rule === rule && candidate.path === slot);
      expect(finding, rule).toMatchObject({ status: 'pass', evidence: 'baseline' });
      expect(finding!.message).toMatch(message);
    }
    const markdown = await runCliAsync(['check', '--format', 'markdown', '--verbose'], { cwd: dir });
    for (const [, slot] of SLOTS) expect(markdown.stdout).toContain(`\`${slot}\``);
  });

  it('a stale rotation attestation fails check (exit 2 at --fail-on medium) at the slot', async () => {
    writeBaseline((settings) => (settings.keys.last_rotation.attested_at = '2025-01-01'));
    const run = await runCliAsync(['check', '--format', 'json', '--fail-on', 'medium'], { cwd: dir });
    expect(run.code, run.stderr).toBe(2);
    const findings = (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings;
    expect(findings.find((finding) => finding.rule === 'keys-rotation')).toMatchObject({ status: 'fail', evidence: 'baseline', path: 'settings.keys.last_rotation', message: expect.stringMatching(/last rotated 694 days ago/) });
  });

  it('a malformed slot is a located error, exit 1, with nothing evaluated as a pass', async () => {
    writeBaseline((settings) => (settings.monitoring.failed_login_alerts.test_alert = { attested_by: 'ops', attested_at: 'last week', evidence: 'INC-1' }));
    const run = await runCliAsync(['check', '--format', 'json'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/baselines\/production\.json:\d+:\d+ settings\.monitoring\.failed_login_alerts\.test_alert\.attested_at/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('drift: the slots\' source in the coverage', () => {
  it('json and the markdown report say the slots come from the baseline\'s attestations (attested)', async () => {
    writeBaseline();
    const out = path.join(dir, 'reports');
    const run = await runCliAsync(['drift', 'baselines/production.json', '--format', 'json', '--out', out], { cwd: dir, env: { ...emulator.env(), CLERKGUARD_HTTP_TIMEOUT_MS: '5000' } });
    expect(run.code, run.stderr).toBe(0);
    const [production] = (JSON.parse(run.stdout) as { environments: { status: string; coverage: Record<string, string> }[] }).environments;
    expect(production).toMatchObject({ status: 'clean' });
    expect(production!.coverage).toMatchObject({ 'settings.keys.last_rotation': 'attested', 'settings.keys.rotation_max_age_days': 'attested', 'settings.monitoring': 'attested', 'settings.keys.expected_environment': 'bapi' });
    const markdown = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(markdown).toContain('| `settings.keys.last_rotation` | attested |');
    expect(markdown).toContain('| `settings.monitoring` | attested |');
  });
});
