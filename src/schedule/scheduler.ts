/**
 * The daemon: one CronJob per scheduled job (npm `cron` 4.x).
 *
 * - `waitForCompletion` makes cron skip a tick while the previous run of the same job is
 *   still going: runs never overlap.
 * - A failing run (exit 1 or an exception) is logged and reported through `onFailure`; the
 *   daemon lives on and the next tick runs as usual.
 * - `stop()` stops the timers and resolves once running jobs have finished, so SIGTERM never
 *   cuts a run (and its state file write) in half.
 */
import { CronJob, CronTime, validateCronExpression } from 'cron';
import { ClerkguardError, describeError } from '../util/errors';
import type { ScheduledJob } from './job-types';

export interface SchedulerOptions {
  timeZone?: string;
  /**
   * Accept a sixth (seconds) field. Off for users (a stray sixth field would run a job every
   * second); tests that cannot wait a minute for a tick turn it on.
   */
  allowSeconds?: boolean;
  log(line: string): void;
  /** Called after a run that threw, e.g. to alert in Slack. */
  onFailure?(job: ScheduledJob, error: unknown): Promise<void>;
}

export interface RunOutcome {
  job: string;
  exitCode: number;
  error?: unknown;
}

const FIVE_FIELDS = 'five fields: minute hour day-of-month month day-of-week, e.g. "0 3 * * *" for 03:00 every night';

/**
 * Throws a ClerkguardError naming the bad expression or time zone; nothing starts. Expressions
 * have exactly five fields (the `cron` package would also take a sixth, seconds, which would run
 * a job every second by mistake), and must fire at least once in the next eight years (Feb 31 never does).
 */
export function validateSchedule(jobs: readonly ScheduledJob[], timeZone: string | undefined, options: { allowSeconds?: boolean } = {}): void {
  if (timeZone !== undefined && timeZone.trim() === '') {
    throw new ClerkguardError('--timezone is empty', { hint: 'pass an IANA time zone such as UTC, Europe/Berlin or America/New_York, or leave the option out for the system time zone' });
  }
  if (timeZone !== undefined) {
    try {
      new CronTime('0 3 * * *', timeZone);
    } catch {
      throw new ClerkguardError(`--timezone "${timeZone}" is not a known IANA time zone`, { hint: 'use a name such as UTC, Europe/Berlin or America/New_York' });
    }
  }
  for (const job of jobs) {
    const fields = job.cronTime.trim().split(/\s+/).filter((field) => field !== '');
    if (fields.length !== 5 && !(options.allowSeconds && fields.length === 6)) {
      throw new ClerkguardError(`the ${job.name} schedule "${job.cronTime}" has ${fields.length} field${fields.length === 1 ? '' : 's'}, not 5`, { hint: FIVE_FIELDS });
    }
    const result = validateCronExpression(job.cronTime);
    if (!result.valid) {
      throw new ClerkguardError(`the ${job.name} schedule "${job.cronTime}" is not a valid cron expression (${result.error?.message ?? 'invalid'})`, { hint: FIVE_FIELDS });
    }
    try {
      new CronTime(job.cronTime, timeZone).sendAt();
    } catch {
      throw new ClerkguardError(`the ${job.name} schedule "${job.cronTime}" never fires (no date matches it in the next eight years)`, {
        hint: 'check the day-of-month and month fields: e.g. "0 0 31 2 *" asks for February 31',
      });
    }
  }
}

export class Scheduler {
  private readonly crons: CronJob[] = [];
  private readonly running = new Set<Promise<RunOutcome>>();
  readonly outcomes: RunOutcome[] = [];

  constructor(
    private readonly jobs: readonly ScheduledJob[],
    private readonly options: SchedulerOptions,
  ) {
    validateSchedule(jobs, options.timeZone, { allowSeconds: options.allowSeconds ?? false });
  }

  start(): void {
    for (const job of this.jobs) {
      const cron = CronJob.from({
        cronTime: job.cronTime,
        onTick: async () => {
          await this.track(job);
        },
        start: false,
        waitForCompletion: true,
        // track() never rejects; this only guards against a bug in it.
        errorHandler: (error: unknown) => this.options.log(`${job.name}: unexpected scheduler error: ${describeError(error)}`),
        name: job.name,
        ...(this.options.timeZone ? { timeZone: this.options.timeZone } : {}),
      });
      cron.start();
      this.crons.push(cron);
      this.options.log(`${job.name}: scheduled "${job.cronTime}"${this.options.timeZone ? ` (${this.options.timeZone})` : ''}, next run ${cron.nextDate().toISO() ?? 'unknown'}`);
    }
  }

  /** Runs one job now (for --once and for tests), with the same logging and failure handling. */
  runNow(job: ScheduledJob): Promise<RunOutcome> {
    return this.track(job);
  }

  /** Stops scheduling and waits for running jobs to finish. */
  async stop(): Promise<void> {
    await Promise.all(this.crons.map((cron) => cron.stop()));
    await Promise.all([...this.running]);
  }

  get runningCount(): number {
    return this.running.size;
  }

  private track(job: ScheduledJob): Promise<RunOutcome> {
    const run = this.execute(job);
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return run;
  }

  private async execute(job: ScheduledJob): Promise<RunOutcome> {
    const started = Date.now();
    this.options.log(`${job.name}: run started`);
    let outcome: RunOutcome;
    try {
      const exitCode = await job.run();
      outcome = { job: job.name, exitCode };
    } catch (error) {
      outcome = { job: job.name, exitCode: 1, error };
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (outcome.exitCode === 1) {
      this.options.log(`${job.name}: run failed after ${seconds}s${outcome.error === undefined ? '' : `: ${describeError(outcome.error)}`}`);
      // Environments that could not be checked were already alerted by the drift lifecycle;
      // a run that threw (bad baseline, unreadable state…) is alerted here.
      if (outcome.error !== undefined && this.options.onFailure) {
        try {
          await this.options.onFailure(job, outcome.error);
        } catch (alertError) {
          this.options.log(`${job.name}: could not send the failure alert: ${describeError(alertError)}`);
        }
      }
    } else {
      this.options.log(`${job.name}: run finished in ${seconds}s (exit ${outcome.exitCode})`);
    }
    this.outcomes.push(outcome);
    return outcome;
  }
}
