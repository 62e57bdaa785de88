/** The nightly drift job: the same job as `clerkguard drift`, run on a cron schedule. */
import path from 'node:path';
import { loadBaselines } from '../baseline/load';
import { liveExporter } from '../drift/exporter';
import { runDriftJob } from '../drift/job';
import { readDashboardExportFile } from '../export/index';
import type { EnvironmentDrift } from '../drift/types';
import { describeQuiet } from '../notify/lifecycle';
import { activeChanges, describeChange, describeCounts, countChanges } from '../report/drift-summary';
import { collectValue, scheduledCollector, scheduledFleet } from './collector';
import type { ScheduledJobProvider } from './job-types';
import { discoveryScope } from '../fleet/discovery-scope';

export const DEFAULT_DRIFT_CRON = '0 3 * * *';
export const DEFAULT_SCHEDULE_OUT = '.clerkguard/last-report';

export const driftJobProvider: ScheduledJobProvider = {
  options: [
    { flags: '--cron <expr>', description: 'when the drift job runs (cron syntax)', defaultValue: DEFAULT_DRIFT_CRON },
    { flags: '--out <dir>', description: 'where each run writes report.md, report.json, report.sarif, report.txt', defaultValue: DEFAULT_SCHEDULE_OUT },
    { flags: '--dashboard-export <file>', description: 'dashboard export for settings no API exposes' },
    { flags: '--strict', description: 'report unmanaged live settings as drift, and exit 2 when a managed setting is unverified' },
    { flags: '--scan <dir>', description: "scan this application's code in every run (evidence `code`; repeatable)", parse: collectValue, defaultValue: [] },
    { flags: '--build <dir>', description: 'with --scan: also search this build output for keys (repeatable)', parse: collectValue, defaultValue: [] },
    { flags: '--probe', description: 'probe the deployed application each baseline names in every run (evidence `probe`)' },
  ],
  create(options, environment) {
    const { context } = environment;
    const baselineArgs = (options.baselines as string[] | undefined) ?? [];
    return {
      name: 'drift',
      cronTime: String(options.cron ?? DEFAULT_DRIFT_CRON),
      async run() {
        // Baselines and the dashboard export are re-read every run: edits apply without a restart.
        const { selected: baselines, discover } = scheduledFleet(options, context, loadBaselines(baselineArgs, context.io.cwd), (line) => environment.log(`drift: ${line}`));
        const dashboard = typeof options.dashboardExport === 'string' ? readDashboardExportFile(path.resolve(context.io.cwd, options.dashboardExport)) : undefined;
        const application = scheduledCollector(options, context, baselines);
        const result = await runDriftJob({
          baselines,
          exporter: liveExporter(context.io.env, () => context.now(), dashboard, (message) => context.io.stderr(`warning: ${message}\n`)),
          strict: options.strict === true,
          today: context.today(),
          now: context.now(),
          outDir: path.resolve(context.io.cwd, String(options.out ?? DEFAULT_SCHEDULE_OUT)),
          ...(application ? { application } : {}),
          ...(discover ? { discover } : {}),
          ...(environment.slack ? { slack: environment.slack } : {}),
        });
        for (const env of result.report.environments) {
          const detail = env.status === 'error' ? env.errors.map((error) => error.message).join('; ') : describeCounts(countChanges(env.changes));
          environment.log(`drift: ${env.environment} ${env.status} (${detail})`);
          for (const line of changeSummary(env)) environment.log(`drift:   ${line}`);
        }
        if (result.report.discovery) {
          const found = result.report.discovery;
          environment.log(`drift: discovery ${found.status === 'error' ? `failed: ${found.error?.message ?? 'unknown error'}` : `${found.unmanaged.length} of ${discoveryScope(found)} without a baseline`}`);
        }
        for (const warning of result.warnings) environment.log(`warning: ${warning}`);
        const report = result.files.find((file) => file.endsWith('.md'));
        if (report) environment.log(`drift: report ${path.relative(context.io.cwd, report) || report} (also ${result.files.filter((file) => file !== report).map((file) => path.basename(file)).join(', ')})`);
        for (const delivery of result.deliveries) environment.log(`drift: slack ${delivery.kind.replace('_', ' ')} for ${delivery.environment}`);
        for (const quiet of result.quiet) environment.log(`drift: slack: ${describeQuiet(quiet)}`);
        // Report files that cannot be written, or an alert state that cannot be read or saved,
        // would silence every nightly alert: fail the run so the scheduler alerts it (onFailure).
        const failure = result.writeError ?? result.slackError;
        if (failure) throw failure;
        return result.exitCode;
      },
    };
  },
};

/** At most this many changes per environment in the log; the report file has them all. */
const LOGGED_CHANGES = 10;

/** One line per counted change ("WEAKENING critical settings.instance.allowed_origins: added …"), bounded. */
function changeSummary(environment: EnvironmentDrift): string[] {
  const active = activeChanges(environment);
  const lines = active.slice(0, LOGGED_CHANGES).map((change) => `${change.direction.toUpperCase()} ${change.severity} ${change.path}: ${describeChange(change, 80)}`);
  if (active.length > LOGGED_CHANGES) lines.push(`… and ${active.length - LOGGED_CHANGES} more (see the report)`);
  return lines;
}
