import type { Command } from 'commander';
import { DRIFT_FORMATS, type DriftFormat } from '../../report/formats';
import type { CliContext } from '../context';
import { helpFooter } from '../help';
import { choice } from '../options';

interface ReviewDiffOptions {
  format: DriftFormat;
}

export function registerReview(program: Command, context: CliContext): void {
  const review = program
    .command('review')
    .summary('work with quarterly review snapshots')
    .description('Work with the review snapshots written by `clerkguard snapshot`. One subcommand: diff.')
    .addHelpText(
      'after',
      helpFooter({
        exitCodes: 'those of the subcommand (review diff: 0 no changes, 2 changes, 1 could not complete).',
        examples: [
          'clerkguard review diff snapshots/production/2026-Q3.json snapshots/production/2026-Q4.json',
        ],
      }),
    );
  review
    .command('diff')
    .summary('show the changes between two snapshots')
    .description(
      'Compare two snapshot files (live exports) and classify every change between them as `clerkguard drift` ' +
        'classifies drift: direction (weakening, strengthening, neutral), severity, checklist items and evidence ' +
        'source. Values and sources come from NEW; a setting either snapshot could not verify is listed as unverified, ' +
        'never as added or removed.',
    )
    .argument('<old>', 'the earlier snapshot, e.g. snapshots/production/2026-Q3.json')
    .argument('<new>', 'the later snapshot, e.g. snapshots/production/2026-Q4.json')
    .option('-f, --format <format>', `output format: ${DRIFT_FORMATS.join(', ')}`, choice(DRIFT_FORMATS), 'text')
    .addHelpText(
      'after',
      helpFooter({
        exitCodes: '0 no changes, 2 changes, 1 could not complete (bad input).',
        notes: [
          '--format json and sarif keep the drift report contract (OLD in the baseline fields), so tools read both the same way.',
        ],
        examples: [
          'clerkguard review diff snapshots/production/2026-Q3.json snapshots/production/2026-Q4.json',
          'clerkguard review diff OLD.json NEW.json --format markdown > changes.md',
        ],
      }),
    )
    .action(async (oldFile: string, newFile: string, options: ReviewDiffOptions) => {
      const { exitCodeFor } = await import('../../drift/run.js');
      const { renderSnapshotDiff } = await import('../../snapshot/compare-report.js');
      const { compareSnapshots, loadSnapshot } = await import('../../snapshot/compare.js');
      const { io } = context;
      const older = loadSnapshot(oldFile, io.cwd);
      const newer = loadSnapshot(newFile, io.cwd);
      const report = compareSnapshots(older, newer, context.now());
      io.stdout(renderSnapshotDiff(options.format, report, { older, newer, color: io.color }));
      context.setExitCode(exitCodeFor(report.status));
    });
}
