/**
 * The quarterly review as data: checklist status per item with its evidence, drift against the
 * baseline, changes since the last-known-good snapshot, and exceptions running out. Built from
 * values computed elsewhere (export, drift, checklist) so it can be rendered and tested alone.
 */
import type { BaselineException } from '../baseline/schema';
import { RULES, type Evidence, type Finding, type FindingStatus, type Severity } from '../checklist/index';
import { addDays, daysBetween } from '../checklist/helpers';
import { EVIDENCE_STRENGTH } from '../evidence/index';
import type { DriftChange, EnvironmentDrift } from '../drift/types';
import type { LiveExport } from '../export/types';

/** How far ahead the review warns about exceptions that will stop applying. */
export const EXCEPTION_WARNING_DAYS = 90;

export interface ChecklistItemReview {
  item: number;
  rule: string;
  title: string;
  severity: Severity;
  /** The worst status among the item's findings. */
  status: FindingStatus;
  /** Every source the item's findings rest on, in a fixed order. */
  evidence: Evidence[];
  counts: Record<FindingStatus, number>;
  findings: Finding[];
}

export interface ExceptionReview {
  rule: string;
  path?: string;
  owner: string;
  reason: string;
  expires: string;
  /** Negative once expired. */
  days_left: number;
  state: 'expired' | 'expiring';
}

export interface PreviousSnapshot {
  quarter: string;
  file: string;
  captured_at: string;
}

export interface ChangesSinceLastKnownGood {
  /** Absent for an environment's first snapshot. */
  previous?: PreviousSnapshot;
  changes: DriftChange[];
  /** Settings either snapshot could not verify: not counted as changes, and not as unchanged. */
  unverified?: { path: string; baseline: unknown }[];
}

export interface ReviewReport {
  environment: string;
  quarter: string;
  quarter_start: string;
  quarter_end: string;
  today: string;
  captured_at: string;
  instance_id: string | null;
  baseline: { file: string; version: string; profile: string };
  snapshot_file: string;
  checklist: ChecklistItemReview[];
  drift: EnvironmentDrift;
  since_last_known_good: ChangesSinceLastKnownGood;
  exceptions: ExceptionReview[];
}

export interface ReviewInput {
  quarter: string;
  quarterRange: { start: string; end: string };
  today: string;
  live: LiveExport;
  baseline: { file: string; version: string; profile: string; exceptions: readonly BaselineException[] };
  snapshotFile: string;
  findings: readonly Finding[];
  drift: EnvironmentDrift;
  sinceLastKnownGood: ChangesSinceLastKnownGood;
}

const STATUS_WEIGHT: Record<FindingStatus, number> = { fail: 3, excepted: 2, not_verifiable: 1, pass: 0 };
const EVIDENCE_ORDER: readonly Evidence[] = EVIDENCE_STRENGTH;

export function buildReview(input: ReviewInput): ReviewReport {
  return {
    environment: input.live.environment,
    quarter: input.quarter,
    quarter_start: input.quarterRange.start,
    quarter_end: input.quarterRange.end,
    today: input.today,
    captured_at: input.live.captured_at,
    instance_id: input.live.instance_id,
    baseline: { file: input.baseline.file, version: input.baseline.version, profile: input.baseline.profile },
    snapshot_file: input.snapshotFile,
    checklist: checklistByItem(input.findings),
    drift: input.drift,
    since_last_known_good: input.sinceLastKnownGood,
    exceptions: exceptionsToReview(input.baseline.exceptions, input.today),
  };
}

/** One row per checklist item, all 20, even when a rule produced no finding. */
export function checklistByItem(findings: readonly Finding[]): ChecklistItemReview[] {
  return RULES.map((rule) => {
    const own = findings.filter((finding) => finding.rule === rule.id);
    const counts: Record<FindingStatus, number> = { pass: 0, fail: 0, excepted: 0, not_verifiable: 0 };
    for (const finding of own) counts[finding.status]++;
    const status = own.reduce<FindingStatus>((worst, finding) => (STATUS_WEIGHT[finding.status] > STATUS_WEIGHT[worst] ? finding.status : worst), own.length > 0 ? 'pass' : 'not_verifiable');
    const evidence = EVIDENCE_ORDER.filter((source) => own.some((finding) => finding.evidence === source));
    return {
      item: rule.checklist_item,
      rule: rule.id,
      title: rule.title,
      severity: rule.severity,
      status,
      evidence: evidence.length > 0 ? evidence : ['unverified'],
      counts,
      findings: own,
    };
  });
}

/** Exceptions already expired, and those expiring within EXCEPTION_WARNING_DAYS of today. */
export function exceptionsToReview(exceptions: readonly BaselineException[], today: string): ExceptionReview[] {
  const horizon = addDays(today, EXCEPTION_WARNING_DAYS);
  return exceptions
    .filter((exception) => exception.expires <= horizon)
    .map((exception) => ({
      rule: exception.rule,
      ...(exception.path === undefined ? {} : { path: exception.path }),
      owner: exception.owner,
      reason: exception.reason,
      expires: exception.expires,
      days_left: daysBetween(today, exception.expires),
      state: exception.expires < today ? ('expired' as const) : ('expiring' as const),
    }))
    .sort((a, b) => a.expires.localeCompare(b.expires) || a.rule.localeCompare(b.rule));
}

export interface ReviewSummary {
  checklist: Record<FindingStatus, number>;
  drift_changes: number;
  drift_weakening: number;
  changes_since_last_known_good: number | null;
  previous_quarter: string | null;
  exceptions_expired: number;
  exceptions_expiring: number;
}

/** Counts for the top of the report, the CLI summary and Slack. Checklist counts are items, not findings. */
export function summarizeReview(review: ReviewReport): ReviewSummary {
  const checklist: Record<FindingStatus, number> = { pass: 0, fail: 0, excepted: 0, not_verifiable: 0 };
  for (const item of review.checklist) checklist[item.status]++;
  const active = review.drift.changes.filter((change) => !change.suppressed);
  return {
    checklist,
    drift_changes: active.length,
    drift_weakening: active.filter((change) => change.direction === 'weakening').length,
    changes_since_last_known_good: review.since_last_known_good.previous ? review.since_last_known_good.changes.length : null,
    previous_quarter: review.since_last_known_good.previous?.quarter ?? null,
    exceptions_expired: review.exceptions.filter((exception) => exception.state === 'expired').length,
    exceptions_expiring: review.exceptions.filter((exception) => exception.state === 'expiring').length,
  };
}
