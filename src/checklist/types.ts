/**
 * The one small interface every checklist rule reports through. Severity and how an item can
 * be verified are data on the rule; enforcement (what fails a run) is decided by the caller's
 * threshold, not by rule code.
 */
import type { Profile, Target } from '../baseline/schema';
import type { ApplicationEvidence, Confidence, Evidence, EvidenceLocation } from '../evidence/index';
import type { EvidenceSource, Settings } from '../settings/model';
import type { JsonPath } from '../settings/paths';

export type { Evidence } from '../evidence/index';

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

export type Verification = 'config' | 'live' | 'code' | 'probe' | 'attestation';
export type FindingStatus = 'pass' | 'fail' | 'not_verifiable' | 'excepted';

export interface RuleContext {
  environment: string;
  environmentType: 'production' | 'development';
  profile: Profile;
  target?: Pick<Target, 'secret_key_env' | 'publishable_key_env'>;
  /** `baseline` evaluates declared intent; `live` evaluates an export with coverage. */
  mode: 'baseline' | 'live';
  /** Live only: where each setting path's value came from. */
  coverage?: Record<string, EvidenceSource>;
  /** Today's date as YYYY-MM-DD, injected so results are reproducible. */
  today: string;
  /** What the application itself shows (a scan, a probe): stands in for attestations. */
  application?: readonly ApplicationEvidence[];
  /**
   * Live, in a snapshot run: the newest earlier review report of this environment and whether
   * it is evidence for item 20 (src/snapshot/review-evidence.ts). Absent outside snapshots.
   */
  settingsReview?: SnapshotReviewEvidence;
}

/** A reviewer's decision in a snapshot review's sign-off block. */
export const REVIEW_DECISIONS = ['approved', 'approved with follow-ups', 'rejected'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/**
 * The earlier snapshot review a live evaluation may rest item 20 on: `signed` only when its
 * sign-off block is filled in (reviewer, a real date, a known decision) and the file is committed
 * to git unchanged; otherwise `unusable`, with the reason in words.
 */
export type SnapshotReviewEvidence =
  | { kind: 'signed'; file: string; quarter: string; commit: string; reviewer: string; date: string; decision: ReviewDecision }
  | { kind: 'unusable'; file?: string; reason: string };

/** One check outcome. A rule may return several, e.g. one per JWT template. */
export interface RuleResult {
  status: Exclude<FindingStatus, 'excepted'>;
  message: string;
  /** Path inside `settings` (without the `settings.` prefix) the result is about. */
  path?: JsonPath;
  /** The evidence, when the rule judged something other than a settings value (item 20: a snapshot review). */
  evidence?: 'snapshot';
}

export interface Rule {
  id: string;
  checklist_item: number;
  title: string;
  severity: Severity;
  rationale: string;
  remediation: string;
  verification: readonly Verification[];
  /** What a person does to verify the item when configuration cannot prove it. */
  how_to_verify: string;
  evaluate(settings: Settings, context: RuleContext): RuleResult[];
}

export interface Finding {
  file?: string;
  environment: string;
  rule: string;
  checklist_item: number | null;
  title: string;
  severity: Severity;
  status: FindingStatus;
  message: string;
  /** Rendered JSON path in the evaluated document, e.g. `settings.session.inactivity_timeout_minutes`. */
  path: string;
  evidence: Evidence;
  /** Application evidence: where in the code (or which URL) the finding was made. */
  location?: EvidenceLocation;
  confidence?: Confidence;
  /** Application evidence: the precise check within the rule, e.g. `webhook-unverified`. */
  check?: string;
  /** The deciding excerpt, one line, secrets redacted. */
  snippet?: string;
  remediation: string;
  how_to_verify?: string;
  /** The waiver that made the finding `excepted`: a baseline exception or an inline comment. */
  exception?: { reason: string; owner?: string; expires?: string; by?: 'exception' | 'inline'; at?: string };
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

export function atLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}
