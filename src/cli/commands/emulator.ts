import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { EmulatorOptions } from '../../emulator/server';
import type { EnvironmentType } from '../../emulator/state';
import { ClerkguardError } from '../../util/errors';
import type { CliContext } from '../context';
import { helpFooter } from '../help';
import { choice } from '../options';

const EMULATOR_FORMATS = ['json', 'env'] as const;
type EmulatorFormat = (typeof EMULATOR_FORMATS)[number];

interface EmulatorCommandOptions {
  format: EmulatorFormat;
  port: number;
  frontendPort: number;
  seed?: string;
  environmentType?: EnvironmentType;
  rateLimit: boolean;
  workspace?: string;
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
      'Serve the Clerk endpoints clerkguard uses on 127.0.0.1, with Clerk\'s wire shapes, auth, pagination, rate ' +
        'limits and quirks. On start it prints ONE JSON line with the URLs and keys, or with --format env `export ' +
        'CLERK_…=` lines for the seven variables the CLI reads (CLERK_SECRET_KEY, CLERK_API_URL, CLERK_PUBLISHABLE_KEY, ' +
        'CLERK_FRONTEND_API_URL, CLERK_PLATFORM_API_KEY, CLERK_PLATFORM_API_URL, CLERK_APPLICATION_ID); then it serves ' +
        'until SIGTERM or Ctrl-C and says on stderr when it has stopped. GET <CLERK_API_URL>/__emulator/ lists the ' +
        'admin endpoints (faults, recorded requests, state, dashboard-style settings changes) and every Clerk route it ' +
        'serves.',
    )
    .option('-f, --format <format>', `what to print on start: ${EMULATOR_FORMATS.join(', ')} (shell export lines)`, choice(EMULATOR_FORMATS), 'json')
    .option('-p, --port <n>', 'Backend/Platform API port (0 = any free port)', port, 0)
    .option('--frontend-port <n>', 'Frontend API port (0 = any free port)', port, 0)
    .option('-s, --seed <file>', 'a baseline (its settings become the live state) or a state file from /__emulator/state')
    .option('--environment-type <type>', 'instance type: production or development', choice(['production', 'development'] as const))
    .option('--no-rate-limit', "disable the rate limit Clerk applies per endpoint (1000 req/10 s production, 100 development)")
    .option(
      '-w, --workspace <file>',
      'other applications the Platform API lists beside the emulator\'s own (GET /v1/platform/applications, for --discover): a JSON array of {application_id, name, instances: [{instance_id, environment_type}]}',
    )
    .addHelpText(
      'after',
      helpFooter({
        exitCodes: '0 stopped by SIGTERM or Ctrl-C, 1 could not start (a bad --seed, a port in use).',
        examples: [
          'clerkguard emulator --seed baselines/production.json --format env > emulator.env &',
          'until grep -q ready emulator.env 2>/dev/null; do sleep 0.1; done; . ./emulator.env',
          'clerkguard drift baselines/production.json        # clean: the emulator holds the baseline',
          'curl -s "$CLERK_API_URL/__emulator/"              # what the emulator supports',
          'clerkguard emulator --workspace apps.json ...       # then: clerkguard drift --discover lists their instances as unmanaged',
          'curl -X POST "$CLERK_API_URL/__emulator/faults" -d \'{"kind":"status","path":"/v1/instance/protect","status":503}\'',
          'kill %1                                           # stops it',
        ],
      }),
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
        ...(options.workspace ? { workspace: await loadWorkspace(path.resolve(io.cwd, options.workspace), options.workspace) } : {}),
      };
      const emulator = await startEmulator(emulatorOptions);
      io.stdout(options.format === 'env' ? emulatorEnvText(emulator.env(), process.pid) : `${JSON.stringify(emulator.info())}\n`);
      io.stderr(`clerkguard emulator: serving ${emulator.bapi_url} (Backend and Platform API) and ${emulator.frontend_api_url} (Frontend API); GET ${emulator.bapi_url}/__emulator/ lists what it supports; SIGTERM or Ctrl-C stops it\n`);
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        const stop = (received: NodeJS.Signals) => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          resolve(received);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
      // Open keep-alive connections are cut, not waited for: a stop takes milliseconds.
      await emulator.close();
      io.stderr(`clerkguard emulator: ${signal}: stopped after ${emulator.requests.length} request${emulator.requests.length === 1 ? '' : 's'}\n`);
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

/** `--workspace`: the other applications of the emulated workspace, strictly read and checked. */
async function loadWorkspace(file: string, shown: string): Promise<NonNullable<EmulatorOptions['workspace']>> {
  const { formatIssue, parseJsonText, validateWithSchema } = await import('../../baseline/validate.js');
  const { readTextFile } = await import('../../util/fs.js');
  const { z } = await import('zod');
  const hint = 'a JSON array such as [{"application_id": "app_2", "name": "billing", "instances": [{"instance_id": "ins_2", "environment_type": "production"}]}]';
  const text = readTextFile(file, { missing: hint, unreadable: hint }, shown);
  const refuse = (issues: readonly Parameters<typeof formatIssue>[0][]) =>
    new ClerkguardError(`${shown} is not a usable workspace file:\n${issues.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`, { hint });
  const parsed = parseJsonText(text, shown);
  if (parsed.errors.length > 0) throw refuse(parsed.errors);
  const schema = z
    .array(
      z.strictObject({
        application_id: z.string().min(1),
        name: z.string(),
        instances: z.array(z.strictObject({ instance_id: z.string().min(1), environment_type: z.enum(['development', 'production']), publishable_key: z.string().optional() })).max(100),
      }),
    )
    .max(10_000);
  const result = validateWithSchema(schema, parsed.value, shown, text);
  if (result.errors.length > 0 || !result.value) throw refuse(result.errors);
  return result.value;
}

/**
 * `--format env`: one `export` line per variable the CLI reads, shell-quoted, then a comment
 * that says it is ready (scripts wait for it) and how to stop it.
 */
function emulatorEnvText(env: Readonly<Record<string, string>>, pid: number): string {
  const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
  const lines = Object.entries(env).map(([name, value]) => `export ${name}=${quote(value)}`);
  return `${lines.join('\n')}\n# clerkguard emulator ready (pid ${pid}); \`kill ${pid}\` stops it\n`;
}
