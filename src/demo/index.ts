/**
 * `clerkguard demo`: the whole drift story in one command, with no Clerk account and no Slack
 * workspace. A local Clerk emulator is seeded from the packaged baselines/production.json;
 * a first drift run is clean; then three dashboard-style changes are made through the
 * emulator's APIs (the Platform API config for the session timeout, the Backend API through
 * the official @clerk/backend client for the JWT template and the allowed origins); a second
 * run reports exactly those changes. The markdown report and the Slack Block Kit payload
 * preview are written to the output folder.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadBaselineFile, type LoadedBaseline } from '../baseline/load';
import { runDriftJob, type DriftJobResult } from '../drift/job';
import { exportLive } from '../export/index';
import { startEmulator, type RunningEmulator } from '../emulator/index';
import { renderDrift } from '../report/drift';
import { describeCounts, countChanges } from '../report/drift-summary';
import { ClerkguardError } from '../util/errors';

export interface DemoOptions {
  outDir: string;
  today: string;
  now: Date;
  color: boolean;
  write(text: string): void;
  /** The baseline to seed from (default: the packaged baselines/production.json). */
  baselineFile?: string;
}

export interface DemoResult {
  before: DriftJobResult;
  after: DriftJobResult;
  files: string[];
}

/** The baseline shipped with the package: found next to dist/ or src/, not via the cwd. */
export function packagedBaselineFile(): string {
  const file = path.resolve(__dirname, '../../baselines/production.json');
  if (!existsSync(file)) throw new ClerkguardError(`the demo baseline is missing (${file})`, { hint: 'reinstall clerkguard; the package ships baselines/production.json' });
  return file;
}

export const DEMO_CHANGES = {
  /** 30 days, written as the Platform config's session.lifetime in seconds. */
  maximum_lifetime_minutes: 43200,
  jwt_template: 'supabase',
  email_claim: '{{user.primary_email_address}}',
  jwt_lifetime_seconds: 3600,
  extra_origin: 'https://preview.example.dev',
} as const;

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const file = options.baselineFile ?? packagedBaselineFile();
  // Shown as the package-relative name: the absolute install path is noise in a demo.
  const loaded: LoadedBaseline = { ...loadBaselineFile(file), file: options.baselineFile ?? 'baselines/production.json' };
  const emulator = await startEmulator({ seed: loaded, rateLimit: false });
  const say = options.write;
  try {
    say(`clerkguard demo: a local Clerk emulator at ${emulator.bapi_url}, seeded from ${path.basename(file)} (baseline ${loaded.baseline.version}).\n\n`);
    const job = (outDir?: string) =>
      runDriftJob({
        baselines: [loaded],
        exporter: (item, listener) => exportLive(item, { env: { ...emulator.env() }, now: options.now, ...listener }),
        today: options.today,
        now: options.now,
        ...(outDir ? { outDir, slackPreview: true } : {}),
      });

    const before = await job();
    say(`1. Drift before any change: ${before.report.status} (${describeCounts(countChanges(before.report.environments[0]?.changes ?? []))}).\n\n`);

    say('2. Dashboard-style changes through the emulator\'s APIs:\n');
    await makeDemoChanges(emulator, loaded, say);

    const after = await job(options.outDir);
    if (after.writeError) throw after.writeError;
    say('\n3. Drift after the changes:\n\n');
    say(renderDrift('text', after.report, { color: options.color }));
    say(`\nWrote ${after.files.filter((item) => /report\.md$|slack-preview\.json$/.test(item)).map((item) => path.relative(process.cwd(), item) || item).join(' and ')} (plus report.json, report.sarif, report.txt).\n`);
    say('Next: put your own settings in baselines/<env>.json and run `clerkguard drift` against your instance (see README.md).\n');
    return { before, after, files: after.files };
  } finally {
    await emulator.close();
  }
}

async function makeDemoChanges(emulator: RunningEmulator, loaded: LoadedBaseline, say: (text: string) => void): Promise<void> {
  const environment = loaded.baseline.environment;
  const platform = await fetch(`${emulator.platform_api_url}/v1/platform/applications/${emulator.application_id}/instances/${environment}/config`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${emulator.platform_api_key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ session: { lifetime: DEMO_CHANGES.maximum_lifetime_minutes * 60 } }),
  });
  if (!platform.ok) throw new ClerkguardError(`the emulator refused the session change (HTTP ${platform.status})`);
  say(`   - maximum session lifetime raised to 30 days (Platform API PATCH …/config, session.lifetime)\n`);

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createClerkClient } = require('@clerk/backend') as typeof import('@clerk/backend');
  const clerk = createClerkClient({ secretKey: emulator.secret_key, apiUrl: emulator.bapi_url, telemetry: { disabled: true } });
  // The SDK asks for paginated=true and gets {data, total_count}; the spec still declares a bare array.
  const listed = (await clerk.jwtTemplates.list()) as unknown;
  const templates = (Array.isArray(listed) ? listed : (listed as { data: unknown[] }).data) as Awaited<ReturnType<typeof clerk.jwtTemplates.get>>[];
  const template = templates.find((item) => item.name === DEMO_CHANGES.jwt_template);
  if (!template) throw new ClerkguardError(`the emulator has no JWT template "${DEMO_CHANGES.jwt_template}"`);
  await clerk.jwtTemplates.update({
    templateId: template.id,
    name: template.name,
    claims: { ...(template.claims as Record<string, unknown>), email: DEMO_CHANGES.email_claim },
    lifetime: DEMO_CHANGES.jwt_lifetime_seconds,
  });
  say(`   - JWT template "${template.name}" given an email claim and a 1 h lifetime (@clerk/backend jwtTemplates.update)\n`);

  const instance = await clerk.instance.get();
  await clerk.instance.update({ allowedOrigins: [...(instance.allowedOrigins ?? []), DEMO_CHANGES.extra_origin] });
  say(`   - extra allowed origin ${DEMO_CHANGES.extra_origin} (@clerk/backend instance.update)\n`);
}
