import type { Command } from 'commander';
import type { Profile } from '../../baseline/schema';
import { ClerkguardError, EXIT_OK } from '../../util/errors';
import type { CliContext } from '../context';
import { helpFooter } from '../help';
import { progressFor } from '../progress';
import { choice } from '../options';

interface InitCommandOptions {
  env?: string;
  profile: Profile;
  fromLive?: boolean;
  fromExport?: string;
  dir: string;
  force?: boolean;
  harden?: boolean;
  dashboardExport?: string;
  secretKeyEnv?: string;
  publishableKeyEnv?: string;
  platformApiKeyEnv?: string;
  applicationId?: string;
  environmentType?: 'production' | 'development';
  quiet?: boolean;
}

/** The baseline profiles, spelled out here so `--help` does not load the zod model. */
const PROFILES: readonly Profile[] = ['banking', 'saas', 'consumer'];

const ENV_VAR = /^[A-Z_][A-Z0-9_]*$/;

function envVarName(value: string): string {
  if (!ENV_VAR.test(value)) throw new ClerkguardError(`"${value}" is not an environment variable name`, { hint: 'pass the NAME of the variable that holds the key, e.g. CLERK_STAGING_SECRET_KEY, never the key itself' });
  return value;
}

export function registerInit(program: Command, context: CliContext): void {
  program
    .command('init')
    .summary('write a baseline from what a Clerk instance has today, with proposed hardening')
    .description(
      'Write baselines/<env>.json from what a Clerk instance has today: read live (--from-live, the default, with the keys in CLERK_SECRET_KEY and CLERK_PUBLISHABLE_KEY, and CLERK_PLATFORM_API_KEY with CLERK_APPLICATION_ID for the session lifetime) or taken from a `clerkguard export --out` file (--from-export). ' +
        'Only what a source read is recorded: a setting nothing could read is left out and listed, never guessed; settings no Clerk API shows become TODO notes; keys never appear. ' +
        'Each setting that fails the profile\'s checklist gets a $comment with its rule and a proposed hardened value.',
    )
    .option('-e, --env <name>', 'environment name: the file name and "environment" (default: the export\'s, else production)')
    .option('-p, --profile <profile>', `checklist thresholds: ${PROFILES.join(', ')}`, choice(PROFILES), 'saas')
    .option('--from-live', 'read the live instance through its APIs (the default)')
    .option('--from-export <file>', 'use a live export file (`clerkguard export --out FILE`, or a snapshot) instead of reading Clerk')
    .option('-d, --dir <dir>', 'the baselines folder (created when missing)', 'baselines')
    .option('--harden', 'write the proposed hardened values instead of today\'s')
    .option('--force', 'replace an existing baseline file of this environment')
    .option('--dashboard-export <file>', 'with --from-live: a dashboard export file for settings no API shows (recorded with source export-file)')
    .option('--secret-key-env <NAME>', 'env var holding the secret key; written to target.secret_key_env', envVarName)
    .option('--publishable-key-env <NAME>', 'env var holding the publishable key; written to target.publishable_key_env', envVarName)
    .option('--platform-api-key-env <NAME>', 'env var holding the Platform API key; written to target.platform_api_key_env', envVarName)
    .option('--application-id <id>', 'Platform API application id; written to target.application_id')
    .option('--environment-type <type>', 'the target\'s instance type when the instance does not say (a staging instance): production or development', choice(['production', 'development'] as const))
    .option('-q, --quiet', 'no progress lines on stderr (they appear only on a terminal, for runs over a second)')
    .addHelpText(
      'after',
      helpFooter({
        exitCodes: '0 the baseline was written (failing rules are reported; `check` exits 2 on them), 1 nothing was written (the file exists and no --force, bad input, a Clerk API error).',
        notes: [
          'Today\'s values by default: `drift` is clean at once and `check` lists the failing rules with their proposals. --harden writes the proposed values instead: `drift` and `pulumi preview` then show exactly the hardening changes until they are applied (pulumi up for what Clerk\'s API writes, the dashboard for the rest). Docs: docs/init.md.',
        ],
        examples: [
          'clerkguard init --from-live --profile saas      # baselines/production.json from CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY',
          'clerkguard check; clerkguard drift              # the failing rules (exit 2); no drift',
          'clerkguard init --from-live --harden --force    # the proposals instead: drift and pulumi preview show them',
          'clerkguard init --env staging --secret-key-env CLERK_STAGING_SECRET_KEY --publishable-key-env CLERK_STAGING_PUBLISHABLE_KEY',
          'clerkguard init --from-export live/production.json --profile banking',
          'clerkguard emulator --format env   # a local Clerk to try it against',
        ],
      }),
    )
    .action(async (options: InitCommandOptions) => {
      if (options.fromLive && options.fromExport) throw new ClerkguardError('pass either --from-live or --from-export, not both', { hint: '--from-live reads Clerk now; --from-export FILE takes an earlier `clerkguard export --out FILE`' });
      if (options.fromExport && options.dashboardExport) {
        throw new ClerkguardError('--dashboard-export goes with --from-live', { hint: 'an export file already holds what its dashboard export added: `clerkguard export --dashboard-export FILE --out live.json`' });
      }
      const { initBaseline } = await import('../../init/index.js');
      const { renderInitReport } = await import('../../init/report.js');
      const { scrubSecrets } = await import('../../settings/redact.js');
      const { io } = context;
      const environment = options.env ?? 'production';
      const progress = progressFor(io, { quiet: (options.quiet ?? false) || Boolean(options.fromExport), what: 'init', total: 1 });
      const observed = progress.begin(environment);
      const result = await initBaseline({
        cwd: io.cwd,
        env: io.env,
        today: context.today(),
        now: context.now(),
        ...(options.env === undefined ? {} : { environment: options.env }),
        profile: options.profile,
        from: options.fromExport ? { kind: 'export', file: options.fromExport } : { kind: 'live', ...(options.dashboardExport ? { dashboardExport: options.dashboardExport } : {}) },
        dir: options.dir,
        force: options.force ?? false,
        harden: options.harden ?? false,
        target: {
          ...(options.secretKeyEnv ? { secret_key_env: options.secretKeyEnv } : {}),
          ...(options.publishableKeyEnv ? { publishable_key_env: options.publishableKeyEnv } : {}),
          ...(options.platformApiKeyEnv ? { platform_api_key_env: options.platformApiKeyEnv } : {}),
          ...(options.applicationId ? { application_id: options.applicationId } : {}),
          ...(options.environmentType ? { environment_type: options.environmentType } : {}),
        },
        onApi: (api) => observed.onApi(api),
        onWarning: (message) => io.stderr(`warning: ${message}\n`),
      }).finally(() => {
        observed.end();
        progress.finish();
      });
      io.stdout(scrubSecrets(renderInitReport(result)));
      context.setExitCode(EXIT_OK);
    });
}
