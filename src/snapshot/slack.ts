/**
 * The optional Slack note after a quarterly snapshot: one message per environment with the
 * review's counts and where the report lives, plus the review markdown as a file in the
 * message's thread. Posted only after the files are written (and committed), so Slack can
 * never cause a partial snapshot; a Slack failure is reported on its own.
 */
import type { SlackPoster } from '../notify/slack-client';
import { escapeMrkdwn, type SlackBlock } from '../report/slack';
import type { EnvironmentSnapshot } from './snapshot';

export interface ReviewSlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export function reviewSlackMessage(snapshot: EnvironmentSnapshot): ReviewSlackMessage {
  const { summary } = snapshot;
  const c = summary.checklist;
  const attention = c.fail > 0 || summary.drift_weakening > 0 || summary.exceptions_expired > 0;
  const title = `Clerk ${snapshot.quarter} review snapshot: ${snapshot.environment}`;
  const since =
    summary.previous_quarter === null
      ? 'first snapshot'
      : `${summary.changes_since_last_known_good ?? 0} change${summary.changes_since_last_known_good === 1 ? '' : 's'} since ${summary.previous_quarter}`;
  const lines = [
    `${attention ? ':warning:' : ':white_check_mark:'} *${escapeMrkdwn(snapshot.environment)}* ${snapshot.quarter} review is ready for sign-off.`,
    `• Checklist: ${c.pass} pass, ${c.fail} fail, ${c.excepted} excepted, ${c.not_verifiable} unverified (20 items)`,
    `• Drift against the baseline: ${summary.drift_changes} change${summary.drift_changes === 1 ? '' : 's'}${summary.drift_weakening > 0 ? ` (${summary.drift_weakening} weakening)` : ''}`,
    `• Since last-known-good: ${since}`,
    `• Exceptions: ${summary.exceptions_expired} expired, ${summary.exceptions_expiring} expiring within 90 days`,
  ];
  const where = snapshot.commit ? `commit \`${snapshot.commit.id.slice(0, 12)}\`: ${escapeMrkdwn(snapshot.commit.message)}` : 'not committed';
  return {
    text: `${title}: ${c.fail} failing item${c.fail === 1 ? '' : 's'}, ${summary.drift_changes} drift change${summary.drift_changes === 1 ? '' : 's'}, ${since}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `\`${escapeMrkdwn(snapshot.markdown)}\` · ${where}` }] },
    ],
  };
}

/** Posts one summary per environment and attaches its review report in the thread. */
export async function postReviewSummaries(snapshots: readonly EnvironmentSnapshot[], poster: SlackPoster, markdownOf: (snapshot: EnvironmentSnapshot) => string): Promise<number> {
  let posted = 0;
  for (const snapshot of snapshots) {
    const message = reviewSlackMessage(snapshot);
    const { ts } = await poster.postMessage({ text: message.text, blocks: message.blocks });
    await poster.uploadFile({
      content: markdownOf(snapshot),
      filename: `${snapshot.environment}-${snapshot.quarter}.md`,
      title: `${snapshot.environment} ${snapshot.quarter} review`,
      thread_ts: ts,
    });
    posted++;
  }
  return posted;
}
