import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { SEVERITIES, type Severity } from '../../checklist/types';
import { FINDINGS_FORMATS, type FindingsFormat } from '../../report/formats';
import { DEFAULT_MAX_REQUESTS, DEFAULT_TIMEOUT_MS } from '../../probe/defaults';
import { ClerkguardError, EXIT_FAILED, EXIT_FINDINGS, EXIT_OK } from '../../util/errors';
import type { CliContext } from '../context';
import { helpFooter } from '../help';
import { choice, collect } from '../options';

interface ProbeCommandOptions {
  baseline: string;
  url: string[];
  format: FindingsFormat;
  failOn: Severity;
  dryRun?: boolean;
  maxRequests: number;
  timeout: number;
  ca?: string;
  verbose?: boolean;
}

export const DEFAULT_PROBE_BASELINE = 'baselines/production.json';

function positiveInteger(name: string, max: number) {
  return (value: string) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1 || number > max) throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}`);
    return number;
  };
}

export function registerProbe(program: Command, context: CliContext): void {
  program
    .command('probe')
    .summary("check the deployed application's URLs: keys in its pages, cookies, webhook forgery, protected paths")
    .description(
      'Live probes of the application a baseline names (application.origins, application.pages, ' +
        'application.protected_paths, settings.webhooks.endpoints, target.frontend_api_url) and no other host: keys ' +
        'shipped in the pages and their same-origin scripts (items 1, 2), Clerk cookie attributes (8), unauthenticated ' +
        'access to protected paths (7), and a forged, harmless webhook delivery (9; with the signing secret env var ' +
        'also a stale signed one and a replay). Evidence `probe`; a probe that could not run is unverified, never a ' +
        'pass. See docs/probe.md.',
    )
    .option('--baseline <file>', 'the baseline that names the application', DEFAULT_PROBE_BASELINE)
    .option('--url <url>', 'probe only this URL (on an origin the baseline names; repeatable)', collect, [])
    .option('-f, --format <format>', `output format: ${FINDINGS_FORMATS.join(', ')}`, choice(FINDINGS_FORMATS), 'text')
    .option('--fail-on <severity>', `exit 2 when a finding at or above this severity fails: ${SEVERITIES.join(', ')}`, choice(SEVERITIES), 'high')
    .option('--dry-run', 'print every request the probe would send, and send nothing')
    .option('--max-requests <n>', 'request budget for the run', positiveInteger('--max-requests', 1000), DEFAULT_MAX_REQUESTS)
    .option('--timeout <ms>', 'per-request timeout in milliseconds', positiveInteger('--timeout', 120_000), DEFAULT_TIMEOUT_MS)
    .option('--ca <file>', 'also trust this CA certificate (PEM) for TLS; verification cannot be turned off')
    .option('-v, --verbose', 'also list passing findings and every request')
    .addHelpText(
      'after',
      helpFooter({
        exitCodes: '0 nothing fails at or above --fail-on (and --dry-run), 2 failing findings, 1 could not complete (bad baseline, a --url the baseline does not name, no URL answered).',
        notes: [
          'The webhook probe signs with the secret in $CLERK_WEBHOOK_SIGNING_SECRET (or application.webhook_signing_secret_env) when it is set; its deliveries carry the event type "clerkguard.probe", which no handler acts on.',
        ],
        examples: [
          'clerkguard probe --dry-run',
          'clerkguard probe --baseline baselines/production.json --format sarif > clerkguard-probe.sarif',
          'clerkguard probe --url https://app.example.com/dashboard -v',
        ],
      }),
    )
    .action(async (options: ProbeCommandOptions) => {
      const { loadBaselines, printBaselineWarnings } = await import('../../baseline/load.js');
      const { summarize } = await import('../../checklist/index.js');
      const { applicationFindings } = await import('../../evidence/findings.js');
      const { probeUserAgent, runProbe } = await import('../../probe/index.js');
      const { renderProbe } = await import('../../probe/report.js');
      const { readTextFile } = await import('../../util/fs.js');
      const { io } = context;
      const loaded = loadBaselines([options.baseline], io.cwd)[0];
      if (!loaded) throw new ClerkguardError(`no baseline found at ${options.baseline}`);
      printBaselineWarnings([loaded], io.stderr);
      const ca = options.ca ? readTextFile(path.resolve(io.cwd, options.ca), { missing: 'pass the PEM file of the CA that signed the application\'s certificate' }, options.ca) : undefined;
      if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) throw new ClerkguardError(`--ca ${options.ca} is not a PEM certificate`, { hint: 'pass a file holding "-----BEGIN CERTIFICATE-----"' });
      const result = await runProbe(loaded, {
        urls: options.url,
        env: io.env,
        // Wall-clock time, never CLERKGUARD_TODAY: the endpoint checks svix-timestamp against its clock.
        now: new Date(),
        userAgent: probeUserAgent(),
        maxRequests: options.maxRequests,
        timeoutMs: options.timeout,
        ...(options.dryRun ? { dryRun: true } : {}),
        ...(ca ? { ca } : {}),
      });
      const findings = applicationFindings([result.evidence], { environment: loaded.baseline.environment, file: loaded.file, exceptions: loaded.baseline.exceptions, today: context.today() });
      io.stdout(renderProbe({ result, findings, format: options.format, failOn: options.failOn, verbose: options.verbose ?? false, color: io.color, texts: { [loaded.file]: loaded.text } }));
      if (result.dryRun) return context.setExitCode(EXIT_OK);
      if (!result.reached) {
        io.stderr(`clerkguard: no URL answered; nothing was verified\n  hint: check the URLs in ${loaded.file} and the network (the request log above says why each failed)\n`);
        return context.setExitCode(EXIT_FAILED);
      }
      context.setExitCode(summarize(findings, options.failOn).failing_at_threshold > 0 ? EXIT_FINDINGS : EXIT_OK);
    });
}
