/**
 * CLI wiring only: parse arguments, hand over to a feature module, translate known errors
 * into one clear message and the exit-code contract (0 clean, 2 drift/findings, 1 could not
 * complete). Feature logic lives in the feature folders.
 */
import { Command, CommanderError, type OutputConfiguration } from 'commander';
import { todayIso } from '../checklist/helpers';
import { scrubSecrets } from '../settings/redact';
import { ClerkguardError, EXIT_FAILED } from '../util/errors';
import { registerCheck } from './commands/check';
import { registerDemo } from './commands/demo';
import { registerDrift } from './commands/drift';
import { addScheduledJobOptions, registerSchedule } from './commands/schedule';
import { registerEmulator } from './commands/emulator';
import { registerExport } from './commands/export';
import { registerInit } from './commands/init';
import { registerMeta } from './commands/meta';
import { registerProbe } from './commands/probe';
import { registerReview } from './commands/review';
import { registerScan } from './commands/scan';
import { registerSnapshot } from './commands/snapshot';
import type { CliContext } from './context';
import { helpFooter } from './help';
import { processIo, type CliIo } from './io';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../package.json') as { version: string };

/** A run that could not complete outranks findings, which outrank a clean result. */
const EXIT_PRECEDENCE = [0, 2, 1];

type Register = (program: Command, context: CliContext) => void;

/** Every command (by the names each registers), in the order `--help` lists them. */
const COMMANDS: [names: readonly string[], register: Register][] = [
  [['demo'], registerDemo],
  [['init'], registerInit],
  [['check'], registerCheck],
  [['scan'], registerScan],
  [['probe'], registerProbe],
  [['export'], registerExport],
  [['drift'], registerDrift],
  [['schedule'], registerSchedule],
  [['snapshot'], registerSnapshot],
  [['review'], registerReview],
  [['emulator'], registerEmulator],
  [['schema', 'rules'], registerMeta],
];

/**
 * `only`: the command line's first argument. When it names a command, only the commands
 * registered with it are built: parsing, its help and its errors need no other, and building
 * every command's options and help text is a measurable share of a start-up (docs/benchmarks.md (f)).
 */
export function buildProgram(context: CliContext, only?: string): Command {
  const program = new Command('clerkguard')
    .description('Keep a Clerk instance hardened as code: baselines, the 20-item checklist, drift alerts and review snapshots.')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput(output(context))
    .exitOverride();
  program.addHelpText(
    'after',
    helpFooter({
      exitCodes: '0 clean, 2 drift or failing findings, 1 could not complete. Each command\'s --help says what they mean for it.',
      notes: ['Docs: README.md and docs/ of the clerkguard package (node_modules/clerkguard in a project that installed it) or repository.'],
      examples: ['clerkguard demo', 'clerkguard check', 'clerkguard drift --slack', 'clerkguard help drift'],
    }),
  );
  const named = COMMANDS.filter(([names]) => only !== undefined && names.includes(only));
  for (const [, register] of named.length > 0 ? named : COMMANDS) register(program, context);
  for (const command of program.commands) command.exitOverride().configureOutput(output(context));
  return program;
}

/** Where commander writes, and how wide help is: the terminal's width, 80 when not a terminal. */
function output(context: CliContext): OutputConfiguration {
  const width = () => context.io.columns ?? 80;
  return { writeOut: (text) => context.io.stdout(text), writeErr: (text) => context.io.stderr(text), getOutHelpWidth: width, getErrHelpWidth: width };
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  const pinned = io.env.CLERKGUARD_TODAY;
  const context: CliContext = {
    io,
    today: () => pinned ?? todayIso(),
    now: () => (pinned ? new Date(`${pinned}T12:00:00Z`) : new Date()),
    setExitCode: (code) => {
      if (EXIT_PRECEDENCE.indexOf(code) > EXIT_PRECEDENCE.indexOf(exitCode)) exitCode = code;
    },
  };
  const program = buildProgram(context, argv[0]);
  try {
    if (commandNamed(argv) === 'schedule') await addScheduledJobOptions(program);
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

/** The command a command line runs or asks help for (`help schedule` too), before commander parses it. */
function commandNamed(argv: readonly string[]): string | undefined {
  const operands = argv.filter((arg) => !arg.startsWith('-'));
  return operands[0] === 'help' ? operands[1] : operands[0];
}

export function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message; --help and --version exit 0.
    return error.exitCode === 0 ? 0 : EXIT_FAILED;
  }
  if (error instanceof ClerkguardError) {
    io.stderr(`clerkguard: ${scrubSecrets(error.message)}\n`);
    if (error.hint) io.stderr(`  hint: ${scrubSecrets(error.hint)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`clerkguard: unexpected error: ${scrubSecrets(message)}\n`);
  if (io.env.CLERKGUARD_DEBUG && error instanceof Error && error.stack) io.stderr(`${scrubSecrets(error.stack)}\n`);
  else io.stderr('  hint: this is a bug in clerkguard; rerun with CLERKGUARD_DEBUG=1 for a stack trace and report it\n');
  return EXIT_FAILED;
}
