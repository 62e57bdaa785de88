/**
 * Audit finding 10: live (an export, a snapshot's review), a pass that rests only on a bare
 * declaration copied from the baseline (`session.cookie_same_site: "lax"`,
 * `monitoring.failed_login_alerts`, the settings review, the key rotation date: no attester, no
 * date of checking, no evidence) was labelled `PASS | attested`. Now it is `not_verifiable`
 * unless an attestation object or application evidence (probe, scan) backs it. A baseline check
 * is unchanged: a baseline is intent (evidence `baseline`).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBaselineFile, parseBaseline } from '../../src/baseline/load';
import { baselineContext, checkBaseline } from '../../src/checklist/evaluate-baseline';
import { evaluateSettings, type Finding } from '../../src/checklist/index';
import type { ApplicationEvidence } from '../../src/evidence/index';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { exportLive } from '../../src/export/export';
import type { LiveExport } from '../../src/export/types';
import { baselineWith } from '../helpers/baselines';
import { PINNED_TODAY, REPO_ROOT } from '../helpers/cli';

// The shipped baseline records items 4, 19 and 20 in their evidence slots; this one only declares them.
const bareBaseline = baselineWith((baseline) => {
  const settings = baseline.settings as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  settings.keys = { expected_environment: 'live', last_rotated_at: '2026-10-01', rotation_max_age_days: 180 };
  delete settings.monitoring.failed_login_alerts.test_alert;
  settings.monitoring.settings_review = { cadence: 'quarterly', last_reviewed_at: '2026-10-01' };
});
const loaded = parseBaseline(JSON.stringify(bareBaseline), 'baselines/production.json');
const shipped = loadBaselineFile(path.join(REPO_ROOT, 'baselines', 'production.json'));
let emulator: RunningEmulator;
let live: LiveExport;
let shippedLive: LiveExport;

beforeAll(async () => {
  emulator = await startEmulator({ seed: loaded, rateLimit: false });
  live = await exportLive(loaded, { env: emulator.env(), now: new Date(`${PINNED_TODAY}T12:00:00Z`) });
  shippedLive = await exportLive(shipped, { env: emulator.env(), now: new Date(`${PINNED_TODAY}T12:00:00Z`) });
});

afterAll(async () => {
  await emulator?.close();
});

function liveFindings(settings = live.settings, application?: readonly ApplicationEvidence[]): Finding[] {
  return evaluateSettings(settings, { ...baselineContext(loaded, PINNED_TODAY), mode: 'live', coverage: live.coverage, ...(application ? { application } : {}) });
}

const at = (findings: Finding[], findingPath: string) => findings.find((finding) => finding.path === findingPath);

// Every result whose only support is a bare declaration.
const DECLARATIONS = [
  [4, 'keys-rotation', 'settings.keys.last_rotated_at'],
  [8, 'session-cookie-samesite', 'settings.session.cookie_same_site'],
  [19, 'monitoring-failed-login-alerts', 'settings.monitoring.failed_login_alerts'],
  [20, 'monitoring-settings-review', 'settings.monitoring.settings_review'],
] as const;

describe('bare declarations, live', () => {
  it.each(DECLARATIONS)('item %i (%s) at %s is not_verifiable, never a pass labelled attested', (_item, rule, findingPath) => {
    const finding = at(liveFindings(), findingPath)!;
    expect(finding).toMatchObject({ rule, status: 'not_verifiable', evidence: 'attested' });
    expect(finding.message).toMatch(/but only as the baseline declares it .*no attestation \(attested_by, attested_at, evidence\) or probe or scan backs it; (record|sign off|run)/);
    expect(finding.how_to_verify).toBeDefined();
  });

  it.each(DECLARATIONS)('item %i (%s) still passes a baseline check, as intent', (_item, rule, findingPath) => {
    expect(at(checkBaseline(loaded, PINNED_TODAY), findingPath)).toMatchObject({ rule, status: 'pass', evidence: 'baseline' });
  });

  it('no live finding passes on the baseline\'s word unless it points at an attestation object', () => {
    const passing = liveFindings().filter((finding) => finding.status === 'pass' && finding.evidence === 'attested');
    expect(passing.length).toBeGreaterThan(5);
    for (const finding of passing) expect(finding.path, finding.rule).toMatch(/^settings\.(practices|webhooks)\.\w+$/);
  });

  it.each([
    [4, 'keys-rotation', 'settings.keys.last_rotation'],
    [19, 'monitoring-failed-login-alerts', 'settings.monitoring.failed_login_alerts.test_alert'],
    [20, 'monitoring-settings-review', 'settings.monitoring.settings_review.last_review'],
  ] as const)('item %i (%s) passes live on the attestation in its evidence slot %s (the shipped baseline)', (_item, rule, findingPath) => {
    const findings = evaluateSettings(shippedLive.settings, { ...baselineContext(shipped, PINNED_TODAY), mode: 'live', coverage: shippedLive.coverage });
    expect(at(findings, findingPath)).toMatchObject({ rule, status: 'pass', evidence: 'attested' });
  });

  it('a declaration that shows a problem still fails', () => {
    const settings = structuredClone(live.settings);
    settings.session = { ...settings.session, cookie_same_site: 'none' };
    settings.keys = { ...settings.keys!, last_rotated_at: '2024-01-01' };
    const findings = liveFindings(settings);
    expect(at(findings, 'settings.session.cookie_same_site')).toMatchObject({ status: 'fail' });
    expect(at(findings, 'settings.keys.last_rotated_at')).toMatchObject({ status: 'fail' });
  });

  it('a probe that read the cookie backs item 8', () => {
    const probe: ApplicationEvidence = {
      source: 'probe',
      subjects: ['https://app.example.com'],
      examined: ['session-cookie-samesite'],
      observations: [{ source: 'probe', rule: 'session-cookie-samesite', check: 'cookie-samesite', status: 'pass', confidence: 'high', message: '__session is SameSite=Lax', location: { url: 'https://app.example.com/' } }],
    };
    const eight = liveFindings(live.settings, [probe]).filter((finding) => finding.rule === 'session-cookie-samesite');
    expect(eight.map((finding) => [finding.status, finding.evidence])).toEqual([['pass', 'probe']]);
  });

  it('an attestation object still backs its item (and an expired one fails)', () => {
    expect(at(liveFindings(), 'settings.practices.server_side_session_verification')).toMatchObject({ status: 'pass', evidence: 'attested' });
    const settings = structuredClone(live.settings);
    settings.practices = { ...settings.practices, server_side_session_verification: { attested_by: 'qa', attested_at: '2024-01-01', evidence: 'old' } };
    expect(at(liveFindings(settings), 'settings.practices.server_side_session_verification')).toMatchObject({ status: 'fail' });
  });
});
