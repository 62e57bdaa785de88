/**
 * Renderers for drift reports: text for terminals (colour via style.ts, honouring NO_COLOR),
 * markdown for files, PRs and Slack uploads, JSON for tools (the contract: status, then one
 * entry per environment with changes, errors and coverage), SARIF 2.1.0 (drift-sarif.ts).
 * Weakening changes come first everywhere; every value passes through scrubSecrets.
 */
import type { DriftChange, DriftReport, EnvironmentDrift } from '../drift/types';
import { formatLocation } from '../evidence/index';
import { scrubSecrets } from '../settings/redact';
import { prettyJson } from '../util/json';
import { activeChanges, countChanges, describeChange, describeCounts, describeCoverage, formatValue, hidesCriticalWeakening, itemsLabel, reportHeadline, statusWord } from './drift-summary';
import { driftSarifValue, renderDriftSarif } from './drift-sarif';
import { linePieces, prettyJsonPieces, writeReportFile } from './stream';
import { paint, type Painter } from './style';

import type { DriftFormat } from './formats';
import { discoveryScope } from '../fleet/discovery-scope';

export { DRIFT_FORMATS, type DriftFormat } from './formats';

export interface DriftRenderOptions {
  color?: boolean;
  /** Text only: list unmanaged settings and coverage per setting (markdown and JSON always do). */
  verbose?: boolean;
  /** Baseline file texts by path, for SARIF line numbers. */
  texts?: Record<string, string>;
}

export function renderDrift(format: DriftFormat, report: DriftReport, options: DriftRenderOptions = {}): string {
  switch (format) {
    case 'json':
      return renderDriftJson(report);
    case 'markdown':
      return renderDriftMarkdown(report);
    case 'sarif':
      return renderDriftSarif(report, options.texts ?? {});
    default:
      return renderDriftText(report, options.color ?? false, options.verbose ?? false);
  }
}

/**
 * Writes the report in `format` to `file` as it renders (no whole string of it is held), with
 * exactly the bytes renderDrift returns; through a temp file and a rename (see writeReportFile).
 */
export function writeDriftReportFile(file: string, format: DriftFormat, report: DriftReport, options: DriftRenderOptions & { createDir?: boolean } = {}): void {
  writeReportFile(file, unscrubbedPieces(format, report, options), options);
}

/** The text of renderDrift before the secret scrub, in pieces; only writeReportFile, which scrubs them, reads these. */
function unscrubbedPieces(format: DriftFormat, report: DriftReport, options: DriftRenderOptions): Iterable<string> {
  switch (format) {
    case 'json':
      return prettyJsonPieces(driftJsonValue(report));
    case 'markdown':
      return linePieces(markdownLines(report));
    case 'sarif':
      return prettyJsonPieces(driftSarifValue(report, options.texts ?? {}));
    default:
      return linePieces(textLines(report, options.color ?? false, options.verbose ?? false));
  }
}

/** The JSON contract. Key order is designed (status first), so it is not key-sorted. */
export function renderDriftJson(report: DriftReport): string {
  return scrubSecrets(prettyJson(driftJsonValue(report)));
}

function driftJsonValue(report: DriftReport) {
  return {
    status: report.status,
    generated_at: report.generated_at,
    environments: report.environments.map((environment) => ({
      environment: environment.environment,
      baseline_version: environment.baseline_version,
      ...(environment.baseline_file === undefined ? {} : { baseline_file: environment.baseline_file }),
      status: environment.status,
      summary: countChanges(environment.changes),
      changes: environment.changes,
      unmanaged: environment.unmanaged,
      unverified: environment.unverified ?? [],
      errors: environment.errors,
      coverage: environment.coverage,
      ...(environment.captured_at === undefined ? {} : { captured_at: environment.captured_at }),
      ...(environment.application ? { application: environment.application } : {}),
    })),
    ...(report.discovery ? { discovery: report.discovery } : {}),
  };
}

/** `--discover`: the workspace's instances without a baseline, or why they are unknown. */
function* discoveryLines(discovery: DriftReport['discovery'], markdown: boolean): Generator<string> {
  if (!discovery) return;
  const heading = markdown ? '## Instances without a baseline' : 'instances without a baseline (--discover):';
  yield heading;
  if (markdown) yield '';
  if (discovery.status === 'error') {
    yield `${markdown ? '' : '  '}the workspace could not be listed, so unmanaged instances are unknown (not "none"): ${discovery.error?.message ?? 'unknown error'}`;
  } else if (discovery.unmanaged.length === 0) {
    yield `${markdown ? '' : '  '}none: every one of ${discoveryScope(discovery)} has a baseline.`;
  } else {
    for (const instance of discovery.unmanaged) {
      const line = `${instance.application_name} (${instance.environment_type}), instance ${instance.instance_id}, application ${instance.application_id}`;
      yield markdown ? `- ${cell(line)}` : `  UNMANAGED     ${line}`;
    }
    yield `${markdown ? '\n' : '  '}${discovery.unmanaged.length} of ${discoveryScope(discovery)} have no baseline (not drift unless --strict); ${discovery.hint}.`;
  }
  yield '';
}

function directionLabel(change: DriftChange): string {
  return change.direction.toUpperCase();
}

export function renderDriftText(report: DriftReport, color: boolean, verbose = false): string {
  return scrubSecrets([...linePieces(textLines(report, color, verbose))].join(''));
}

function* textLines(report: DriftReport, color: boolean, verbose: boolean): Generator<string> {
  const p = paint(color);
  for (const environment of report.environments) {
    yield* environmentText(environment, p, verbose);
    yield '';
  }
  yield* discoveryLines(report.discovery, false);
  const headline = reportHeadline(report);
  yield report.status === 'clean' ? p.green(headline) : report.status === 'drift' ? p.red(headline) : p.yellow(headline);
}

function* environmentText(environment: EnvironmentDrift, p: Painter, verbose: boolean): Generator<string> {
  const status = statusWord(environment);
  const statusColour = environment.status === 'clean' ? p.green : environment.status === 'drift' ? p.red : p.yellow;
  yield `${p.bold(environment.environment)} ${p.dim(`(baseline ${environment.baseline_version}${environment.baseline_file ? `, ${environment.baseline_file}` : ''})`)}: ${statusColour(status)}${environment.status === 'error' ? '' : ` — ${describeCounts(countChanges(environment.changes))}`}`;
  for (const error of environment.errors) {
    yield `  ${p.yellow('ERROR')}      ${error.message}${error.endpoint ? p.dim(` [${error.endpoint}${error.status === undefined ? '' : ` → ${error.status}`}]`) : ''}`;
  }
  for (const change of environment.changes) {
    const colour = change.suppressed ? p.dim : change.direction === 'weakening' ? p.red : change.direction === 'strengthening' ? p.green : p.yellow;
    const label = change.suppressed ? 'SUPPRESSED' : directionLabel(change);
    yield `  ${colour(label.padEnd(13))} ${change.severity.padEnd(8)} ${change.path}`;
    const meta = [itemsLabel(change), `source ${change.source}`].filter(Boolean).join(', ');
    yield `      ${describeChange(change)}  ${p.dim(`(${meta})`)}`;
    if (change.evidence?.snippet) yield p.dim(`      | ${change.evidence.snippet}`);
    if (change.suppressed) yield p.dim(`      ${suppressionText(change.suppressed)}`);
    if (hidesCriticalWeakening(change)) yield p.red('      warning: an ignore entry hides this critical weakening; it is not counted as drift');
  }
  yield* applicationText(environment, p);
  if (environment.unmanaged.length > 0 && verbose) {
    yield p.dim(`  unmanaged (live only, not drift; --strict reports them):`);
    for (const entry of environment.unmanaged) yield p.dim(`    ${entry.path} = ${formatValue(entry.live, 80)} (${entry.source})`);
  } else if (environment.unmanaged.length > 0) {
    const count = environment.unmanaged.length;
    yield p.dim(`  ${count} unmanaged live setting${count === 1 ? '' : 's'} (not in the baseline, not drift; --verbose lists them, --strict reports them)`);
  }
  const unverified = environment.unverified ?? [];
  if (unverified.length > 0) {
    yield `  ${p.yellow('unverified')} (no live source could show these; not in sync, not drift):`;
    for (const entry of unverified) yield `    ${entry.path}`;
  }
  if (environment.status !== 'error') yield p.dim(`  coverage: ${describeCoverage(environment)}`);
}

/** Which application sources ran, and what they could not decide (neither in sync nor drift). */
function* applicationText(environment: EnvironmentDrift, p: Painter): Generator<string> {
  const application = environment.application;
  if (!application) return;
  yield p.dim(`  application evidence: ${application.sources.map((source) => `${source.source} (${source.subjects.length} subject${source.subjects.length === 1 ? '' : 's'})`).join(', ') || 'none gathered'}`);
  if (application.gaps.length > 0) {
    yield `  ${p.yellow('undecided')} (the application evidence could not decide these; not in sync, not drift):`;
    for (const gap of application.gaps.slice(0, 50)) yield `    ${gap.source} ${gap.rule}${gap.location ? ` at ${formatLocation(gap.location)}` : ''}: ${gap.message}`;
    if (application.gaps.length > 50) yield `    … and ${application.gaps.length - 50} more (--format json lists all)`;
  }
}

function* applicationMarkdown(environment: EnvironmentDrift): Generator<string> {
  const application = environment.application;
  if (!application) return;
  yield* [`**Application evidence:** ${application.sources.map((source) => `${source.source} (${source.subjects.map((subject) => code(subject)).join(', ')})`).join('; ') || 'none gathered'}.`, ''];
  if (application.gaps.length > 0) {
    yield* ['**Undecided** (the application evidence could not decide these: neither in sync nor drift):', ''];
    for (const gap of application.gaps) yield `- ${gap.source} ${code(gap.rule)}${gap.location ? ` at ${code(formatLocation(gap.location))}` : ''}: ${cell(gap.message)}`;
    yield '';
  }
}

/** "ignore: preview deployments (owner web, until 2027-03-31)". */
function suppressionText(by: NonNullable<DriftChange['suppressed']>): string {
  const details = [by.owner ? `owner ${by.owner}` : undefined, by.expires ? `until ${by.expires}` : undefined].filter(Boolean).join(', ');
  return `${by.by}: ${by.reason}${details ? ` (${details})` : ''}`;
}

/** Text for a markdown table cell: pipes escaped, one line. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Inline code in a table cell, with a double fence when the text holds a backtick. */
export function code(text: string): string {
  const clean = cell(text);
  const fence = clean.includes('`') ? '``' : '`';
  return `${fence}${fence === '``' ? ' ' : ''}${clean}${fence === '``' ? ' ' : ''}${fence}`;
}

/** The markdown table of changes (with the blank line after it) that drift reports and `review diff` share. */
export function changeTableMarkdown(changes: readonly DriftChange[]): string[] {
  return [
    '| Direction | Severity | Setting | Change | Items | Source |',
    '|---|---|---|---|---|---|',
    ...changes.map((change) => `| ${change.direction} | ${change.severity} | ${code(change.path)} | ${code(describeChange(change))} | ${change.checklist_items.join(', ') || '—'} | ${change.source} |`),
    '',
  ];
}

export function renderDriftMarkdown(report: DriftReport): string {
  return scrubSecrets([...linePieces(markdownLines(report))].join(''));
}

function* markdownLines(report: DriftReport): Generator<string> {
  yield* ['# clerkguard drift report', '', `Generated ${report.generated_at}: **${reportHeadline(report)}**.`, ''];
  yield* ['| Environment | Baseline | Status | Changes |', '|---|---|---|---|'];
  for (const environment of report.environments) {
    yield `| ${cell(environment.environment)} | ${cell(environment.baseline_version)} | ${statusWord(environment)} | ${environment.status === 'error' ? 'could not be checked' : describeCounts(countChanges(environment.changes))} |`;
  }
  yield '';
  for (const environment of report.environments) yield* environmentMarkdown(environment);
  yield* discoveryLines(report.discovery, true);
}

function* environmentMarkdown(environment: EnvironmentDrift): Generator<string> {
  yield* [`## ${environment.environment}: ${statusWord(environment)}`, ''];
  yield* [`Baseline ${environment.baseline_version}${environment.baseline_file ? ` (\`${environment.baseline_file}\`)` : ''}${environment.captured_at ? `, live settings captured ${environment.captured_at}` : ''}.`, ''];
  if (environment.errors.length > 0) {
    yield* ['**Could not be checked:**', ''];
    for (const error of environment.errors) yield `- ${cell(error.message)}${error.endpoint ? ` (${code(error.endpoint)}${error.status === undefined ? '' : `, HTTP ${error.status}`})` : ''}`;
    yield '';
  }
  const active = activeChanges(environment);
  if (active.length > 0) {
    yield* changeTableMarkdown(active);
  } else if (environment.status !== 'error') {
    yield* ['No drift in the verified settings.', ''];
  }
  const suppressed = environment.changes.filter((change) => change.suppressed);
  if (suppressed.length > 0) {
    yield* ['**Suppressed by the baseline:**', ''];
    for (const change of suppressed) {
      const by = change.suppressed;
      const warning = hidesCriticalWeakening(change) ? '**Warning: a critical weakening hidden by an ignore entry.** ' : '';
      yield `- ${warning}${code(change.path)}: ${code(describeChange(change))}, ${by?.by}${by?.rule ? ` \`${by.rule}\`` : ''}${by?.owner ? ` (owner ${cell(by.owner)})` : ''}${by?.expires ? ` until ${by.expires}` : ''}: ${cell(by?.reason ?? '')}`;
    }
    yield '';
  }
  if (environment.unmanaged.length > 0) {
    yield* ['**Unmanaged** (live settings the baseline does not declare; not drift unless `--strict`):', ''];
    // One line per entry; linePieces joins them a thousand at a time, so 150,000 unmanaged fields never wait as unjoined lines.
    for (const entry of environment.unmanaged) yield `- ${code(entry.path)} = ${code(formatValue(entry.live))} (${entry.source})`;
    yield '';
  }
  yield* applicationMarkdown(environment);
  const unverified = environment.unverified ?? [];
  if (unverified.length > 0) {
    yield* ['**Unverified** (managed settings no live source could show: neither in sync nor drift):', ''];
    for (const entry of unverified) yield `- ${code(entry.path)}`;
    yield '';
  }
  if (environment.status !== 'error') {
    yield* [`<details><summary>Coverage: ${describeCoverage(environment)}</summary>`, '', '| Setting | Source |', '|---|---|'];
    for (const [path, source] of Object.entries(environment.coverage)) yield `| ${code(path)} | ${source} |`;
    yield* ['', '</details>', ''];
  }
}
