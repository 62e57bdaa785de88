/**
 * The Slack alert lifecycle for application evidence, through the drift job as users run it
 * (`clerkguard drift --probe|--scan --slack`, in-process through the CLI's entry point) against
 * the Clerk API emulator, a local application (node:http) and a recording Slack server.
 *
 * An alert that rests on probe or code evidence stays open ("could not verify") when this run's
 * probe or scan could not decide that rule at that location — an endpoint that now answers 404, a
 * file that no longer parses, a run without --probe — and is "resolved" only when it decided.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { runMain } from '../helpers/in-process';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import type { EnvironmentDrift } from '../../src/drift/types';
import { undecidedApplicationPaths } from '../../src/evidence/drift';
import { productionBaseline } from '../drift/fixtures';
import { startServer, type RunningServer } from '../probe/app-server';
import { startSlackServer, type SlackServer } from './slack-server';

const WEBHOOK = '/api/webhooks/clerk';
type AppMode = 'accepts-anything' | 'moved' | 'verifies';

let slack: SlackServer;
let app: RunningServer;
let mode: AppMode = 'accepts-anything';
let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  slack = await startSlackServer();
  app = await startServer((request, res) => {
    if (request.method === 'POST' && request.url === WEBHOOK && mode !== 'moved') {
      // 'verifies' stands for a handler that refuses a delivery it cannot verify.
      if (mode === 'verifies') res.writeHead(400, { 'content-type': 'text/plain' }).end('Error verifying webhook');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
});
afterAll(async () => {
  await Promise.all([slack?.close(), app?.close()]);
});
beforeEach(async () => {
  mode = 'accepts-anything';
  dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-app-alerts-'));
  mkdirSync(path.join(dir, 'baselines'));
  // The shipped production baseline, naming the local app and its webhook endpoint.
  const baseline = JSON.parse(productionBaseline().text) as Record<string, unknown> & { settings: { webhooks: Record<string, unknown> } };
  baseline.application = { origins: [app.origin], pages: [] };
  baseline.settings.webhooks.endpoints = { [`${app.origin}${WEBHOOK}`]: { events: ['user.created', 'user.updated', 'user.deleted'] } };
  writeFileSync(path.join(dir, 'baselines', 'production.json'), `${JSON.stringify(baseline, null, 2)}\n`);
  emulator = await startEmulator({ seed: productionBaseline(), rateLimit: false });
  slack.mode = 'ok';
  slack.requests.length = 0;
});
afterEach(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

async function drift(...extra: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runMain(['drift', 'baselines/production.json', '--slack', ...extra], { cwd: dir, env: { ...emulator.env(), SLACK_BOT_TOKEN: 'xoxb-app-alerts', SLACK_CHANNEL_ID: 'C0CLERKGUARD', SLACK_API_URL: slack.apiUrl } });
}

const texts = () => slack.messages().map((message) => String(message.text));
const state = () => (JSON.parse(readFileSync(path.join(dir, '.clerkguard/state/production.json'), 'utf8')) as { environments: { production: { status: string; alert?: { paths?: string[] } } } }).environments.production;

describe('Slack lifecycle for probe evidence (drift --probe --slack)', () => {
  test('an endpoint that then answers 404 keeps the alert open ("could not verify"); a decided refusal resolves it', async () => {
    const first = await drift('--probe');
    expect(first.code).toBe(2);
    expect(texts()).toEqual(['Clerk settings drift in production: 1 weakening']);
    const alerted = `settings.webhooks.signature_verification["probe ${app.origin}${WEBHOOK}"]`;
    expect(state().alert?.paths).toContain(alerted);

    mode = 'moved';
    const moved = await drift('--probe');
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain('undecided');
    expect(texts()).toEqual(['Clerk settings drift in production: 1 weakening', 'clerkguard could not verify 1 alerted setting in production; the drift alert stays open']);
    expect(JSON.stringify(slack.messages()[1]?.blocks)).toContain(`probe ${app.origin}${WEBHOOK}`);
    expect(texts().join('\n')).not.toMatch(/resolved/i);
    expect(state()).toMatchObject({ status: 'drift' });
    // The same undecided run again posts nothing new.
    await drift('--probe');
    expect(texts()).toHaveLength(2);

    // A run without --probe cannot decide it either.
    await drift();
    expect(texts()).toHaveLength(2);
    expect(state()).toMatchObject({ status: 'drift' });

    mode = 'verifies';
    const fixed = await drift('--probe');
    expect(fixed.code).toBe(0);
    expect(texts()[2]).toMatch(/^Clerk drift resolved in production/);
    expect(state()).toMatchObject({ status: 'clean' });
  });
});

describe('Slack lifecycle for code evidence (drift --scan --slack)', () => {
  const unverified = "import { Webhook } from 'svix';\nexport async function POST(req: Request) {\n  const body = await req.text();\n  return new Response(body ? 'ok' : 'empty');\n}\n";
  const verified =
    "import { verifyWebhook } from '@clerk/nextjs/webhooks';\nexport async function POST(req: Request) {\n  try {\n    const event = await verifyWebhook(req);\n    return new Response(event.type);\n  } catch {\n    return new Response('invalid', { status: 400 });\n  }\n}\n";
  const route = 'app/api/webhooks/clerk/route.ts';

  test('a file that no longer parses keeps the alert open; a verified handler resolves it', async () => {
    // This small app has no session revocation (item 6) and no de-duplication (item 11): waived,
    // so the alert is about signature verification (item 9) alone.
    const file = path.join(dir, 'baselines', 'production.json');
    const baseline = JSON.parse(readFileSync(file, 'utf8')) as { exceptions: unknown[] };
    const waive = (rule: string) => ({ rule, reason: 'handled by the auth service', owner: 'platform-team', expires: '2027-06-30' });
    baseline.exceptions.push(waive('session-revoke-on-security-events'), waive('webhook-idempotency'));
    writeFileSync(file, JSON.stringify(baseline));
    const code = path.join(dir, 'web');
    mkdirSync(path.join(code, 'app/api/webhooks/clerk'), { recursive: true });
    writeFileSync(path.join(code, route), unverified);
    const first = await drift('--scan', 'web');
    expect(first.code, first.stdout).toBe(2);
    expect(texts()).toEqual(['Clerk settings drift in production: 1 weakening, 4 suppressed']);
    expect(state().alert?.paths?.some((alerted) => alerted.startsWith(`settings.webhooks.signature_verification["code web/${route}:`))).toBe(true);

    writeFileSync(path.join(code, route), `${unverified}export const broken = (;\n`);
    const broken = await drift('--scan', 'web');
    expect(broken.code).toBe(0);
    expect(broken.stdout).toContain('undecided');
    expect(texts().slice(1)).toEqual(['clerkguard could not verify 1 alerted setting in production; the drift alert stays open']);
    expect(state()).toMatchObject({ status: 'drift' });

    writeFileSync(path.join(code, route), verified);
    const fixed = await drift('--scan', 'web');
    expect(fixed.code).toBe(0);
    expect(texts()[2]).toMatch(/^Clerk drift resolved in production/);
    expect(state()).toMatchObject({ status: 'clean' });
  });
});

describe('which alerted application paths a run left undecided', () => {
  const url = 'https://app.example.com/api/webhooks/clerk';
  const probePath = `settings.webhooks.signature_verification["probe ${url}"]`;
  const codePath = 'settings.webhooks.signature_verification["code web/app/api/webhooks/clerk/route.ts:2:1"]';
  const settingPath = 'settings.session.maximum_lifetime_minutes';
  const environment = (application: EnvironmentDrift['application']): EnvironmentDrift =>
    ({ environment: 'production', status: 'clean', changes: [], coverage: {}, errors: [], ...(application ? { application } : {}) }) as unknown as EnvironmentDrift;
  const sources = (...names: ('probe' | 'code')[]) => names.map((source) => ({ source, subjects: [], examined: ['webhook-signature-verification'] }));
  const gap = (source: 'probe' | 'code', rule: string, location?: { url?: string; file?: string }) => ({ source, rule, message: 'undecided', ...(location ? { location } : {}) });
  const cases: { name: string; application: EnvironmentDrift['application']; undecided: string[] }[] = [
    { name: 'no application evidence this run', application: undefined, undecided: [probePath, codePath] },
    { name: 'both decided, nothing undecided', application: { sources: sources('probe', 'code'), gaps: [] }, undecided: [] },
    { name: 'the same URL undecided', application: { sources: sources('probe', 'code'), gaps: [gap('probe', 'webhook-signature-verification', { url })] }, undecided: [probePath] },
    { name: 'another URL undecided (this one was decided)', application: { sources: sources('probe', 'code'), gaps: [gap('probe', 'webhook-signature-verification', { url: `${url}-v2` })] }, undecided: [] },
    { name: 'another rule undecided at the same URL', application: { sources: sources('probe', 'code'), gaps: [gap('probe', 'webhook-idempotency', { url })] }, undecided: [] },
    { name: 'the probe could not run at all', application: { sources: sources('code'), gaps: [gap('probe', 'probe-not-run')] }, undecided: [probePath] },
    { name: 'the alerted file not analysed', application: { sources: sources('probe', 'code'), gaps: [gap('code', 'scan-file-not-analysed', { file: 'web/app/api/webhooks/clerk/route.ts' })] }, undecided: [codePath] },
    { name: 'the rule undecided for the whole application', application: { sources: sources('probe', 'code'), gaps: [gap('code', 'webhook-signature-verification', { file: '.' })] }, undecided: [codePath] },
    { name: 'the source did not judge the rule', application: { sources: [{ source: 'probe', subjects: [], examined: [] }, ...sources('code')], gaps: [] }, undecided: [probePath] },
  ];
  for (const testCase of cases) {
    test(testCase.name, () => {
      expect(undecidedApplicationPaths([probePath, codePath, settingPath], environment(testCase.application))).toEqual(testCase.undecided);
    });
  }
});
