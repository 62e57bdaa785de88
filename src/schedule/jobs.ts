/**
 * The registry of scheduled jobs: the one place that lists them. It imports the jobs; jobs
 * import their types from job-types.ts and never this file.
 *
 * To add a job (e.g. the quarterly snapshot), write a ScheduledJobProvider (job-types.ts) and
 * append it to SCHEDULED_JOB_PROVIDERS below; `clerkguard schedule` picks up its options and
 * its job, and `--once` runs it too.
 */
import { snapshotJobProvider } from '../snapshot/schedule-job';
import { driftJobProvider } from './drift-job';
import type { ScheduledJobProvider } from './job-types';

export type { JobEnvironment, ScheduledJob, ScheduledJobProvider, ScheduleOptionSpec } from './job-types';

/** Every scheduled job provider; the snapshot job registers here. */
export const SCHEDULED_JOB_PROVIDERS: ScheduledJobProvider[] = [driftJobProvider, snapshotJobProvider];
