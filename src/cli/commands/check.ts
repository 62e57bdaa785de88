import type { Command } from 'commander';
import { loadBaselines } from '../../baseline/load';
import { formatIssue } from '../../baseline/validate';
import { checkBaseline } from '../../checklist/evaluate-baseline';
import { summarize } from '../../checklist/index';
import { SEVERITIES, type Severity } from '../../checklist/types';
import { FINDINGS_FORMATS, renderFindings, type FindingsFormat } from '../../report/findings';
import { EXIT_FINDINGS, EXIT_OK } from '../../util/errors';
import type { CliContext } from '../context';
import { choice } from '../options';

interface CheckOptions {
  format: FindingsFormat;
  failOn: Severity;
  verbose?: boolean;
}

export function registerCheck(program: Command, context: CliContext): void {
  program
    .command('check')
    .summary('validate baselines and evaluate the 20-item checklist')
    .description(
      'Validate baseline files against the settings model and evaluate every checklist rule on them.\n' +
        'FILES default to baselines/*.json; a directory means every baseline in it.',
    )
    .argument('[files...]', 'baseline files or directories (default: baselines/)')
    .option('-f, --format <format>', `output format: ${FINDINGS_FORMATS.join(', ')}`, choice(FINDINGS_FORMATS), 'text')
    .option('--fail-on <severity>', `exit 2 when a finding at or above this severity fails: ${SEVERITIES.join(', ')}`, choice(SEVERITIES), 'high')
    .option('-v, --verbose', 'also list passing findings and how to verify unverified items')
    .addHelpText(
      'after',
      '\nExit codes: 0 nothing fails at or above --fail-on, 2 failing findings, 1 could not complete (bad input).\n\n' +
        'Examples:\n  clerkguard check\n  clerkguard check baselines/production.json --format sarif > clerkguard.sarif\n  clerkguard check --fail-on critical --format json\n',
    )
    .action((files: string[], options: CheckOptions) => {
      const { io } = context;
      const loaded = loadBaselines(files, io.cwd);
      for (const item of loaded) for (const warning of item.warnings) io.stderr(`warning: ${formatIssue(warning)}\n`);
      const findings = loaded.flatMap((item) => checkBaseline(item, context.today()));
      const texts = Object.fromEntries(loaded.map((item) => [item.file, item.text]));
      io.stdout(renderFindings(options.format, { findings, failOn: options.failOn, texts, verbose: options.verbose ?? false, color: io.color }));
      context.setExitCode(summarize(findings, options.failOn).failing_at_threshold > 0 ? EXIT_FINDINGS : EXIT_OK);
    });
}
