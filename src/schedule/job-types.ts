/**
 * What a scheduled job is and what it gets from `clerkguard schedule`. Jobs import these types
 * from here, never the registry (jobs.ts), which imports the jobs: no import circle.
 *
 * A job is a name, a cron expression and a `run()` that resolves to an exit code of the
 * contract (0 clean, 2 drift/findings, 1 could not complete). A provider turns the options of
 * `clerkguard schedule` into a job: it declares the CLI options it needs (e.g. `--cron`,
 * `--snapshot-cron`) and builds its job from the parsed values.
 */
import type { CliContext } from '../cli/context';
import type { SlackPoster } from '../notify/slack-client';

export interface ScheduledJob {
  /** Short name used in logs and alerts, e.g. "drift". */
  name: string;
  /** Cron expression (exactly 5 fields). Validated before the daemon starts. */
  cronTime: string;
  /** One run. Resolves to the exit code; throwing counts as a failed run (exit 1). */
  run(): Promise<number>;
}

export interface ScheduleOptionSpec {
  flags: string;
  description: string;
  defaultValue?: string | string[];
  /** Commander's value parser, e.g. to collect a repeatable option into a list. */
  parse?: (value: string, previous: string[]) => string[];
}

/** What every job gets from the schedule command. */
export interface JobEnvironment {
  context: CliContext;
  /** One line to the daemon log (stderr), timestamped by the caller. */
  log(line: string): void;
  /** Slack delivery when --slack is on. */
  slack?: { poster: SlackPoster; stateFile: string; origin: string; lockWaitMs?: number };
}

export interface ScheduledJobProvider {
  /** CLI options this job adds to `clerkguard schedule`. */
  options: readonly ScheduleOptionSpec[];
  /** The job for these parsed options, or undefined when the options turn it off. */
  create(options: Readonly<Record<string, unknown>>, environment: JobEnvironment): ScheduledJob | undefined;
}
