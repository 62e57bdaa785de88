/**
 * Renders a probe run: the findings through the shared findings renderers (text, markdown,
 * SARIF), plus the request log (what was sent, to where, and what answered) or, for a dry run,
 * every request it would send.
 */
import { summarize, type Finding, type Severity } from '../checklist/index';
import { renderFindings, sortFindings, type FindingsFormat } from '../report/findings';
import { scrubSecrets } from '../settings/redact';
import { prettyJson } from '../util/json';
import type { ProbeResult } from './index';

export interface ProbeReportInput {
  result: ProbeResult;
  findings: Finding[];
  format: FindingsFormat;
  failOn: Severity;
  verbose: boolean;
  color: boolean;
  texts?: Record<string, string>;
}

export function renderProbe(input: ProbeReportInput): string {
  const { result, findings, format, failOn } = input;
  if (format === 'json') {
    return scrubSecrets(
      prettyJson({
        ...(result.dryRun ? {} : { findings: sortFindings(findings), summary: summarize(findings, failOn) }),
        probe: {
          environment: result.environment,
          dry_run: result.dryRun,
          allowed_origins: [...result.plan.allowedOrigins],
          examined_rules: result.evidence.examined,
          budget: result.budget,
          ...(result.dryRun ? { planned: result.planned } : { requests: result.requests }),
        },
      }),
    );
  }
  if (result.dryRun) return scrubSecrets(dryRunText(result, format === 'markdown'));
  const body = renderFindings(format, { findings, failOn, verbose: input.verbose, color: input.color, ...(input.texts ? { texts: input.texts } : {}) });
  if (format === 'sarif') return body;
  return scrubSecrets(`${body}${format === 'markdown' ? '\n' : ''}${requestsText(result, input.verbose, format === 'markdown')}`);
}

function dryRunText(result: ProbeResult, markdown: boolean): string {
  const lines = [markdown ? `# clerkguard probe: dry run for ${result.environment}\n` : `Dry run for ${result.environment}: nothing was sent. These requests would be sent (budget ${result.budget.max}):`];
  for (const request of result.planned) {
    lines.push(`${markdown ? '- `' : '  '}${request.method} ${request.url}${markdown ? '`' : ''}  ${request.purpose}`);
    for (const [name, value] of Object.entries(request.headers ?? {})) lines.push(`${markdown ? '  - ' : '      '}${name}: ${value}`);
  }
  lines.push(`${markdown ? '\n' : ''}Only these origins may be contacted: ${[...result.plan.allowedOrigins].join(', ')}. Every request carries a User-Agent naming clerkguard.`);
  return `${lines.join('\n')}\n`;
}

function requestsText(result: ProbeResult, verbose: boolean, markdown: boolean): string {
  const lines: string[] = [];
  const heading = `Requests: ${result.budget.used} sent of a budget of ${result.budget.max}`;
  lines.push(markdown ? `## ${heading}\n` : `${heading}:`);
  const unsent = result.requests.filter((record) => !record.sent);
  const failed = result.requests.filter((record) => record.sent && record.status === undefined);
  const shown = verbose ? result.requests : [...failed, ...unsent];
  for (const record of shown.slice(0, 200)) {
    const outcome = record.status !== undefined ? `HTTP ${record.status}` : (record.error ?? 'no answer');
    lines.push(`${markdown ? '- ' : '  '}${record.method} ${record.url} → ${outcome} (${record.purpose})`);
  }
  if (!verbose && shown.length < result.requests.length) lines.push(`${markdown ? '\n' : '  '}(${result.requests.length - shown.length} answered requests hidden; --verbose lists every request)`);
  return `${lines.join('\n')}\n`;
}
