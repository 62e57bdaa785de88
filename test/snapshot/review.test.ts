import { describe, expect, it } from 'vitest';
import type { BaselineException } from '../../src/baseline/schema';
import { evaluateSettings, RULES, type RuleContext } from '../../src/checklist/index';
import type { DriftChange } from '../../src/drift/types';
import { buildReview, checklistByItem, exceptionsToReview, summarizeReview, type ReviewInput } from '../../src/snapshot/review';
import { blankSignOff, extractSignOff, renderReviewMarkdown, SIGN_OFF_END, SIGN_OFF_START } from '../../src/snapshot/review-markdown';
import { cleanDrift, liveExportFixture } from './fixtures';

const TODAY = '2026-11-26';

function liveContext(coverage: RuleContext['coverage']): RuleContext {
  return { environment: 'production', environmentType: 'production', profile: 'saas', mode: 'live', coverage, today: TODAY };
}

function reviewInput(overrides: Partial<ReviewInput> = {}): ReviewInput {
  const live = liveExportFixture((settings) => {
    settings.session.inactivity_timeout_minutes = 240;
  });
  const exceptions: BaselineException[] = [
    { rule: 'jwt-short-lifetime', reason: 'legacy mobile app', owner: 'mobile-team', expires: '2026-12-31' },
    { rule: 'keys-rotation', reason: 'rotation planned', owner: 'platform-team', expires: '2026-10-01' },
    { rule: 'org-role-checks', reason: 'far away', owner: 'x', expires: '2028-01-01' },
  ];
  return {
    quarter: '2026-Q4',
    quarterRange: { start: '2026-10-01', end: '2026-12-31' },
    today: TODAY,
    live,
    baseline: { file: 'baselines/production.json', version: '1.0.0', profile: 'saas', exceptions },
    snapshotFile: 'production/2026-Q4.json',
    findings: evaluateSettings(live.settings, liveContext(live.coverage), { exceptions }),
    drift: cleanDrift({
      status: 'drift',
      changes: [
        {
          path: 'settings.session.inactivity_timeout_minutes',
          kind: 'changed',
          baseline: 30,
          live: 240,
          direction: 'weakening',
          severity: 'high',
          checklist_items: [5],
          source: 'export-file',
        },
      ],
    }),
    sinceLastKnownGood: { changes: [] },
    ...overrides,
  };
}

describe('review data', () => {
  it('has one row per checklist item, all 20, with the worst status and every evidence source', () => {
    const input = reviewInput();
    const items = checklistByItem(input.findings);
    expect(items.map((item) => item.item)).toEqual(RULES.map((rule) => rule.checklist_item));
    expect(items).toHaveLength(20);
    const timeout = items.find((item) => item.rule === 'session-inactivity-timeout')!;
    expect(timeout.status).toBe('fail');
    expect(timeout.evidence).toEqual(['export-file']);
    const origins = items.find((item) => item.rule === 'origins-exact-allowlist')!;
    expect(origins.evidence).toContain('bapi');
    for (const item of items) {
      expect(item.evidence.length).toBeGreaterThan(0);
      expect(item.evidence.every((source) => ['bapi', 'fapi', 'platform', 'export-file', 'attested', 'unverified'].includes(source))).toBe(true);
    }
  });

  it('an item whose value nobody could read is unverified, never a pass', () => {
    const live = liveExportFixture();
    const coverage = { ...live.coverage };
    delete (coverage as Record<string, string>).session;
    const items = checklistByItem(evaluateSettings(live.settings, liveContext(coverage)));
    const timeout = items.find((item) => item.rule === 'session-inactivity-timeout')!;
    expect(timeout.status).toBe('not_verifiable');
    expect(timeout.evidence).toEqual(['unverified']);
  });

  it('lists expired exceptions and those expiring within 90 days, not later ones', () => {
    const reviewed = exceptionsToReview(reviewInput().baseline.exceptions, TODAY);
    expect(reviewed.map((exception) => [exception.rule, exception.state, exception.days_left])).toEqual([
      ['keys-rotation', 'expired', -56],
      ['jwt-short-lifetime', 'expiring', 35],
    ]);
    expect(exceptionsToReview([{ rule: 'keys-rotation', reason: 'r', owner: 'o', expires: '2027-02-24' }], TODAY)).toHaveLength(1);
    expect(exceptionsToReview([{ rule: 'keys-rotation', reason: 'r', owner: 'o', expires: '2027-02-25' }], TODAY)).toHaveLength(0);
  });

  it('summarizes items, drift, changes and exceptions', () => {
    const summary = summarizeReview(buildReview(reviewInput()));
    expect(summary.checklist.fail).toBeGreaterThanOrEqual(1);
    expect(summary.checklist.pass + summary.checklist.fail + summary.checklist.excepted + summary.checklist.not_verifiable).toBe(20);
    expect(summary).toMatchObject({ drift_changes: 1, drift_weakening: 1, changes_since_last_known_good: null, previous_quarter: null, exceptions_expired: 1, exceptions_expiring: 1 });
  });
});

describe('review markdown', () => {
  it('has every section in order, with the first-snapshot wording', () => {
    const markdown = renderReviewMarkdown(buildReview(reviewInput()));
    const headings = markdown.split('\n').filter((line) => line.startsWith('## '));
    expect(headings).toEqual([
      '## Summary',
      '## Checklist (20 items)',
      '## Drift against the baseline',
      '## Changes since last-known-good',
      '## Exceptions',
      '## Sign-off',
    ]);
    expect(markdown).toMatch(/^# Clerk settings review: production, 2026-Q4\n/);
    expect(markdown).toContain('| 5 | Session inactivity timeout');
    expect(markdown).toMatch(/\| 5 \| [^\n]*\| high \| FAIL \| export-file \|/);
    expect(markdown).toContain('| `settings.session.inactivity_timeout_minutes` | changed | `30` | `240` | weakening | high | 5 | export-file |');
    expect(markdown).toContain('First snapshot: there is no earlier snapshot of production');
    expect(markdown).toContain('| EXPIRED | `keys-rotation` | all | platform-team | 2026-10-01 | -56 | rotation planned |');
    expect(markdown).toContain('| expiring | `jwt-short-lifetime` | all | mobile-team | 2026-12-31 | 35 | legacy mobile app |');
    expect(markdown).not.toContain('org-role-checks` | all | x');
    expect(markdown).toContain(blankSignOff());
    expect(markdown.endsWith('\n')).toBe(true);
    expect(markdown.split('\n').filter((line) => /^\| \d+ \|/.test(line))).toHaveLength(20);
  });

  it('lists changes since the last-known-good snapshot with both quarters as column names', () => {
    const change: DriftChange = {
      path: 'settings.instance.allowed_origins["https://evil.example.com"]',
      kind: 'added',
      baseline: undefined,
      live: 'https://evil.example.com',
      direction: 'weakening',
      severity: 'high',
      checklist_items: [3],
      source: 'bapi',
    };
    const markdown = renderReviewMarkdown(
      buildReview(reviewInput({ sinceLastKnownGood: { previous: { quarter: '2026-Q3', file: 'production/2026-Q3.json', captured_at: '2026-08-01T09:00:00.000Z' }, changes: [change] } })),
    );
    expect(markdown).toContain('Compared with 2026-Q3 (`production/2026-Q3.json`, captured 2026-08-01T09:00:00.000Z).');
    expect(markdown).toContain('| Path | Change | 2026-Q3 | 2026-Q4 | Direction | Severity | Items | Source |');
    expect(markdown).toContain('| `settings.instance.allowed_origins["https://evil.example.com"]` | added | — | `"https://evil.example.com"` | weakening | high | 3 | bapi |');
    expect(markdown).toContain('- Changes since last-known-good (2026-Q3): 1 change.');
  });

  it('keeps a filled-in sign-off and ignores a blank one', () => {
    const filled = blankSignOff().replace('| Reviewer | |', '| Reviewer | Grace Hopper |').replace('| Decision | |', '| Decision | approved |');
    const first = renderReviewMarkdown(buildReview(reviewInput()), { signOff: filled });
    expect(extractSignOff(first)).toBe(filled);
    expect(extractSignOff(renderReviewMarkdown(buildReview(reviewInput())))).toBeUndefined();
    expect(extractSignOff(`text ${SIGN_OFF_START} unterminated`)).toBeUndefined();
    expect(first.indexOf(SIGN_OFF_END)).toBeGreaterThan(first.indexOf('## Sign-off'));
  });

  it('escapes table-breaking characters in values', () => {
    const markdown = renderReviewMarkdown(
      buildReview(
        reviewInput({
          drift: cleanDrift({
            status: 'drift',
            changes: [{ path: 'settings.jwt_templates.a|b.claims.x', kind: 'changed', baseline: 'a`b|c', live: 'line\nbreak', direction: 'neutral', severity: 'low', checklist_items: [], source: 'bapi' }],
          }),
        }),
      ),
    );
    const row = markdown.split('\n').find((line) => line.includes('jwt_templates.a'))!;
    expect(row).toBe('| `settings.jwt_templates.a\\|b.claims.x` | changed | `` "a`b\\|c" `` | `"line\\nbreak"` | neutral | low | — | bapi |');
  });

  it('renders reviews larger than a call takes arguments (200,000 changes since last-known-good and in drift)', () => {
    // A `push(...lines)` of a section this large throws "Maximum call stack size exceeded".
    const many = (count: number, prefix: string): DriftChange[] =>
      Array.from({ length: count }, (_, index) => ({
        path: `settings.jwt_templates.${prefix}${index}.lifetime`,
        kind: 'changed' as const,
        baseline: 60,
        live: 3600,
        direction: 'weakening' as const,
        severity: 'high' as const,
        checklist_items: [17],
        source: 'bapi' as const,
      }));
    const markdown = renderReviewMarkdown(
      buildReview(
        reviewInput({
          drift: cleanDrift({ status: 'drift', changes: many(200_000, 'd') }),
          sinceLastKnownGood: { previous: { quarter: '2026-Q3', file: 'production/2026-Q3.json', captured_at: '2026-08-01T09:00:00.000Z' }, changes: many(200_000, 's') },
        }),
      ),
    );
    const rows = markdown.split('\n').filter((line) => line.startsWith('| `settings.jwt_templates.'));
    expect(rows).toHaveLength(400_000);
    expect(rows[0]).toBe('| `settings.jwt_templates.d0.lifetime` | changed | `60` | `3600` | weakening | high | 17 | bapi |');
    expect(rows[399_999]).toBe('| `settings.jwt_templates.s199999.lifetime` | changed | `60` | `3600` | weakening | high | 17 | bapi |');
    expect(markdown).toContain('- Drift against the baseline: 200000 changes, 200000 weakening.');
  });
});
