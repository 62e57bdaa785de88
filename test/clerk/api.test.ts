/**
 * src/clerk against the emulator, through the real @clerk/backend client: reads, writes for
 * every writable group, key↔id mapping, pagination to the end, and every failure mode
 * (401, 429 storms, persistent 5xx, malformed and truncated bodies, dropped connections,
 * timeouts, connection refused) with messages that name the endpoint and never a key.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClerkApi, type ClerkApi } from '../../src/clerk/api';
import { connectionFromEnv, decodePublishableKey, encodePublishableKey, keyEnvironment, type RetryPolicy } from '../../src/clerk/connection';
import { ClerkApiError } from '../../src/clerk/http';
import { resetTrafficStats, trafficStats } from '../../src/clerk/budget';
import { unconfirmedFields, unconfirmedWrite } from '../../src/clerk/confirm';
import { readSettings, writeCommunication, writeInstance, writeJwtTemplate, writeOrganizationSettings, writeProtect, writeSession } from '../../src/clerk/settings-io';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { newId } from '../../src/emulator/state';
import type { Target } from '../../src/baseline/schema';

const SENTINEL = 'sk_live_SENTINELsecretKEYdoNotLeak0123456789';
const PLATFORM_SENTINEL = 'ak_SENTINELplatformKEYdoNotLeak0123456789';

const target: Target = {
  environment_type: 'production',
  secret_key_env: 'CLERK_SECRET_KEY',
  publishable_key_env: 'CLERK_PUBLISHABLE_KEY',
  platform_api_key_env: 'CLERK_PLATFORM_API_KEY',
};
const fast: Partial<RetryPolicy> = { timeoutMs: 2_000, maxRetries: 3, backoffBaseMs: 5, retryAfterScale: 0.01 };

let emulator: RunningEmulator;
let api: ClerkApi;

function apiFor(env: Record<string, string>, policy: Partial<RetryPolicy> = fast): ClerkApi {
  return createClerkApi(connectionFromEnv(target, env, { environment: 'production', policy }));
}

async function failure(promise: Promise<unknown>): Promise<ClerkApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ClerkApiError);
    const message = `${(error as Error).message} ${(error as ClerkApiError).hint ?? ''}`;
    expect(message).not.toContain(SENTINEL);
    expect(message).not.toContain(PLATFORM_SENTINEL);
    expect(message).not.toMatch(/sk_live_[A-Za-z0-9]{6,}/);
    return error as ClerkApiError;
  }
  throw new Error('expected the call to fail');
}

beforeEach(async () => {
  emulator = await startEmulator({
    seed: { organizations: { settings: { enabled: true }, permissions: { 'org:billing:manage': { name: 'Manage billing' } }, roles: {} } },
    secretKey: SENTINEL,
    platformApiKey: PLATFORM_SENTINEL,
  });
  api = apiFor(emulator.env());
});

afterEach(async () => {
  await emulator.close();
});

describe('connection', () => {
  it('decodes the frontend API host from a publishable key and round-trips it', () => {
    const key = encodePublishableKey('test', 'foo-bar-13.clerk.accounts.dev');
    expect(key).toMatch(/^pk_test_[A-Za-z0-9+/]+$/);
    expect(decodePublishableKey(key)).toEqual({ environment: 'test', host: 'foo-bar-13.clerk.accounts.dev' });
    expect(decodePublishableKey('pk_live_bm90LWEtaG9zdA')).toBeUndefined();
    expect(keyEnvironment(SENTINEL)).toBe('live');
  });

  it('uses https for real hosts and http only for loopback', () => {
    const real = connectionFromEnv(target, { CLERK_SECRET_KEY: SENTINEL, CLERK_PUBLISHABLE_KEY: encodePublishableKey('live', 'clerk.example.com') });
    expect(real.frontendApiUrl).toBe('https://clerk.example.com');
    expect(connectionFromEnv(target, emulator.env()).frontendApiUrl).toBe(emulator.frontend_api_url);
  });

  it('applies instance-specific CLERK_* variables only to the baseline using the default keys', () => {
    const shared = {
      CLERK_SECRET_KEY: SENTINEL,
      CLERK_STAGING_SECRET_KEY: SENTINEL,
      CLERK_STAGING_PUBLISHABLE_KEY: encodePublishableKey('live', 'clerk.staging.example.com'),
      CLERK_PLATFORM_API_KEY: 'ak_0123456789abcdef0123',
      CLERK_APPLICATION_ID: 'app_production',
      CLERK_FRONTEND_API_URL: 'https://clerk.example.com',
    };
    const production = connectionFromEnv(target, shared);
    expect([production.frontendApiUrl, production.platform?.applicationId]).toEqual(['https://clerk.example.com', 'app_production']);
    const staging = connectionFromEnv({ ...target, secret_key_env: 'CLERK_STAGING_SECRET_KEY', publishable_key_env: 'CLERK_STAGING_PUBLISHABLE_KEY' }, shared);
    expect(staging.frontendApiUrl).toBe('https://clerk.staging.example.com');
    expect(staging.platform).toBeUndefined();
    const stagingWithApp = connectionFromEnv({ ...target, secret_key_env: 'CLERK_STAGING_SECRET_KEY', application_id: 'app_staging' }, shared);
    expect(stagingWithApp.platform?.applicationId).toBe('app_staging');
  });

  it('names the missing env var, not a value', () => {
    expect(() => connectionFromEnv(target, {})).toThrow(/CLERK_SECRET_KEY is not set/);
    expect(() => connectionFromEnv(target, { CLERK_SECRET_KEY: 'not-a-key' })).toThrow(/not a Clerk secret key/);
  });

  it('refuses an unusable base URL up front, naming its source but never echoing the value', () => {
    for (const bad of ['not-a-url', 'ftp://api.example.com', `https://user:${SENTINEL}@api.example.com`, 'https://api.example.com/?x=1']) {
      let message = '';
      try {
        connectionFromEnv(target, { CLERK_SECRET_KEY: SENTINEL, CLERK_API_URL: bad });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toBe('CLERK_API_URL for environment production is not a usable base URL');
    }
    expect(() => connectionFromEnv(target, { CLERK_SECRET_KEY: SENTINEL, CLERK_FRONTEND_API_URL: SENTINEL })).toThrow(/^CLERK_FRONTEND_API_URL for environment production is not a usable base URL$/);
    expect(() => connectionFromEnv({ ...target, platform_api_url: 'mailto:x@example.com' }, { CLERK_SECRET_KEY: SENTINEL, CLERK_PLATFORM_API_KEY: PLATFORM_SENTINEL, CLERK_APPLICATION_ID: 'app_1' })).toThrow(
      /^target\.platform_api_url of the baseline for environment production is not a usable base URL$/,
    );
    // Empty means unset; a trailing slash is fine.
    expect(connectionFromEnv(target, { CLERK_SECRET_KEY: SENTINEL, CLERK_API_URL: '' }).apiUrl).toBe('https://api.clerk.com');
    expect(connectionFromEnv(target, { CLERK_SECRET_KEY: SENTINEL, CLERK_API_URL: 'http://127.0.0.1:4000/' }).apiUrl).toBe('http://127.0.0.1:4000');
  });

  it('refuses a zero timeout, which would fail every request', () => {
    expect(() => connectionFromEnv(target, { CLERK_SECRET_KEY: SENTINEL, CLERKGUARD_HTTP_TIMEOUT_MS: '0' })).toThrow(/CLERKGUARD_HTTP_TIMEOUT_MS must be greater than 0/);
  });
});

describe('reads', () => {
  it('reads every group with coverage, roles by key, and no system permissions', async () => {
    const read = await readSettings(api);
    expect(read.instanceId).toBe(emulator.state.instance_id);
    expect(read.settings.organizations?.settings?.creator_role).toBe('org:admin');
    expect(read.settings.organizations?.permissions).toEqual({ 'org:billing:manage': { name: 'Manage billing' } });
    expect(read.coverage).toMatchObject({ 'instance.allowed_origins': 'bapi', 'instance.test_mode': 'fapi', restrictions: 'fapi', 'session.maximum_lifetime_minutes': 'platform' });
    expect(read.sensitive['platform.captcha.secret_key']).toEqual({ present: true, fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) });
    expect(JSON.stringify(read)).not.toContain(SENTINEL);
    expect(JSON.stringify(read)).not.toContain(emulator.state.platform.secrets['captcha.secret_key']!);
  });

  it('paginates lists to the end, for {data,total_count} and array answers alike', async () => {
    const now = Date.now();
    for (let i = 0; i < 620; i++) {
      emulator.state.permissions.push({ id: newId(emulator.state, 'perm'), key: `org:bulk:p${i}`, name: `P${i}`, description: '', type: 'user', created_at: now, updated_at: now });
    }
    for (let i = 0; i < 510; i++) {
      emulator.state.jwt_templates.push({ id: newId(emulator.state, 'jtmp'), name: `t${i}`, claims: {}, lifetime: 60, allowed_clock_skew: 5, custom_signing_key: false, signing_algorithm: 'RS256', created_at: now, updated_at: now });
    }
    const [permissions, templates] = await Promise.all([api.listOrganizationPermissions(), api.listJwtTemplates()]);
    expect(permissions).toHaveLength(emulator.state.permissions.length);
    expect(templates).toHaveLength(510);
    const pages = emulator.requests.filter((request) => request.path === '/v1/organization_permissions').map((request) => request.query.offset);
    expect(pages).toEqual(['0', '500']);
  });

  it('session.lifetime maps to maximum_lifetime_minutes; null or a part minute is unverified, never a value', async () => {
    const version = (await api.getPlatformConfig())!.config_version!;
    await api.patchPlatformConfig({ session: { lifetime: 43200 } }, { configVersion: version });
    const read = await readSettings(api);
    expect(read.settings.session).toEqual({ maximum_lifetime_minutes: 720, partitioned_cookies: false });
    expect(read.coverage['session.maximum_lifetime_minutes']).toBe('platform');
    // Clerk documents no Platform name for the inactivity timeout: never read from the API.
    expect(read.coverage['session.inactivity_timeout_minutes']).toBeUndefined();

    emulator.state.platform.config.session!.lifetime = null;
    const off = await readSettings(api);
    expect(off.settings.session?.maximum_lifetime_minutes).toBeUndefined();
    expect(off.coverage['session.maximum_lifetime_minutes']).toBe('unverified');
    expect(off.gaps.find((gap) => gap.field === 'session.lifetime')).toMatchObject({ reason: 'unmapped', value: null });

    emulator.state.platform.config.session!.lifetime = 3601;
    expect((await readSettings(api)).coverage['session.maximum_lifetime_minutes']).toBe('unverified');
  });

  it('a schema without session.lifetime leaves the maximum lifetime unverified', async () => {
    emulator.faults.add({ kind: 'body', path: `/v1/platform/applications/${emulator.application_id}/instances/${emulator.state.instance_id}/config/schema`, body: { type: 'object', properties: { captcha: { type: 'object' } } } });
    const read = await readSettings(api);
    expect(read.coverage['session.maximum_lifetime_minutes']).toBe('unverified');
    expect(read.gaps.find((gap) => gap.field === 'session.lifetime')).toMatchObject({ endpoint: 'GET …/config/schema', reason: 'absent' });
  });

  it('refuses a publishable key of another instance type: its FAPI settings are not this instance\'s', async () => {
    const development = await startEmulator({ environmentType: 'development' });
    try {
      const mixed = apiFor({ ...emulator.env(), CLERK_PUBLISHABLE_KEY: development.publishable_key, CLERK_FRONTEND_API_URL: '' });
      await expect(readSettings(mixed)).rejects.toThrow(
        `the Frontend API at ${development.frontend_api_url} serves a development instance, but the secret key of environment production belongs to a production instance`,
      );
    } finally {
      await development.close();
    }
  });

  it('reads the default roles and system permissions apart from the custom ones', async () => {
    const read = await readSettings(api);
    expect(Object.keys(read.settings.organizations?.roles ?? {})).toEqual([]);
    expect(Object.keys(read.builtIn.roles).sort()).toEqual(['org:admin', 'org:member']);
    expect(read.builtIn.roles['org:member']?.permissions).toEqual(['org:sys_memberships:read', 'org:sys_domains:read']);
    expect(Object.keys(read.builtIn.permissions)).toContain('org:sys_profile:manage');
    expect(Object.keys(read.settings.organizations?.permissions ?? {})).toEqual(['org:billing:manage']);
  });

  it('runs independent reads in parallel within the concurrency bound', async () => {
    emulator.faults.add({ kind: 'latency', ms: 40 });
    const wrapped = apiFor(emulator.env(), { ...fast, concurrency: 3 });
    resetTrafficStats();
    // Requests another file of this worker left in flight count too (vitest isolate: false).
    const alreadyInFlight = trafficStats().inFlight;
    await readSettings(wrapped);
    // Every read starts at once; the client's cap holds the requests in flight to 3.
    expect(trafficStats().peakInFlight - alreadyInFlight).toBe(3);
    expect(trafficStats().sent).toBeGreaterThan(6);
  });
});

describe('writes', () => {
  it('maps role keys to ids for organization settings and reads them back as keys', async () => {
    await api.createOrganizationRole({ key: 'org:auditor', name: 'Auditor', permissions: ['org:billing:manage'] });
    await writeOrganizationSettings(api, { creator_role: 'org:auditor', domains_default_role: 'org:member', max_allowed_memberships: 7 });
    const patch = emulator.requests.find((request) => request.method === 'PATCH' && request.path === '/v1/instance/organization_settings');
    const auditorId = emulator.state.roles.find((role) => role.key === 'org:auditor')!.id;
    expect(patch?.body).toMatchObject({ creator_role_id: auditorId });
    expect((await api.getOrganizationSettings()).creator_role).toBe('org:auditor');
    await expect(writeOrganizationSettings(api, { creator_role: 'org:nope' })).rejects.toThrow(/names role "org:nope", which does not exist/);
  });

  it('creates, updates and deletes roles and permissions by key', async () => {
    await api.createOrganizationPermission({ key: 'org:reports:read', name: 'Read reports' });
    await api.createOrganizationRole({ key: 'org:analyst', name: 'Analyst', permissions: ['org:reports:read'] });
    await api.assignPermissionToRole('org:analyst', 'org:billing:manage');
    await api.updateOrganizationRole('org:analyst', { description: 'Reads reports' });
    let read = await readSettings(api);
    expect(read.settings.organizations?.roles?.['org:analyst']).toEqual({ name: 'Analyst', description: 'Reads reports', permissions: ['org:reports:read', 'org:billing:manage'] });
    await api.removePermissionFromRole('org:analyst', 'org:reports:read');
    await api.deleteOrganizationPermission('org:reports:read');
    await api.deleteOrganizationRole('org:analyst');
    read = await readSettings(api);
    expect(read.settings.organizations?.roles).toEqual({});
    await expect(api.createOrganizationRole({ key: 'org:x', name: 'X', permissions: ['org:missing:perm'] })).rejects.toThrow(/permission "org:missing:perm" does not exist/);
  });

  it('writes JWT templates by name with name+claims on PATCH, signing key from env only', async () => {
    vi.stubEnv('TEST_JWT_SIGNING_KEY', 'hs256-signing-secret-sentinel');
    await writeJwtTemplate(api, 'supabase', { claims: { aud: 'authenticated' }, lifetime: 60 });
    await writeJwtTemplate(api, 'supabase', { claims: { aud: 'authenticated', email: '{{user.primary_email_address}}' }, lifetime: 60, signing_algorithm: 'HS256', custom_signing_key: true }, { signingKeyEnv: 'TEST_JWT_SIGNING_KEY' });
    const patch = emulator.requests.find((request) => request.method === 'PATCH' && request.path.startsWith('/v1/jwt_templates/'));
    expect(patch?.body).toMatchObject({ name: 'supabase', claims: { email: '{{user.primary_email_address}}' }, signing_key: 'hs256-signing-secret-sentinel' });
    const read = await readSettings(api);
    expect(read.settings.jwt_templates?.supabase).toMatchObject({ lifetime: 60, custom_signing_key: true, signing_algorithm: 'HS256' });
    expect(read.sensitive['jwt_templates.supabase.signing_key']).toEqual({ present: true });
    expect(JSON.stringify(read)).not.toContain('hs256-signing-secret-sentinel');
    const rejected = await failure(writeJwtTemplate(api, 'supabase', { claims: {}, lifetime: 10 }));
    expect(rejected.message).toMatch(/Clerk rejected PATCH \/v1\/jwt_templates\/\{template_id\} for environment production \(422\): lifetime must be between 30/);
  });

  it('cannot clear allowed origins: the emulator ignores [] like Clerk, the writer refuses it', async () => {
    await writeInstance(api, { allowed_origins: ['https://a.example.com'], test_mode: true, hibp: false });
    await api.updateInstance({ allowed_origins: [] });
    expect((await api.getInstance()).allowed_origins).toEqual(['https://a.example.com']);
    await expect(writeInstance(api, { allowed_origins: [] })).rejects.toThrow(/cannot clear allowed origins/);
    const read = await readSettings(api);
    expect(read.settings.instance).toMatchObject({ test_mode: true, hibp: false });
  });

  it('patches the Platform session config with If-Match, honours dry_run, confirms from `after`, and reports concurrent changes', async () => {
    const before = emulator.state.platform.config.session?.lifetime;
    const dry = await writeSession(api, { maximum_lifetime_minutes: 15 }, { dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.after).toEqual({ session: expect.objectContaining({ lifetime: 900 }) });
    expect(emulator.state.platform.config.session?.lifetime).toBe(before);
    const stale = (await api.getPlatformConfig())!.config_version!;
    await writeSession(api, { maximum_lifetime_minutes: 720 });
    expect((await readSettings(api)).settings.session).toMatchObject({ maximum_lifetime_minutes: 720 });
    const conflict = await failure(api.patchPlatformConfig({ session: { lifetime: 1200 } }, { configVersion: stale }));
    expect(conflict.message).toMatch(/changed concurrently \(409\)/);
    // Outside the instance's own schema: refused before anything is sent, naming the field.
    const outside = (await writeSession(api, { maximum_lifetime_minutes: 1 }).catch((error: unknown) => error)) as Error;
    expect(outside.message).toMatch(/does not fit the instance's config schema: session\.lifetime: must be >= 300/);
    expect(emulator.requests.some((request) => request.method === 'PUT')).toBe(false);
  });

  it('a write whose answer does not reflect a field is an error naming it; PATCH /instance fields are checked before sending', async () => {
    // The spec: country codes that are not SMS-tier are dropped silently (the emulator drops AQ).
    const refused = (promise: Promise<unknown>) => promise.then(() => new Error('no error')).catch((error: unknown) => error as Error);
    const dropped = await refused(writeCommunication(api, { blocked_country_codes: ['KP', 'AQ'] }));
    expect(dropped.message).toMatch(/Clerk did not confirm the write to PATCH \/v1\/instance\/communication for environment production: its answer does not reflect blocked_country_codes \(sent \["KP","AQ"\], Clerk answered \["KP"\]\)/);
    emulator.faults.add({ kind: 'body', path: '/v1/instance/protect', method: 'PATCH', body: { object: 'instance_protect', rules_enabled: false, specter_enabled: false } });
    expect((await refused(writeProtect(api, { rules_enabled: true }))).message).toMatch(/does not reflect rules_enabled \(sent true, Clerk answered false\)/);
    const requestsBefore = emulator.requests.length;
    await expect(api.updateInstance({ support_mail: 'x' } as never)).rejects.toThrow(/would send "support_mail", which the endpoint does not accept: Clerk answers 204 and drops it/);
    expect(emulator.requests.length).toBe(requestsBefore);
  });
});

describe('failures', () => {
  it('wrong secret key: one clear 401 message, no retries', async () => {
    const wrong = apiFor({ ...emulator.env(), CLERK_SECRET_KEY: 'sk_live_wrongWRONGwrong0000000000' });
    const error = await failure(wrong.getInstance());
    expect(error.message).toBe('Clerk rejected the secret key for environment production (401)');
    expect(wrong.counter.attempts).toBe(1);
    const platform = apiFor({ ...emulator.env(), CLERK_PLATFORM_API_KEY: 'ak_wrongwrongwrongwrong' });
    expect((await failure(platform.getPlatformConfig())).message).toBe('Clerk rejected the Platform API key for environment production (401)');
  });

  it('429 storm: honours Retry-After and succeeds within the retry budget', async () => {
    emulator.faults.add({ kind: 'status', status: 429, retry_after: 2, path: '/v1/instance/protect', times: 3 });
    const waits: number[] = [];
    const slept = createClerkApi(connectionFromEnv(target, emulator.env(), { environment: 'production', policy: fast }), {
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await expect(slept.getProtect()).resolves.toMatchObject({ rules_enabled: false });
    // 2 s Retry-After × the test scale 0.01, and up to half as long again at random (jitter).
    expect(waits).toHaveLength(3);
    for (const wait of waits) {
      expect(wait).toBeGreaterThanOrEqual(20);
      expect(wait).toBeLessThanOrEqual(30);
    }
  });

  it("429 from the emulator's real per-instance rate limit: waits out the window and succeeds", async () => {
    const limited = await startEmulator({ rateLimit: { requests: 3, windowMs: 400 }, secretKey: SENTINEL });
    try {
      const client = apiFor(limited.env(), { ...fast, retryAfterScale: 0.45, maxRetries: 4 });
      // Clerk limits each endpoint on its own: five reads of one endpoint outrun a limit of three.
      const results = await Promise.all([client.getInstance(), client.getInstance(), client.getInstance(), client.getInstance(), client.getInstance()]);
      expect(results).toHaveLength(5);
      expect(limited.requests.some((request) => request.status === 429)).toBe(true);
    } finally {
      await limited.close();
    }
  });

  it('429 that never ends: "rate limited" after bounded retries; too long a Retry-After is not waited for', async () => {
    emulator.faults.add({ kind: 'status', status: 429, retry_after: 1, path: '/v1/instance' });
    const error = await failure(api.getInstance());
    expect(error.message).toBe('Clerk rate limited environment production: GET /v1/instance still answered 429 after 4 attempts');
    const impatient = apiFor(emulator.env(), { ...fast, retryAfterScale: 1, maxRetryWaitMs: 500 });
    expect((await failure(impatient.getInstance())).message).toMatch(/rate limited/);
    expect(impatient.counter.attempts).toBe(1);
  });

  it('persistent 5xx on one endpoint: names the endpoint; a transient one is retried away', async () => {
    emulator.faults.add({ kind: 'status', status: 502, path: '/v1/instance/communication', times: 2 });
    await expect(api.getCommunication()).resolves.toEqual({ blocked_country_codes: [] });
    emulator.faults.add({ kind: 'status', status: 503, path: '/v1/instance/protect' });
    const error = await failure(readSettings(api));
    expect(error.message).toBe('Clerk failed on GET /v1/instance/protect for environment production (503) after 4 attempts');
    expect(error.endpoint).toBe('GET /v1/instance/protect');
  });

  it('malformed JSON, from BAPI and FAPI alike', async () => {
    emulator.faults.add({ kind: 'malformed', path: '/v1/instance' });
    expect((await failure(api.getInstance())).message).toMatch(/^Clerk sent a malformed response to GET \/v1\/instance for environment production: invalid JSON/);
    emulator.faults.add({ kind: 'malformed', path: '/v1/environment' });
    expect((await failure(api.getEnvironment())).message).toMatch(/malformed response to GET \/v1\/environment/);
  });

  it('truncated bodies and dropped connections fail clearly after retries', async () => {
    emulator.faults.add({ kind: 'truncated', path: '/v1/instance/protect' });
    expect((await failure(api.getProtect())).message).toMatch(/GET \/v1\/instance\/protect/);
    emulator.faults.add({ kind: 'drop', path: '/v1/organization_roles' });
    const dropped = await failure(api.listOrganizationRoles());
    expect(dropped.message).toMatch(/\(GET \/v1\/organization_roles\): connection closed by the server before it answered \(ECONNRESET\) after 4 attempts$/);
  });

  it('timeouts are per request and bounded', async () => {
    emulator.faults.add({ kind: 'latency', ms: 400, path: '/v1/instance/communication' });
    const impatient = apiFor(emulator.env(), { ...fast, timeoutMs: 100, maxRetries: 1 });
    const error = await failure(impatient.getCommunication());
    expect(error.message).toBe('Clerk did not answer GET /v1/instance/communication within 100 ms for environment production after 2 attempts');
  });

  it('connection refused names the unreachable URL', async () => {
    const env = emulator.env();
    await emulator.close();
    const error = await failure(apiFor(env, { ...fast, maxRetries: 1 }).getProtect());
    expect(error.message).toMatch(/^could not reach Clerk at http:\/\/127\.0\.0\.1:\d+ for environment production \(GET \/v1\/instance\/protect\): connection refused/);
    emulator = await startEmulator();
  });
});

/**
 * A stand-in for a server that answers 200 with the wrong shape (a proxy, a wrong CLERK_API_URL,
 * an API change) or caps list pages below the requested limit. `routes` maps "METHOD /path" to
 * the JSON body (or a function of the query).
 */
async function fakeClerk(routes: Record<string, unknown | ((query: URLSearchParams) => unknown)>): Promise<{ env: Record<string, string>; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const key = `${req.method} ${url.pathname}`;
    hits.push(`${key}${url.search}`);
    const route = routes[key];
    const body = typeof route === 'function' ? (route as (query: URLSearchParams) => unknown)(url.searchParams) : route;
    const text = body === undefined ? '<html>not clerk</html>' : JSON.stringify(body);
    res.writeHead(200, { 'Content-Type': body === undefined ? 'text/html' : 'application/json' });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    env: { CLERK_SECRET_KEY: SENTINEL, CLERK_API_URL: base },
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('responses of the wrong shape', () => {
  it('are errors naming the endpoint, never settings with holes or a crash', async () => {
    const fake = await fakeClerk({
      'GET /v1/instance': {},
      'GET /v1/instance/protect': { object: 'instance_protect' },
      'GET /v1/instance/communication': { blocked_country_codes: 'KP' },
      'GET /v1/organization_roles': {},
      'GET /v1/organization_permissions': { data: [{ object: 'permission', id: 'perm_1' }], total_count: 1 },
    });
    try {
      const client = apiFor(fake.env, { ...fast, maxRetries: 0 });
      expect((await failure(client.getInstance())).message).toBe(
        "Clerk sent a malformed response to GET /v1/instance for environment production: id is missing (required by Clerk's API spec); environment_type is missing (required by Clerk's API spec); allowed_origins is missing (required by Clerk's API spec)",
      );
      expect((await failure(client.getProtect())).message).toBe(
        "Clerk sent a malformed response to GET /v1/instance/protect for environment production: rules_enabled is missing (required by Clerk's API spec); specter_enabled is missing (required by Clerk's API spec)",
      );
      expect((await failure(client.getCommunication())).message).toMatch(/GET \/v1\/instance\/communication .*blocked_country_codes is a string "KP", expected a list of strings/);
      expect((await failure(client.listOrganizationRoles())).message).toMatch(/GET \/v1\/organization_roles .*expected a list of items/);
      expect((await failure(client.listOrganizationPermissions())).message).toMatch(/GET \/v1\/organization_permissions .*item 0: key is missing/);
      expect((await failure(client.getOrganizationSettings())).message).toMatch(/^Clerk sent a malformed response to GET \/v1\/instance\/organization_settings/);
      expect((await failure(readSettings(client))).kind).toBe('malformed');
    } finally {
      await fake.close();
    }
  });

  it('lists are paged to the end when the server caps the page size below the limit asked for', async () => {
    const roles = Array.from({ length: 5 }, (_, index) => ({
      object: 'role',
      id: `role_${index}`,
      key: `org:r${index}`,
      name: `R${index}`,
      description: null,
      permissions: [],
      created_at: 1,
      updated_at: 1,
    }));
    const fake = await fakeClerk({
      'GET /v1/organization_roles': (query: URLSearchParams) => {
        const offset = Number(query.get('offset') ?? 0);
        return { data: roles.slice(offset, offset + 2), total_count: roles.length };
      },
    });
    try {
      const listed = await apiFor(fake.env).listOrganizationRoles();
      expect(listed.map((role) => role.key)).toEqual(['org:r0', 'org:r1', 'org:r2', 'org:r3', 'org:r4']);
      expect(fake.hits).toHaveLength(3);
    } finally {
      await fake.close();
    }
  });

  it('pages after the first are fetched in parallel once total_count is known, within the concurrency cap', async () => {
    let inFlight = 0;
    let peak = 0;
    const roles = Array.from({ length: 9 }, (_, index) => ({ object: 'role', id: `role_${index}`, key: `org:r${index}`, name: `R${index}`, description: null, permissions: [], created_at: 1, updated_at: 1 }));
    const server = http.createServer((req, res) => {
      const offset = Number(new URL(req.url ?? '/', 'http://fake').searchParams.get('offset') ?? 0);
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ data: roles.slice(offset, offset + 1), total_count: roles.length }));
      }, 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = apiFor({ CLERK_SECRET_KEY: SENTINEL, CLERK_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, { ...fast, concurrency: 3 });
      expect((await client.listOrganizationRoles()).map((role) => role.key)).toEqual(roles.map((role) => role.key));
      expect(peak).toBe(3);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('each template reaches onTaken in list order as soon as the pages before it are taken, whatever order the pages answer in', async () => {
    const templates = Array.from({ length: 6 }, (_, index) => ({ object: 'jwt_template', id: `jtmp_${index}`, name: `t${index}`, claims: {}, lifetime: 60, allowed_clock_skew: 5, custom_signing_key: false, signing_algorithm: 'RS256', created_at: 1, updated_at: 1 }));
    const events: string[] = [];
    let answerHeld: (() => void) | undefined;
    const server = http.createServer((req, res) => {
      const offset = Number(new URL(req.url ?? '/', 'http://fake').searchParams.get('offset') ?? 0);
      const answer = () => {
        events.push(`answer ${offset}`);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ data: templates.slice(offset, offset + 2), total_count: templates.length }));
      };
      // The page at offset 2 is held until the one at offset 4 has answered: pages come out of order.
      if (offset === 2) answerHeld = answer;
      else {
        answer();
        if (offset === 4) setTimeout(() => answerHeld?.(), 20);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = apiFor({ CLERK_SECRET_KEY: SENTINEL, CLERK_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      const listed = await client.listJwtTemplates(
        (template) => template.name,
        (name) => events.push(`take ${name}`),
      );
      expect(listed).toEqual(templates.map((template) => template.name));
      expect(events.filter((event) => event.startsWith('take'))).toEqual(templates.map((template) => `take ${template.name}`));
      // The first page is taken while the second is still on its way; the third waits for the second.
      expect(events.indexOf('take t1')).toBeLessThan(events.indexOf('answer 2'));
      expect(events.indexOf('answer 4')).toBeLessThan(events.indexOf('answer 2'));
      expect(events.indexOf('take t2')).toBeGreaterThan(events.indexOf('answer 2'));
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a later page that does not parse (parsed after its lane moved on) is retried, waited for and reported exactly as when the parse is part of the attempt', async () => {
    const templates = Array.from({ length: 6 }, (_, index) => ({ object: 'jwt_template', id: `jtmp_${index}`, name: `t${index}`, claims: {}, lifetime: 60, allowed_clock_skew: 5, custom_signing_key: false, signing_algorithm: 'RS256', created_at: 1, updated_at: 1 }));
    const page = (offset: number) => JSON.stringify({ data: templates.slice(offset, offset + 2), total_count: templates.length });
    for (const [what, broken, times, expected, requests] of [
      ['invalid JSON once: retried, the list read', '{"data": [', 1, undefined, 2],
      ['invalid JSON every time: retried up to the policy, then an error naming the attempts', '{"data": [', Infinity, /invalid JSON .*after 3 attempts/, 3],
      ['a duplicate key (never retried): an error after the one attempt', '{"data": [], "data": [], "total_count": 6}', Infinity, /the key "data" appears twice in the top-level object(?![\s\S]*attempts)/, 1],
    ] as const) {
      let served = 0;
      const hits: number[] = [];
      const server = http.createServer((req, res) => {
        const offset = Number(new URL(req.url ?? '/', 'http://fake').searchParams.get('offset') ?? 0);
        hits.push(offset);
        const bad = offset === 2 && served++ < times;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(bad ? broken : page(offset));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const client = apiFor({ CLERK_SECRET_KEY: SENTINEL, CLERK_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, { ...fast, maxRetries: 2 });
        const listing = client.listJwtTemplates();
        if (expected === undefined) {
          expect((await listing).map((template) => template.name), what).toEqual(templates.map((template) => template.name));
        } else {
          const error = await failure(listing);
          expect(error.message, what).toMatch(expected);
          expect(error.message, what).toMatch(/^Clerk sent a malformed response to GET \/v1\/jwt_templates/);
        }
        expect(hits.filter((offset) => offset === 2), what).toHaveLength(requests);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    }
  });

  it('a list that ends short of total_count, or beyond the page cap, is an error', async () => {
    const role = (id: string) => ({ object: 'role', id, key: `org:${id}`, name: id, description: null, permissions: [], created_at: 1, updated_at: 1 });
    const fake = await fakeClerk({
      'GET /v1/organization_roles': (query: URLSearchParams) => ({ data: Number(query.get('offset') ?? 0) === 0 ? [role('a'), role('b')] : [], total_count: 5 }),
      'GET /v1/jwt_templates': (query: URLSearchParams) => Array.from({ length: 500 }, (_, index) => ({ object: 'jwt_template', id: `jtmp_${query.get('offset')}_${index}`, name: `t${query.get('offset')}_${index}`, claims: {}, lifetime: 60, allowed_clock_skew: 5, custom_signing_key: false, signing_algorithm: 'RS256' })),
    });
    try {
      const client = apiFor(fake.env, { ...fast, maxRetries: 0, maxListPages: 3 });
      expect((await failure(client.listOrganizationRoles())).message).toBe(
        'Clerk sent a malformed response to GET /v1/organization_roles for environment production: listed 2 items but total_count is 5 (the list changed while it was read, or the server pages inconsistently); rerun',
      );
      expect((await failure(client.listJwtTemplates())).message).toMatch(/GET \/v1\/jwt_templates .*more than 3 pages \(CLERKGUARD_MAX_LIST_PAGES\)$/);
      expect(fake.hits.filter((hit) => hit.startsWith('GET /v1/jwt_templates'))).toHaveLength(3);
    } finally {
      await fake.close();
    }
  });

  it('a body over the size cap is cut off and named, with or without Content-Length; non-UTF-8 is malformed', async () => {
    const server = http.createServer((req, res) => {
      if (req.url?.startsWith('/v1/instance/protect')) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(10 * 1024 * 1024) });
        res.end();
        return;
      }
      if (req.url?.startsWith('/v1/instance/communication')) {
        res.writeHead(200, { 'Content-Type': 'application/json' }); // chunked: no length announced
        res.write('{"blocked_country_codes":["');
        res.end(`${'A'.repeat(200_000)}"]}`);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(Buffer.concat([Buffer.from('{"object":"instance","id":"ins_'), Buffer.from([0xff, 0xfe]), Buffer.from('","environment_type":"production","allowed_origins":null}')]));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = apiFor({ CLERK_SECRET_KEY: SENTINEL, CLERK_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, { ...fast, maxRetries: 0, maxBodyBytes: 100_000 });
      const announced = await failure(client.getProtect());
      expect(announced.message).toBe("Clerk's answer to GET /v1/instance/protect for environment production is too large: the answer is 10485760 bytes (Content-Length), more than the limit of 100000 bytes");
      expect(announced.hint).toContain('CLERKGUARD_HTTP_MAX_BODY_BYTES');
      expect((await failure(client.getCommunication())).message).toMatch(/is too large: the answer is over 100000 bytes/);
      expect((await failure(client.getInstance())).message).toBe('Clerk sent a malformed response to GET /v1/instance for environment production: the answer is not valid UTF-8');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('one total deadline for the client: a hung endpoint ends the read at the deadline, not after every retry', async () => {
    emulator.faults.add({ kind: 'latency', ms: 5_000, path: '/v1/instance/protect' });
    const hurried = apiFor(emulator.env(), { ...fast, timeoutMs: 2_000, maxRetries: 4, deadlineMs: 300 });
    const error = await failure(readSettings(hurried));
    expect(error.message).toMatch(/^Clerk did not complete GET \/v1\/instance\/protect for environment production within the run deadline of 300 ms/);
    expect(error.kind).toBe('deadline');
    expect(hurried.counter.attempts).toBeLessThan(16);
  });

  it('a server that ignores offset is an error, not an endless loop', async () => {
    const page = Array.from({ length: 500 }, (_, index) => ({ object: 'jwt_template', id: `jtmp_${index}`, name: `t${index}`, claims: {}, lifetime: 60, allowed_clock_skew: 5, custom_signing_key: false, signing_algorithm: 'RS256', created_at: 1, updated_at: 1 }));
    const fake = await fakeClerk({ 'GET /v1/jwt_templates': page });
    try {
      const error = await failure(apiFor(fake.env).listJwtTemplates());
      expect(error.message).toBe('Clerk sent a malformed response to GET /v1/jwt_templates for environment production: item jtmp_0 came back twice (at offset 500): the server repeats pages or ignores offset');
      expect(fake.hits).toHaveLength(2);
    } finally {
      await fake.close();
    }
  });
});

describe('confirmation of sensitive fields', () => {
  it('a redacted answer confirms presence; a sensitive field is never echoed in the error', () => {
    expect(unconfirmedFields({ captcha: { secret_key: 'plain-secret-value' } }, { captcha: { secret_key: { redacted: true, fingerprint: 'sha256:0123456789abcdef' } } })).toEqual([]);
    const missing = unconfirmedFields({ captcha: { secret_key: 'plain-secret-value' } }, { captcha: {} });
    expect(unconfirmedWrite('PATCH …/config', 'production', missing).message).toBe(
      'Clerk did not confirm the write to PATCH …/config for environment production: its answer does not reflect captcha.secret_key (value not shown)',
    );
  });
});
