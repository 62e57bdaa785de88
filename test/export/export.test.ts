/**
 * exportLive and `clerkguard export` against the emulator: full settings with coverage, the
 * dashboard export merge, attestations, changes made through the emulator's APIs, and every
 * failure mode as the CLI reports it (exit 1, one message, no partial file, no secrets).
 */
import { createServer, type AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBaselineFile } from '../../src/baseline/load';
import { createClerkApi } from '../../src/clerk/api';
import { connectionFromEnv } from '../../src/clerk/connection';
import { writeJwtTemplate } from '../../src/clerk/settings-io';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { diffBaseline } from '../../src/drift/index';
import { exportLive } from '../../src/export/export';
import { readLiveExportFile } from '../../src/export/files';
import { liveExportSchema } from '../../src/export/types';
import { validateWithSchema } from '../../src/baseline/validate';

const ROOT = path.resolve(__dirname, '..', '..');
const BASELINE = path.join(ROOT, 'baselines', 'production.json');
const SENTINEL = 'sk_live_SENTINELexportKEYdoNotLeak987654321';
const FAST = { CLERKGUARD_HTTP_BACKOFF_MS: '5', CLERKGUARD_RETRY_AFTER_SCALE: '0.01', CLERKGUARD_HTTP_RETRIES: '2' };

let emulator: RunningEmulator;
let dir: string;
const loaded = loadBaselineFile(BASELINE);

beforeEach(async () => {
  emulator = await startEmulator({ seed: loaded, secretKey: SENTINEL });
  dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-export-'));
});

afterEach(async () => {
  await emulator.close();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns the CLI asynchronously: the emulator lives in this process and must keep serving. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'clerkguard'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', CLERKGUARD_TODAY: '2026-11-26', ...FAST, ...emulator.env(), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function expectNoSecrets(...texts: string[]): void {
  for (const text of texts) {
    expect(text).not.toContain(SENTINEL);
    expect(text).not.toContain(emulator.platform_api_key);
    expect(text).not.toContain(emulator.state.platform.secrets['captcha.secret_key']!);
  }
}

describe('exportLive', () => {
  it('returns the full settings with coverage for every path, attestations from the baseline', async () => {
    const live = await exportLive(loaded, { env: emulator.env(), now: new Date('2026-11-26T12:00:00Z') });
    expect(liveExportSchema.parse(live)).toEqual(live);
    expect(live).toMatchObject({ kind: 'clerkguard-live-export', environment: 'production', instance_id: emulator.state.instance_id, baseline_version: '1.0.0', captured_at: '2026-11-26T12:00:00.000Z' });
    // Everything the baseline declares and an API can read came back equal to the seed.
    const { settings } = loaded.baseline;
    expect(live.settings.instance).toEqual({ ...settings.instance, domains: { 'example.com': { is_satellite: false, proxy_url: null } } });
    expect(live.settings.organizations?.roles).toEqual(settings.organizations?.roles);
    expect(live.settings.jwt_templates).toEqual(settings.jwt_templates);
    // The inactivity timeout has no documented API field; revoke_on and cookie_same_site are declarations.
    expect(live.settings.session).toEqual({ maximum_lifetime_minutes: 10080, partitioned_cookies: false, revoke_on: settings.session!.revoke_on, cookie_same_site: 'lax' });
    expect(live.settings.practices).toEqual(settings.practices);
    expect(live.settings.keys).toEqual({
      expected_environment: 'live',
      last_rotation: { attested_by: 'platform-team', attested_at: '2026-10-01', evidence: 'CHG-2291: secret key reset in the dashboard after servers were redeployed with the new key' },
      rotation_max_age_days: 180,
    });
    expect(live.coverage).toMatchObject({
      'instance.allowed_origins': 'bapi',
      'instance.hibp': 'fapi',
      'session.inactivity_timeout_minutes': 'unverified',
      'session.maximum_lifetime_minutes': 'platform',
      'session.revoke_on': 'attested',
      'session.cookie_same_site': 'attested',
      'instance.domains': 'bapi',
      oauth_application_settings: 'bapi',
      'webhooks.endpoints': 'unverified',
      'webhooks.signature_verification': 'attested',
      'keys.expected_environment': 'bapi',
      practices: 'attested',
    });
    expect(live.sensitive?.['keys.secret_key']).toEqual({ present: true, fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) });
    expectNoSecrets(JSON.stringify(live));
  });

  it('merges a dashboard export for what no API exposes, and never over an API value', async () => {
    const file = path.join(dir, 'dashboard.json');
    writeFileSync(
      file,
      JSON.stringify({
        schema_version: 1,
        environment: 'production',
        exported_at: '2026-11-20',
        exported_by: 'platform-team',
        settings: {
          session: { inactivity_timeout_minutes: 999, revoke_on: ['password_change', 'email_change'], cookie_same_site: 'lax' },
          webhooks: { endpoints: { 'https://api.example.com/webhooks/clerk': { events: ['user.deleted'] } } },
        },
      }),
    );
    const live = await exportLive(loaded, { env: emulator.env(), dashboardExport: file, now: new Date('2026-11-26T12:00:00Z') });
    expect(live.settings.session).toEqual({ inactivity_timeout_minutes: 999, maximum_lifetime_minutes: 10080, partitioned_cookies: false, revoke_on: ['password_change', 'email_change', 'mfa_enrollment'], cookie_same_site: 'lax' });
    expect(live.coverage).toMatchObject({ 'session.inactivity_timeout_minutes': 'export-file', 'session.revoke_on': 'attested', 'session.cookie_same_site': 'attested', 'webhooks.endpoints': 'export-file' });
  });

  it('reports dashboard-export values it does not use: API values win, attestations come from the baseline', async () => {
    const warnings: string[] = [];
    await exportLive(loaded, {
      env: emulator.env(),
      onWarning: (message) => warnings.push(message),
      now: new Date('2026-11-26T12:00:00Z'),
      dashboardExport: {
        schema_version: 1,
        exported_at: '2026-11-20',
        exported_by: 'platform-team',
        settings: {
          session: { maximum_lifetime_minutes: 999, cookie_same_site: 'lax' },
          instance: { allowed_origins: ['https://www.example.com', 'https://app.example.com'] },
          practices: { server_side_session_verification: { attested_by: 'x', attested_at: '2026-11-01', evidence: 'y' } },
        },
      },
    });
    expect(warnings).toEqual([
      'environment production: dashboard export: settings.session.maximum_lifetime_minutes differs from what platform returned; the platform value is used',
      'environment production: dashboard export: settings.session.cookie_same_site ignored (attestations come from the baseline)',
      'environment production: dashboard export: settings.practices ignored (attestations come from the baseline)',
    ]);
  });

  it('a feature the instance does not offer (402) leaves its group unverified, with a warning, and the export goes on', async () => {
    emulator.faults.add({ kind: 'status', status: 402, path: '/v1/instance/organization_settings' });
    const warnings: string[] = [];
    const live = await exportLive(loaded, { env: emulator.env(), onWarning: (message) => warnings.push(message) });
    emulator.faults.clear();
    expect(live.settings.organizations).toBeUndefined();
    expect(live.settings.jwt_templates).toBeDefined();
    expect(live.coverage['organizations.settings']).toBe('unverified');
    expect(warnings).toEqual(['environment production: GET /v1/instance/organization_settings answered 402 (not available on this instance); its settings are unverified']);
  });

  it('without Platform access, session comes from the dashboard export or is unverified', async () => {
    const env: Record<string, string> = { ...emulator.env() };
    delete env.CLERK_PLATFORM_API_KEY;
    const live = await exportLive(loaded, { env, now: new Date('2026-11-26T12:00:00Z'), dashboardExport: { schema_version: 1, exported_at: '2026-11-20', exported_by: 'platform-team', settings: { session: { inactivity_timeout_minutes: 45 } } } });
    expect(live.settings.session).toMatchObject({ inactivity_timeout_minutes: 45 });
    expect(live.settings.session?.maximum_lifetime_minutes).toBeUndefined();
    expect(live.coverage).toMatchObject({ 'session.inactivity_timeout_minutes': 'export-file', 'session.maximum_lifetime_minutes': 'unverified' });
  });

  it('rejects an invalid dashboard export with file:line:col, path and hint', async () => {
    const file = path.join(dir, 'dashboard.json');
    writeFileSync(file, '{\n  "schema_version": 1,\n  "exported_at": "2026-11-20",\n  "exported_by": "ops",\n  "settings": {\n    "session": { "inactivity_timeout_minute": 30 }\n  }\n}\n');
    await expect(exportLive(loaded, { env: emulator.env(), dashboardExport: file })).rejects.toThrow(/dashboard\.json:6:18 settings\.session\.inactivity_timeout_minute: unknown key "inactivity_timeout_minute"\n\s+hint: did you mean "inactivity_timeout_minutes"\?/);
    await expect(exportLive(loaded, { env: emulator.env(), dashboardExport: { schema_version: 1, environment: 'staging', exported_at: '2026-11-20', exported_by: 'ops', settings: {} } })).rejects.toThrow(/dashboard export is for environment "staging"/);
    const other = path.join(dir, 'staging-dashboard.json');
    writeFileSync(other, JSON.stringify({ schema_version: 1, environment: 'staging', exported_at: '2026-11-20', exported_by: 'ops', settings: {} }));
    await expect(exportLive(loaded, { env: emulator.env(), dashboardExport: other })).rejects.toThrow(`${other}: the dashboard export is for environment "staging", not "production"`);
  });

  it('a session.lifetime of null (meaning undocumented) is unverified: never drift, never "in sync"', async () => {
    emulator.state.platform.config.session!.lifetime = null;
    const warnings: string[] = [];
    const live = await exportLive(loaded, { env: emulator.env(), onWarning: (message) => warnings.push(message) });
    expect(live.coverage['session.maximum_lifetime_minutes']).toBe('unverified');
    expect(live.settings.session?.maximum_lifetime_minutes).toBeUndefined();
    expect(warnings).toContainEqual('environment production: GET …/config answered session.lifetime = null, and what null means for the maximum lifetime is not documented; settings.session.maximum_lifetime_minutes is unverified');
    const drift = diffBaseline(loaded, live, { today: '2026-11-26' });
    expect(drift.changes.map((change) => change.path)).not.toContain('settings.session.maximum_lifetime_minutes');
    expect(drift.unverified?.map((entry) => entry.path)).toContain('settings.session.maximum_lifetime_minutes');
  });

  it('manages a Platform config key clerkguard has no typed model for: validated against the instance schema, exported, drift shows a change', async () => {
    const managed = structuredClone(loaded);
    managed.baseline.settings.platform_config = { captcha: { widget_type: 'smart' } };
    const live = await exportLive(managed, { env: emulator.env() });
    // Only the fields the baseline declares are exported; the secret beside them only as presence + fingerprint.
    expect(live.settings.platform_config?.captcha).toEqual({ widget_type: 'smart' });
    expect(live.sensitive?.['platform.captcha.secret_key']).toEqual({ present: true, fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) });
    expect(live.coverage['platform_config.captcha']).toBe('platform');
    expect(diffBaseline(managed, live, { today: '2026-11-26' }).changes.filter((change) => change.path.startsWith('settings.platform_config'))).toEqual([]);
    emulator.applySettings({ platform_config: { captcha: { widget_type: 'invisible' } } });
    const after = diffBaseline(managed, await exportLive(managed, { env: emulator.env() }), { today: '2026-11-26' });
    expect(after.changes).toContainEqual(expect.objectContaining({ path: 'settings.platform_config.captcha.widget_type', baseline: 'smart', live: 'invisible', direction: 'neutral', source: 'platform' }));
    // A key or value the instance's own schema does not allow is bad input, naming the path.
    const typo = structuredClone(loaded);
    typo.baseline.settings.platform_config = { captcha: { widget_type: 'loud' }, sesion: { lifetime: 60 } };
    await expect(exportLive(typo, { env: emulator.env() })).rejects.toThrow(
      /settings\.platform_config\.sesion: is not a key of this instance's Platform config \(did you mean "session"\?\); settings\.platform_config\.captcha\.widget_type: must be equal to one of the allowed values/,
    );
  });

  it('exports a default role only when the baseline manages it, with its live permissions', async () => {
    const managed = structuredClone(loaded);
    managed.baseline.settings.organizations!.roles = {
      ...managed.baseline.settings.organizations!.roles,
      'org:admin': { name: 'Admin', description: 'Role with elevated permissions', permissions: ['org:sys_profile:manage', 'org:sys_memberships:manage'] },
    };
    const pinned = await startEmulator({ seed: managed, secretKey: SENTINEL });
    try {
      const live = await exportLive(managed, { env: pinned.env() });
      expect(live.settings.organizations?.roles?.['org:admin']).toEqual(managed.baseline.settings.organizations!.roles!['org:admin']);
      expect(live.settings.organizations?.roles).not.toHaveProperty('org:member');
      expect(diffBaseline(managed, live, { today: '2026-11-26' }).changes.filter((change) => change.path.includes('org:admin'))).toEqual([]);
      // A permission added to the built-in role in the dashboard is now seen.
      pinned.applySettings({ organizations: { roles: { 'org:admin': { name: 'Admin', description: 'Role with elevated permissions', permissions: ['org:sys_profile:manage', 'org:sys_memberships:manage', 'org:sys_profile:delete'] } } } });
      const after = await exportLive(managed, { env: pinned.env() });
      expect(diffBaseline(managed, after, { today: '2026-11-26' }).changes.some((change) => change.path.includes('org:admin'))).toBe(true);
      // Without the baseline managing them, built-ins stay out of the export.
      expect((await exportLive(loaded, { env: pinned.env() })).settings.organizations?.roles).not.toHaveProperty('org:admin');
    } finally {
      await pinned.close();
    }
  });

  it('shows changes made through the emulator APIs in the next export', async () => {
    const api = createClerkApi(connectionFromEnv(loaded.baseline.target, emulator.env(), { environment: 'production' }));
    await api.updateInstance({ allowed_origins: ['https://app.example.com', 'https://www.example.com', 'https://preview.example.dev'] });
    const template = loaded.baseline.settings.jwt_templates!.supabase!;
    await writeJwtTemplate(api, 'supabase', { ...template, custom_signing_key: false, signing_algorithm: 'RS256', claims: { ...template.claims, email: '{{user.primary_email_address}}' } });
    const config = await api.getPlatformConfig();
    await api.patchPlatformConfig({ session: { lifetime: 14400 } }, { configVersion: config!.config_version! });
    emulator.applySettings({ attack_protection: { user_lockout: { enabled: false } } });
    const live = await exportLive(loaded, { env: emulator.env() });
    expect(live.settings.instance?.allowed_origins).toContain('https://preview.example.dev');
    expect(live.settings.jwt_templates?.supabase?.claims).toHaveProperty('email');
    expect(live.settings.session?.maximum_lifetime_minutes).toBe(240);
    expect(live.settings.attack_protection?.user_lockout?.enabled).toBe(false);
  });

  it('JWT templates and `sensitive` checked as their pages arrive are what zod makes of them; a template that does not fit fails the export with zod\'s error', async () => {
    // Key order and prototypes too: the bulk path must hand over exactly what validateWithSchema would.
    const shapeOf = (value: unknown): unknown =>
      value === null || typeof value !== 'object'
        ? value
        : Array.isArray(value)
          ? value.map(shapeOf)
          : { prototype: Object.getPrototypeOf(value) === null ? 'null' : 'object', entries: Object.keys(value).map((name) => [name, shapeOf((value as Record<string, unknown>)[name])]) };
    const live = await exportLive(loaded, { env: emulator.env() });
    const viaZod = validateWithSchema(
      liveExportSchema,
      { ...live, settings: { ...live.settings, jwt_templates: structuredClone({ ...live.settings.jwt_templates }) }, sensitive: structuredClone({ ...live.sensitive }) },
      'live',
    );
    expect(Object.keys(live.settings.jwt_templates ?? {}).length).toBeGreaterThan(0);
    expect(shapeOf(live.settings.jwt_templates)).toEqual(shapeOf(viaZod.value?.settings.jwt_templates));
    // The secret key's fingerprint first, then one entry per template's signing key, in list order.
    const sensitive = Object.entries(live.sensitive ?? {});
    expect(sensitive[0]).toEqual(['keys.secret_key', { present: true, fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) }]);
    expect(sensitive.filter(([path]) => path.startsWith('jwt_templates.')).map(([path]) => path)).toEqual(Object.keys(live.settings.jwt_templates ?? {}).map((name) => `jwt_templates.${name}.signing_key`));
    expect(shapeOf(live.sensitive)).toEqual(shapeOf(viaZod.value?.sensitive));
    // Clerk answering a lifetime the schema refuses (under 30 s): never trusted, zod names the field.
    emulator.state.jwt_templates[0]!.lifetime = 10;
    await expect(exportLive(loaded, { env: emulator.env() })).rejects.toThrow(/do not fit the settings model[\s\S]*jwt_templates\.[\s\S]*lifetime/);
  });
});

describe('clerkguard export (CLI)', () => {
  it('prints the export as stable JSON and writes it atomically with --out', async () => {
    const printed = await cli(['export']);
    expect(printed.code).toBe(0);
    expect(printed.stdout.endsWith('}\n')).toBe(true);
    const live = JSON.parse(printed.stdout) as { captured_at: string; coverage: Record<string, string> };
    expect(live.captured_at).toBe('2026-11-26T12:00:00.000Z');
    expect(Object.keys(live)).toEqual([...Object.keys(live)].sort());
    const out = path.join(dir, 'live.json');
    const written = await cli(['export', '--env', 'production', '--out', out]);
    expect(written.code).toBe(0);
    expect(written.stderr).toMatch(/^wrote .*live\.json: environment production, coverage attested 10, bapi 9, fapi 9, platform 1, unverified 2 \(13 requests, \d+ ms\)\n$/);
    expect(readFileSync(out, 'utf8')).toBe(printed.stdout);
    expect(readLiveExportFile(out).environment).toBe('production');
    expectNoSecrets(printed.stdout, printed.stderr, written.stderr);
  });

  it('wrong secret key: exit 1, one line naming the environment, no stack', async () => {
    const run = await cli(['export', '--env', 'production'], { CLERK_SECRET_KEY: 'sk_live_WRONGkeyWRONGkey1234567890' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')[0]).toBe('clerkguard: Clerk rejected the secret key for environment production (401)');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).not.toContain('WRONGkey');
  });

  it('persistent 5xx on one endpoint: exit 1 naming it; the old file stays, no partial or temp file', async () => {
    emulator.faults.add({ kind: 'status', status: 500, path: '/v1/instance/communication' });
    const out = path.join(dir, 'live.json');
    const fresh = await cli(['export', '--out', out]);
    expect(fresh.code).toBe(1);
    expect(fresh.stderr).toContain('clerkguard: Clerk failed on GET /v1/instance/communication for environment production (500) after 3 attempts');
    expect(existsSync(out)).toBe(false);
    writeFileSync(out, 'previous export\n');
    const again = await cli(['export', '--out', out]);
    expect(again.code).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('previous export\n');
    expect(readdirSync(dir)).toEqual(['live.json']);
  });

  it('429 storm: waits per Retry-After and succeeds; an endless one exits 1 "rate limited"', async () => {
    emulator.faults.add({ kind: 'status', status: 429, retry_after: 3, path: '/v1/organization_roles', times: 2 });
    const recovered = await cli(['export']);
    expect(recovered.code).toBe(0);
    emulator.faults.add({ kind: 'status', status: 429, retry_after: 1, path: '/v1/organization_roles' });
    const limited = await cli(['export']);
    expect(limited.code).toBe(1);
    expect(limited.stderr).toContain('clerkguard: Clerk rate limited environment production: GET /v1/organization_roles still answered 429 after 3 attempts');
  });

  it('malformed JSON, truncated body, timeout and connection refused: exit 1 with a clear message', async () => {
    emulator.faults.add({ kind: 'malformed', path: '/v1/environment' });
    const malformed = await cli(['export']);
    expect([malformed.code, malformed.stderr.split('\n')[0]]).toEqual([1, expect.stringMatching(/^clerkguard: Clerk sent a malformed response to GET \/v1\/environment for environment production: invalid JSON/)]);
    emulator.faults.clear();

    emulator.faults.add({ kind: 'truncated', path: '/v1/instance/protect' });
    const truncated = await cli(['export']);
    expect([truncated.code, truncated.stderr.split('\n')[0]]).toEqual([1, expect.stringMatching(/^clerkguard: Clerk sent a malformed response to GET \/v1\/instance\/protect .*cut off/)]);
    emulator.faults.clear();

    // The limit leaves room for the emulator's other answers on a loaded machine (at 200 ms an
    // endpoint the test does not slow timed out once under load 22); only the slowed one may.
    emulator.faults.add({ kind: 'latency', ms: 5_000, path: '/v1/instance/communication' });
    const slow = await cli(['export'], { CLERKGUARD_HTTP_TIMEOUT_MS: '1000', CLERKGUARD_HTTP_RETRIES: '1' });
    expect([slow.code, slow.stderr.split('\n')[0]]).toEqual([1, 'clerkguard: Clerk did not answer GET /v1/instance/communication within 1000 ms for environment production after 2 attempts']);
    emulator.faults.clear();

    // A port that was free a moment ago refuses connections; reads run in parallel, so any of
    // the endpoints may be the one named.
    const closed = await closedPort();
    const refusedUrl = `http://127.0.0.1:${closed}`;
    const refused = await cli(['export'], { CLERK_API_URL: refusedUrl, CLERK_PLATFORM_API_URL: refusedUrl, CLERK_FRONTEND_API_URL: refusedUrl });
    expect(refused.code).toBe(1);
    expect(refused.stderr.split('\n')[0]).toMatch(new RegExp(`^clerkguard: could not reach Clerk at http://127\\.0\\.0\\.1:${closed} for environment production \\(GET /v1/[\\w/]+\\): `));
    expectNoSecrets(malformed.stderr, truncated.stderr, slow.stderr, refused.stderr);
  });

  it('bad input: both --env and --baseline, unknown environment, missing key; --out creates its directory', async () => {
    expect((await cli(['export', '--env', 'production', '--baseline', BASELINE])).stderr).toContain('pass either --baseline or --env, not both');
    const unknown = await cli(['export', '--env', 'prod']);
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('no baseline for environment "prod"')]);
    const missing = await cli(['export'], { CLERK_SECRET_KEY: '' });
    expect([missing.code, missing.stderr.split('\n')[0]]).toEqual([1, 'clerkguard: no secret key for environment production: CLERK_SECRET_KEY is not set']);
    const fresh = path.join(dir, 'live', 'production.json');
    const created = await cli(['export', '--out', fresh]);
    expect(created.code).toBe(0);
    expect(readLiveExportFile(fresh).environment).toBe('production');
    const notADirectory = path.join(dir, 'plain-file');
    writeFileSync(notADirectory, 'x');
    const nowhere = path.join(notADirectory, 'live.json');
    const unwritable = await cli(['export', '--out', nowhere]);
    expect([unwritable.code, unwritable.stderr.split('\n')[0]]).toEqual([1, `clerkguard: ${nowhere}: cannot write (${notADirectory} is not a directory)`]);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
