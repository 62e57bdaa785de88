/**
 * clerkguard against Prism (@stoplight/prism-cli) serving Clerk's official OpenAPI specs: a
 * second, independent "Clerk" whose answers are generated from the specs alone (not from the
 * emulator, which clerkguard's own authors wrote). Prism answers every field a schema declares,
 * with values no real instance would hold (total_count -9007199254740991 beside one item,
 * `id: "string"` twice, free-form Platform config without a session key).
 *
 * What must hold: no run calls an unverified mapping a pass. Each read either passes its answer
 * schema or fails naming the endpoint and the field; the CLI ends an environment it cannot
 * read as an error (exit 1), never as clean drift or a passing review; and a Platform config
 * without `session.lifetime` leaves the maximum lifetime unverified.
 *
 * Prism 5.14.2 is the last release declaring Node 20 (5.15.10+ need Node ≥ 24.14). Its specs
 * keep the BAPI and Platform paths without the servers' `/v1`, so a small proxy strips it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClerkApi, type ClerkApi } from '../../src/clerk/api';
import { connectionFromEnv } from '../../src/clerk/connection';
import { ClerkApiError } from '../../src/clerk/http';
import { sessionLifetimeFromPlatform } from '../../src/clerk/settings-io';
import { platformSchema } from '../../src/clerk/platform-schema';
import { BIN, REPO_ROOT } from '../helpers/cli';
import { findSpecsDir, SPEC_FILES, type SpecName } from './specs';

const specsDir = findSpecsDir();
const prismBin = (() => {
  try {
    return path.join(path.dirname(createRequire(__filename).resolve('@stoplight/prism-cli/package.json')), 'dist', 'index.js');
  } catch {
    return undefined;
  }
})();
const runnable = specsDir !== undefined && prismBin !== undefined;
if (!runnable) console.warn(`Prism tests SKIPPED: ${specsDir ? '@stoplight/prism-cli is not installed' : 'shared/clerk-openapi not found'}`);

describe.runIf(!runnable && process.env.CLERKGUARD_REQUIRE_SPECS === '1')('Prism prerequisites', () => {
  it('finds the specs and @stoplight/prism-cli', () => {
    expect(runnable, 'CI runs clerkguard against Prism serving the specs').toBe(true);
  });
});

interface Prism {
  process: ChildProcess;
  port: number;
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Prism takes seconds to start and cannot listen on port 0, so it gets a port that was free a
 * moment before; when another program (a parallel test file, another suite on the machine) took
 * it meanwhile, Prism exits with EADDRINUSE, and it is started again on another port.
 */
async function startPrism(spec: SpecName): Promise<Prism> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startPrismOn(spec, await freePort());
    } catch (error) {
      if (attempt >= 5 || !(error instanceof Error && error.message.includes('EADDRINUSE'))) throw error;
    }
  }
}

async function startPrismOn(spec: SpecName, port: number): Promise<Prism> {
  const child = spawn(process.execPath, [prismBin!, 'mock', '--port', String(port), '--host', '127.0.0.1', path.join(specsDir!, SPEC_FILES[spec])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism (${spec}) did not start within 90 s:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Prism is listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism (${spec}) exited with ${code}:\n${output}`));
    });
  });
  return { process: child, port };
}

/** /v1/platform/… to the Platform mock, other /v1/… to the BAPI mock, both without /v1. */
async function startProxy(bapiPort: number, platformPort: number): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const port = url.startsWith('/v1/platform/') ? platformPort : bapiPort;
    const forward = http.request({ host: '127.0.0.1', port, path: url.replace(/^\/v1(?=\/)/, ''), method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function runCli(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', CLERKGUARD_TODAY: '2026-11-26', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.runIf(runnable)('clerkguard against Prism serving the official specs', () => {
  const mocks: Prism[] = [];
  let proxy: { server: http.Server; url: string };
  let env: Record<string, string>;
  let api: ClerkApi;
  let work: string;

  beforeAll(async () => {
    const [bapi, platform, fapi] = await Promise.all([startPrism('bapi'), startPrism('platform'), startPrism('fapi')]);
    mocks.push(bapi, platform, fapi);
    proxy = await startProxy(bapi.port, platform.port);
    env = {
      CLERK_SECRET_KEY: 'sk_live_prismPRISMprismPRISM0000000000',
      CLERK_API_URL: proxy.url,
      CLERK_FRONTEND_API_URL: `http://127.0.0.1:${fapi.port}`,
      CLERK_PLATFORM_API_KEY: 'ak_prism0000000000000000',
      CLERK_PLATFORM_API_URL: proxy.url,
      CLERK_APPLICATION_ID: 'app_prism',
      CLERKGUARD_HTTP_RETRIES: '0',
    };
    api = createClerkApi(connectionFromEnv({ environment_type: 'production', secret_key_env: 'CLERK_SECRET_KEY', publishable_key_env: 'CLERK_PUBLISHABLE_KEY', platform_api_key_env: 'CLERK_PLATFORM_API_KEY' }, env, { environment: 'production' }));
    work = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-prism-'));
  }, 120_000);

  afterAll(async () => {
    for (const mock of mocks) mock.process.kill();
    await new Promise<void>((resolve) => (proxy ? proxy.server.close(() => resolve()) : resolve()));
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('every read either passes its answer schema or fails naming the endpoint and what is wrong', async () => {
    const reads: [string, () => Promise<unknown>][] = [
      ['GET /v1/instance', () => api.getInstance()],
      ['GET /v1/instance/protect', () => api.getProtect()],
      ['GET /v1/instance/communication', () => api.getCommunication()],
      ['GET /v1/instance/organization_settings', () => api.getOrganizationSettings()],
      ['GET /v1/instance/oauth_application_settings', () => api.getOAuthApplicationSettings()],
      ['GET /v1/domains', () => api.listDomains()],
      ['GET /v1/organization_roles', () => api.listOrganizationRoles()],
      ['GET /v1/organization_permissions', () => api.listOrganizationPermissions()],
      ['GET /v1/role_sets', () => api.listRoleSets()],
      ['GET /v1/jwt_templates', () => api.listJwtTemplates()],
      ['GET /v1/environment', () => api.getEnvironment()],
      ['GET /v1/platform', () => api.getPlatformConfig()],
      ['GET /v1/platform', () => api.getPlatformConfigSchema()],
    ];
    const outcomes: string[] = [];
    for (const [endpoint, read] of reads) {
      try {
        await read();
        outcomes.push(`${endpoint}: ok`);
      } catch (error) {
        expect(error, endpoint).toBeInstanceOf(ClerkApiError);
        const message = (error as Error).message;
        expect(message, endpoint).toContain(endpoint);
        expect((error as ClerkApiError).kind, message).toBe('malformed');
        outcomes.push(`${endpoint}: ${message}`);
      }
    }
    // Prism's lists hold one item under a total_count of -9007199254740991: never accepted.
    expect(outcomes.find((outcome) => outcome.startsWith('GET /v1/organization_roles'))).toMatch(/total_count/);
    console.info(`clerkguard reads against Prism:\n  ${outcomes.join('\n  ')}`);
  }, 60_000);

  it('a Platform config without session.lifetime leaves the maximum lifetime unverified, never a value', async () => {
    const config = await api.getPlatformConfig();
    const schema = await api.getPlatformConfigSchema();
    const lifetime = sessionLifetimeFromPlatform(config!, platformSchema(schema!));
    expect(lifetime.minutes).toBeUndefined();
  }, 60_000);

  it('export, drift and snapshot end the environment as an error (exit 1) naming endpoint and field: no clean drift, no passing item', async () => {
    writeFileSync(path.join(work, 'report-dir-marker'), '');
    const baseline = path.join(REPO_ROOT, 'baselines', 'production.json');
    const exported = await runCli(['export', '--baseline', baseline], env, work);
    expect(exported.code).toBe(1);
    expect(exported.stderr).toMatch(/^clerkguard: Clerk sent a malformed response to GET \/v1\/\S+ for environment production: /m);
    expect(exported.stdout).toBe('');

    const drift = await runCli(['drift', baseline, '--format', 'json'], env, work);
    expect(drift.code).toBe(1);
    const report = JSON.parse(drift.stdout) as { status: string; environments: { status: string; changes: unknown[]; errors: { message: string }[] }[] };
    expect(report.status).toBe('error');
    expect(report.environments[0]!.status).toBe('error');
    expect(report.environments[0]!.changes).toEqual([]);
    expect(report.environments[0]!.errors[0]!.message).toMatch(/Clerk sent a malformed response to GET \/v1\/\S+/);

    const snapshot = await runCli(['snapshot', baseline, '--dir', path.join(work, 'snapshots')], env, work);
    expect(snapshot.code).toBe(1);
    expect(`${snapshot.stdout}${snapshot.stderr}`).not.toMatch(/\| PASS \|/);
  }, 120_000);
});
