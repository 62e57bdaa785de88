/**
 * A scan's evidence as checklist findings, for `clerkguard scan` on its own: one finding per
 * observation (evidence `code`), plus one `not_verifiable` finding per file that could not be
 * analysed and per suppression that could not apply. `check --scan` instead merges the same
 * evidence into the baseline's findings through src/evidence.
 */
import type { BaselineException } from '../baseline/schema';
import { RULES, applyBaselineException, type Finding } from '../checklist/index';
import type { ScanResult } from './index';

export const NOT_ANALYSED_RULE = 'scan-file-not-analysed';
export const SUPPRESSION_RULE = 'scan-suppression-invalid';

export interface ScanFindingOptions {
  environment: string;
  file?: string;
  exceptions?: readonly BaselineException[];
  today: string;
}

export function scanFindings(result: ScanResult, options: ScanFindingOptions): Finding[] {
  const base = { ...(options.file === undefined ? {} : { file: options.file }), environment: options.environment };
  const findings: Finding[] = [];
  for (const observation of result.evidence.observations) {
    const rule = RULES.find((candidate) => candidate.id === observation.rule);
    if (!rule) continue;
    const suppressed = observation.suppressed;
    const finding: Finding = {
      ...base,
      rule: rule.id,
      checklist_item: rule.checklist_item,
      title: rule.title,
      severity: rule.severity,
      status: suppressed ? 'excepted' : observation.status,
      message: suppressed ? `${observation.message} (suppressed at ${suppressed.at}: ${suppressed.reason})` : observation.message,
      path: '',
      evidence: 'code',
      location: observation.location,
      confidence: observation.confidence,
      check: observation.check,
      ...(observation.snippet ? { snippet: observation.snippet } : {}),
      remediation: rule.remediation,
      ...(observation.status === 'not_verifiable' ? { how_to_verify: rule.how_to_verify } : {}),
      ...(suppressed
        ? { exception: { reason: suppressed.reason, by: suppressed.by, at: suppressed.at, ...(suppressed.owner ? { owner: suppressed.owner } : {}), ...(suppressed.expires ? { expires: suppressed.expires } : {}) } }
        : {}),
    };
    if (finding.status === 'fail') applyBaselineException(finding, { location: observation.location }, options.exceptions ?? [], options.today);
    findings.push(finding);
  }
  findings.push(...gapFindings(result, base));
  return findings;
}

/** Files not analysed (each keeps the items of its scope from passing) and suppressions that waive nothing: listed, never silently dropped. */
export function gapFindings(result: Pick<ScanResult, 'notAnalysed' | 'suppressions'>, base: { file?: string; environment: string }): Finding[] {
  const findings: Finding[] = [];
  for (const gap of result.notAnalysed) {
    findings.push({
      ...base,
      rule: NOT_ANALYSED_RULE,
      checklist_item: null,
      title: 'A file could not be analysed',
      severity: 'medium',
      status: 'not_verifiable',
      message: `${gap.file}: ${gap.reason}; ${gap.scope === 'code' ? 'no item the scan judges can pass while it is not analysed' : 'items 1, 2 and 10 (where keys live) cannot pass while it is not read'}`,
      path: '',
      evidence: 'code',
      location: { file: gap.file, ...(gap.line === undefined ? {} : { line: gap.line, column: gap.column ?? 1 }) },
      remediation: 'Fix the file (syntax error, encoding) or exclude it with a baseline ignore entry naming code:<glob> and a reason.',
    });
  }
  for (const suppression of result.suppressions) {
    if (suppression.status !== 'invalid' && suppression.status !== 'expired') continue;
    findings.push({
      ...base,
      rule: SUPPRESSION_RULE,
      checklist_item: null,
      title: 'An inline suppression does not apply',
      severity: 'low',
      status: 'fail',
      message: suppression.status === 'expired' ? `the clerkguard-ignore for ${suppression.rule} expired on ${suppression.expires} and no longer applies` : `clerkguard-ignore ${suppression.rule}: ${suppression.problem ?? 'invalid'}`,
      path: '',
      evidence: 'code',
      location: { file: suppression.file, line: suppression.line, column: 1 },
      remediation: 'Write "// clerkguard-ignore RULE: reason (owner: NAME, expires: YYYY-MM-DD)" with a checklist rule id or scan check id, or remove it.',
    });
  }
  return findings;
}
