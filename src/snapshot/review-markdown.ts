/**
 * The review report as markdown, committed next to the snapshot so the review happens in a
 * pull request or in the git history. The sign-off block sits between HTML comment markers so
 * a later run for the same quarter can keep what a reviewer already filled in.
 */
import { REVIEW_DECISIONS, type FindingStatus, type ReviewDecision } from '../checklist/index';
import type { DriftChange } from '../drift/types';
import { EXCEPTION_WARNING_DAYS, summarizeReview, type ReviewReport } from './review';
import { addDays } from '../checklist/helpers';
import { formatLocation } from '../evidence/index';
import { hidesCriticalWeakening } from '../report/drift-summary';

export const SIGN_OFF_START = '<!-- clerkguard:sign-off:start -->';
export const SIGN_OFF_END = '<!-- clerkguard:sign-off:end -->';

const STATUS_LABEL: Record<FindingStatus, string> = { pass: 'PASS', fail: 'FAIL', excepted: 'EXCEPTED', not_verifiable: 'UNVERIFIED' };

export function blankSignOff(): string {
  return [
    SIGN_OFF_START,
    'To be filled in by the reviewer after reading this report. Decision: approved, approved with follow-ups, or rejected.',
    '',
    '| Field | Value |',
    '|---|---|',
    '| Reviewer | |',
    '| Date | |',
    '| Decision | |',
    '| Follow-ups | |',
    SIGN_OFF_END,
  ].join('\n');
}

/** The sign-off block of an earlier report for the same quarter, if a reviewer changed it. */
export function extractSignOff(markdown: string): string | undefined {
  const block = signOffBlock(markdown);
  return block === blankSignOff() ? undefined : block;
}

/** The sign-off block between its markers, filled in or not; undefined without both markers. */
export function signOffBlock(markdown: string): string | undefined {
  const start = markdown.indexOf(SIGN_OFF_START);
  const end = start === -1 ? -1 : markdown.indexOf(SIGN_OFF_END, start);
  if (start === -1 || end === -1) return undefined;
  return markdown.slice(start, end + SIGN_OFF_END.length);
}

/** A reviewer's sign-off, read from the block's table. */
export interface SignOff {
  reviewer: string;
  date: string;
  decision: ReviewDecision;
  follow_ups: string;
}

/** Longer than any sign-off a person types: a block past it is not read (bounded, fail closed). */
export const MAX_SIGN_OFF_CHARS = 16 * 1024;

const SIGN_OFF_FIELDS = ['reviewer', 'date', 'decision', 'follow-ups'] as const;

/**
 * Reads a filled-in sign-off block: one table row per field (`| Reviewer | Ada |`), each at most
 * once. Anything that is not a complete, unambiguous sign-off is a `problem` in words, never a
 * guess: a missing reviewer, a date that is not YYYY-MM-DD, a decision other than the three the
 * block names.
 */
export function parseSignOff(block: string): SignOff | { problem: string } {
  if (block.length > MAX_SIGN_OFF_CHARS) return { problem: `its sign-off block is longer than ${MAX_SIGN_OFF_CHARS} characters` };
  if (block === blankSignOff()) return { problem: 'its sign-off block is not filled in' };
  const values = new Map<string, string>();
  for (const line of block.split('\n')) {
    const cells = tableCells(line);
    if (cells === undefined || cells.length !== 2) continue;
    const field = cells[0]!.toLowerCase();
    if (!(SIGN_OFF_FIELDS as readonly string[]).includes(field)) continue;
    if (values.has(field)) return { problem: `its sign-off block names ${cells[0]} twice` };
    values.set(field, cells[1]!);
  }
  const reviewer = values.get('reviewer') ?? '';
  const date = values.get('date') ?? '';
  const decision = (values.get('decision') ?? '').toLowerCase().replace(/\s+/g, ' ').replace(/follow ups/, 'follow-ups').replace(/\.$/, '');
  if (reviewer === '' && date === '' && decision === '') return { problem: 'its sign-off block is not filled in' };
  if (reviewer === '') return { problem: 'its sign-off names no reviewer' };
  if (!isRealDate(date)) return { problem: `its sign-off date ${date === '' ? 'is empty' : `"${date}" is not a date as YYYY-MM-DD`}` };
  if (!(REVIEW_DECISIONS as readonly string[]).includes(decision)) {
    return { problem: `its sign-off decision ${decision === '' ? 'is empty' : `"${values.get('decision')}"`}: expected ${REVIEW_DECISIONS.join(', ')}` };
  }
  return { reviewer, date, decision: decision as ReviewDecision, follow_ups: values.get('follow-ups') ?? '' };
}

/** The cells of a markdown table row (`\|` is a literal pipe), or undefined for another line. */
function tableCells(line: string): string[] | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('|') || !trimmed.endsWith('|') || trimmed.length < 2) return undefined;
  const cells: string[] = [];
  let current = '';
  for (let index = 1; index < trimmed.length - 1; index++) {
    const char = trimmed[index]!;
    if (char === '\\' && trimmed[index + 1] === '|') {
      current += '|';
      index++;
    } else if (char === '|') {
      cells.push(current.trim());
      current = '';
    } else current += char;
  }
  cells.push(current.trim());
  return cells;
}

function isRealDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

export function renderReviewMarkdown(review: ReviewReport, options: { signOff?: string } = {}): string {
  const summary = summarizeReview(review);
  const lines: string[] = [];
  lines.push(`# Clerk settings review: ${review.environment}, ${review.quarter}`, '');
  lines.push('| | |', '|---|---|');
  lines.push(`| Environment | ${cell(review.environment)} |`);
  lines.push(`| Quarter | ${review.quarter} (${review.quarter_start} to ${review.quarter_end}) |`);
  const capturedAfter = review.captured_at.slice(0, 10) > review.quarter_end;
  lines.push(`| Captured at | ${cell(review.captured_at)}${capturedAfter ? ` (after ${review.quarter} ended: the settings on that day, not during the quarter)` : ''} |`);
  lines.push(`| Instance | ${review.instance_id ? code(review.instance_id) : 'unknown'} |`);
  lines.push(`| Baseline | ${code(review.baseline.file)}, version ${cell(review.baseline.version)}, profile ${review.baseline.profile} |`);
  lines.push(`| Snapshot | ${code(review.snapshot_file)} |`);
  lines.push('');

  lines.push('## Summary', '');
  const c = summary.checklist;
  lines.push(`- Checklist: ${c.pass} pass, ${c.fail} fail, ${c.excepted} excepted, ${c.not_verifiable} unverified (20 items).`);
  lines.push(
    `- Drift against the baseline: ${review.drift.status === 'error' ? 'could not be fully computed; ' : ''}${plural(summary.drift_changes, 'change')}${summary.drift_weakening > 0 ? `, ${summary.drift_weakening} weakening` : ''}.`,
  );
  lines.push(
    summary.previous_quarter === null
      ? '- Changes since last-known-good: first snapshot of this environment.'
      : `- Changes since last-known-good (${summary.previous_quarter}): ${plural(summary.changes_since_last_known_good ?? 0, 'change')}.`,
  );
  lines.push(`- Exceptions: ${summary.exceptions_expired} expired, ${summary.exceptions_expiring} expiring within ${EXCEPTION_WARNING_DAYS} days.`);
  lines.push('');

  // Sections append into one array: a spread (`push(...section)`) of a large review (thousands
  // of changes or unmanaged settings) would exceed the number of arguments a call takes.
  for (const section of [checklistSection, driftSection, sinceSection, exceptionsSection]) {
    section(review, lines);
    lines.push('');
  }
  lines.push('## Sign-off', '', options.signOff ?? blankSignOff(), '');
  return `${lines.join('\n')}`;
}

function checklistSection(review: ReviewReport, lines: string[]): void {
  lines.push('## Checklist (20 items)', '');
  lines.push('Status against the live settings. Evidence says where each value came from: `bapi` Backend API, `fapi` Frontend API, `platform` Platform API, `code` a scan of the application\'s code, `probe` the running application\'s URLs, `export-file` a dashboard export, `snapshot` an earlier review report signed off and committed to git, `attested` a human attestation, `unverified` no source could show it.', '');
  lines.push('| # | Item | Severity | Status | Evidence | Findings |', '|---|---|---|---|---|---|');
  for (const item of review.checklist) {
    const counts = (Object.keys(item.counts) as FindingStatus[])
      .filter((status) => item.counts[status] > 0)
      .map((status) => `${item.counts[status]} ${STATUS_LABEL[status].toLowerCase()}`)
      .join(', ');
    lines.push(`| ${item.item} | ${cell(item.title)} | ${item.severity} | ${STATUS_LABEL[item.status]} | ${item.evidence.join(', ')} | ${counts || 'none'} |`);
  }
  const attention = review.checklist.flatMap((item) => item.findings.filter((finding) => finding.status !== 'pass').map((finding) => ({ item, finding })));
  lines.push('');
  if (attention.length === 0) {
    lines.push('Every finding passes.');
    return;
  }
  lines.push('### Findings that need attention', '');
  for (const { item, finding } of attention) {
    const where = finding.location ? ` at ${code(formatLocation(finding.location))}` : finding.path ? ` at ${code(finding.path)}` : '';
    lines.push(`- **${STATUS_LABEL[finding.status]}** item ${item.item} ${code(finding.rule)} (${finding.severity}, evidence: ${finding.evidence})${where}: ${oneLine(finding.message)}`);
    if (finding.status === 'fail') lines.push(`  - Fix: ${oneLine(finding.remediation)}`);
    if (finding.status === 'not_verifiable' && finding.how_to_verify && !finding.message.includes(finding.how_to_verify)) lines.push(`  - Verify: ${oneLine(finding.how_to_verify)}`);
  }
}

function driftSection(review: ReviewReport, lines: string[]): void {
  const { drift } = review;
  lines.push('## Drift against the baseline', '');
  lines.push(`Live settings compared with ${code(review.baseline.file)} (version ${cell(drift.baseline_version)}), classified as \`clerkguard drift\` does.`, '');
  if (drift.errors.length > 0) {
    lines.push('Some sources could not be read, so drift below is incomplete:', '');
    for (const error of drift.errors) lines.push(`- ${oneLine(error.message)}${error.endpoint ? ` (${code(error.endpoint)}${error.status ? `, HTTP ${error.status}` : ''})` : ''}`);
    lines.push('');
  }
  const active = drift.changes.filter((change) => !change.suppressed);
  const suppressed = drift.changes.filter((change) => change.suppressed);
  if (active.length === 0) lines.push(drift.unverified && drift.unverified.length > 0 ? 'No drift in the verified settings.' : 'No drift: every managed setting matches the baseline.');
  else changeTable(active, 'Baseline', 'Live', lines);
  if (suppressed.length > 0) {
    lines.push('', 'Suppressed by the baseline (exceptions and ignore entries):', '');
    for (const change of suppressed) {
      const by = change.suppressed!;
      const warning = hidesCriticalWeakening(change) ? '**Warning: a critical weakening hidden by an ignore entry.** ' : '';
      lines.push(`- ${warning}${code(change.path)}: ${by.by}${by.rule ? ` ${code(by.rule)}` : ''}${by.owner ? ` (owner ${oneLine(by.owner)})` : ''}${by.expires ? ` until ${by.expires}` : ''}: ${oneLine(by.reason)}`);
    }
  }
  if (drift.unverified && drift.unverified.length > 0) {
    lines.push('', `Managed settings no live source could show, so neither in sync nor drift (${drift.unverified.length}): ${drift.unverified.map((entry) => code(entry.path)).join(', ')}.`);
  }
  if (drift.application) {
    const sources = drift.application.sources.map((source) => `${source.source} (${source.subjects.map((subject) => code(subject)).join(', ')})`).join('; ');
    lines.push('', `Application evidence: ${sources || 'none gathered'}.`);
    if (drift.application.gaps.length > 0) {
      lines.push('', `What the application evidence could not decide, so neither in sync nor drift (${drift.application.gaps.length}):`, '');
      for (const gap of drift.application.gaps) lines.push(`- ${gap.source} ${code(gap.rule)}${gap.location ? ` at ${code(formatLocation(gap.location))}` : ''}: ${oneLine(gap.message)}`);
    }
  }
  if (drift.unmanaged.length > 0) {
    lines.push('', `Live settings the baseline does not manage (${drift.unmanaged.length}): ${drift.unmanaged.map((entry) => code(entry.path)).join(', ')}.`);
  }
}

function sinceSection(review: ReviewReport, lines: string[]): void {
  const { previous, changes } = review.since_last_known_good;
  lines.push('## Changes since last-known-good', '');
  if (!previous) {
    lines.push(`First snapshot: there is no earlier snapshot of ${review.environment}, so there is nothing to compare with. The next quarter's review lists its changes against this one.`);
    return;
  }
  lines.push(`Compared with ${previous.quarter} (${code(previous.file)}, captured ${previous.captured_at}).`, '');
  const unverified = review.since_last_known_good.unverified ?? [];
  if (changes.length === 0) lines.push(unverified.length === 0 ? 'No changes since the last-known-good snapshot.' : 'No changes in the settings both snapshots could verify.');
  else changeTable(changes, previous.quarter, review.quarter, lines);
  if (unverified.length > 0) {
    lines.push('', `Settings one of the two snapshots could not verify, so neither changed nor unchanged (${unverified.length}): ${unverified.map((entry) => code(entry.path)).join(', ')}.`);
  }
}

function exceptionsSection(review: ReviewReport, lines: string[]): void {
  lines.push('## Exceptions', '');
  const horizon = addDays(review.today, EXCEPTION_WARNING_DAYS);
  if (review.exceptions.length === 0) {
    lines.push(`No baseline exception has expired or expires within ${EXCEPTION_WARNING_DAYS} days (by ${horizon}).`);
    return;
  }
  lines.push(`Exceptions expired or expiring by ${horizon}, as of ${review.today}:`, '');
  lines.push('| State | Rule | Path | Owner | Expires | Days left | Reason |', '|---|---|---|---|---|---|---|');
  for (const exception of review.exceptions) {
    lines.push(
      `| ${exception.state === 'expired' ? 'EXPIRED' : 'expiring'} | ${code(exception.rule)} | ${exception.path ? code(exception.path) : 'all'} | ${cell(exception.owner)} | ${exception.expires} | ${exception.days_left} | ${cell(exception.reason)} |`,
    );
  }
}

function changeTable(changes: readonly DriftChange[], before: string, after: string, lines: string[]): void {
  lines.push(`| Path | Change | ${cell(before)} | ${cell(after)} | Direction | Severity | Items | Source |`, '|---|---|---|---|---|---|---|---|');
  for (const change of changes) {
    lines.push(
      `| ${code(change.path)} | ${change.kind} | ${change.kind === 'added' ? '—' : value(change.baseline)} | ${change.kind === 'removed' ? '—' : value(change.live)} | ${change.direction} | ${change.severity} | ${change.checklist_items.join(', ') || '—'} | ${change.source} |`,
    );
  }
}

const MAX_VALUE_LENGTH = 120;

function value(input: unknown): string {
  if (input === undefined) return '—';
  const text = JSON.stringify(input);
  return code(text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text);
}

/** Inline code that survives backticks and pipes inside a table cell. */
function code(text: string): string {
  const safe = oneLine(text).replace(/\|/g, '\\|');
  const fence = safe.includes('`') ? '``' : '`';
  return `${fence}${fence.length > 1 ? ' ' : ''}${safe}${fence.length > 1 ? ' ' : ''}${fence}`;
}

function cell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|');
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
