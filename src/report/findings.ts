/**
 * Renderers for checklist findings: text for people, JSON for tools, markdown for PRs and
 * review reports, SARIF 2.1.0 for GitHub code scanning.
 */
import { RULES, atLeast, severityRank, summarize, type Finding, type FindingSummary, type Severity } from '../checklist/index';
import type { ValidationIssue } from '../baseline/validate';
import { evidencePathFor, formatLocation } from '../evidence/index';
import { parsePath } from '../settings/paths';
import { scrubSecrets } from '../settings/redact';
import { prettyJson } from '../util/json';
import { locateInFiles } from './locate';
import { SARIF_SCHEMA, sarifDriver, securityScore } from './sarif';
import { paint, type Painter } from './style';

import type { FindingsFormat } from './formats';

export { FINDINGS_FORMATS, type FindingsFormat } from './formats';

export interface FindingsReportInput {
  findings: Finding[];
  failOn: Severity;
  /** Source text per file, for SARIF line numbers. */
  texts?: Record<string, string>;
  /** Show passing findings in text and markdown (JSON and SARIF always carry everything). */
  verbose?: boolean;
  color?: boolean;
  /** Problems of baseline files that could not be evaluated (each is reported; the run exits 1). */
  invalid?: readonly ValidationIssue[];
}

const STATUS_ORDER: Record<Finding['status'], number> = { fail: 0, excepted: 1, not_verifiable: 2, pass: 3 };

/**
 * Files and paths in code-unit order: the same on every machine (localeCompare follows the
 * machine's locale), and no collator to load at start-up for a plain `check`. Code locations
 * keep a numeric collation, so line 9 comes before line 10.
 */
function codeUnitOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      codeUnitOrder(a.file ?? a.environment, b.file ?? b.environment) ||
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      severityRank(b.severity) - severityRank(a.severity) ||
      (a.checklist_item ?? 99) - (b.checklist_item ?? 99) ||
      codeUnitOrder(a.path, b.path) ||
      (a.location === undefined && b.location === undefined ? 0 : formatLocation(a.location).localeCompare(formatLocation(b.location), undefined, { numeric: true })),
  );
}

export function renderFindings(format: FindingsFormat, input: FindingsReportInput): string {
  // A problem quotes what the file holds: a key pasted where an env var name belongs must not reach a report.
  if (input.invalid) input = { ...input, invalid: input.invalid.map(scrubIssue) };
  switch (format) {
    case 'json':
      return renderJson(input);
    case 'markdown':
      return renderMarkdown(input);
    case 'sarif':
      return renderSarif(input);
    default:
      return renderText(input);
  }
}

function renderJson({ findings, failOn, invalid = [] }: FindingsReportInput): string {
  return prettyJson({
    findings: sortFindings(findings),
    summary: summarize(findings, failOn),
    ...(invalid.length > 0 ? { invalid_files: invalidFiles(invalid) } : {}),
  });
}

/** Problems of files that were not evaluated, grouped by file, in the order the user named them. */
function invalidFiles(invalid: readonly ValidationIssue[]): { file: string; problems: Omit<ValidationIssue, 'file'>[] }[] {
  return [...groupBy(invalid, (issue) => issue.file)].map(([file, issues]) => ({ file, problems: issues.map(({ file: _file, ...problem }) => problem) }));
}

function scrubIssue(issue: ValidationIssue): ValidationIssue {
  return { ...issue, message: scrubSecrets(issue.message), ...(issue.hint === undefined ? {} : { hint: scrubSecrets(issue.hint) }) };
}

function statusLabel(status: Finding['status']): string {
  return { pass: 'PASS', fail: 'FAIL', not_verifiable: 'UNVERIFIED', excepted: 'EXCEPTED' }[status];
}

function renderText({ findings, failOn, verbose, color, invalid = [] }: FindingsReportInput): string {
  const p: Painter = paint(color ?? false);
  const lines: string[] = [];
  const groups = groupBy(sortFindings(findings), (finding) => finding.file ?? finding.environment);
  for (const [group, items] of groups) {
    lines.push(p.bold(group));
    for (const finding of items) {
      if (finding.status === 'pass' && !verbose) continue;
      // Without --verbose, unverified items are one short block below, not a paragraph each.
      if (finding.status === 'not_verifiable' && !verbose) continue;
      const colour = finding.status === 'fail' ? (atLeast(finding.severity, failOn) ? p.red : p.yellow) : finding.status === 'pass' ? p.green : p.dim;
      lines.push(`  ${colour(statusLabel(finding.status).padEnd(10))} ${itemColumn(finding)} ${finding.severity.padEnd(8)} ${finding.rule}`);
      lines.push(`      ${finding.message}`);
      if (finding.location) lines.push(p.dim(`      at ${formatLocation(finding.location)}${finding.check ? ` [${finding.check}, ${finding.confidence ?? 'medium'} confidence, evidence ${finding.evidence}]` : ''}`));
      else if (finding.path) lines.push(p.dim(`      at ${finding.path}`));
      if (finding.snippet && finding.status !== 'pass') lines.push(p.dim(`      | ${finding.snippet}`));
      if (finding.status === 'fail') lines.push(p.dim(`      fix: ${finding.remediation}`));
      if (finding.status === 'not_verifiable' && finding.how_to_verify && verbose) lines.push(p.dim(`      verify: ${finding.how_to_verify}`));
    }
    const unverified = items.filter((finding) => finding.status === 'not_verifiable');
    if (unverified.length > 0 && !verbose) {
      lines.push(`  ${p.dim('UNVERIFIED'.padEnd(10))} ${unverifiedCounts(unverified)} (never a pass, never fails check; --verbose says how to verify each):`);
      for (const finding of unverified) {
        const where = finding.location ? ` (${formatLocation(finding.location)})` : '';
        lines.push(p.dim(`      ${itemColumn(finding)} ${finding.severity.padEnd(8)} ${finding.rule}${where}`));
      }
    }
    const summary = summarize(items, failOn);
    lines.push(`  ${summaryLine(summary, items)}`);
    lines.push('');
  }
  // The problems themselves are in the error message on stderr; stdout says which files are missing from the report.
  for (const [file, issues] of groupBy(invalid, (issue) => issue.file)) {
    lines.push(p.bold(file));
    lines.push(`  ${p.red('NOT EVALUATED')} ${issues.length === 1 ? 'the file could not be used' : `${issues.length} problems`} (the error message lists ${issues.length === 1 ? 'why' : 'them'})`);
    lines.push('');
  }
  const total = summarize(findings, failOn);
  lines.push(
    total.failing_at_threshold > 0
      ? p.red(`${total.failing_at_threshold} failing finding${total.failing_at_threshold === 1 ? '' : 's'} at or above ${failOn}`)
      : p.green(`no failing findings at or above ${failOn}`),
  );
  if (invalid.length > 0) {
    const files = new Set(invalid.map((issue) => issue.file)).size;
    lines.push(p.red(`${files} baseline file${files === 1 ? '' : 's'} not evaluated (exit 1)`));
  }
  if (!verbose && total.pass > 0) lines.push(p.dim('(passing findings hidden; --verbose shows them)'));
  return `${lines.join('\n')}\n`;
}

/** Rule of the finding for each file a scan could not analyse: a file, not a checklist item. */
const FILE_GAP_RULE = 'scan-file-not-analysed';

/**
 * "6 items without evidence yet, 1 file not analysed": items are checklist items (several
 * findings of one item count once), files are the scan's not-analysed files, and anything else
 * without an item (a probe that could not run) is counted on its own.
 */
function unverifiedCounts(unverified: readonly Finding[]): string {
  const items = new Set(unverified.flatMap((finding) => (finding.checklist_item === null ? [] : [finding.checklist_item]))).size;
  const files = new Set(unverified.filter((finding) => finding.rule === FILE_GAP_RULE).map((finding) => finding.location?.file ?? '')).size;
  const other = unverified.filter((finding) => finding.checklist_item === null && finding.rule !== FILE_GAP_RULE).length;
  const parts = [
    ...(items > 0 || (files === 0 && other === 0) ? [`${items} item${items === 1 ? '' : 's'} without evidence yet`] : []),
    ...(files > 0 ? [`${files} file${files === 1 ? '' : 's'} not analysed`] : []),
    ...(other > 0 ? [`${other} other finding${other === 1 ? '' : 's'} without an item`] : []),
  ];
  return parts.join(', ');
}

function itemColumn(finding: Finding): string {
  return finding.checklist_item === null ? '  ' : String(finding.checklist_item).padStart(2);
}

/** Counts findings; a file the scan could not analyse is counted as a file, not as an unverified finding. */
function summaryLine(summary: FindingSummary, findings: readonly Finding[]): string {
  const files = new Set(findings.filter((finding) => finding.rule === FILE_GAP_RULE && finding.status === 'not_verifiable').map((finding) => finding.location?.file ?? '')).size;
  const fileGaps = findings.filter((finding) => finding.rule === FILE_GAP_RULE && finding.status === 'not_verifiable').length;
  const notAnalysed = files > 0 ? `, ${files} file${files === 1 ? '' : 's'} not analysed` : '';
  return `${summary.fail} fail, ${summary.excepted} excepted, ${summary.not_verifiable - fileGaps} unverified, ${summary.pass} pass${notAnalysed} (items ${summary.checklist_items.length}/20 covered)`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderMarkdown({ findings, failOn, verbose, invalid = [] }: FindingsReportInput): string {
  const lines: string[] = ['# clerkguard checklist findings', ''];
  const groups = groupBy(sortFindings(findings), (finding) => finding.file ?? finding.environment);
  for (const [group, items] of groups) {
    lines.push(`## ${group}`, '', summaryLine(summarize(items, failOn), items), '');
    const shown = items.filter((finding) => verbose || finding.status !== 'pass');
    if (shown.length === 0) {
      // No empty table: say what the summary line means.
      lines.push(`Every finding passes (${items.length}); nothing fails, is excepted or is unverified.`, '');
      continue;
    }
    lines.push('| Status | Item | Severity | Rule | Finding | Path |', '|---|---|---|---|---|---|');
    for (const finding of shown) {
      lines.push(
        `| ${statusLabel(finding.status)} | ${finding.checklist_item ?? '—'} | ${finding.severity} | \`${finding.rule}\` | ${escapeCell(finding.message)} | ${whereCell(finding)} |`,
      );
    }
    lines.push('');
  }
  for (const [file, issues] of groupBy(invalid, (issue) => issue.file)) {
    lines.push(`## ${file}`, '', '**Not evaluated**: the file could not be used as a baseline.', '');
    for (const issue of issues) lines.push(`- \`${escapeCell(issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`)}\`${issue.path ? ` \`${escapeCell(issue.path)}\`` : ''}: ${escapeCell(issue.message)}${issue.hint ? ` (hint: ${escapeCell(issue.hint)})` : ''}`);
    lines.push('');
  }
  return `${lines.join('\n')}`;
}

function whereCell(finding: Finding): string {
  if (finding.location) return `\`${escapeCell(formatLocation(finding.location))}\` (${finding.evidence})`;
  return finding.path ? `\`${escapeCell(finding.path)}\`` : '';
}

function sarifLevel(finding: Finding, failOn: Severity): 'error' | 'warning' | 'note' {
  if (finding.status !== 'fail') return 'note';
  return atLeast(finding.severity, failOn) ? 'error' : 'warning';
}

function renderSarif({ findings, failOn, texts, invalid = [] }: FindingsReportInput): string {
  const reported = sortFindings(findings).filter((finding) => finding.status === 'fail' || finding.status === 'not_verifiable');
  const rules = [
    ...RULES.map((rule) => ({
      id: rule.id,
      name: rule.title,
      shortDescription: { text: rule.title },
      fullDescription: { text: rule.rationale },
      help: { text: rule.remediation, markdown: `**Fix:** ${rule.remediation}\n\n**Verify:** ${rule.how_to_verify}` },
      properties: { 'security-severity': securityScore(rule.severity), tags: ['security', 'clerk', `checklist-${rule.checklist_item}`], severity: rule.severity },
    })),
    ...APPLICATION_RULES,
    sarifRule('baseline-exception-expired', 'Baseline exception has expired', 'An expired exception no longer waives its rule.', 'Fix the finding or renew the exception.', 'medium'),
    sarifRule(
      'baseline-ignore-expired',
      'Baseline ignore entry has expired',
      'An expired ignore entry no longer keeps its drift from counting (or its code out of the scan).',
      'Fix the drift it hid and remove the entry, or renew it.',
      'medium',
    ),
    BASELINE_INVALID_RULE,
  ];
  // Findings located in application code carry their own file:line; the rest point into baselines
  // (a probed URL is no file: at the baseline entry the probe stands in for, the URL named).
  const positions = locateInFiles(texts ?? {}, reported, (finding) => {
    if (finding.location?.file !== undefined) return { file: undefined, path: undefined };
    const evidencePath = finding.location?.url ? evidencePathFor(finding.rule) : undefined;
    return { file: finding.file, path: finding.path ? parsePath(finding.path) : evidencePath ? ['settings', ...evidencePath] : undefined };
  });
  const results = reported.map((finding, index) => {
    if (finding.location?.file !== undefined) return codeResult(finding, failOn, rules);
    const position = positions[index];
    const url = finding.location?.url;
    const message = `${finding.message}${url && !finding.message.includes(url) ? ` (${url})` : ''}`;
    return {
      ruleId: finding.rule,
      ruleIndex: rules.findIndex((rule) => rule.id === finding.rule),
      level: sarifLevel(finding, failOn),
      message: { text: finding.status === 'not_verifiable' ? `Not verifiable: ${message}` : message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: (finding.file ?? `${finding.environment}.json`).replace(/\\/g, '/') },
            region: { startLine: position?.line ?? 1, startColumn: position?.column ?? 1 },
          },
          ...(finding.path ? { logicalLocations: [{ fullyQualifiedName: finding.path, kind: 'member' }] } : {}),
        },
      ],
      properties: {
        status: finding.status,
        severity: finding.severity,
        checklist_item: finding.checklist_item,
        environment: finding.environment,
        ...(url ? { evidence: finding.evidence, url, ...(finding.check ? { check: finding.check } : {}), ...(finding.confidence ? { confidence: finding.confidence } : {}) } : {}),
      },
    };
  });
  const invalidResults = invalid.map((issue) => ({
    ruleId: BASELINE_INVALID_RULE.id,
    ruleIndex: rules.indexOf(BASELINE_INVALID_RULE),
    level: 'error' as const,
    message: { text: `${issue.path ? `${issue.path}: ` : ''}${issue.message}${issue.hint ? ` (hint: ${issue.hint})` : ''}` },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: issue.file.replace(/\\/g, '/') }, region: { startLine: issue.line ?? 1, startColumn: issue.column ?? 1 } },
        ...(issue.path ? { logicalLocations: [{ fullyQualifiedName: issue.path, kind: 'member' }] } : {}),
      },
    ],
    properties: { status: 'invalid' },
  }));
  return prettyJson({
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{ tool: { driver: sarifDriver(rules) }, results: [...invalidResults, ...results] }],
  });
}

/**
 * The SARIF of a run that could not complete before any file was evaluated (no baselines
 * folder, an unreadable --scan directory): no results, and an invocation that failed with the
 * error, so an upload shows the failure instead of a clean run, and the file is never empty.
 */
export function renderSarifFailure(message: string, hint?: string): string {
  return prettyJson({
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: sarifDriver([BASELINE_INVALID_RULE]) },
        invocations: [{ executionSuccessful: false, toolExecutionNotifications: [{ level: 'error', message: { text: scrubSecrets(`${message}${hint ? ` (hint: ${hint})` : ''}`) } }] }],
        results: [],
      },
    ],
  });
}

/** A baseline that could not be read or validated: its checklist was not evaluated. */
const BASELINE_INVALID_RULE = {
  id: 'baseline-invalid',
  name: 'Baseline file is not valid',
  shortDescription: { text: 'Baseline file is not valid' },
  fullDescription: { text: 'The file could not be read or does not match the baseline schema, so none of its checklist items was evaluated.' },
  help: { text: 'Fix the file at the location given; baselines/schema.json gives editors completion and inline errors.' },
  properties: { tags: ['clerk', 'baseline'] },
};

/** A SARIF rule for a finding that is not a checklist item: its name doubles as the short description. */
function sarifRule(id: string, name: string, fullDescription: string, help: string, severity: Severity) {
  return {
    id,
    name,
    shortDescription: { text: name },
    fullDescription: { text: fullDescription },
    help: { text: help },
    properties: { 'security-severity': securityScore(severity), tags: ['security', 'clerk'], severity },
  };
}

/** Findings about the scan itself (not checklist items) that SARIF viewers need a rule for. */
const APPLICATION_RULES = [
  sarifRule(
    'probe-not-run',
    'The application could not be probed',
    'The baseline names no URL the probe may contact, so nothing about the running application was verified.',
    'Name the application in the baseline ("application": { "origins": [...] }).',
    'medium',
  ),
  sarifRule(
    'scan-file-not-analysed',
    'A file could not be analysed',
    'The scan could not read or parse this file: at most it searched it for key shapes, and no checklist item the file bears on passes while it is not analysed.',
    'Fix the file or exclude it with a baseline ignore entry (code:<glob>) and a reason.',
    'medium',
  ),
  sarifRule(
    'scan-suppression-invalid',
    'An inline suppression does not apply',
    'A clerkguard-ignore comment without a reason, naming an unknown rule, or past its expiry waives nothing.',
    'Write "// clerkguard-ignore RULE: reason (owner: NAME, expires: YYYY-MM-DD)".',
    'low',
  ),
];

/** A finding from application evidence points at the code (or URL) that decided it. */
function codeResult(finding: Finding, failOn: Severity, rules: { id: string }[]) {
  const location = finding.location ?? {};
  return {
    ruleId: finding.rule,
    ruleIndex: rules.findIndex((rule) => rule.id === finding.rule),
    level: sarifLevel(finding, failOn),
    message: { text: finding.status === 'not_verifiable' ? `Not verifiable: ${finding.message}` : finding.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: (location.file ?? '.').replace(/\\/g, '/') },
          region: {
            startLine: location.line ?? 1,
            startColumn: location.column ?? 1,
            ...(location.end_line === undefined ? {} : { endLine: location.end_line, endColumn: location.end_column ?? 1 }),
            ...(finding.snippet ? { snippet: { text: finding.snippet } } : {}),
          },
        },
      },
    ],
    properties: {
      status: finding.status,
      severity: finding.severity,
      checklist_item: finding.checklist_item,
      environment: finding.environment,
      evidence: finding.evidence,
      ...(finding.confidence ? { confidence: finding.confidence } : {}),
      ...(finding.check ? { check: finding.check } : {}),
    },
  };
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
