import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_STATE_FILE } from '../../notify/defaults';
import { DRIFT_FORMATS, type DriftFormat } from '../../report/formats';
import type { CliContext } from '../context';
import { helpFooter } from '../help';
import { progressFor } from '../progress';
import { choice, collect } from '../options';
import { SHARD_OPTION_DESCRIPTION } from '../../fleet/shard-option';

async function lockWait(env: NodeJS.ProcessEnv): Promise<{ lockWaitMs?: number }> {
  const { lockWaitFromEnv } = await import('../../util/lock.js');
  const wait = lockWaitFromEnv(env);
  return wait === undefined ? {} : { lockWaitMs: wait };
}

interface DriftOptions {
  dashboardExport?: string;
  format: DriftFormat;
  out?: string;
  slack?: boolean;
  state: string;
  strict?: boolean;
  verbose?: boolean;
  scan: string[];
  build: string[];
  probe?: boolean;
  quiet?: boolean;
  shard?: string;
  discover?: boolean;
}

/** Where reports go when --slack needs them on disk and --out was not given. */
export const DEFAULT_SLACK_REPORT_DIR = '.clerkguard/last-report';

export function registerDrift(program: Command, context: CliContext): void {
  program
    .command('drift')
    .summary('compare live Clerk settings with the baselines, report and alert')
    .description(
      'Export the live settings of every environment, diff them against its baseline and classify each change ' +
        '(weakening, strengthening, neutral). One environment failing does not stop the others. BASELINES default to ' +
        'baselines/*.json.',
    )
    .argument('[baselines...]', 'baseline files or directories (default: baselines/)')
    .option('--dashboard-export <file>', 'settings copied from the Clerk dashboard that no API exposes (inactivity timeout, webhook endpoints; counts 100 days after its exported_at)')
    .option('-f, --format <format>', `stdout format: ${DRIFT_FORMATS.join(', ')}`, choice(DRIFT_FORMATS), 'text')
    .option('--out <dir>', 'also write report.md, report.json, report.sarif and report.txt to this directory')
    .option('--slack', 'alert in Slack (SLACK_BOT_TOKEN, SLACK_CHANNEL_ID): one alert per new drift, one "resolved" message')
    .option('--state <file>', 'alert lifecycle state for --slack', DEFAULT_STATE_FILE)
    .option('--strict', 'report live settings the baseline does not manage as drift, and exit 2 when a managed setting is unverified')
    .option('-v, --verbose', 'text format: list unmanaged live settings too')
    .option('--scan <dir>', "also scan this application's code: what contradicts the baseline is drift (evidence `code`; repeatable)", collect, [])
    .option('--build <dir>', 'with --scan: also search this build output for keys (repeatable)', collect, [])
    .option('--probe', 'also probe the deployed application each baseline names (evidence `probe`)')
    .option('-q, --quiet', 'no progress lines on stderr (they appear only on a terminal, for runs over a second)')
    .option('--shard <i/n>', SHARD_OPTION_DESCRIPTION)
    .option('--discover', "also list the workspace's instances (Platform API, CLERK_PLATFORM_API_KEY) and report those without a baseline")
    .addHelpText(
      'after',
      helpFooter({
        exitCodes: '0 no drift, 2 drift, 1 an environment could not be checked (or Slack failed).',
        notes: [
          'Unverified managed settings (no source could read them: no Platform key, an answer without the field) are listed, never reported as in sync or as drift: exit 0, or 2 with --strict. Slack never calls an alert "resolved" while a setting it is about could not be read ("could not verify"; the alert stays open); a run that sends nothing says why ("drift unchanged, no new alert").',
          'An ignore entry that hides a critical weakening is warned about on every run. Every environment read has a deadline (CLERKGUARD_RUN_DEADLINE_MS, default 30 s); --slack locks --state (a parallel run waits up to CLERKGUARD_LOCK_WAIT_MS, default 60 s, then exits 1).',
        ],
        examples: [
          'clerkguard drift',
          'clerkguard drift baselines/production.json --format json',
          'clerkguard drift baselines/production.json --scan . --build .next/static --probe',
          'clerkguard drift --out reports/ --slack',
        ],
      }),
    )
    .action(async (files: string[], options: DriftOptions) => {
      const { loadBaselines, printBaselineWarnings } = await import('../../baseline/load.js');
      const { runDriftJob } = await import('../../drift/job.js');
      const { liveExporter } = await import('../../drift/exporter.js');
      const { readDashboardExportFile } = await import('../../export/index.js');
      const { createSlackPoster, slackConfigFromEnv } = await import('../../notify/slack-client.js');
      const { renderDrift } = await import('../../report/drift.js');
      const { describeQuiet } = await import('../../notify/lifecycle.js');
      const { io } = context;
      const { selectShard } = await import('../../fleet/shard.js');
      const all = loadBaselines(files, io.cwd);
      printBaselineWarnings(all, io.stderr);
      const { selected: baselines, note, shard } = selectShard(all, options.shard, io.env);
      if (note) io.stderr(`${note}\n`);
      const discover = options.discover ? (await import('../../fleet/discover.js')).discoveryJob(all, io.env, shard) : undefined;
      // Check everything that can fail up front, before any API or Slack call.
      const slackConfig = options.slack ? slackConfigFromEnv(io.env) : undefined;
      const dashboard = options.dashboardExport ? readDashboardExportFile(path.resolve(io.cwd, options.dashboardExport)) : undefined;
      const outDir = options.out ?? (options.slack ? DEFAULT_SLACK_REPORT_DIR : undefined);
      // The scan and probe code (with node:https, node:tls and node:zlib) loads only when asked for.
      const wantsApplication = options.scan.length > 0 || options.build.length > 0 || options.probe === true;
      const application = wantsApplication
        ? (await import('../../evidence/collect.js')).applicationCollector(
            { scan: { roots: options.scan, builds: options.build }, ...(options.probe ? { probe: {} } : {}) },
            { cwd: io.cwd, env: io.env, today: () => context.today(), warn: (message) => io.stderr(`warning: ${message}\n`) },
            baselines,
          )
        : undefined;
      const progress = progressFor(io, { quiet: options.quiet ?? false, what: 'drift', total: baselines.length });
      const result = await runDriftJob({
        baselines,
        exporter: liveExporter(io.env, () => context.now(), dashboard, (message) => io.stderr(`warning: ${message}\n`), progress),
        strict: options.strict ?? false,
        today: context.today(),
        now: context.now(),
        ...(outDir ? { outDir: path.resolve(io.cwd, outDir) } : {}),
        ...(application ? { application } : {}),
        ...(discover ? { discover } : {}),
        ...(slackConfig ? { slack: { poster: createSlackPoster(slackConfig), stateFile: path.resolve(io.cwd, options.state), origin: os.hostname(), ...(await lockWait(io.env)) } } : {}),
      }).finally(() => progress.finish());
      io.stdout(renderDrift(options.format, result.report, { color: io.color, verbose: options.verbose ?? false, texts: Object.fromEntries(baselines.map((item) => [item.file, item.text])) }));
      for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
      if (result.files.length > 0) io.stderr(`wrote ${result.files.map((file) => path.relative(io.cwd, file) || file).join(', ')}\n`);
      for (const delivery of result.deliveries) io.stderr(`slack: ${delivery.kind.replace('_', ' ')} for ${delivery.environment}${delivery.uploaded_report ? ' (full report attached)' : ''}\n`);
      for (const quiet of result.quiet) io.stderr(`slack: ${describeQuiet(quiet)}\n`);
      for (const failure of [result.writeError, result.slackError]) {
        if (!failure) continue;
        io.stderr(`clerkguard: ${failure.message}\n`);
        if (failure.hint) io.stderr(`  hint: ${failure.hint}\n`);
      }
      context.setExitCode(result.exitCode);
    });
}
