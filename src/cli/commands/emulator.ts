import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { EmulatorOptions } from '../../emulator/server';
import type { EnvironmentType } from '../../emulator/state';
import { ClerkguardError } from '../../util/errors';
import type { CliContext } from '../context';
import { choice } from '../options';

interface EmulatorCommandOptions {
  port: number;
  frontendPort: number;
  seed?: string;
  environmentType?: EnvironmentType;
  rateLimit: boolean;
}

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new InvalidArgumentError('expected a port number 0-65535 (0 = any free port)');
  return parsed;
}

export function registerEmulator(program: Command, context: CliContext): void {
  program
    .command('emulator')
    .summary('run a local, stateful Clerk emulator (Backend, Frontend and Platform API)')
    .description(
      'Serve the Clerk endpoints clerkguard uses on 127.0.0.1, with Clerk\'s wire shapes, auth, pagination,\n' +
        'rate limits and quirks. Prints ONE JSON line with the URLs and keys, then serves until SIGTERM or Ctrl-C.\n' +
        'Use its values as CLERK_API_URL, CLERK_FRONTEND_API_URL, CLERK_PLATFORM_API_URL, CLERK_SECRET_KEY,\n' +
        'CLERK_PUBLISHABLE_KEY, CLERK_PLATFORM_API_KEY and CLERK_APPLICATION_ID.\n' +
        'Admin endpoints on the bapi_url: /__emulator/faults, /__emulator/requests, /__emulator/state, /__emulator/settings.',
    )
    .option('-p, --port <n>', 'Backend/Platform API port (0 = any free port)', port, 0)
    .option('--frontend-port <n>', 'Frontend API port (0 = any free port)', port, 0)
    .option('-s, --seed <file>', 'a baseline (its settings become the live state) or a state file from /__emulator/state')
    .option('--environment-type <type>', 'instance type: production or development', choice(['production', 'development'] as const))
    .option('--no-rate-limit', "disable Clerk's per-instance rate limit (1000 req/10 s production, 100 development)")
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  clerkguard emulator --seed baselines/production.json\n' +
        '  clerkguard emulator --seed baselines/production.json > emulator.json &\n' +
        '  eval "$(node -e \'const e=require("./emulator.json");console.log(`export CLERK_API_URL=${e.bapi_url} CLERK_SECRET_KEY=${e.secret_key} CLERK_PUBLISHABLE_KEY=${e.publishable_key}`)\')"\n' +
        '  clerkguard export --env production\n' +
        '  curl -X POST "$CLERK_API_URL/__emulator/faults" -d \'{"kind":"status","path":"/v1/instance/protect","status":503}\'\n',
    )
    .action(async (options: EmulatorCommandOptions) => {
      const { startEmulator } = await import('../../emulator/server.js');
      const { io } = context;
      const emulatorOptions: EmulatorOptions = {
        port: options.port,
        frontendPort: options.frontendPort,
        ...(options.environmentType ? { environmentType: options.environmentType } : {}),
        ...(options.rateLimit ? {} : { rateLimit: false as const }),
        ...(options.seed ? { seed: await loadSeed(path.resolve(io.cwd, options.seed), options.seed) } : {}),
      };
      const emulator = await startEmulator(emulatorOptions);
      io.stdout(`${JSON.stringify(emulator.info())}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          resolve();
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
      await emulator.close();
    });
}

async function loadSeed(file: string, shown: string): Promise<NonNullable<EmulatorOptions['seed']>> {
  const { BaselineError, parseBaseline } = await import('../../baseline/load.js');
  const { parseJsonText } = await import('../../baseline/validate.js');
  const { emulatorStateProblem, isEmulatorState } = await import('../../emulator/state.js');
  const { readTextFile } = await import('../../util/fs.js');
  const hint = 'pass a baseline such as baselines/production.json, or a state file saved from /__emulator/state';
  const text = readTextFile(file, { missing: hint, unreadable: hint }, shown);
  // The same strict reading as baselines: no BOM, no duplicate keys, bounded nesting.
  const parsed = parseJsonText(text, shown);
  if (parsed.errors.length > 0) throw new BaselineError(parsed.errors, hint);
  const value = parsed.value;
  if (isEmulatorState(value)) {
    const problem = emulatorStateProblem(value);
    if (problem) throw new ClerkguardError(`${shown} is not a usable emulator state file: ${problem}`, { hint: 'save one with: curl "$CLERK_API_URL/__emulator/state" > state.json' });
    return value;
  }
  return parseBaseline(text, shown);
}
