import type { Command } from 'commander';
import { DRIFT_FORMATS, type DriftFormat } from '../../report/formats';
import type { CliContext } from '../context';
import { choice } from '../options';

interface ReviewDiffOptions {
  format: DriftFormat;
}

export function registerReview(program: Command, context: CliContext): void {
  const review = program.command('review').summary('work with quarterly review snapshots').description('Work with the review snapshots written by `clerkguard snapshot`.');
  review
    .command('diff')
    .summary('show the changes between two snapshots')
    .description(
      'Compare two snapshot files (live exports) and classify every change as `clerkguard drift` does: ' +
        'direction (weakening, strengthening, neutral), severity, checklist items and evidence source. ' +
        'OLD plays the baseline; values and sources come from NEW.',
    )
    .argument('<old>', 'the earlier snapshot, e.g. snapshots/production/2026-Q3.json')
    .argument('<new>', 'the later snapshot, e.g. snapshots/production/2026-Q4.json')
    .option('-f, --format <format>', `output format: ${DRIFT_FORMATS.join(', ')}`, choice(DRIFT_FORMATS), 'text')
    .addHelpText(
      'after',
      '\nExit codes: 0 no changes, 2 changes, 1 could not complete (bad input).\n\n' +
        'Examples:\n  clerkguard review diff snapshots/production/2026-Q3.json snapshots/production/2026-Q4.json\n' +
        '  clerkguard review diff OLD.json NEW.json --format markdown > changes.md\n',
    )
    .action(async (oldFile: string, newFile: string, options: ReviewDiffOptions) => {
      const { exitCodeFor } = await import('../../drift/run.js');
      const { renderDrift } = await import('../../report/drift.js');
      const { compareSnapshots, loadSnapshot } = await import('../../snapshot/compare.js');
      const { io } = context;
      const older = loadSnapshot(oldFile, io.cwd);
      const newer = loadSnapshot(newFile, io.cwd);
      const report = compareSnapshots(older, newer, context.now());
      io.stdout(renderDrift(options.format, report, { color: io.color, texts: { [oldFile]: older.text } }));
      context.setExitCode(exitCodeFor(report.status));
    });
}
