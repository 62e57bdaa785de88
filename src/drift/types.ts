/** Drift: classified differences between a baseline's settings and a live export's. */
import type { Severity } from '../checklist/types';
import type { ApplicationDrift, ChangeEvidence } from '../evidence/drift';
import type { EvidenceSource } from '../settings/model';
import type { DiscoveryReport } from '../fleet/discover';

export type ChangeKind = 'added' | 'removed' | 'changed';
export type Direction = 'weakening' | 'strengthening' | 'neutral';

export interface DriftChange {
  /** Rendered settings path, e.g. `settings.session.inactivity_timeout_minutes`. */
  path: string;
  kind: ChangeKind;
  baseline: unknown;
  live: unknown;
  direction: Direction;
  severity: Severity;
  checklist_items: number[];
  source: EvidenceSource;
  /** Set when an exception or ignore entry in the baseline (or an inline comment in code) suppresses this change. */
  suppressed?: {
    by: 'exception' | 'ignore' | 'inline';
    reason: string;
    rule?: string;
    owner?: string;
    expires?: string;
    /** ignore: the entry's path (what it covers). */
    scope?: string;
  };
  /** Application evidence (code, probe) that contradicts the baseline: where and what decided it. */
  evidence?: ChangeEvidence;
}

export interface DriftError {
  message: string;
  endpoint?: string;
  status?: number;
}

export type DriftStatus = 'clean' | 'drift' | 'error';

export interface EnvironmentDrift {
  environment: string;
  baseline_version: string;
  baseline_file?: string;
  status: DriftStatus;
  changes: DriftChange[];
  /** Live settings the baseline does not manage: listed, not drift unless --strict. */
  unmanaged: { path: string; live: unknown; source: EvidenceSource }[];
  /**
   * Managed baseline settings no live source could show: neither in sync nor drift.
   * (Extension: optional so that existing producers of EnvironmentDrift stay valid.)
   */
  unverified?: { path: string; baseline: unknown }[];
  errors: DriftError[];
  coverage: Record<string, EvidenceSource>;
  captured_at?: string;
  /** What the application itself showed (`--scan`, `--probe`): sources and what they could not decide. */
  application?: ApplicationDrift;
}

export interface DriftReport {
  status: DriftStatus;
  generated_at: string;
  environments: EnvironmentDrift[];
  /** `--discover`: the workspace's instances without a baseline (an error makes the report's status error). */
  discovery?: DiscoveryReport;
}
