import path from 'node:path';
import type { Command } from 'commander';
import type { LoadedBaseline } from '../../baseline/load';
import type { ClerkApi } from '../../clerk/api';
import { ClerkguardError, EXIT_OK } from '../../util/errors';
import { stableStringify } from '../../util/json';
import type { CliContext } from '../context';
import { helpFooter } from '../help';
import { progressFor } from '../progress';

interface ExportCommandOptions {
  baseline?: string;
  env?: string;
  out?: string;
  dashboardExport?: string;
  quiet?: boolean;
}

export function registerExport(program: Command, context: CliContext): void {
  program
    .command('export')
    .summary('read the live settings of a Clerk instance, with where each value came from')
    .description(
      'Read the live security settings of one Clerk instance through the Backend API, the Frontend API ' +
        '(/v1/environment) and, when CLERK_PLATFORM_API_KEY and CLERK_APPLICATION_ID are set, the Platform API. ' +
        'Settings no API exposes come from --dashboard-export; attestations come from the baseline. Every path in ' +
        '"coverage" says its source: bapi, fapi, platform, export-file, attested or unverified. Keys are read from the ' +
        'env vars the baseline target names (default CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY).',
    )
    .option('-b, --baseline <file>', 'the baseline of the environment to export')
    .option('-e, --env <name>', 'the environment to export, found among baselines/*.json (default: production)')
    .option('-o, --out <file>', 'write the export to this file (atomically) instead of stdout')
    .option('--dashboard-export <file>', 'settings copied from the Clerk dashboard that no API exposes (inactivity timeout, webhook endpoints; counts 100 days after its exported_at)')
    .option('-q, --quiet', 'no progress lines on stderr (they appear only on a terminal, for runs over a second)')
    .addHelpText(
      'after',
      helpFooter({
        exitCodes: '0 exported, 1 could not complete (bad input, Clerk API error).',
        notes: [
          '--out creates missing folders and replaces the file atomically.',
        ],
        examples: [
          'CLERK_SECRET_KEY=sk_live_… CLERK_PUBLISHABLE_KEY=pk_live_… clerkguard export --env production',
          'clerkguard export --baseline baselines/staging.json --out live/staging.json',
          'clerkguard export --env production --dashboard-export dashboard/production.json --out live/production.json',
          'clerkguard emulator --seed baselines/production.json --format env   # a local Clerk to try it against',
        ],
      }),
    )
    .action(async (options: ExportCommandOptions) => {
      const { printBaselineWarnings } = await import('../../baseline/load.js');
      const { exportLive } = await import('../../export/export.js');
      const { writeFileAtomic } = await import('../../export/files.js');
      const { io } = context;
      if (options.baseline && options.env) throw new ClerkguardError('pass either --baseline or --env, not both');
      const loaded = await loadTarget(options, io.cwd);
      printBaselineWarnings([loaded], io.stderr);
      let api: ClerkApi | undefined;
      const started = Date.now();
      const progress = progressFor(io, { quiet: options.quiet ?? false, what: 'export', total: 1 });
      const observed = progress.begin(loaded.baseline.environment);
      const live = await exportLive(loaded, {
        env: io.env,
        now: context.now(),
        ...(options.dashboardExport ? { dashboardExport: path.resolve(io.cwd, options.dashboardExport) } : {}),
        onApi: (created) => {
          api = created;
          observed.onApi(created);
        },
        onWarning: (message) => io.stderr(`warning: ${message}\n`),
      }).finally(() => {
        observed.end();
        progress.finish();
      });
      const text = stableStringify(live);
      if (options.out) {
        writeFileAtomic(path.resolve(io.cwd, options.out), text);
        const sources = new Map<string, number>();
        for (const source of Object.values(live.coverage)) sources.set(source, (sources.get(source) ?? 0) + 1);
        const summary = [...sources.entries()].sort().map(([source, count]) => `${source} ${count}`).join(', ');
        io.stderr(`wrote ${options.out}: environment ${live.environment}, coverage ${summary} (${api?.counter.attempts ?? 0} requests, ${Date.now() - started} ms)\n`);
      } else {
        io.stdout(text);
      }
      context.setExitCode(EXIT_OK);
    });
}

async function loadTarget(options: ExportCommandOptions, cwd: string): Promise<LoadedBaseline> {
  const { loadBaselineFile, loadBaselineForEnvironment } = await import('../../baseline/load.js');
  if (options.baseline) return loadBaselineFile(path.resolve(cwd, options.baseline), options.baseline);
  return loadBaselineForEnvironment(options.env ?? 'production', cwd);
}
