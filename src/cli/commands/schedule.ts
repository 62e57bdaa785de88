import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_STATE_FILE } from '../../notify/defaults';
import type { JobEnvironment, ScheduledJob } from '../../schedule/job-types';
import { scrubSecrets } from '../../settings/redact';
import { describeError } from '../../util/errors';
import { SHARD_OPTION_DESCRIPTION } from '../../fleet/shard-option';
import type { CliContext } from '../context';
import { helpFooter } from '../help';

const withJobOptions = new WeakSet<Command>();

/**
 * Adds each scheduled job's own options (--cron, --snapshot…) to the schedule command. They come
 * from the job registry, which loads every job's code, so main adds them only for a command line
 * that runs `schedule` or shows its help: other commands start without that code.
 */
export async function addScheduledJobOptions(program: Command): Promise<void> {
  const command = program.commands.find((candidate) => candidate.name() === 'schedule');
  if (!command || withJobOptions.has(command)) return;
  withJobOptions.add(command);
  const { SCHEDULED_JOB_PROVIDERS } = await import('../../schedule/jobs.js');
  for (const provider of SCHEDULED_JOB_PROVIDERS) {
    for (const option of provider.options) {
      if (option.parse) command.option(option.flags, option.description, option.parse, (option.defaultValue ?? []) as string[]);
      else if (option.defaultValue === undefined) command.option(option.flags, option.description);
      else command.option(option.flags, option.description, option.defaultValue);
    }
  }
}

export function registerSchedule(program: Command, context: CliContext): void {
  const command = program
    .command('schedule')
    .summary('run drift (and other jobs) on a cron schedule, or once with --once')
    .description(
      'A small daemon: the drift job every night (default "0 3 * * *"), runs never overlap, a failing run is logged ' +
        'and alerted while the daemon keeps going, SIGTERM lets the running job finish and exits 0. With --once, run ' +
        'every job immediately and exit with its exit code (GitHub Actions, Kubernetes CronJob). Each drift run logs ' +
        'its changes and where the report is.',
    )
    .argument('[baselines...]', 'baseline files or directories (default: baselines/)')
    .option('--timezone <tz>', 'IANA time zone for the cron expressions (default: the system time zone)')
    .option('--once', 'run the jobs now, once, and exit with the drift exit code')
    .option('--slack', 'alert in Slack (SLACK_BOT_TOKEN, SLACK_CHANNEL_ID)')
    .option('--state <file>', 'alert lifecycle state for --slack (one file per environment beside it)', DEFAULT_STATE_FILE)
    .option('--shard <i/n>', SHARD_OPTION_DESCRIPTION)
    .option('--discover', "drift and snapshot: also list the workspace's instances (CLERK_PLATFORM_API_KEY) and report those without a baseline");
  // Each job's own options (--cron, --snapshot…) are added by addScheduledJobOptions, when a
  // command line is about this command (src/cli/main.ts).
  command
    .addHelpText(
      'after',
      helpFooter({
        exitCodes: '--once: 0 clean, 2 drift, 1 could not complete. Daemon: 0 after SIGTERM or SIGINT, 1 a bad --cron or --timezone.',
        examples: [
          'clerkguard schedule --slack',
          'clerkguard schedule --cron "30 2 * * *" --timezone Europe/Berlin --slack',
          'clerkguard schedule --once --slack',
          'clerkguard schedule --once --snapshot --snapshot-commit   # nightly CI: also files the quarter\'s review once',
        ],
      }),
    )
    .action(async (baselines: string[], options: Record<string, unknown>) => {
      const { loadBaselines } = await import('../../baseline/load.js');
      const { readDashboardExportFile } = await import('../../export/index.js');
      const { createSlackPoster, slackConfigFromEnv } = await import('../../notify/slack-client.js');
      const { jobFailureMessage } = await import('../../report/slack.js');
      const { scheduledCollector } = await import('../../schedule/collector.js');
      const { SCHEDULED_JOB_PROVIDERS } = await import('../../schedule/jobs.js');
      const { Scheduler } = await import('../../schedule/scheduler.js');
      const { lockWaitFromEnv } = await import('../../util/lock.js');
      const { io } = context;
      const log = (line: string) => io.stderr(`${new Date().toISOString()} ${scrubSecrets(line)}\n`);
      const slackConfig = options.slack ? slackConfigFromEnv(io.env) : undefined;
      const poster = slackConfig ? createSlackPoster(slackConfig) : undefined;
      const origin = os.hostname();
      const environment: JobEnvironment = {
        context,
        log,
        ...(poster ? { slack: { poster, stateFile: path.resolve(io.cwd, String(options.state)), origin, ...(lockWaitFromEnv(io.env) === undefined ? {} : { lockWaitMs: lockWaitFromEnv(io.env)! }) } } : {}),
      };
      // A bad --shard fails now, not at the first tick.
      if (typeof options.shard === 'string') (await import('../../fleet/shard.js')).parseShard(options.shard, io.env);
      const parsed = { ...options, baselines };
      const jobs = SCHEDULED_JOB_PROVIDERS.map((provider) => provider.create(parsed, environment)).filter((job): job is ScheduledJob => job !== undefined);
      const scheduler = new Scheduler(jobs, {
        ...(typeof options.timezone === 'string' ? { timeZone: options.timezone } : {}),
        // Test hook only (not documented for users): lets a CLI test tick every second.
        ...(io.env.CLERKGUARD_CRON_ALLOW_SECONDS === '1' ? { allowSeconds: true } : {}),
        log,
        ...(poster
          ? {
              onFailure: async (job: ScheduledJob, error: unknown) => {
                const message = jobFailureMessage(job.name, scrubSecrets(describeError(error)), origin);
                await poster.postMessage({ text: message.text, blocks: message.blocks });
              },
            }
          : {}),
      });

      if (options.once) {
        for (const job of jobs) context.setExitCode((await scheduler.runNow(job)).exitCode);
        return;
      }

      // A daemon must not find a typo in a baseline path at 03:00: load everything once now
      // (each run re-reads the files, so later edits still apply without a restart).
      const loaded = loadBaselines(baselines, io.cwd);
      // Same for --scan directories (a collector reads them when made; probes run only per job).
      scheduledCollector({ ...options, probe: false }, context, loaded);
      if (typeof options.dashboardExport === 'string') readDashboardExportFile(path.resolve(io.cwd, options.dashboardExport));

      scheduler.start();
      log(`clerkguard schedule: running ${jobs.map((job) => job.name).join(', ')}; SIGTERM or Ctrl-C stops after the running job`);
      await new Promise<void>((resolve) => {
        const shutdown = (signal: NodeJS.Signals) => {
          process.off('SIGTERM', shutdown);
          process.off('SIGINT', shutdown);
          log(`${signal}: stopping${scheduler.runningCount > 0 ? ' after the running job' : ''}`);
          void scheduler.stop().then(() => {
            log('stopped');
            resolve();
          });
        };
        process.on('SIGTERM', shutdown);
        process.on('SIGINT', shutdown);
      });
      context.setExitCode(0);
    });
}
