/**
 * The emulator for people (issue 13): `--format env` prints the seven variables the CLI reads,
 * `GET /__emulator/` says what the emulator supports, and SIGTERM stops it and says so. The
 * emulator runs as its own process here, as a person runs it: signals are the point.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli';
import { runMain } from '../helpers/in-process';

/** Every variable the CLI reads to reach a Clerk instance (README, "Environment variables"). */
const CLI_VARIABLES = ['CLERK_API_URL', 'CLERK_APPLICATION_ID', 'CLERK_FRONTEND_API_URL', 'CLERK_PLATFORM_API_KEY', 'CLERK_PLATFORM_API_URL', 'CLERK_PUBLISHABLE_KEY', 'CLERK_SECRET_KEY'];

/** Another application of the workspace (`--workspace`): what `--discover` must list as unmanaged. */
const WORKSPACE = [{ application_id: 'app_billing', name: 'billing', instances: [{ instance_id: 'ins_billing_prod', environment_type: 'production' }] }];

let child: ChildProcessWithoutNullStreams;
let stdout = '';
let stderr = '';
const env: Record<string, string> = {};
let work: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-emulator-cli-'));
  mkdirSync(path.join(work, 'baselines'));
  writeFileSync(path.join(work, 'baselines', 'production.json'), readFileSync(path.join(REPO_ROOT, 'baselines', 'production.json'), 'utf8'));
  writeFileSync(path.join(work, 'apps.json'), JSON.stringify(WORKSPACE));
  child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'clerkguard'), 'emulator', '--seed', 'baselines/production.json', '--workspace', 'apps.json', '--format', 'env'], {
    cwd: work,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
  });
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the emulator never said it was ready; stdout: ${stdout} stderr: ${stderr}`)), 20_000);
    // stdout says ready, stderr says where it serves; the two pipes arrive in either order.
    const check = () => {
      if (!stdout.includes('ready') || !stderr.includes('serving')) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.on('exit', (code) => reject(new Error(`the emulator exited ${code}: ${stderr}`)));
  });
  // What `. ./emulator.env` does in a shell: each `export NAME='value'` line.
  for (const match of stdout.matchAll(/^export ([A-Z_]+)='([^']*)'$/gm)) env[match[1]!] = match[2]!;
}, 30_000);

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('clerkguard emulator --format env', () => {
  it('prints an export line for each of the seven variables the CLI reads, then a "ready" comment', () => {
    expect(Object.keys(env).sort()).toEqual(CLI_VARIABLES);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(8);
    expect(lines[7]).toMatch(/^# clerkguard emulator ready \(pid \d+\); `kill \d+` stops it$/);
    expect(stderr).toContain(`clerkguard emulator: serving ${env.CLERK_API_URL} (Backend and Platform API)`);
  });

  it('those variables are all the CLI needs: drift reads every API (Platform included) and is clean', async () => {
    const run = await runMain(['drift', '--format', 'json'], { cwd: work, env });
    expect(run.code, run.stderr).toBe(0);
    const coverage = (JSON.parse(run.stdout) as { environments: { coverage: Record<string, string> }[] }).environments[0]!.coverage;
    expect(new Set(Object.values(coverage))).toEqual(new Set(['bapi', 'fapi', 'platform', 'attested', 'unverified']));
  });

  it('--workspace: drift --discover lists the other application\'s instance as unmanaged (not drift), the emulator\'s own as governed', async () => {
    const run = await runMain(['drift', '--discover', '--format', 'json'], { cwd: work, env });
    expect(run.code, run.stderr).toBe(0);
    const discovery = (JSON.parse(run.stdout) as { discovery: { status: string; applications: number; instances: number; unmanaged: { instance_id: string; application_name: string }[] } }).discovery;
    expect(discovery).toMatchObject({ status: 'ok', applications: 2, instances: 2 });
    expect(discovery.unmanaged).toEqual([expect.objectContaining({ instance_id: 'ins_billing_prod', application_name: 'billing' })]);
  });

  it('--workspace with a bad file: exit 1 naming the file, the JSON path and what was expected', async () => {
    writeFileSync(path.join(work, 'bad-apps.json'), JSON.stringify([{ application_id: 'app_x', name: 'x', instances: [{ instance_id: 'ins_x', environment_type: 'staging' }] }]));
    const run = await runMain(['emulator', '--workspace', 'bad-apps.json'], { cwd: work });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('bad-apps.json is not a usable workspace file');
    expect(run.stderr).toMatch(/\[0\]\.instances\[0\]\.environment_type/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('GET /__emulator/ lists the admin endpoints, fault kinds and every Clerk route it serves', async () => {
    for (const index of ['/__emulator/', '/__emulator']) {
      const response = await fetch(`${env.CLERK_API_URL}${index}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { admin: { method: string; path: string; url: string }[]; fault_kinds: string[]; apis: Record<string, { base_url: string; routes: { method: string; path: string }[] }> };
      expect(body.admin.map((endpoint) => `${endpoint.method} ${endpoint.path}`)).toEqual(
        expect.arrayContaining(['GET /__emulator/faults', 'POST /__emulator/faults', 'GET /__emulator/requests', 'GET /__emulator/state', 'POST /__emulator/settings']),
      );
      expect(body.admin.every((endpoint) => endpoint.url === `${env.CLERK_API_URL}${endpoint.path}`)).toBe(true);
      expect(body.fault_kinds).toEqual(expect.arrayContaining(['latency', 'status', 'drop']));
      expect(body.apis.bapi!.routes).toContainEqual(expect.objectContaining({ method: 'GET', path: '/v1/instance' }));
      expect(body.apis.platform!.routes.some((route) => route.path.startsWith('/v1/platform/applications/'))).toBe(true);
      expect(body.apis.fapi).toMatchObject({ base_url: env.CLERK_FRONTEND_API_URL, routes: [expect.objectContaining({ method: 'GET', path: '/v1/environment' })] });
    }
    const unknown = await fetch(`${env.CLERK_API_URL}/__emulator/nope`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { hint: string }).hint).toBe('GET /__emulator/ lists the admin endpoints and every Clerk route served');
  });

  it('SIGTERM stops it, with an open keep-alive connection, and it says so on stderr', async () => {
    // A keep-alive connection left open must not hold the stop up.
    await fetch(`${env.CLERK_API_URL}/v1/instance`, { headers: { Authorization: `Bearer ${env.CLERK_SECRET_KEY}`, Connection: 'keep-alive' } });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/clerkguard emulator: SIGTERM: stopped after \d+ requests\n$/);
  });
});
