/**
 * Slack Block Kit messages for the alert lifecycle: a drift alert, a "resolved" message and an
 * error alert (distinct from drift). Messages stay inside Slack's limits (≤50 blocks, section
 * text ≤3,000 chars, header ≤150, and ≲13k chars of blocks JSON in practice); a report that does
 * not fit becomes a summary with the most important changes, and the caller uploads the full
 * markdown report (`attach_full_report`).
 */
import type { DriftChange, EnvironmentDrift } from '../drift/types';
import { scrubSecrets } from '../settings/redact';
import { activeChanges, countChanges, describeChange, describeCounts, describeCoverage, itemsLabel } from './drift-summary';

export const SLACK_LIMITS = { maxBlocks: 50, maxSectionText: 3000, maxHeaderText: 150, maxBlocksJson: 13_000 } as const;

export type SlackBlock = Record<string, unknown>;

export interface SlackMessage {
  /** Notification fallback text (also what screen readers and push notifications show). */
  text: string;
  blocks: SlackBlock[];
  /** The blocks only summarize: upload the full markdown report alongside. */
  attach_full_report: boolean;
}

/** Slack mrkdwn control characters; values are data and must not become links or mentions. */
export function escapeMrkdwn(text: string): string {
  return scrubSecrets(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function header(text: string): SlackBlock {
  return { type: 'header', text: { type: 'plain_text', text: truncate(scrubSecrets(text), SLACK_LIMITS.maxHeaderText), emoji: true } };
}

function section(markdown: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(markdown, SLACK_LIMITS.maxSectionText) } };
}

function context(markdown: string): SlackBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(markdown, SLACK_LIMITS.maxSectionText) }] };
}

const DIRECTION_ICON = { weakening: ':red_circle:', neutral: ':large_yellow_circle:', strengthening: ':large_green_circle:' } as const;

function changeLine(change: DriftChange): string {
  const meta = [change.severity, itemsLabel(change), `source ${change.source}`].filter(Boolean).join(' · ');
  return `${DIRECTION_ICON[change.direction]} *${change.direction}* \`${escapeMrkdwn(change.path)}\`\n${escapeMrkdwn(describeChange(change, 200))}  _${meta}_`;
}

export interface DriftAlertOptions {
  /** Short label of where the run happened (host, CI job); shown in the footer. */
  origin?: string;
  /** Changes shown in a summary when the full list does not fit. */
  summaryChanges?: number;
  /** Settings of the open alert this run could not read: said so, never implied fixed. */
  couldNotVerify?: readonly string[];
}

export function driftAlert(environment: EnvironmentDrift, options: DriftAlertOptions = {}): SlackMessage {
  const active = activeChanges(environment);
  const counts = describeCounts(countChanges(environment.changes));
  const text = `Clerk settings drift in ${environment.environment}: ${counts}`;
  const head: SlackBlock[] = [
    header(`Clerk drift in ${environment.environment}`),
    section(`*${escapeMrkdwn(counts)}* against baseline \`${escapeMrkdwn(environment.baseline_version)}\`${environment.baseline_file ? ` (\`${escapeMrkdwn(environment.baseline_file)}\`)` : ''}.`),
  ];
  const footer = context(
    escapeMrkdwn(`Coverage: ${describeCoverage(environment)}.${(environment.unverified ?? []).length > 0 ? ' Unverified settings are neither in sync nor drift.' : ''}${options.origin ? ` Run on ${options.origin}.` : ''}`),
  );
  const unread = options.couldNotVerify ?? [];
  if (unread.length > 0) head.push(section(`:grey_question: ${couldNotVerifyLine(unread)}`));
  const full: SlackBlock[] = [...head, { type: 'divider' }, ...active.map((change) => section(changeLine(change))), footer];
  if (fits(full)) return { text, blocks: full, attach_full_report: false };

  const shown = active.slice(0, options.summaryChanges ?? 8);
  let summary: SlackBlock[];
  let take = shown.length;
  do {
    const lines = shown.slice(0, take).map(changeLine).join('\n\n');
    const more = active.length - take;
    summary = [
      ...head,
      { type: 'divider' },
      section(lines || '_(changes in the attached report)_'),
      section(`${more > 0 ? `…and ${more} more change${more === 1 ? '' : 's'}. ` : ''}The full report is attached as a markdown file in this thread.`),
      footer,
    ];
    take--;
  } while (!fits(summary) && take >= 0);
  return { text, blocks: summary, attach_full_report: true };
}

export function resolvedMessage(environment: EnvironmentDrift): SlackMessage {
  // Unverified settings are not in sync: only claim a match for what a source could show.
  const unverified = (environment.unverified ?? []).length;
  const which = unverified > 0 ? 'the verified live settings' : 'the live settings';
  const caveat = unverified > 0 ? ` (${unverified} managed setting${unverified === 1 ? '' : 's'} unverified)` : '';
  const text = `Clerk drift resolved in ${environment.environment}: ${which} match baseline ${environment.baseline_version} again${caveat}`;
  return {
    text,
    blocks: [
      section(`:white_check_mark: *Drift resolved in ${escapeMrkdwn(environment.environment)}*: ${which} match baseline \`${escapeMrkdwn(environment.baseline_version)}\` again${caveat}.`),
      context(escapeMrkdwn(`Coverage: ${describeCoverage(environment)}.${unverified > 0 ? ' Unverified settings are neither in sync nor drift.' : ''}`)),
    ],
    attach_full_report: false,
  };
}

function couldNotVerifyLine(paths: readonly string[]): string {
  const shown = paths.slice(0, 10).map((path) => `\`${escapeMrkdwn(path)}\``).join(', ');
  const more = paths.length > 10 ? ` and ${paths.length - 10} more` : '';
  return `*Could not verify* ${shown}${more} this run: no source (API, scan or probe) could show ${paths.length === 1 ? 'it' : 'them'}, so the alert stays open.`;
}

/**
 * The run found no drift in what it could read, but settings the open alert is about were not
 * read at all (a source missing or an answer without them): the alert stays open.
 */
export function couldNotVerifyMessage(environment: EnvironmentDrift, paths: readonly string[]): SlackMessage {
  const text = `clerkguard could not verify ${paths.length} alerted setting${paths.length === 1 ? '' : 's'} in ${environment.environment}; the drift alert stays open`;
  return {
    text,
    blocks: [section(`:grey_question: ${couldNotVerifyLine(paths)}`), context(escapeMrkdwn(`Coverage: ${describeCoverage(environment)}. Unverified settings are neither in sync nor drift.`))],
    attach_full_report: false,
  };
}

export function errorAlert(environment: EnvironmentDrift): SlackMessage {
  const text = `clerkguard could not check ${environment.environment}`;
  const details = environment.errors.map((error) => `• ${escapeMrkdwn(error.message)}${error.endpoint ? ` (\`${escapeMrkdwn(error.endpoint)}\`${error.status === undefined ? '' : `, HTTP ${error.status}`})` : ''}`).join('\n');
  return {
    text,
    blocks: [
      header(`clerkguard could not check ${environment.environment}`),
      section(`:warning: This is *not* a drift alert: the live settings could not be read, so drift is unknown.\n${details}`),
      context('The next successful run posts in this thread.'),
    ],
    attach_full_report: false,
  };
}

export function recoveredMessage(environment: EnvironmentDrift): SlackMessage {
  const text = `clerkguard can check ${environment.environment} again`;
  return { text, blocks: [section(`:arrows_counterclockwise: ${escapeMrkdwn(text)} (status: ${environment.status}).`)], attach_full_report: false };
}

export function fits(blocks: readonly SlackBlock[]): boolean {
  return blocks.length <= SLACK_LIMITS.maxBlocks && JSON.stringify(blocks).length <= SLACK_LIMITS.maxBlocksJson;
}

/** A scheduled run that failed as a whole (not one environment): bad baseline, crash, … */
export function jobFailureMessage(job: string, message: string, origin?: string): SlackMessage {
  const text = `clerkguard scheduled ${job} run failed`;
  return {
    text,
    blocks: [section(`:x: *${escapeMrkdwn(text)}*${origin ? ` on ${escapeMrkdwn(origin)}` : ''}: ${escapeMrkdwn(message)}\nThe daemon keeps running; the next scheduled run will try again.`)],
    attach_full_report: false,
  };
}

/** Instances of the workspace no baseline governs (`--discover`): one message when the set changes. */
export function unmanagedInstancesAlert(unmanaged: readonly { application_name: string; environment_type: string; instance_id: string }[], hint: string): SlackMessage {
  const text = `${unmanaged.length} Clerk instance${unmanaged.length === 1 ? ' has' : 's have'} no clerkguard baseline`;
  const shown = unmanaged.slice(0, 40).map((instance) => `• ${escapeMrkdwn(instance.application_name)} (${escapeMrkdwn(instance.environment_type)}, \`${escapeMrkdwn(instance.instance_id)}\`)`);
  if (unmanaged.length > shown.length) shown.push(`…and ${unmanaged.length - shown.length} more (see the drift report)`);
  return {
    text,
    blocks: [header('Clerk instances without a baseline'), section(`*${escapeMrkdwn(text)}*: nothing checks their settings.\n${shown.join('\n')}`), context(escapeMrkdwn(`To govern one: ${hint}.`))],
    attach_full_report: false,
  };
}

export function unmanagedResolvedMessage(shard?: string): SlackMessage {
  const text = shard === undefined ? 'Every Clerk instance of the workspace has a clerkguard baseline again' : `Every Clerk instance of shard ${shard} has a clerkguard baseline again`;
  return { text, blocks: [section(`:white_check_mark: ${escapeMrkdwn(text)}.`)], attach_full_report: false };
}

/** Discovery could not list the workspace: unmanaged instances are unknown, not "none". */
export function errorMessageFor(subject: string, errors: readonly { message: string; endpoint?: string; status?: number }[]): SlackMessage {
  const text = `clerkguard could not list ${subject}`;
  const details = errors.map((error) => `• ${escapeMrkdwn(error.message)}${error.endpoint ? ` (\`${escapeMrkdwn(error.endpoint)}\`${error.status === undefined ? '' : `, HTTP ${error.status}`})` : ''}`).join('\n');
  return {
    text,
    blocks: [header(text), section(`:warning: Instances without a baseline are unknown this run, not "none".\n${details}`), context('The next successful run posts in this thread.')],
    attach_full_report: false,
  };
}
