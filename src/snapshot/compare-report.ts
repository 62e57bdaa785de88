/**
 * `review diff` in its own words: the changes between two snapshots, not a drift report
 * against a baseline. Text and markdown are written here; JSON and SARIF keep the drift
 * contract (`renderDrift`), so tools read both the same way.
 */
import type { DriftReport, EnvironmentDrift } from '../drift/types';
import { cell, changeTableMarkdown, code, renderDrift, type DriftFormat } from '../report/drift';
import { activeChanges, countChanges, describeChange, describeCounts, itemsLabel } from '../report/drift-summary';
import { paint } from '../report/style';
import { scrubSecrets } from '../settings/redact';
import type { LoadedSnapshot } from './compare';

export interface SnapshotDiffRenderOptions {
  older: LoadedSnapshot;
  newer: LoadedSnapshot;
  color?: boolean;
}

export function renderSnapshotDiff(format: DriftFormat, report: DriftReport, options: SnapshotDiffRenderOptions): string {
  if (format === 'text') return scrubSecrets(renderText(report, options));
  if (format === 'markdown') return scrubSecrets(renderMarkdown(report, options));
  return renderDrift(format, report, { color: options.color ?? false, texts: { [options.older.file]: options.older.text } });
}

/** "1 weakening, 2 strengthening between the snapshots" or "no changes between the snapshots". */
function headline(environment: EnvironmentDrift): string {
  const counts = describeCounts(countChanges(environment.changes));
  return counts === 'no changes' ? 'no changes between the snapshots' : `${counts} between the snapshots`;
}

function endpoints(options: SnapshotDiffRenderOptions): { from: string; to: string } {
  return {
    from: `${options.older.file} (${options.older.snapshot.environment}, captured ${options.older.snapshot.captured_at})`,
    to: `${options.newer.file} (${options.newer.snapshot.environment}, captured ${options.newer.snapshot.captured_at})`,
  };
}

function renderText(report: DriftReport, options: SnapshotDiffRenderOptions): string {
  const p = paint(options.color ?? false);
  const { from, to } = endpoints(options);
  const lines = [`${p.bold('from')} ${from}`, `${p.bold('to')}   ${to}`, ''];
  for (const environment of report.environments) {
    for (const change of activeChanges(environment)) {
      const colour = change.direction === 'weakening' ? p.red : change.direction === 'strengthening' ? p.green : p.yellow;
      lines.push(`  ${colour(change.direction.toUpperCase().padEnd(13))} ${change.severity.padEnd(8)} ${change.path}`);
      const meta = [itemsLabel(change), `source ${change.source}`].filter(Boolean).join(', ');
      lines.push(`      ${describeChange(change)}  ${p.dim(`(${meta})`)}`);
    }
    const unverified = environment.unverified ?? [];
    if (unverified.length > 0) {
      lines.push(`  ${p.yellow('unverified')} (one of the snapshots could not show these, so neither changed nor unchanged):`);
      for (const entry of unverified) lines.push(`    ${entry.path}`);
    }
    if (lines[lines.length - 1] !== '') lines.push('');
    lines.push(environment.status === 'drift' ? p.red(headline(environment)) : p.green(headline(environment)));
  }
  return `${lines.join('\n')}\n`;
}

function renderMarkdown(report: DriftReport, options: SnapshotDiffRenderOptions): string {
  const { from, to } = endpoints(options);
  const lines = ['# Changes between two clerkguard snapshots', '', `- From: ${cell(from)}`, `- To: ${cell(to)}`, ''];
  for (const environment of report.environments) {
    lines.push(`**${headline(environment)}**.`, '');
    const active = activeChanges(environment);
    if (active.length > 0) for (const line of changeTableMarkdown(active)) lines.push(line);
    const unverified = environment.unverified ?? [];
    if (unverified.length > 0) {
      lines.push('**Unverified** (one of the snapshots could not show these, so neither changed nor unchanged):', '');
      for (const entry of unverified) lines.push(`- ${code(entry.path)}`);
      lines.push('');
    }
  }
  return `${lines.join('\n')}`;
}
