import path from 'node:path';
import type { Command } from 'commander';
import { EXIT_OK } from '../../util/errors';
import type { CliContext } from '../context';
import { helpFooter } from '../help';

export const DEFAULT_DEMO_DIR = 'clerkguard-demo';

export function registerDemo(program: Command, context: CliContext): void {
  program
    .command('demo')
    .summary('see drift detection end to end against a local Clerk emulator (no account needed)')
    .description(
      'Start a local Clerk emulator seeded from the packaged example baselines/production.json, make three ' +
        'dashboard-style changes through its APIs (session timeout, a JWT template claim and lifetime, an extra ' +
        'origin), run drift and print the report. Writes report.md, report.json, report.sarif, report.txt and the Slack ' +
        'payload preview (slack-preview.json) to --out, in the current folder.',
    )
    .option('--out <dir>', 'where to write the reports', DEFAULT_DEMO_DIR)
    .addHelpText(
      'after',
      helpFooter({
        exitCodes: '0 the demo ran (the drift it shows is expected), 1 it could not run.',
        examples: [
          'clerkguard demo',
          'clerkguard demo --out /tmp/clerkguard-demo',
        ],
      }),
    )
    .action(async (options: { out: string }) => {
      const { runDemo } = await import('../../demo/index.js');
      const { io } = context;
      await runDemo({ outDir: path.resolve(io.cwd, options.out), today: context.today(), now: context.now(), color: io.color, write: (text) => io.stdout(text) });
      context.setExitCode(EXIT_OK);
    });
}
