/**
 * The snapshot job: the unit `clerkguard snapshot` and the quarterly schedule both run.
 *
 *   read every environment → write (and commit) all files or none → Slack summary (optional)
 *
 * Slack comes last, so a Slack failure loses nothing: the job returns it as `slackError`
 * (exit 1) with the snapshot written and committed.
 */
import type { LoadedBaseline } from '../baseline/load';
import type { SlackPoster } from '../notify/slack-client';
import { ClerkguardError, describeError, EXIT_FAILED, EXIT_FINDINGS, EXIT_OK } from '../util/errors';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { quarterOf, type Quarter } from './quarter';
import { postReviewSummaries } from './slack';
import { takeSnapshots, type SnapshotOptions, type SnapshotRun } from './snapshot';

/** The quarterly schedule: 09:00 on the first day of January, April, July and October. */
export const DEFAULT_SNAPSHOT_CRON = '0 9 1 1,4,7,10 *';

export interface SnapshotJobOptions extends Omit<SnapshotOptions, 'quarter'> {
  baselines: readonly LoadedBaseline[];
  /** Default: the quarter `today` falls in. */
  quarter?: Quarter;
  slack?: { poster: SlackPoster };
}

export interface SnapshotJobResult {
  run: SnapshotRun;
  /** 0 clean, 2 the review shows drift or failing findings (high or above), 1 Slack failed. */
  exitCode: number;
  posted: number;
  slackError?: ClerkguardError;
}

/** Runs one snapshot; throws a ClerkguardError (nothing written, nothing committed) when it cannot complete. */
export async function runSnapshotJob(options: SnapshotJobOptions): Promise<SnapshotJobResult> {
  const { baselines, slack, quarter, ...rest } = options;
  const run = await takeSnapshots(baselines, { ...rest, quarter: quarter ?? quarterOf(options.today) });
  let exitCode = needsAttention(run) ? EXIT_FINDINGS : EXIT_OK;
  let posted = 0;
  let slackError: ClerkguardError | undefined;
  if (slack) {
    try {
      posted = await postReviewSummaries(run.environments, slack.poster, (snapshot) => readFileSync(path.resolve(options.cwd, snapshot.markdown), 'utf8'));
    } catch (error) {
      slackError = new ClerkguardError(`the snapshot is complete, but posting to Slack failed: ${describeError(error)}`, {
        hint: error instanceof ClerkguardError && error.hint ? error.hint : 'check SLACK_BOT_TOKEN, SLACK_CHANNEL_ID and SLACK_API_URL',
      });
      exitCode = EXIT_FAILED;
    }
  }
  return { run, exitCode, posted, ...(slackError ? { slackError } : {}) };
}

/** Drift against the baseline, or a checklist item failing at high or critical. */
export function needsAttention(run: SnapshotRun): boolean {
  return run.environments.some(
    (snapshot) => snapshot.review.drift.status !== 'clean' || snapshot.review.checklist.some((item) => item.status === 'fail' && (item.severity === 'critical' || item.severity === 'high')),
  );
}
