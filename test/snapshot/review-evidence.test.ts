/**
 * Item 20 from clerkguard's own record: the previous quarter's review report, signed off and
 * committed to git (src/snapshot/review-evidence.ts), then judged by the rule against the review
 * cadence. Real git in temp repositories; every way the record can fall short is `unusable` with
 * the reason, never a pass.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBaseline, type LoadedBaseline } from '../../src/baseline/load';
import { baselineContext } from '../../src/checklist/evaluate-baseline';
import { evaluateSettings, type Finding, type SnapshotReviewEvidence } from '../../src/checklist/index';
import type { LiveExport } from '../../src/export/types';
import { quarterOf } from '../../src/snapshot/quarter';
import { earlierReviewEvidence } from '../../src/snapshot/review-evidence';
import { blankSignOff, parseSignOff, SIGN_OFF_END, SIGN_OFF_START } from '../../src/snapshot/review-markdown';
import { takeSnapshots } from '../../src/snapshot/snapshot';
import { baselineWith } from '../helpers/baselines';
import { PINNED_TODAY } from '../helpers/cli';
import { liveExportFixture } from './fixtures';
import { tempRepo, type TempRepo } from './git-fixture';

function signOff(rows: Record<string, string>): string {
  return [SIGN_OFF_START, 'To be filled in by the reviewer.', '', '| Field | Value |', '|---|---|', ...Object.entries(rows).map(([field, value]) => `| ${field} | ${value} |`), SIGN_OFF_END].join('\n');
}

const SIGNED = { Reviewer: 'Ada Lovelace', Date: '2026-10-05', Decision: 'approved', 'Follow-ups': 'none' };

describe('parseSignOff', () => {
  it.each([
    ['a complete sign-off', signOff(SIGNED), { reviewer: 'Ada Lovelace', date: '2026-10-05', decision: 'approved', follow_ups: 'none' }],
    ['a decision in other case, with a full stop', signOff({ ...SIGNED, Decision: 'Approved with follow-ups.' }), { decision: 'approved with follow-ups' }],
    ['a pipe escaped in a cell', signOff({ ...SIGNED, Reviewer: 'Ada \\| Security' }), { reviewer: 'Ada | Security' }],
  ])('reads %s', (_name, block, expected) => {
    expect(parseSignOff(block)).toMatchObject(expected);
  });

  it.each([
    ['the blank block', blankSignOff(), /not filled in/],
    ['no reviewer', signOff({ ...SIGNED, Reviewer: '' }), /names no reviewer/],
    ['no date', signOff({ ...SIGNED, Date: '' }), /date is empty/],
    ['a date that is not YYYY-MM-DD', signOff({ ...SIGNED, Date: '5 Oct 2026' }), /"5 Oct 2026" is not a date as YYYY-MM-DD/],
    ['a date that does not exist', signOff({ ...SIGNED, Date: '2026-02-30' }), /"2026-02-30" is not a date/],
    ['an unknown decision', signOff({ ...SIGNED, Decision: 'looks fine' }), /decision "looks fine": expected approved, approved with follow-ups, rejected/],
    ['a field twice', `${signOff(SIGNED).replace(SIGN_OFF_END, '')}| Date | 2026-10-06 |\n${SIGN_OFF_END}`, /names Date twice/],
    ['an oversized block', signOff({ ...SIGNED, 'Follow-ups': 'x'.repeat(20_000) }), /longer than 16384 characters/],
  ])('refuses %s', (_name, block, problem) => {
    const parsed = parseSignOff(block);
    expect(parsed).toHaveProperty('problem');
    expect((parsed as { problem: string }).problem).toMatch(problem);
  });
});

/** A repository with the previous quarter's report at snapshots/production/2026-Q3.md. */
function repoWithReport(markdown: string, options: { commit?: boolean } = {}): { repo: TempRepo; file: string } {
  const repo = tempRepo();
  repo.write('snapshots/production/2026-Q3.md', markdown);
  if (options.commit !== false) {
    repo.git('add', '.');
    repo.git('commit', '-q', '-m', 'Q3 review signed');
  }
  return { repo, file: path.join(repo.dir, 'snapshots/production/2026-Q3.md') };
}

const report = (block: string) => `# Review of production, 2026-Q3\n\nSome findings.\n\n## Sign-off\n\n${block}\n`;

async function evidenceFor(file: string, env: NodeJS.ProcessEnv, overrides: { capturedAt?: string; earlierInstance?: string | null; liveInstance?: string | null } = {}): Promise<SnapshotReviewEvidence> {
  return earlierReviewEvidence({
    environment: 'production',
    earlier: { quarter: '2026-Q3', markdown: file, export: { captured_at: overrides.capturedAt ?? '2026-09-30T12:00:00.000Z', instance_id: overrides.earlierInstance === undefined ? 'ins_1' : overrides.earlierInstance } },
    instanceId: overrides.liveInstance === undefined ? 'ins_1' : overrides.liveInstance,
    show: (absolute) => path.relative(path.dirname(path.dirname(path.dirname(absolute))), absolute),
    env,
  });
}

describe('earlierReviewEvidence (real git)', () => {
  it('a filled-in sign-off, committed unchanged, is signed evidence naming the commit', async () => {
    const { repo, file } = repoWithReport(report(signOff(SIGNED)));
    const evidence = await evidenceFor(file, repo.env);
    expect(evidence).toEqual({ kind: 'signed', file: 'snapshots/production/2026-Q3.md', quarter: '2026-Q3', commit: repo.log()[0]!.slice(0, 12), reviewer: 'Ada Lovelace', date: '2026-10-05', decision: 'approved' });
  });

  it.each([
    ['a blank sign-off block', () => repoWithReport(report(blankSignOff())), {}, /its sign-off block is not filled in/],
    ['no sign-off block at all', () => repoWithReport('# a report someone rewrote\n'), {}, /has no sign-off block/],
    ['a malformed sign-off date', () => repoWithReport(report(signOff({ ...SIGNED, Date: '2026-10' }))), {}, /"2026-10" is not a date/],
    ['a sign-off before the snapshot was captured', () => repoWithReport(report(signOff({ ...SIGNED, Date: '2026-09-01' }))), {}, /signed off on 2026-09-01, before its snapshot was captured \(2026-09-30\)/],
    ['a review of another instance', () => repoWithReport(report(signOff(SIGNED))), { earlierInstance: 'ins_other' }, /reviewed instance ins_other, not ins_1/],
    ['a snapshot that names no instance', () => repoWithReport(report(signOff(SIGNED))), { earlierInstance: null }, /cannot be matched to the live instance: its snapshot names no instance_id/],
    ['a sign-off that is not committed', () => repoWithReport(report(signOff(SIGNED)), { commit: false }), {}, /is not committed: a sign-off counts once it is committed to git/],
  ] as const)('%s is unusable, with the reason', async (_name, make, overrides, reason) => {
    const { repo, file } = make();
    const evidence = await evidenceFor(file, repo.env, overrides);
    expect(evidence.kind).toBe('unusable');
    expect((evidence as { reason: string }).reason).toMatch(reason);
    expect((evidence as { reason: string }).reason).toContain('snapshots/production/2026-Q3.md (2026-Q3)');
  });

  it('a committed report whose sign-off was edited afterwards is unusable until the edit is committed', async () => {
    const { repo, file } = repoWithReport(report(blankSignOff()));
    writeFileSync(file, report(signOff(SIGNED)));
    const draft = await evidenceFor(file, repo.env);
    expect(draft).toMatchObject({ kind: 'unusable', reason: expect.stringMatching(/has changes that are not committed/) });
    repo.git('commit', '-q', '-am', 'sign off');
    expect(await evidenceFor(file, repo.env)).toMatchObject({ kind: 'signed', reviewer: 'Ada Lovelace' });
  });

  it('a report outside any git repository, a missing report, and no earlier snapshot are unusable', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-norepo-'));
    const file = path.join(outside, 'snapshots', 'production', '2026-Q3.md');
    expect(await evidenceFor(file, {})).toMatchObject({ kind: 'unusable', reason: expect.stringMatching(/is missing/) });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, report(signOff(SIGNED)));
    expect(await evidenceFor(file, {})).toMatchObject({ kind: 'unusable', reason: expect.stringMatching(/is not in a git repository/) });
    const none = await earlierReviewEvidence({ environment: 'production', earlier: undefined, instanceId: 'ins_1', show: (f) => f });
    expect(none).toMatchObject({ kind: 'unusable', reason: expect.stringMatching(/there is no earlier snapshot of production/) });
  });
});

describe('item 20 on a snapshot review, live', () => {
  type Draft = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const load = (mutate: (settings: Draft) => void = () => {}): LoadedBaseline =>
    parseBaseline(JSON.stringify(baselineWith((baseline) => mutate(baseline.settings as Draft))), 'baselines/production.json');
  const withoutAttestation = (settings: Draft) => void delete settings.monitoring.settings_review.last_review;
  const signed = (date: string, decision: 'approved' | 'approved with follow-ups' | 'rejected' = 'approved'): SnapshotReviewEvidence => ({
    kind: 'signed',
    file: 'production/2026-Q3.md',
    quarter: '2026-Q3',
    commit: 'abcdef012345',
    reviewer: 'Ada',
    date,
    decision,
  });
  function item20(loaded: LoadedBaseline, settingsReview: SnapshotReviewEvidence | undefined, mode: 'live' | 'baseline' = 'live'): Finding[] {
    const context = { ...baselineContext(loaded, PINNED_TODAY), mode, coverage: { monitoring: 'attested' as const }, ...(settingsReview ? { settingsReview } : {}) };
    return evaluateSettings(loaded.baseline.settings, context).filter((finding) => finding.rule === 'monitoring-settings-review');
  }

  it.each([
    ['pass: signed 52 days ago (quarterly: 100 days)', signed('2026-10-05'), 'pass', 'snapshot', /the 2026-Q3 review \(production\/2026-Q3\.md, commit abcdef012345\) was signed off by Ada on 2026-10-05 \("approved"\), 52 days ago, within the 100 days/],
    ['stale: signed 148 days ago', signed('2026-07-01'), 'fail', 'snapshot', /the last signed-off settings review is 148 days old/],
    ['rejected by the reviewer', signed('2026-10-05', 'rejected'), 'fail', 'snapshot', /was rejected: signed off by Ada on 2026-10-05/],
    ['future-dated: signed after this review\'s capture date', signed('2026-12-01'), 'not_verifiable', 'snapshot', /after this review's capture date \(2026-11-26\): it counts from the next snapshot/],
    ['missing: unusable, and only a bare declaration beside it', { kind: 'unusable', reason: 'production/2026-Q3.md (2026-Q3) is not committed' } as const, 'not_verifiable', 'attested', /the snapshot review is no evidence: production\/2026-Q3\.md \(2026-Q3\) is not committed/],
  ] as const)('%s', (_name, review, status, evidence, message) => {
    const findings = item20(load(withoutAttestation), review);
    expect(findings).toEqual([expect.objectContaining({ status, evidence })]);
    expect(findings[0]!.message).toMatch(message);
  });

  it('a monthly cadence holds a sign-off to 35 days', () => {
    const findings = item20(load((settings) => {
      withoutAttestation(settings);
      settings.monitoring.settings_review.cadence = 'monthly';
    }), signed('2026-10-05'));
    expect(findings).toEqual([expect.objectContaining({ status: 'fail', evidence: 'snapshot' })]);
  });

  it('with an attestation too, the later record counts', () => {
    // The shipped baseline's last_review is dated 2026-10-01.
    expect(item20(load(), signed('2026-10-05'))).toEqual([expect.objectContaining({ status: 'pass', evidence: 'snapshot' })]);
    expect(item20(load(), signed('2026-09-20'))).toEqual([expect.objectContaining({ status: 'pass', evidence: 'attested', path: 'settings.monitoring.settings_review.last_review' })]);
  });

  it('a baseline check ignores snapshot evidence: it is intent', () => {
    expect(item20(load(), signed('2026-10-05'), 'baseline')).toEqual([expect.objectContaining({ status: 'pass', evidence: 'baseline' })]);
  });
});

describe('takeSnapshots: the next quarter counts the signed, committed review', () => {
  const loaded = parseBaseline(JSON.stringify(baselineWith((baseline) => void delete (baseline.settings as Record<string, any>).monitoring.settings_review.last_review)), 'baselines/production.json'); // eslint-disable-line @typescript-eslint/no-explicit-any
  // As exportLive does, the export carries the baseline's declarations: no last_review here.
  const exporter = (capturedAt: string) => async (): Promise<LiveExport> => ({ ...liveExportFixture((settings) => void delete settings.monitoring.settings_review.last_review), captured_at: capturedAt });
  const run = (repo: TempRepo, today: string) =>
    takeSnapshots([loaded], { dir: 'snapshots', quarter: quarterOf(today), today, cwd: repo.dir, env: repo.env, exporter: exporter(`${today}T12:00:00.000Z`), commit: {} });
  const item20 = (review: { checklist: { item: number; status: string; evidence: string[]; findings: Finding[] }[] }) => review.checklist.find((item) => item.item === 20)!;

  it('Q3 unsigned: Q4 says why it does not count; signed and committed: Q4 passes on evidence snapshot', async () => {
    const repo = tempRepo();
    repo.write('README.md', 'app\n');
    repo.git('add', 'README.md');
    repo.git('commit', '-q', '-m', 'init');

    const q3 = await run(repo, '2026-09-28');
    expect(q3.environments[0]!.markdown).toBe('snapshots/production/2026-Q3.md');
    expect(item20(q3.environments[0]!.review).findings[0]!.message).toMatch(/there is no earlier snapshot of production/);

    const unsigned = await run(repo, '2026-11-26');
    expect(item20(unsigned.environments[0]!.review)).toMatchObject({ status: 'not_verifiable' });
    expect(item20(unsigned.environments[0]!.review).findings[0]!.message).toMatch(/production\/2026-Q3\.md \(2026-Q3\) its sign-off block is not filled in/);

    const q3File = path.join(repo.dir, 'snapshots/production/2026-Q3.md');
    const { readFileSync } = await import('node:fs');
    writeFileSync(q3File, readFileSync(q3File, 'utf8').replace(blankSignOff(), signOff({ Reviewer: 'Ada Lovelace', Date: '2026-10-02', Decision: 'approved with follow-ups', 'Follow-ups': 'tighten lockout' })));
    repo.git('commit', '-q', '-am', 'Sign off the 2026-Q3 review');

    const q4 = await run(repo, '2026-11-26');
    const entry = item20(q4.environments[0]!.review);
    expect(entry).toMatchObject({ status: 'pass', evidence: ['snapshot'] });
    expect(entry.findings[0]!.message).toMatch(/the 2026-Q3 review \(production\/2026-Q3\.md, commit [0-9a-f]{12}\) was signed off by Ada Lovelace on 2026-10-02 \("approved with follow-ups"\), 55 days ago/);
    expect(readFileSync(path.join(repo.dir, 'snapshots/production/2026-Q4.md'), 'utf8')).toMatch(/\| 20 \|[^\n]*\| PASS \| snapshot \|/);
  });
});

