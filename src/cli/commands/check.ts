import type { Command } from 'commander';
import type { LoadedBaseline } from '../../baseline/load';
import type { Finding } from '../../checklist/types';
import type { ApplicationRequest } from '../../evidence/collect';
import { SEVERITIES, type Severity } from '../../checklist/types';
import { FINDINGS_FORMATS, type FindingsFormat } from '../../report/formats';
import { ClerkguardError } from '../../util/errors';
import { EXIT_FINDINGS, EXIT_OK } from '../../util/errors';
import type { CliContext } from '../context';
import { helpFooter } from '../help';
import { choice, collect } from '../options';

interface CheckOptions {
  format: FindingsFormat;
  failOn: Severity;
  verbose?: boolean;
  scan: string[];
  build: string[];
  probe?: boolean;
}

export function registerCheck(program: Command, context: CliContext): void {
  program
    .command('check')
    .summary('validate baselines and evaluate the 20-item checklist')
    .description(
      'Validate baseline files against the settings model and evaluate every checklist rule on them. FILES default to ' +
        'baselines/*.json; a directory means every baseline in it. Each file is checked on its own: an invalid one is ' +
        'reported (in SARIF as a result at its file:line:col) and the others are still evaluated.',
    )
    .argument('[files...]', 'baseline files or directories (default: baselines/)')
    .option('-f, --format <format>', `output format: ${FINDINGS_FORMATS.join(', ')}`, choice(FINDINGS_FORMATS), 'text')
    .option('--fail-on <severity>', `exit 2 when a finding at or above this severity fails: ${SEVERITIES.join(', ')}`, choice(SEVERITIES), 'high')
    .option('-v, --verbose', 'also list passing findings and how to verify unverified items')
    .option('--scan <dir>', 'scan this application directory: its code stands in for attestations (evidence `code`; repeatable)', collect, [])
    .option('--build <dir>', 'with --scan: also search this build output for keys (repeatable)', collect, [])
    .option('--probe', "probe the deployed application each baseline names (evidence `probe`; see clerkguard probe --help)")
    .addHelpText(
      'after',
      helpFooter({
        exitCodes: '0 nothing fails at or above --fail-on, 2 failing findings, 1 could not complete (a baseline is invalid or missing: the others are still reported).',
        notes: [
          'Items without evidence yet are listed as unverified: they never pass and never fail check (--verbose says how to verify each).',
        ],
        examples: [
          'clerkguard check',
          'clerkguard check baselines/production.json --scan . --build .next/static',
          'clerkguard check baselines/production.json --probe',
          'clerkguard check --format sarif > clerkguard.sarif    # never an empty file, even for a broken baseline',
          'clerkguard check --fail-on critical --format json',
        ],
      }),
    )
    .action(async (files: string[], options: CheckOptions) => {
      const { loadBaselinesEach, loadFailuresError, printBaselineWarnings } = await import('../../baseline/load.js');
      const { summarize } = await import('../../checklist/index.js');
      const { io } = context;
      const { renderFindings, renderSarifFailure } = await import('../../report/findings.js');
      try {
        // Each file on its own: an invalid one is reported (SARIF: a result at its file:line:col) and the others are still checked.
        const { loaded, failures } = loadBaselinesEach(files, io.cwd);
        printBaselineWarnings(loaded, io.stderr);
        const findings = await checkAll(loaded, { scan: { roots: options.scan, builds: options.build }, ...(options.probe ? { probe: {} } : {}) }, context);
        const texts = Object.fromEntries(loaded.map((item) => [item.file, item.text]));
        const invalid = failures.flatMap((failure) => failure.issues);
        io.stdout(renderFindings(options.format, { findings, failOn: options.failOn, texts, invalid, verbose: options.verbose ?? false, color: io.color }));
        if (failures.length > 0) throw new ReportedError(loadFailuresError(failures));
        context.setExitCode(summarize(findings, options.failOn).failing_at_threshold > 0 ? EXIT_FINDINGS : EXIT_OK);
      } catch (error) {
        if (error instanceof ReportedError) throw error.error;
        // Code scanning uploads stdout: a run that could not complete is a SARIF run that says so, never an empty file.
        if (options.format === 'sarif' && error instanceof ClerkguardError) io.stdout(renderSarifFailure(error.message, error.hint));
        throw error;
      }
    });
}

/** The application is read and parsed once (and probed per baseline); each baseline's policy judges it. */
async function checkAll(loaded: readonly LoadedBaseline[], request: ApplicationRequest, context: CliContext): Promise<Finding[]> {
  const { checkBaseline } = await import('../../checklist/evaluate-baseline.js');
  // The scan and probe code (with node:http) loads only when asked for: a plain check starts without it.
  // --build alone still goes to applicationCollector, which explains that it needs --scan.
  const wanted = (request.scan?.roots.length ?? 0) > 0 || (request.scan?.builds?.length ?? 0) > 0 || request.probe !== undefined;
  if (!wanted) return loaded.flatMap((item) => checkBaseline(item, context.today()));
  const { applicationCollector } = await import('../../evidence/collect.js');
  const { io } = context;
  const collector = applicationCollector(request, { cwd: io.cwd, env: io.env, today: () => context.today(), warn: (message) => io.stderr(`warning: ${message}\n`) }, loaded);
  if (!collector) return loaded.flatMap((item) => checkBaseline(item, context.today()));
  const findings: Finding[] = [];
  for (const item of loaded) {
    const collected = await collector(item);
    findings.push(...checkBaseline(item, context.today(), collected.evidence), ...collected.gaps);
  }
  return findings;
}

/** An error whose problems the report on stdout already holds. */
class ReportedError extends Error {
  constructor(readonly error: ClerkguardError) {
    super(error.message);
  }
}
