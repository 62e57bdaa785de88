import path from 'node:path';
import type { Command } from 'commander';
import type { DashboardExport } from '../../export/index';
import type { SnapshotJobResult } from '../../snapshot/job';
import type { SnapshotRun } from '../../snapshot/snapshot';
import { ClerkguardError } from '../../util/errors';
import { prettyJson } from '../../util/json';
import type { CliContext } from '../context';
import { helpFooter } from '../help';
import { progressFor } from '../progress';
import { choice, collect } from '../options';
import { SHARD_OPTION_DESCRIPTION } from '../../fleet/shard-option';
import { discoveryScope } from '../../fleet/discovery-scope';

interface SnapshotCommandOptions {
  dir: string;
  quarter?: string;
  commit?: boolean;
  author?: string;
  dashboardExport?: string;
  slack?: boolean;
  force?: boolean;
  quiet?: boolean;
  format: 'text' | 'json';
  scan?: string[];
  build?: string[];
  probe?: boolean;
  shard?: string;
  discover?: boolean;
}

export function registerSnapshot(program: Command, context: CliContext): void {
  program
    .command('snapshot')
    .summary('write (and commit) the quarterly review snapshot of each environment')
    .description(
      'Capture the live settings of each environment and write snapshots/<environment>/<YYYY>-Q<n>.json (the redacted ' +
        'live export) and .md (the review report: the 20 checklist items with evidence, drift against the baseline, ' +
        'changes since the last-known-good snapshot, expiring exceptions, and a sign-off block). All environments ' +
        'succeed or nothing is written. See docs/snapshots.md.',
    )
    .argument('[baselines...]', 'baseline files or directories (default: baselines/)')
    .option('--dir <dir>', 'snapshot folder', 'snapshots')
    .option('--quarter <quarter>', 'quarter as YYYY-Qn (default: the current quarter)')
    .option('--dashboard-export <file>', 'dashboard export file for settings no API exposes')
    .option('--commit', "commit each environment's two files with git")
    .option('--author <author>', 'commit author as "Name <email>" (default: git configuration)')
    .option('--slack', 'post a review summary per environment to Slack (SLACK_BOT_TOKEN, SLACK_CHANNEL_ID)')
    .option('--force', 'replace a quarter whose committed snapshot holds different settings (otherwise refused)')
    .option('-q, --quiet', 'no progress lines on stderr (they appear only on a terminal, for runs over a second)')
    .option('-f, --format <format>', 'output format: text, json', choice(['text', 'json'] as const), 'text')
    .option('--scan <dir>', "scan this application's code for the review (evidence `code`; repeatable)", collect, [])
    .option('--build <dir>', 'with --scan: also search this build output for keys (repeatable)', collect, [])
    .option('--probe', 'probe the deployed application each baseline names for the review (evidence `probe`)')
    .option('--shard <i/n>', SHARD_OPTION_DESCRIPTION)
    .option('--discover', "also list the workspace's instances (Platform API, CLERK_PLATFORM_API_KEY) and report those without a baseline in every review")
    .addHelpText(
      'after',
      helpFooter({
        exitCodes: '0 written and clean, 2 written but drift or failing findings, 1 could not complete (nothing written).',
        notes: [
          'Unverified settings (no source could read them) are listed in the review, never counted as drift. A --quarter before the current one files today\'s settings under that quarter and says so; replacing a quarter\'s snapshot says so, and replacing one that is committed to git needs --force.',
          'One run at a time per snapshots folder and per repository: a parallel run waits up to CLERKGUARD_LOCK_WAIT_MS (default 60 s), then exits 1 "another run holds the lock".',
        ],
        examples: [
          'clerkguard snapshot --commit',
          'clerkguard snapshot baselines/production.json --scan . --probe --commit',
          'clerkguard snapshot baselines/production.json --quarter 2026-Q4 --dashboard-export dashboard.json',
          'clerkguard review diff snapshots/production/2026-Q3.json snapshots/production/2026-Q4.json',
        ],
      }),
    )
    .action(async (files: string[], options: SnapshotCommandOptions) => {
      const { io } = context;
      const job = await runSnapshotCommand(files, options, context);
      io.stdout(options.format === 'json' ? snapshotJson(job.run) : snapshotText(job.run));
      for (const notice of job.run.notices) io.stderr(`notice: ${notice}\n`);
      if (job.posted > 0) io.stderr(`posted ${job.posted} review summar${job.posted === 1 ? 'y' : 'ies'} to Slack\n`);
      if (job.slackError) throw job.slackError;
      context.setExitCode(job.exitCode);
    });
}

/** The snapshot job with CLI inputs: validated options, the real export against Clerk, Slack from env. */
export async function runSnapshotCommand(files: readonly string[], options: Omit<SnapshotCommandOptions, 'format'>, context: CliContext): Promise<SnapshotJobResult> {
  const { loadBaselines, printBaselineWarnings } = await import('../../baseline/load.js');
  const { exportLive, readDashboardExportFile } = await import('../../export/index.js');
  const { createSlackPoster, slackConfigFromEnv } = await import('../../notify/slack-client.js');
  const { validateAuthor } = await import('../../snapshot/git.js');
  const { quarterOf, requireQuarter } = await import('../../snapshot/quarter.js');
  const { runSnapshotJob } = await import('../../snapshot/job.js');
  const { lockWaitFromEnv } = await import('../../util/lock.js');
  const { io } = context;
  const today = context.today();
  const quarter = options.quarter === undefined ? quarterOf(today) : requireQuarter(options.quarter);
  const author = options.author === undefined ? undefined : validateAuthor(options.author);
  if (author !== undefined && !options.commit) throw new ClerkguardError('--author only applies with --commit', { hint: 'add --commit, or drop --author' });
  // Check Slack settings before doing anything, so a missing token does not leave a snapshot without its summary.
  const slack = options.slack ? { poster: createSlackPoster(slackConfigFromEnv(io.env)) } : undefined;
  const { selectShard } = await import('../../fleet/shard.js');
  const all = loadBaselines(files, io.cwd);
  printBaselineWarnings(all, io.stderr);
  const { selected: baselines, note, shard } = selectShard(all, options.shard, io.env);
  if (note) io.stderr(`${note}\n`);
  const discover = options.discover ? (await import('../../fleet/discover.js')).discoveryJob(all, io.env, shard).run : undefined;
  // Read the dashboard export once, up front: a bad file fails before any API call.
  const dashboardExport: DashboardExport | undefined = options.dashboardExport === undefined ? undefined : readDashboardExportFile(path.resolve(io.cwd, options.dashboardExport));
  const now = context.now();
  // The scan and probe code (with node:https, node:tls and node:zlib) loads only when asked for.
  const wantsApplication = (options.scan?.length ?? 0) > 0 || (options.build?.length ?? 0) > 0 || options.probe === true;
  const application = wantsApplication
    ? (await import('../../evidence/collect.js')).applicationCollector(
        { scan: { roots: options.scan ?? [], builds: options.build ?? [] }, ...(options.probe ? { probe: {} } : {}) },
        { cwd: io.cwd, env: io.env, today: () => today, warn: (message) => io.stderr(`warning: ${message}\n`) },
        baselines,
      )
    : undefined;
  const progress = progressFor(io, { quiet: options.quiet ?? false, what: 'snapshot', total: baselines.length });
  return runSnapshotJob({
    baselines,
    dir: options.dir,
    quarter,
    today,
    cwd: io.cwd,
    env: io.env,
    exporter: async (baseline) => {
      const observed = progress.begin(baseline.baseline.environment);
      try {
        return await exportLive(baseline, { env: io.env, now, onApi: observed.onApi, onWarning: (message) => io.stderr(`warning: ${message}\n`), ...(dashboardExport ? { dashboardExport } : {}) });
      } finally {
        observed.end();
      }
    },
    ...(options.commit ? { commit: author === undefined ? {} : { author } } : {}),
    ...(lockWaitFromEnv(io.env) === undefined ? {} : { lockWaitMs: lockWaitFromEnv(io.env)! }),
    ...(application ? { application } : {}),
    ...(discover ? { discover } : {}),
    ...(slack ? { slack } : {}),
    ...(options.force ? { force: true } : {}),
  }).finally(() => progress.finish());
}

function snapshotText(run: SnapshotRun): string {
  const lines: string[] = [];
  for (const snapshot of run.environments) {
    const { summary } = snapshot;
    const c = summary.checklist;
    const wrote = snapshot.written.length > 0 ? `${snapshot.replaced ? 'replaced' : 'wrote'} ${snapshot.written.join(', ')}` : `unchanged ${snapshot.json}, ${snapshot.markdown}`;
    lines.push(`${snapshot.environment} ${snapshot.quarter}: ${wrote}`);
    lines.push(`  checklist: ${c.pass} pass, ${c.fail} fail, ${c.excepted} excepted, ${c.not_verifiable} unverified (20 items)`);
    lines.push(`  drift against the baseline: ${summary.drift_changes} change${summary.drift_changes === 1 ? '' : 's'}${summary.drift_weakening > 0 ? ` (${summary.drift_weakening} weakening)` : ''}`);
    lines.push(
      `  since last-known-good: ${summary.previous_quarter === null ? 'first snapshot' : `${summary.changes_since_last_known_good} change${summary.changes_since_last_known_good === 1 ? '' : 's'} since ${summary.previous_quarter}`}`,
    );
    if (summary.exceptions_expired + summary.exceptions_expiring > 0) lines.push(`  exceptions: ${summary.exceptions_expired} expired, ${summary.exceptions_expiring} expiring within 90 days`);
    if (run.commit_requested) lines.push(snapshot.commit ? `  committed ${snapshot.commit.id.slice(0, 12)} "${snapshot.commit.message}"` : '  nothing to commit (files unchanged)');
  }
  if (run.discovery) {
    const { unmanaged, hint } = run.discovery;
    const scope = discoveryScope(run.discovery);
    lines.push(unmanaged.length === 0 ? `workspace: every one of ${scope} has a baseline` : `workspace: ${unmanaged.length} of ${scope} have no baseline (${hint}):`);
    for (const instance of unmanaged) lines.push(`  UNMANAGED ${instance.application_name} (${instance.environment_type}), instance ${instance.instance_id}`);
  }
  lines.push(`review ${run.environments.map((snapshot) => snapshot.markdown).join(', ')} and fill in the sign-off block`);
  return `${lines.join('\n')}\n`;
}

function snapshotJson(run: SnapshotRun): string {
  return prettyJson({
    quarter: run.quarter,
    dir: run.dir,
    commit_requested: run.commit_requested,
    committed: run.committed,
    notices: run.notices,
    environments: run.environments.map((snapshot) => ({
      environment: snapshot.environment,
      quarter: snapshot.quarter,
      json: snapshot.json,
      markdown: snapshot.markdown,
      written: snapshot.written,
      ...(snapshot.replaced ? { replaced: snapshot.replaced } : {}),
      commit: snapshot.commit,
      summary: snapshot.summary,
    })),
    ...(run.discovery ? { discovery: run.discovery } : {}),
  });
}
