/**
 * The evidence slots of items 4, 19 and 20 (`keys.last_rotation`,
 * `monitoring.failed_login_alerts.test_alert`, `monitoring.settings_review.last_review`), table
 * driven: evaluated live (as an export or a snapshot's review does) each passes only while fresh;
 * stale, future-dated or missing evidence never passes; malformed evidence is a located baseline
 * error. `check` of a baseline reports the same slots as intent (evidence `baseline`).
 */
import { describe, expect, it } from 'vitest';
import { BaselineError, parseBaseline, type LoadedBaseline } from '../../src/baseline/load';
import { baselineContext, checkBaseline } from '../../src/checklist/evaluate-baseline';
import { evaluateSettings, type Finding } from '../../src/checklist/index';
import type { EvidenceSource } from '../../src/settings/model';
import { baselineWith } from '../helpers/baselines';
import { PINNED_TODAY } from '../helpers/cli';

type Draft = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function load(mutate: (settings: Draft) => void): LoadedBaseline {
  return parseBaseline(JSON.stringify(baselineWith((baseline) => mutate(baseline.settings as Draft))), 'baselines/production.json');
}

// What exportLive records for these paths: the baseline's word, copied (src/export/sources.ts).
const COVERAGE: Record<string, EvidenceSource> = {
  'keys.expected_environment': 'bapi',
  'keys.last_rotated_at': 'attested',
  'keys.last_rotation': 'attested',
  'keys.rotation_max_age_days': 'attested',
  monitoring: 'attested',
  attack_protection: 'fapi',
  sign_up: 'fapi',
  instance: 'fapi',
};

function live(loaded: LoadedBaseline): Finding[] {
  return evaluateSettings(loaded.baseline.settings, { ...baselineContext(loaded, PINNED_TODAY), mode: 'live', coverage: COVERAGE });
}

const slot = (findings: Finding[], rule: string, prefix: string) => findings.filter((finding) => finding.rule === rule && finding.path?.startsWith(prefix));

interface SlotCase {
  item: number;
  rule: string;
  /** The slot's path inside settings (the attestation object). */
  slot: string;
  /** Where the bare declaration beside it points. */
  declaration: string;
  set: (settings: Draft, attestation: unknown) => void;
  clear: (settings: Draft) => void;
  /** attested_at of a fresh and of a stale attestation (PINNED_TODAY is 2026-11-26). */
  fresh: string;
  stale: string;
  passMessage: RegExp;
  staleMessage: RegExp;
}

const SLOTS: SlotCase[] = [
  {
    item: 4,
    rule: 'keys-rotation',
    slot: 'keys.last_rotation',
    declaration: 'keys.last_rotated_at',
    set: (settings, attestation) => void (settings.keys.last_rotation = attestation),
    clear: (settings) => void delete settings.keys.last_rotation,
    fresh: '2026-10-01',
    stale: '2026-03-01',
    passMessage: /the secret key was rotated 56 days ago \(2026-10-01, by ops: CHG-1\), within 180 days/,
    staleMessage: /the secret key was last rotated 270 days ago \(2026-03-01, by ops: CHG-1\); the limit is 180 days/,
  },
  {
    item: 19,
    rule: 'monitoring-failed-login-alerts',
    slot: 'monitoring.failed_login_alerts.test_alert',
    declaration: 'monitoring.failed_login_alerts',
    set: (settings, attestation) => void (settings.monitoring.failed_login_alerts.test_alert = attestation),
    clear: (settings) => void delete settings.monitoring.failed_login_alerts.test_alert,
    fresh: '2026-06-01',
    stale: '2025-10-01',
    passMessage: /failed-login spikes above 10x alert siem:clerk-auth-failures; a test alert reached siem:clerk-auth-failures: attested by ops on 2026-06-01 \(CHG-1\)/,
    staleMessage: /attestation for a test alert reached siem:clerk-auth-failures by ops expired on 2026-10-01/,
  },
  {
    item: 20,
    rule: 'monitoring-settings-review',
    slot: 'monitoring.settings_review.last_review',
    declaration: 'monitoring.settings_review',
    set: (settings, attestation) => void (settings.monitoring.settings_review.last_review = attestation),
    clear: (settings) => void delete settings.monitoring.settings_review.last_review,
    fresh: '2026-10-01',
    stale: '2026-07-01',
    passMessage: /the quarterly settings review: attested by ops on 2026-10-01 \(CHG-1\)/,
    staleMessage: /attestation for the quarterly settings review by ops expired on 2026-10-09/,
  },
];

const attestation = (attestedAt: string, extra: object = {}) => ({ attested_by: 'ops', attested_at: attestedAt, evidence: 'CHG-1', ...extra });

describe.each(SLOTS)('item $item ($rule): evidence slot settings.$slot, live', (entry) => {
  it('passes on a fresh attestation, with evidence attested', () => {
    const findings = slot(live(load((settings) => entry.set(settings, attestation(entry.fresh)))), entry.rule, `settings.${entry.slot}`);
    expect(findings).toEqual([expect.objectContaining({ status: 'pass', evidence: 'attested', path: `settings.${entry.slot}` })]);
    expect(findings[0]!.message).toMatch(entry.passMessage);
  });

  it('fails on a stale attestation', () => {
    const findings = slot(live(load((settings) => entry.set(settings, attestation(entry.stale)))), entry.rule, `settings.${entry.slot}`);
    expect(findings).toEqual([expect.objectContaining({ status: 'fail', path: `settings.${entry.slot}` })]);
    expect(findings[0]!.message).toMatch(entry.staleMessage);
  });

  it('fails when its own expires has passed, even within the rule\'s maximum age', () => {
    const findings = slot(live(load((settings) => entry.set(settings, attestation(entry.fresh, { expires: '2026-11-20' })))), entry.rule, `settings.${entry.slot}`);
    expect(findings).toEqual([expect.objectContaining({ status: 'fail' })]);
    expect(findings[0]!.message).toMatch(/expired on 2026-11-20/);
  });

  it('fails when dated in the future, pointing at attested_at', () => {
    const findings = slot(live(load((settings) => entry.set(settings, attestation('2026-12-01')))), entry.rule, `settings.${entry.slot}`);
    expect(findings).toEqual([expect.objectContaining({ status: 'fail', path: `settings.${entry.slot}.attested_at` })]);
    expect(findings[0]!.message).toMatch(/2026-12-01/);
    expect(findings[0]!.message).toMatch(/future/);
  });

  it('missing: the bare declaration beside it is not_verifiable, never a pass, and names the slot', () => {
    const findings = live(load(entry.clear)).filter((finding) => finding.rule === entry.rule && [`settings.${entry.declaration}`, `settings.${entry.slot}`].includes(finding.path ?? ''));
    expect(findings.map((finding) => finding.status)).not.toContain('pass');
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) expect(finding.status).toBe('not_verifiable');
    expect(findings.map((finding) => finding.message).join('\n')).toMatch(new RegExp(entry.slot.split('.').pop()!));
  });

  it.each([
    ['a date that is no date', { attested_by: 'ops', attested_at: '2026-02-30', evidence: 'CHG-1' }, 'attested_at'],
    ['no evidence', { attested_by: 'ops', attested_at: '2026-10-01' }, 'evidence'],
    ['an empty attester', { attested_by: '', attested_at: '2026-10-01', evidence: 'CHG-1' }, 'attested_by'],
    ['a bare string', 'done', ''],
    ['an unknown field', { attested_by: 'ops', attested_at: '2026-10-01', evidence: 'CHG-1', verified: true }, ''],
  ])('malformed (%s): the baseline is refused with the file and the path', (_name, value, field) => {
    let error: unknown;
    try {
      load((settings) => entry.set(settings, value));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BaselineError);
    const message = (error as Error).message;
    expect(message).toContain('baselines/production.json:');
    expect(message).toContain(`settings.${entry.slot}${field ? `.${field}` : ''}`);
  });

  it('check of a baseline reports the slot as intent (evidence baseline)', () => {
    const findings = slot(checkBaseline(load((settings) => entry.set(settings, attestation(entry.fresh))), PINNED_TODAY), entry.rule, `settings.${entry.slot}`);
    expect(findings).toEqual([expect.objectContaining({ status: 'pass', evidence: 'baseline' })]);
  });
});

describe('slot details', () => {
  it('item 4: a bare rotation date is not_verifiable live and names the slot; a stale one still fails', () => {
    const bare = (date: string) =>
      live(load((settings) => (settings.keys = { expected_environment: 'live', last_rotated_at: date, rotation_max_age_days: 180 }))).filter((finding) => finding.rule === 'keys-rotation');
    expect(bare('2026-10-01')).toEqual([expect.objectContaining({ status: 'not_verifiable', evidence: 'attested', path: 'settings.keys.last_rotated_at' })]);
    expect(bare('2026-10-01')[0]!.message).toMatch(/record the rotation at settings\.keys\.last_rotation$/);
    expect(bare('2025-10-01')).toEqual([expect.objectContaining({ status: 'fail', path: 'settings.keys.last_rotated_at' })]);
  });

  it('a rotation date declared twice must agree with its attestation', () => {
    expect(() => load((settings) => (settings.keys.last_rotated_at = '2026-09-01'))).toThrow(
      /settings\.keys\.last_rotation\.attested_at: expected the same date as keys\.last_rotated_at \(2026-09-01\)/,
    );
    expect(() => load((settings) => (settings.monitoring.settings_review.last_reviewed_at = '2026-09-01'))).toThrow(
      /settings\.monitoring\.settings_review\.last_review\.attested_at: expected the same date as monitoring\.settings_review\.last_reviewed_at/,
    );
    // Equal dates are one statement.
    expect(() => load((settings) => (settings.keys.last_rotated_at = '2026-10-01'))).not.toThrow();
  });

  it('item 4: the attestation counts for rotation_max_age_days, default 365', () => {
    const findings = (mutate: (settings: Draft) => void) => slot(live(load(mutate)), 'keys-rotation', 'settings.keys.last_rotation').map((finding) => finding.status);
    expect(findings((settings) => (settings.keys.last_rotation.attested_at = '2026-03-01'))).toEqual(['fail']);
    expect(findings((settings) => {
      settings.keys.last_rotation.attested_at = '2026-03-01';
      delete settings.keys.rotation_max_age_days;
    })).toEqual(['pass']);
  });

  it('item 20: a monthly cadence holds the attestation to 35 days', () => {
    const findings = slot(
      live(load((settings) => (settings.monitoring.settings_review.cadence = 'monthly'))),
      'monitoring-settings-review',
      'settings.monitoring.settings_review.last_review',
    );
    expect(findings).toEqual([expect.objectContaining({ status: 'fail' })]);
    expect(findings[0]!.message).toMatch(/expired on 2026-11-05/);
  });

  it('item 20: a future-dated bare last_reviewed_at fails', () => {
    const findings = live(load((settings) => (settings.monitoring.settings_review = { cadence: 'quarterly', last_reviewed_at: '2026-12-24' })));
    expect(findings.find((finding) => finding.rule === 'monitoring-settings-review')).toMatchObject({ status: 'fail', path: 'settings.monitoring.settings_review.last_reviewed_at' });
  });
});
