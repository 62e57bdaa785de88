import type { Command } from 'commander';
import { SEVERITIES, type Severity } from '../../checklist/types';
import { FINDINGS_FORMATS, type FindingsFormat } from '../../report/formats';
import { EXIT_FINDINGS, EXIT_OK } from '../../util/errors';
import type { CliContext } from '../context';
import { helpFooter } from '../help';
import { choice, collect } from '../options';

interface ScanOptions {
  build: string[];
  format: FindingsFormat;
  baseline?: string;
  failOn: Severity;
  verbose?: boolean;
  includeNodeModules?: boolean;
}

export function registerScan(program: Command, context: CliContext): void {
  program
    .command('scan')
    .summary('find checklist evidence in an application\'s code, env files and build')
    .description(
      'Static analysis (a TypeScript/JavaScript AST) of a Clerk application: Next.js App and Pages Router, Express / ' +
        'Hono / Fastify with @clerk/express or @clerk/backend, webhook handlers (svix, standardwebhooks, ' +
        'verifyWebhook). Judges checklist items 1, 2, 6, 7, 9-14 with evidence `code`. APP_DIR defaults to the current ' +
        'directory; node_modules and build output are skipped.',
    )
    .argument('[app-dirs...]', 'application directories (default: .)')
    .option('--build <dir>', 'also search built output for keys, e.g. .next/static or dist (repeatable)', collect, [])
    .option('-f, --format <format>', `output format: ${FINDINGS_FORMATS.join(', ')}`, choice(FINDINGS_FORMATS), 'text')
    .option('--baseline <file>', 'baseline whose revoke_on policy, environment type, exceptions and code: ignore entries apply')
    .option('--fail-on <severity>', `exit 2 when a finding at or above this severity fails: ${SEVERITIES.join(', ')}`, choice(SEVERITIES), 'high')
    .option('-v, --verbose', 'also list passing findings')
    .option('--include-node-modules', 'scan node_modules too (skipped by default)')
    .addHelpText(
      'after',
      helpFooter({
        exitCodes: '0 nothing fails at or above --fail-on, 2 failing findings, 1 could not complete.',
        notes: [
          'Suppress one finding with a comment on its line or the line above, with a reason, an owner and an expiry: // clerkguard-ignore webhook-idempotency: replays are harmless here (owner: @ops, expires: 2027-06-30). Files that cannot be read or parsed are listed as not analysed, never as clean.',
        ],
        examples: [
          'clerkguard scan',
          'clerkguard scan apps/web --build apps/web/.next/static --baseline baselines/production.json',
          'clerkguard scan . --format sarif > clerkguard-code.sarif',
        ],
      }),
    )
    .action(async (dirs: string[], options: ScanOptions) => {
      const { loadBaselines, printBaselineWarnings } = await import('../../baseline/load.js');
      const { summarize } = await import('../../checklist/index.js');
      const { scanFindings } = await import('../../scan/findings.js');
      const { scanApplication } = await import('../../scan/index.js');
      const { scanExclusions, scanPolicy } = await import('../../scan/policy.js');
      const { renderScan } = await import('../../scan/report.js');
      const { io } = context;
      const loaded = options.baseline ? loadBaselines([options.baseline], io.cwd)[0] : undefined;
      if (loaded) printBaselineWarnings([loaded], io.stderr);
      const roots = dirs.length > 0 ? dirs : ['.'];
      const result = scanApplication(
        { roots, builds: options.build, cwd: io.cwd, ...(options.includeNodeModules ? { includeNodeModules: true } : {}), exclude: scanExclusions(loaded?.baseline, context.today()) },
        scanPolicy(loaded?.baseline, io.env),
        context.today(),
      );
      const findings = scanFindings(result, {
        environment: loaded?.baseline.environment ?? 'application',
        file: result.roots.join(', '),
        exceptions: loaded?.baseline.exceptions ?? [],
        today: context.today(),
      });
      io.stdout(renderScan({ result, findings, format: options.format, failOn: options.failOn, verbose: options.verbose ?? false, color: io.color }));
      context.setExitCode(summarize(findings, options.failOn).failing_at_threshold > 0 ? EXIT_FINDINGS : EXIT_OK);
    });
}
