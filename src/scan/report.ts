/**
 * Renders a scan: the findings through the shared findings renderers (text, markdown, SARIF),
 * plus what was scanned, what was not (and why), and every inline suppression.
 */
import { summarize, type Finding, type Severity } from '../checklist/index';
import { formatLocation } from '../evidence/index';
import { renderFindings, sortFindings, type FindingsFormat } from '../report/findings';
import { prettyJson } from '../util/json';
import type { ScanResult } from './index';

export interface ScanReportInput {
  result: ScanResult;
  findings: Finding[];
  format: FindingsFormat;
  failOn: Severity;
  verbose: boolean;
  color: boolean;
}

export function renderScan(input: ScanReportInput): string {
  const { result, findings, format, failOn } = input;
  if (format === 'json') {
    return prettyJson({
      findings: sortFindings(findings),
      summary: summarize(findings, failOn),
      scan: {
        roots: result.roots,
        builds: result.builds,
        analysed: result.counts,
        not_analysed: result.notAnalysed,
        skipped_directories: result.skipped,
        excluded: result.excluded,
        suppressions: result.suppressions,
        examined_rules: result.evidence.examined,
        policy: result.policy,
      },
    });
  }
  const body = renderFindings(format, { findings, failOn, verbose: input.verbose, color: input.color });
  if (format === 'sarif') return body;
  return `${body}${format === 'markdown' ? '\n' : ''}${scanSummary(result, format === 'markdown')}`;
}

function scanSummary(result: ScanResult, markdown: boolean): string {
  const lines: string[] = [];
  const { source, env, text, build } = result.counts;
  const heading = (title: string) => lines.push(markdown ? `## ${title}\n` : `${title}:`);
  heading('Scanned');
  lines.push(`  ${source} source file${source === 1 ? '' : 's'}, ${env} env file${env === 1 ? '' : 's'}, ${text} other text file${text === 1 ? '' : 's'} in ${result.roots.join(', ')}${result.builds.length > 0 ? `; ${build} build file${build === 1 ? '' : 's'} in ${result.builds.join(', ')}` : '; no build directory (--build)'}`);
  const skipped = Object.entries(result.skipped);
  if (skipped.length > 0) lines.push(`  skipped by default: ${skipped.map(([name, count]) => `${name} (${count})`).join(', ')}${skipped.some(([name]) => name === 'node_modules') ? '; --include-node-modules scans dependencies too' : ''}`);
  if (result.excluded.length > 0) lines.push(`  excluded by the baseline's ignore entries: ${result.excluded.length} (${[...new Set(result.excluded.map((entry) => entry.reason))].join('; ')})`);
  if (result.notAnalysed.length > 0) {
    heading(`Not analysed (${result.notAnalysed.length}) — not counted as clean`);
    for (const gap of result.notAnalysed.slice(0, 50)) lines.push(`  ${gap.file}: ${gap.reason}`);
    if (result.notAnalysed.length > 50) lines.push(`  … and ${result.notAnalysed.length - 50} more (--format json lists all)`);
  }
  if (result.suppressions.length > 0) {
    heading(`Inline suppressions (${result.suppressions.length})`);
    for (const suppression of result.suppressions) {
      const meta = [suppression.owner ? `owner ${suppression.owner}` : '', suppression.expires ? `expires ${suppression.expires}` : 'no expiry'].filter(Boolean).join(', ');
      lines.push(`  ${formatLocation({ file: suppression.file, line: suppression.line, column: 1 })} ${suppression.rule} [${suppression.status}${suppression.problem ? `: ${suppression.problem}` : ''}] ${suppression.reason} (${meta})`);
    }
  }
  return `${lines.join('\n')}\n`;
}
