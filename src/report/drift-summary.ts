/** Shared wording and counts for every drift renderer (text, markdown, SARIF, Slack). */
import type { LoadedBaseline } from '../baseline/load';
import { RULES } from '../checklist/index';
import type { DriftChange, DriftReport, EnvironmentDrift } from '../drift/types';
import { scrubSecrets } from '../settings/redact';

export interface ChangeCounts {
  weakening: number;
  strengthening: number;
  neutral: number;
  suppressed: number;
}

export function countChanges(changes: readonly DriftChange[]): ChangeCounts {
  const counts: ChangeCounts = { weakening: 0, strengthening: 0, neutral: 0, suppressed: 0 };
  for (const change of changes) {
    if (change.suppressed) counts.suppressed++;
    else counts[change.direction]++;
  }
  return counts;
}

export function activeChanges(environment: EnvironmentDrift): DriftChange[] {
  return environment.changes.filter((change) => !change.suppressed);
}

/** "2 weakening, 1 neutral" (zero counts left out); "no changes" when empty. */
export function describeCounts(counts: ChangeCounts): string {
  const parts = (['weakening', 'neutral', 'strengthening'] as const).filter((key) => counts[key] > 0).map((key) => `${counts[key]} ${key}`);
  if (counts.suppressed > 0) parts.push(`${counts.suppressed} suppressed`);
  return parts.length === 0 ? 'no changes' : parts.join(', ');
}

/** A value as one short line of JSON, scrubbed of secrets. */
export function formatValue(value: unknown, max = 120): string {
  if (value === undefined || value === null) return '∅';
  const text = scrubSecrets(typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** "30 → 10080", "added \"https://evil.example.com\"", "removed \"email_change\"". */
export function describeChange(change: DriftChange, max = 120): string {
  if (change.kind === 'added') return `added ${formatValue(change.live, max)}`;
  if (change.kind === 'removed') return `removed ${formatValue(change.baseline, max)}`;
  return `${formatValue(change.baseline, max)} → ${formatValue(change.live, max)}`;
}

export function itemsLabel(change: DriftChange): string {
  return change.checklist_items.length === 0 ? '' : `item${change.checklist_items.length === 1 ? '' : 's'} ${change.checklist_items.join(', ')}`;
}

export interface CoverageCounts {
  verified: number;
  unverified: number;
  bySource: Record<string, number>;
}

export function countCoverage(environment: EnvironmentDrift): CoverageCounts {
  const bySource: Record<string, number> = {};
  let verified = 0;
  let unverified = 0;
  for (const source of Object.values(environment.coverage)) {
    if (source === 'unverified') unverified++;
    else {
      verified++;
      bySource[source] = (bySource[source] ?? 0) + 1;
    }
  }
  return { verified, unverified, bySource };
}

export function describeCoverage(environment: EnvironmentDrift): string {
  const counts = countCoverage(environment);
  const sources = Object.entries(counts.bySource)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([source, count]) => `${source} ${count}`)
    .join(', ');
  return `${counts.verified} verified setting${counts.verified === 1 ? '' : 's'}${sources ? ` (${sources})` : ''}, ${counts.unverified} unverified`;
}

/** One line per environment status, for headings and summaries. */
export function statusWord(environment: EnvironmentDrift): string {
  if (environment.status === 'error') return 'ERROR';
  if (environment.status === 'drift') return 'DRIFT';
  return 'CLEAN';
}

export function reportHeadline(report: DriftReport): string {
  const total = report.environments.length;
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const drifted = report.environments.filter((environment) => environment.status === 'drift').length;
  const failed = report.environments.filter((environment) => environment.status === 'error').length;
  const unverified = report.environments.reduce((sum, environment) => sum + (environment.status === 'error' ? 0 : (environment.unverified ?? []).length), 0);
  const parts: string[] = [];
  if (drifted > 0) parts.push(`drift in ${drifted} of ${plural(total, 'environment')}`);
  else if (failed < total) parts.push(`no drift in ${total - failed} of ${plural(total, 'environment')}`);
  // An environment that could not be checked is never "no drift".
  if (failed > 0) parts.push(drifted === 0 && failed === total ? `${failed} of ${plural(total, 'environment')} could not be checked` : `${failed} could not be checked`);
  // Unverified settings are not in sync either: say so next to "no drift".
  if (unverified > 0) parts.push(`${plural(unverified, 'managed setting')} unverified`);
  return parts.join('; ');
}

/** The critical checklist rules a change touches (`allowed_origins` → item 3, origins-exact-allowlist). */
function criticalRulesOf(change: DriftChange): string[] {
  return RULES.filter((rule) => rule.severity === 'critical' && change.checklist_items.includes(rule.checklist_item)).map((rule) => `item ${rule.checklist_item} (${rule.id})`);
}

/**
 * A weakening of a critical item (the change itself is critical, or it touches a checklist item
 * whose rule is critical) that an ignore entry keeps from counting as drift: warned about on every run.
 */
export function hidesCriticalWeakening(change: DriftChange): boolean {
  return change.suppressed?.by === 'ignore' && change.direction === 'weakening' && (change.severity === 'critical' || criticalRulesOf(change).length > 0);
}

/**
 * What a drift run says about the baseline's ignore entries every time: each critical weakening
 * one hides (it is not drift, so nothing else would say it), and each entry past its expiry
 * (it no longer applies, so its drift is back).
 */
export function ignoreWarnings(report: DriftReport, baselines: readonly LoadedBaseline[], today: string): string[] {
  const warnings: string[] = [];
  for (const environment of report.environments) {
    for (const change of environment.changes) {
      if (!hidesCriticalWeakening(change)) continue;
      const by = change.suppressed!;
      const critical = criticalRulesOf(change);
      warnings.push(
        `${environment.environment}: the ignore entry "${by.scope ?? change.path}" (owner ${by.owner ?? 'unknown'}, until ${by.expires ?? 'unknown'}) hides a critical weakening of ${change.path}: ${describeChange(change, 80)}${critical.length > 0 ? ` (critical checklist ${critical.join(', ')})` : ''}; it is not counted as drift (fix the setting, or replace the entry with an exception for the rule)`,
      );
    }
  }
  for (const loaded of baselines) {
    for (const entry of loaded.baseline.ignore) {
      if (entry.expires < today) warnings.push(`${loaded.file}: the ignore entry "${entry.path}" (owner ${entry.owner}) expired on ${entry.expires} and no longer applies`);
    }
  }
  return warnings;
}
