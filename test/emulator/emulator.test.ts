/**
 * The emulator over plain HTTP: auth, Clerk error bodies, API version, pagination, quirks,
 * Platform semantics, rate limits, admin endpoints, seeding, and the CLI command.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClerkClient } from '@clerk/backend';
import { loadBaselineFile } from '../../src/baseline/load';
import { decodePublishableKey } from '../../src/clerk/connection';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { ClerkguardError } from '../../src/util/errors';

const ROOT = path.resolve(__dirname, '..', '..');
const started: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((emulator) => emulator.close()));
});

async function emulatorFor(options: Parameters<typeof startEmulator>[0] = {}): Promise<RunningEmulator> {
  const emulator = await startEmulator(options);
  started.push(emulator);
  return emulator;
}

async function call(emulator: RunningEmulator, method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${emulator.bapi_url}${route}`, {
    method,
    headers: { Authorization: `Bearer ${emulator.secret_key}`, 'Content-Type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe('emulator', () => {
  it('answers a wrong key with 401 and a Clerk error body', async () => {
    const emulator = await emulatorFor();
    const response = await call(emulator, 'GET', '/v1/instance', undefined, { Authorization: 'Bearer sk_live_nope' });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      errors: [{ message: 'Invalid authentication', long_message: expect.any(String), code: 'authentication_invalid', meta: {} }],
      clerk_trace_id: expect.stringMatching(/^trace_/),
    });
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  it('reads no body before the key is checked, and caps what it reads', async () => {
    const emulator = await emulatorFor({ maxBodyBytes: 64 * 1024 });
    // 8 MB without a valid key: answered 401 and the connection closed, the body never buffered.
    const big = JSON.stringify({ name: 'x', claims: { pad: 'x'.repeat(8 * 1024 * 1024) } });
    const unauthenticated = await call(emulator, 'POST', '/v1/jwt_templates', JSON.parse(big), { Authorization: 'Bearer sk_live_nope' });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('connection')).toBe('close');
    const recorded = emulator.requests.find((request) => request.method === 'POST' && request.path === '/v1/jwt_templates');
    expect(recorded?.body).toBeUndefined();
    // With the key, a body over the cap is a 413 and nothing is created.
    const tooLarge = await call(emulator, 'POST', '/v1/jwt_templates', { name: 'big', claims: { pad: 'x'.repeat(70 * 1024) } });
    expect(tooLarge.status).toBe(413);
    expect((tooLarge.body as { errors: { code: string }[] }).errors[0]!.code).toBe('request_body_too_large');
    expect(emulator.state.jwt_templates.map((template) => template.name)).not.toContain('big');
    // A body nested 5,000 deep is refused, not stored to overflow every later answer.
    const deep = await fetch(`${emulator.bapi_url}/v1/jwt_templates`, { method: 'POST', headers: { Authorization: `Bearer ${emulator.secret_key}`, 'Content-Type': 'application/json' }, body: `{"name":"deep","claims":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}` });
    expect(deep.status).toBe(400);
    // It keeps serving.
    expect((await call(emulator, 'POST', '/v1/jwt_templates', { name: 'small', claims: { aud: 'x' }, lifetime: 60 })).status).toBe(200);
  });

  it('a body fault answers any JSON or text, with {{offset}} and {{n}} filled in', async () => {
    const emulator = await emulatorFor();
    emulator.faults.add({ kind: 'body', path: '/v1/organization_roles', text: '{"offset":{{offset}},"hit":{{n}}}' });
    expect((await call(emulator, 'GET', '/v1/organization_roles?offset=500')).body).toEqual({ offset: 500, hit: 1 });
    expect((await call(emulator, 'GET', '/v1/organization_roles')).body).toEqual({ offset: 0, hit: 2 });
    emulator.faults.clear();
    emulator.faults.add({ kind: 'body', path: '/v1/instance', body: { object: 'instance' }, times: 1 });
    expect((await call(emulator, 'GET', '/v1/instance')).body).toEqual({ object: 'instance' });
    expect((await call(emulator, 'GET', '/v1/instance')).body).toHaveProperty('allowed_origins');
  });

  it('serves every released Clerk API version (header or query), refuses others, and validates pagination parameters', async () => {
    const emulator = await emulatorFor();
    expect((await call(emulator, 'GET', '/v1/instance', undefined, { 'Clerk-API-Version': '2021-02-05' })).status).toBe(200);
    expect((await call(emulator, 'GET', '/v1/instance?__clerk_api_version=2025-11-10')).status).toBe(200);
    expect((await call(emulator, 'GET', '/v1/instance', undefined, { 'Clerk-API-Version': '2099-01-01' })).status).toBe(400);
    expect((await call(emulator, 'GET', '/v1/organization_roles?limit=501')).status).toBe(422);
    // Default order -created_at: the member role, created after the admin role, comes first.
    const page = await call(emulator, 'GET', '/v1/organization_roles?limit=1&offset=1');
    expect(page.body).toMatchObject({ total_count: 2, data: [{ key: 'org:admin' }] });
    expect((await call(emulator, 'GET', '/v1/organization_roles?order_by=key')).body).toMatchObject({ data: [{ key: 'org:admin' }, { key: 'org:member' }] });
    expect((await call(emulator, 'GET', '/v1/organization_roles?query=mem')).body).toMatchObject({ total_count: 1, data: [{ key: 'org:member' }] });
    expect((await call(emulator, 'GET', '/v1/organization_roles?order_by=colour')).status).toBe(422);
  });

  it('answers like Clerk: error codes, unknown group fields dropped, paginated JWT list, per-endpoint rate limits', async () => {
    const emulator = await emulatorFor({ rateLimit: { requests: 1, windowMs: 5_000 } });
    const unknown = await call(emulator, 'POST', '/v1/organization_roles', { name: 'X', key: 'org:x', colour: 'red' });
    expect(unknown.body).toMatchObject({ errors: [{ code: 'form_param_unknown', message: 'is unknown', meta: { param_name: 'colour' } }] });
    const missing = await call(emulator, 'POST', '/v1/organization_permissions', { key: 'org:a:b' });
    expect(missing.body).toMatchObject({ errors: [{ code: 'form_param_missing', meta: { param_name: 'name' } }] });
    expect((await call(emulator, 'PATCH', '/v1/instance', { test_mode: false, password: 'on' })).status).toBe(204);
    const protect = await call(emulator, 'PATCH', '/v1/instance/protect', { rules_enabled: true, bogus: 1 });
    expect(protect.body).toMatchObject({ rules_enabled: true });
    expect(protect.body).not.toHaveProperty('bogus');
    // One window per endpoint: a second GET /v1/instance is limited, other endpoints are not; /v1/jwks never is.
    expect((await call(emulator, 'GET', '/v1/instance')).status).toBe(200);
    expect((await call(emulator, 'GET', '/v1/instance')).status).toBe(429);
    expect((await call(emulator, 'GET', '/v1/jwt_templates?paginated=true')).body).toEqual({ data: [], total_count: 0 });
    for (let i = 0; i < 3; i++) expect((await call(emulator, 'GET', '/v1/jwks')).status).toBe(200);
    // New instances lock out after 10 attempts (Clerk docs, since 2026-07-06).
    expect(emulator.state.fapi.attack_protection.user_lockout.max_attempts).toBe(10);
  });

  it('is parsed by the real @clerk/backend client', async () => {
    const emulator = await emulatorFor({ seed: loadBaselineFile(path.join(ROOT, 'baselines', 'production.json')) });
    const client = createClerkClient({ secretKey: emulator.secret_key, apiUrl: emulator.bapi_url, telemetry: { disabled: true } });
    const instance = await client.instance.get();
    expect(instance.environmentType).toBe('production');
    const settings = await client.instance.getOrganizationSettings();
    expect(settings.creatorRole).toBe('org:admin');
    const templates = await client.jwtTemplates.list();
    expect(JSON.stringify(templates)).toContain('supabase');
  });

  it('keeps origins when asked to clear them, and writes org settings by role id only', async () => {
    const emulator = await emulatorFor({ seed: { instance: { allowed_origins: ['https://app.example.com'] } } });
    expect((await call(emulator, 'PATCH', '/v1/instance', { allowed_origins: [] })).status).toBe(204);
    expect((await call(emulator, 'GET', '/v1/instance')).body?.allowed_origins).toEqual(['https://app.example.com']);
    expect((await call(emulator, 'PATCH', '/v1/instance/organization_settings', { creator_role_id: 'org:member' })).status).toBe(422);
    const member = emulator.state.roles.find((role) => role.key === 'org:member')!;
    const updated = await call(emulator, 'PATCH', '/v1/instance/organization_settings', { creator_role_id: member.id });
    expect(updated.body?.creator_role).toBe('org:member');
  });

  it('implements Platform config semantics: If-Match, dry_run, PUT needs every key, destructive', async () => {
    const emulator = await emulatorFor();
    const headers = { Authorization: `Bearer ${emulator.platform_api_key}` };
    const url = `/v1/platform/applications/${emulator.application_id}/instances/production/config`;
    const config = await call(emulator, 'GET', url, undefined, headers);
    expect(config.body).toMatchObject({ config_version: '1', captcha: { secret_key: { redacted: true } } });
    expect((await call(emulator, 'PATCH', `${url}?dry_run=true`, { session: { lifetime: 1800 } }, { ...headers, 'If-Match': '1' })).body).toMatchObject({ dry_run: true, config_version: '1', after: { session: { lifetime: 1800 } } });
    expect(emulator.state.platform.config.session?.lifetime).toBe(604800);
    expect((await call(emulator, 'PATCH', url, { session: { lifetime: 1800 } }, { ...headers, 'If-Match': '1' })).body).toMatchObject({ config_version: '2' });
    expect((await call(emulator, 'PATCH', url, { session: { lifetime: 1860 } }, { ...headers, 'If-Match': '1' })).status).toBe(409);
    const put = await call(emulator, 'PUT', url, { session: {} }, headers);
    expect(put.status).toBe(400);
    expect(JSON.stringify(put.body)).toContain('missing: captcha');
    // null resets to the default; destructive=true clears; both session limits may not be off.
    await call(emulator, 'PATCH', url, { session: { lifetime: null } }, headers);
    expect(emulator.state.platform.config.session?.lifetime).toBe(604800);
    await call(emulator, 'PATCH', `${url}?destructive=true`, { session: { inactivity_timeout: null } }, headers);
    expect(emulator.state.platform.config.session?.inactivity_timeout).toBeNull();
    const both = await call(emulator, 'PATCH', `${url}?destructive=true`, { session: { lifetime: null } }, headers);
    expect(both.status).toBe(400);
    expect(both.body).toMatchObject({ errors: [{ code: 'config_validation_error', meta: { param_name: 'session' } }] });
    expect((await call(emulator, 'PATCH', url, { session: { lifetime: 10 } }, headers)).body).toMatchObject({ errors: [{ code: 'config_validation_error', meta: { param_name: 'session.lifetime' } }] });
    expect((await call(emulator, 'PATCH', url, { sesion: {} }, headers)).body).toMatchObject({ errors: [{ code: 'unknown_config_key', meta: { param_name: 'sesion', suggestions: ['session'] } }] });
    await call(emulator, 'PATCH', url, { captcha: { widget_type: 'invisible' } }, headers);
    await call(emulator, 'PATCH', url, { captcha: null }, headers);
    expect(emulator.state.platform.config.captcha).toMatchObject({ widget_type: 'smart' });
    expect((await call(emulator, 'GET', url, undefined, { Authorization: `Bearer ${emulator.secret_key}` })).status).toBe(401);
  });

  it('reads the Platform config keys parameter as the spec declares it: one keys= per key (form, explode)', async () => {
    const emulator = await emulatorFor();
    const headers = { Authorization: `Bearer ${emulator.platform_api_key}` };
    const url = `/v1/platform/applications/${emulator.application_id}/instances/production/config`;
    const shown = async (route: string) => Object.keys((await call(emulator, 'GET', route, undefined, headers)).body ?? {}).filter((key) => key !== 'config_version' && key !== '$schema' && key !== '$id' && key !== 'type');
    expect(await shown(`${url}?keys=session&keys=captcha`)).toEqual(['session', 'captcha']);
    expect(await shown(`${url}?keys=session`)).toEqual(['session']);
    // A comma is part of one key's name (explode: true), so "session,captcha" names no key.
    expect(await shown(`${url}?keys=session,captcha`)).toEqual([]);
    const schema = async (query: string) => Object.keys(((await call(emulator, 'GET', `${url}/schema?${query}`, undefined, headers)).body?.properties ?? {}) as Record<string, unknown>);
    expect(await schema('keys=session&keys=captcha')).toEqual(['session', 'captcha']);
    expect(await schema('keys=session,captcha')).toEqual([]);
  });

  it('enforces the per-endpoint rate limit with 429 and Retry-After', async () => {
    const emulator = await emulatorFor({ environmentType: 'development', rateLimit: { requests: 2, windowMs: 5_000 } });
    expect((await call(emulator, 'GET', '/v1/instance')).status).toBe(200);
    expect((await call(emulator, 'GET', '/v1/instance')).status).toBe(200);
    const limited = await call(emulator, 'GET', '/v1/instance');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(emulator.secret_key.startsWith('sk_test_')).toBe(true);
  });

  it('a latency fault holds a read\'s answer, worked out when the read arrived, and holds a write before it is applied', async () => {
    const emulator = await emulatorFor();
    const arrived = async (method: string, count: number) => {
      for (let attempt = 0; attempt < 500; attempt++) {
        if (emulator.requests.filter((request) => request.method === method && request.path === '/v1/instance/protect').length >= count) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`no ${method} /v1/instance/protect arrived`);
    };
    const initial = (await call(emulator, 'GET', '/v1/instance/protect')).body!.rules_enabled;
    emulator.faults.add({ kind: 'latency', method: 'GET', path: '/v1/instance/protect', ms: 300 });
    const reading = call(emulator, 'GET', '/v1/instance/protect');
    await arrived('GET', 2);
    // Changed while the read waits: the read answers what was there when it arrived.
    expect((await call(emulator, 'PATCH', '/v1/instance/protect', { rules_enabled: !initial })).status).toBe(200);
    const read = await reading;
    expect(read.status).toBe(200);
    expect(read.body!.rules_enabled).toBe(initial);

    emulator.faults.clear();
    emulator.faults.add({ kind: 'latency', method: 'PATCH', path: '/v1/instance/protect', ms: 300 });
    const writing = call(emulator, 'PATCH', '/v1/instance/protect', { rules_enabled: initial });
    await arrived('PATCH', 2);
    // A write waits before it is handled: during the wait the state is unchanged.
    expect((await call(emulator, 'GET', '/v1/instance/protect')).body!.rules_enabled).toBe(!initial);
    expect((await writing).status).toBe(200);
    expect((await call(emulator, 'GET', '/v1/instance/protect')).body!.rules_enabled).toBe(initial);
  });

  it('works out a held read before any request behind it changes the state, even one read in the same burst', async () => {
    const emulator = await emulatorFor();
    const initial = (await call(emulator, 'GET', '/v1/instance/protect')).body!.rules_enabled as boolean;
    emulator.faults.add({ kind: 'latency', method: 'GET', path: '/v1/instance/protect', ms: 200 });
    // Both requests in one TCP write (HTTP/1.1 pipelining): the server reads them in one go, so the
    // write is handled in the same turn as the read's arrival, before the read's answer is built.
    const { port } = new URL(emulator.bapi_url);
    const patch = JSON.stringify({ rules_enabled: !initial });
    const auth = `Authorization: Bearer ${emulator.secret_key}\r\nHost: 127.0.0.1\r\n`;
    const answers = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `GET /v1/instance/protect HTTP/1.1\r\n${auth}\r\n` +
            `PATCH /v1/instance/protect HTTP/1.1\r\n${auth}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(patch)}\r\nConnection: close\r\n\r\n${patch}`,
        );
      });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    const bodies = [...answers.matchAll(/\r\n\r\n(\{[^\r]*?\})(?=HTTP\/1\.1|$)/g)].map((match) => JSON.parse(match[1]!) as { rules_enabled: boolean });
    expect(answers.match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
    expect(bodies.map((body) => body.rules_enabled)).toEqual([initial, !initial]);
    emulator.faults.clear();
    expect((await call(emulator, 'GET', '/v1/instance/protect')).body!.rules_enabled).toBe(!initial);
  });

  it('serves FAPI /v1/environment on the host inside the publishable key', async () => {
    const emulator = await emulatorFor({ seed: { attack_protection: { user_lockout: { enabled: true, max_attempts: 3 } }, sign_in: { second_factor: { required: true } } } });
    const host = decodePublishableKey(emulator.publishable_key)!.host;
    const environment = (await (await fetch(`http://${host}/v1/environment`)).json()) as { user_settings: { attack_protection: { user_lockout: { max_attempts: number } }; sign_in: { second_factor: { required: boolean } } } };
    expect(environment.user_settings.attack_protection.user_lockout.max_attempts).toBe(3);
    expect(environment.user_settings.sign_in.second_factor.required).toBe(true);
  });

  it('takes faults, dashboard-style settings and gives state and requests over the admin endpoints', async () => {
    const emulator = await emulatorFor();
    const admin = (method: string, route: string, body?: unknown) => call(emulator, method, `/__emulator/${route}`, body);
    expect((await admin('POST', 'faults', { kind: 'status', status: 503, path: '/v1/instance/protect', times: 1 })).status).toBe(200);
    expect((await call(emulator, 'GET', '/v1/instance/protect')).status).toBe(503);
    expect((await call(emulator, 'GET', '/v1/instance/protect')).status).toBe(200);
    expect((await admin('POST', 'faults', { kind: 'nonsense' })).status).toBe(400);
    await admin('POST', 'settings', { session: { maximum_lifetime_minutes: 120 } });
    expect(emulator.state.platform.config.session?.lifetime).toBe(7200);
    const state = await admin('GET', 'state');
    expect(state.body?.kind).toBe('clerkguard-emulator-state');
    const requests = (await admin('GET', 'requests')).body as unknown as { path: string; headers: Record<string, string> }[];
    expect(requests.map((request) => request.path)).toContain('/v1/instance/protect');
    expect(JSON.stringify(requests)).not.toContain(emulator.secret_key);
    // A saved state seeds a new emulator with the same live settings.
    const copy = await emulatorFor({ seed: state.body as never });
    expect(copy.state.instance_id).toBe(emulator.state.instance_id);
    expect(copy.state.platform.config.session?.lifetime).toBe(7200);
  });

  it('survives a request it cannot decode: a bad %-escape is a 400, and it keeps serving', async () => {
    const emulator = await emulatorFor();
    const bad = await call(emulator, 'GET', '/v1/organization_roles/%E0%A4%A');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errors: [{ code: 'request_invalid' }] });
    expect((await call(emulator, 'GET', '/v1/instance')).status).toBe(200);
  });

  it('a port in use is a clear error, and a half-started emulator frees its other port', async () => {
    const first = await emulatorFor();
    const port = Number(new URL(first.bapi_url).port);
    await expect(startEmulator({ port })).rejects.toThrow(`cannot serve the emulator: port ${port} on 127.0.0.1 is already in use`);
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const freePort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await expect(startEmulator({ port: freePort, frontendPort: port })).rejects.toBeInstanceOf(ClerkguardError);
    // The backend listener of the failed start was closed: its port can be taken again at once.
    const again = await emulatorFor({ port: freePort });
    expect(again.bapi_url).toBe(`http://127.0.0.1:${freePort}`);
  });

  it('validates dashboard-style settings before applying any of them', async () => {
    const emulator = await emulatorFor({ seed: { instance: { allowed_origins: ['https://app.example.com'] } } });
    const before = JSON.stringify(emulator.state);
    const rejected = await call(emulator, 'POST', '/__emulator/settings', { instance: { allowed_origins: 'https://evil.example.net' }, organizations: { roles: { 'org:x': { name: 'X' } } } });
    expect(rejected.status).toBe(400);
    expect(JSON.stringify(rejected.body)).toContain('instance.allowed_origins: expected array');
    expect(JSON.stringify(emulator.state)).toBe(before);
  });

  it('CLI: a state file with the right kind but missing parts is refused with a clear message', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-emulator-'));
    const file = path.join(dir, 'state.json');
    writeFileSync(file, JSON.stringify({ kind: 'clerkguard-emulator-state', instance_id: 'ins_1', environment_type: 'production' }));
    const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'clerkguard'), 'emulator', '--seed', file], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')[0]).toBe(`clerkguard: ${file} is not a usable emulator state file: allowed_origins must be a list`);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('CLI: prints one JSON line with URLs and keys, serves, and stops on %s', async (signal) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'clerkguard'), 'emulator', '--seed', 'baselines/production.json'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', CLERKGUARD_TODAY: '2026-11-26' },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no JSON line; stdout: ${stdout}`)), 15_000);
      child.stdout.on('data', () => {
        if (stdout.includes('\n')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const info = JSON.parse(stdout.trim()) as Record<string, string>;
    expect(Object.keys(info).sort()).toEqual(['application_id', 'bapi_url', 'frontend_api_url', 'platform_api_key', 'platform_api_url', 'publishable_key', 'secret_key']);
    expect(`http://${decodePublishableKey(info.publishable_key!)!.host}`).toBe(info.frontend_api_url);
    const instance = await fetch(`${info.bapi_url}/v1/instance`, { headers: { Authorization: `Bearer ${info.secret_key}` } });
    expect(((await instance.json()) as { allowed_origins: string[] }).allowed_origins).toEqual(['https://app.example.com', 'https://www.example.com']);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill(signal);
    expect(await exited).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
  });
});
