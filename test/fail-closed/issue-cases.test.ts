/**
 * Each case issue 9 measured on the CLI, through the CLI's entry point (`main(argv, io)`:
 * argument parsing, the commands, exit codes, stderr) in-process, against the emulator, a
 * recording Slack server and real git. Real parallel processes are in concurrency.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { runMain } from '../helpers/in-process';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import type { FaultSpec } from '../../src/emulator/faults';
import { readAlertStates } from '../../src/notify/state';
import { PRODUCTION_BASELINE_FILE, productionBaseline } from '../drift/fixtures';
import { startSlackServer, type SlackServer } from '../notify/slack-server';

const PRODUCTION_TEXT = readFileSync(PRODUCTION_BASELINE_FILE, 'utf8');
const PLATFORM = '/v1/platform/applications/*';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
let emulator: RunningEmulator;
let slack: SlackServer;
beforeAll(async () => {
  slack = await startSlackServer();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-issue-cases-'));
  mkdirSync(path.join(dir, 'baselines'));
  writeFileSync(path.join(dir, 'baselines', 'production.json'), PRODUCTION_TEXT);
  emulator = await startEmulator({ seed: productionBaseline(), rateLimit: false });
  slack.mode = 'ok';
  slack.requests.length = 0;
});
afterEach(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runMain(args, { cwd: dir, env: { ...emulator.env(), SLACK_BOT_TOKEN: 'xoxb-issue-cases', SLACK_CHANNEL_ID: 'C0CLERKGUARD', SLACK_API_URL: slack.apiUrl, ...env } });
}

async function answerOf(route: string): Promise<Record<string, unknown>> {
  const fapi = route === '/v1/environment';
  const url = fapi ? `${emulator.frontend_api_url}${route}` : `${emulator.bapi_url}${route === PLATFORM ? `/v1/platform/applications/${emulator.application_id}/instances/production/config` : route}`;
  const key = route === PLATFORM ? emulator.platform_api_key : emulator.secret_key;
  return (await (await fetch(url, fapi ? {} : { headers: { Authorization: `Bearer ${key}` } })).json()) as Record<string, unknown>;
}

function answerWith(route: string, answer: unknown): void {
  emulator.faults.add({ kind: 'body', path: route, body: answer } as FaultSpec);
}

const messages = () => slack.messages().map((message) => String(message.text));

describe('issue 9 cases, on the CLI', () => {
  test('Platform session {} while the lifetime is weakened: no "resolved", the alert stays open; export warns', async () => {
    emulator.applySettings({ session: { maximum_lifetime_minutes: 43200 } });
    expect((await cli(['drift', '--slack'])).code).toBe(2);
    answerWith(PLATFORM, { config_version: '3', session: {} });
    const run = await cli(['drift', '--slack']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('settings.session.maximum_lifetime_minutes');
    expect(run.stderr).toMatch(/warning: environment production: GET \/v1\/platform\/applications\/\S+\/instances\/ins_\w+\/config answered without session\.lifetime; settings\.session\.maximum_lifetime_minutes is unverified/);
    expect(messages()).toEqual(['Clerk settings drift in production: 1 weakening', 'clerkguard could not verify 1 alerted setting in production; the drift alert stays open']);
    expect(messages().join('\n')).not.toMatch(/resolved/i);
    // Each environment keeps its own state file beside --state (default .clerkguard/state.json).
    expect(readAlertStates(path.join(dir, '.clerkguard/state.json')).environments.production?.status).toBe('drift');
    expect(existsSync(path.join(dir, '.clerkguard/state/production.json'))).toBe(true);

    const exported = await cli(['export', '--env', 'production']);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain('answered without session.lifetime');
  });

  test('a string where the Platform config has a number: exit 1 naming endpoint and field, nothing written', async () => {
    answerWith(PLATFORM, { config_version: '3', session: { lifetime: '120' } });
    const drift = await cli(['drift', '--slack']);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toMatch(/ERROR\s+Clerk sent a malformed response to GET \/v1\/platform\/\S+ for environment production: session\.lifetime is a string "120", expected an integer or null/);
    expect(messages()).toEqual(['clerkguard could not check production']);
    const exported = await cli(['export', '--env', 'production', '--out', 'live.json']);
    expect(exported.code).toBe(1);
    expect(() => readFileSync(path.join(dir, 'live.json'))).toThrow();
  });

  test('FAPI {} or {"user_settings":{}} and /v1/instance without allowed_origins: exit 1, never holes', async () => {
    answerWith('/v1/environment', {});
    const empty = await cli(['export', '--env', 'production']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('Clerk sent a malformed response to GET /v1/environment for environment production: display_config is missing');
    emulator.faults.clear();

    emulator.applySettings({ sign_in: { second_factor: { required: false } } });
    const environment = await answerOf('/v1/environment');
    answerWith('/v1/environment', { ...environment, user_settings: {} });
    const drift = await cli(['drift']);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain('user_settings.sign_in is missing');
    expect(drift.stdout).not.toMatch(/NEUTRAL|removed/);
    emulator.faults.clear();

    emulator.applySettings({ instance: { allowed_origins: ['*'] } });
    const { allowed_origins: _dropped, ...instance } = await answerOf('/v1/instance');
    answerWith('/v1/instance', instance);
    const origins = await cli(['drift']);
    expect(origins.code).toBe(1);
    expect(origins.stdout).toContain('allowed_origins is missing');
    expect(origins.stdout).not.toMatch(/STRENGTHENING/);
  });

  test('the README nightly setup (no Platform key) on an unchanged instance: CLEAN, exit 0; snapshot counts no unverified path', async () => {
    const noPlatform = { CLERK_PLATFORM_API_KEY: '', CLERK_APPLICATION_ID: '' };
    const drift = await cli(['drift', '--slack'], noPlatform);
    expect(drift.code).toBe(0);
    expect(drift.stdout).toContain('production (baseline 1.0.0, baselines/production.json): CLEAN — no changes');
    expect(drift.stdout).toContain('settings.session.inactivity_timeout_minutes');
    expect(drift.stdout).not.toContain('removed');
    expect(messages()).toEqual([]);
    // --strict: every managed setting must be verified.
    expect((await cli(['drift', '--strict'], noPlatform)).code).toBe(2);

    execFileSync('git', ['init', '-q', dir]);
    const snapshot = await cli(['snapshot', '--format', 'json'], noPlatform);
    expect(snapshot.code).toBe(0);
    const run = JSON.parse(snapshot.stdout) as { environments: { summary: { drift_changes: number } }[] };
    expect(run.environments[0]!.summary.drift_changes).toBe(0);
  });

  test('a JWT template and a claim named __proto__, live or in a baseline, are visible', async () => {
    emulator.applySettings({ jwt_templates: JSON.parse('{"__proto__":{"claims":{"__proto__":{"role":"admin"}},"lifetime":3600}}') as never });
    const live = await cli(['drift', '--strict', '--verbose']);
    expect(live.code).toBe(2);
    expect(live.stdout).toContain('settings.jwt_templates.__proto__');

    writeFileSync(path.join(dir, 'baselines', 'production.json'), PRODUCTION_TEXT.replace('"claims": {', '"claims": { "__proto__": { "tenant": "acme" },'));
    const check = await cli(['check', '--format', 'json']);
    expect(check.code).toBe(0);
    const declared = await cli(['drift']);
    expect(declared.code).toBe(2);
    expect(declared.stdout).toContain('settings.jwt_templates.supabase.claims.__proto__');
  });

  test('pages that never reach total_count: exit 1 in one request, not an endless loop', async () => {
    emulator.faults.add({ kind: 'body', path: '/v1/organization_roles', text: '{"data":[{"object":"role","id":"role_{{n}}","key":"org:r{{n}}","name":"R","description":null,"permissions":[]}],"total_count":1000000000}' });
    const run = await cli(['drift']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('total_count 1000000000 is more than the limit of 100000 items');
    expect(emulator.requests.filter((request) => request.path === '/v1/organization_roles')).toHaveLength(1);
  });

  test('5,000-deep JSON: a clear error with file:line for files and the endpoint for answers; drift --slack still reports and alerts', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    writeFileSync(path.join(dir, 'deep.json'), PRODUCTION_TEXT.replace('"claims": {', `"claims": { "deep": ${deep},`));
    const check = await cli(['check', 'deep.json']);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/deep\.json:\d+:\d+ settings\.jwt_templates\.supabase\.claims\.deep\.a\.a\.a\["…"\]: nested deeper than 64 levels/);
    expect(check.stderr).not.toContain('Maximum call stack');

    writeFileSync(path.join(dir, 'dashboard.json'), `{"schema_version":1,"settings":{"jwt_templates":{"t":{"lifetime":60,"claims":${deep}}}}}`);
    const dashboard = await cli(['drift', '--dashboard-export', 'dashboard.json']);
    expect(dashboard.code).toBe(1);
    expect(dashboard.stderr).toMatch(/dashboard\.json:1:\d+ .*nested deeper than 64 levels/);

    const seed = await cli(['emulator', '--seed', 'deep.json']);
    expect(seed.code).toBe(1);
    expect(seed.stderr).toContain('nested deeper than 64 levels');

    emulator.faults.add({ kind: 'body', path: '/v1/jwt_templates', text: `[{"object":"jwt_template","id":"jtmp_1","name":"supabase","claims":{"deep":${deep}},"lifetime":60,"allowed_clock_skew":5,"custom_signing_key":false,"signing_algorithm":"RS256"}]` });
    const live = await cli(['drift', '--slack']);
    expect(live.code).toBe(1);
    expect(live.stdout).toContain('GET /v1/jwt_templates for environment production: JSON nested deeper than 64 levels');
    expect(messages()).toEqual(['clerkguard could not check production']);
    expect(readFileSync(path.join(dir, '.clerkguard/last-report/report.json'), 'utf8')).toContain('"status": "error"');
    expect(readFileSync(path.join(dir, '.clerkguard/state/production.json'), 'utf8')).toContain('"error"');
  });

  test('duplicate keys, a BOM, non-UTF-8 bytes and symlink loops are errors that name themselves', async () => {
    const baseline = path.join(dir, 'baselines', 'production.json');
    writeFileSync(baseline, PRODUCTION_TEXT.replace('"profile": "saas",', '"profile": "banking",\n  "profile": "saas",'));
    const duplicate = await cli(['check']);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('baselines/production.json:7:3 profile: duplicate key "profile" (first at line 6, column 3)');

    writeFileSync(baseline, `\uFEFF${PRODUCTION_TEXT}`);
    expect((await cli(['check'])).stderr).toContain('baselines/production.json:1:1 the file starts with a byte order mark (BOM, U+FEFF)');

    writeFileSync(baseline, Buffer.concat([Buffer.from(PRODUCTION_TEXT.slice(0, 40)), Buffer.from([0xe9]), Buffer.from(PRODUCTION_TEXT.slice(40))]));
    const latin1 = await cli(['check']);
    expect(latin1.code).toBe(1);
    expect(latin1.stderr).toMatch(/baselines\/production\.json:\d+:\d+: not valid UTF-8 \(byte 0xE9\)/);

    rmSync(baseline);
    symlinkSync('loop-b.json', path.join(dir, 'baselines', 'loop-a.json'));
    symlinkSync('loop-a.json', path.join(dir, 'baselines', 'loop-b.json'));
    for (const args of [['check'], ['drift'], ['snapshot'], ['check', 'baselines/loop-a.json'], ['export', '--baseline', 'baselines/loop-a.json'], ['drift', '--dashboard-export', 'baselines/loop-a.json']]) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr, args.join(' ')).toContain('ELOOP');
    }
  });

  test('--cron, --timezone, --quarter and schema --write refuse what they cannot honour, in one line', async () => {
    const sixFields = await cli(['schedule', '--cron', '* * * * * *']);
    expect([sixFields.code, sixFields.stderr]).toEqual([1, expect.stringContaining('the drift schedule "* * * * * *" has 6 fields, not 5')]);
    const never = await cli(['schedule', '--once', '--cron', '0 0 31 2 *']);
    expect([never.code, never.stderr]).toEqual([1, expect.stringContaining('never fires')]);
    const zone = await cli(['schedule', '--once', '--timezone', '']);
    expect([zone.code, zone.stderr]).toEqual([1, expect.stringContaining('--timezone is empty')]);
    const quarter = await cli(['snapshot', '--quarter', '0042-Q1']);
    expect([quarter.code, quarter.stderr]).toEqual([1, expect.stringContaining('is not a plausible quarter')]);
    const schema = await cli(['schema', '--write', 'new/folder/schema.json']);
    expect(schema.code).toBe(0);
    expect(schema.stderr).toBe('wrote new/folder/schema.json (created new/folder/)\n');
    expect(JSON.parse(readFileSync(path.join(dir, 'new/folder/schema.json'), 'utf8'))).toHaveProperty('$schema');
    writeFileSync(path.join(dir, 'file'), 'x');
    const blocked = await cli(['schema', '--write', 'file/schema.json']);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr.trim().split('\n')).toEqual(['clerkguard: file/schema.json: cannot write the schema (file is not a directory)']);
  });
});
