/**
 * The quarterly snapshot as a scheduled job (listed in the registry, src/schedule/jobs.ts).
 *
 * In the daemon it runs on its cron (default 09:00 on the first day of each quarter) unless
 * --no-snapshot. `schedule --once` (the nightly CI form) runs only drift unless --snapshot is
 * given; then the snapshot job catches up instead of following its cron: it takes the snapshot
 * only when some environment has none for the current quarter yet, so the first nightly run of
 * a quarter files the review and later runs leave it alone.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadBaselines } from '../baseline/load';
import { exportLive, readDashboardExportFile } from '../export/index';
import { scheduledCollector, scheduledFleet } from '../schedule/collector';
import type { ScheduledJobProvider } from '../schedule/job-types';
import { validateAuthor } from './git';
import { DEFAULT_SNAPSHOT_CRON, runSnapshotJob } from './job';
import { snapshotPaths } from './layout';
import { formatQuarter, quarterOf } from './quarter';

export const DEFAULT_SNAPSHOT_DIR = 'snapshots';

export const snapshotJobProvider: ScheduledJobProvider = {
  options: [
    { flags: '--snapshot-cron <expr>', description: 'when the quarterly review snapshot runs (cron syntax)', defaultValue: DEFAULT_SNAPSHOT_CRON },
    { flags: '--snapshot', description: 'with --once: also take the quarterly review snapshot if this quarter has none yet' },
    { flags: '--no-snapshot', description: 'do not run the quarterly review snapshot (the daemon runs it by default)' },
    { flags: '--snapshot-dir <dir>', description: 'where review snapshots go', defaultValue: DEFAULT_SNAPSHOT_DIR },
    { flags: '--snapshot-commit', description: 'commit each review snapshot with git' },
    { flags: '--snapshot-author <author>', description: 'commit author for snapshots as "Name <email>" (default: git configuration)' },
  ],
  create(options, environment) {
    // Both flags are declared, so commander leaves `snapshot` undefined unless one is given.
    if (options.snapshot === false || (options.once === true && options.snapshot !== true)) return undefined;
    const { context } = environment;
    const baselineArgs = (options.baselines as string[] | undefined) ?? [];
    const dir = String(options.snapshotDir ?? DEFAULT_SNAPSHOT_DIR);
    const author = typeof options.snapshotAuthor === 'string' ? validateAuthor(options.snapshotAuthor) : undefined;
    return {
      name: 'snapshot',
      cronTime: String(options.snapshotCron ?? DEFAULT_SNAPSHOT_CRON),
      async run() {
        const { io } = context;
        const today = context.today();
        const quarter = quarterOf(today);
        // Re-read every run: baseline edits apply without a restart.
        const fleet = scheduledFleet(options, context, loadBaselines(baselineArgs, io.cwd), (line) => environment.log(`snapshot: ${line}`));
        let baselines = fleet.selected;
        const discover = fleet.discover;
        if (options.once === true) {
          const root = path.resolve(io.cwd, dir);
          const missing = baselines.filter((loaded) => !existsSync(snapshotPaths(root, loaded.baseline.environment, quarter).json));
          if (missing.length === 0) {
            environment.log(`snapshot: every environment already has its ${formatQuarter(quarter)} snapshot; nothing to do`);
            return 0;
          }
          // Catching up files only what is missing: an environment's filed (perhaps committed) review stays as it is.
          baselines = missing;
        }
        const dashboardExport = typeof options.dashboardExport === 'string' ? readDashboardExportFile(path.resolve(io.cwd, options.dashboardExport)) : undefined;
        const now = context.now();
        const application = scheduledCollector(options, context, baselines);
        const result = await runSnapshotJob({
          baselines,
          dir,
          quarter,
          today,
          cwd: io.cwd,
          env: io.env,
          exporter: (loaded) => exportLive(loaded, { env: io.env, now, onWarning: (message) => io.stderr(`warning: ${message}\n`), ...(dashboardExport ? { dashboardExport } : {}) }),
          ...(options.snapshotCommit === true ? { commit: author === undefined ? {} : { author } } : {}),
          ...(application ? { application } : {}),
          ...(discover ? { discover: discover.run } : {}),
          ...(environment.slack ? { slack: { poster: environment.slack.poster } } : {}),
        });
        for (const snapshot of result.run.environments) {
          const written = snapshot.written.length > 0 ? `wrote ${snapshot.written.join(', ')}` : 'unchanged';
          const commit = snapshot.commit ? `, committed ${snapshot.commit.id.slice(0, 12)}` : '';
          environment.log(`snapshot: ${snapshot.environment} ${snapshot.quarter} ${written}${commit}`);
        }
        for (const notice of result.run.notices) environment.log(`snapshot: ${notice}`);
        if (result.posted > 0) environment.log(`snapshot: posted ${result.posted} review summar${result.posted === 1 ? 'y' : 'ies'} to Slack`);
        if (result.slackError) environment.log(`snapshot: ${result.slackError.message}`);
        return result.exitCode;
      },
    };
  },
};
