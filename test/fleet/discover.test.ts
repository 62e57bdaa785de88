/**
 * Discovery (`--discover`): the workspace's instances from the Platform API, those without a
 * baseline reported as unmanaged in drift reports, Slack (one alert per change of the set) and
 * snapshot reviews; a workspace that cannot be listed is an error, never "none unmanaged".
 * Through the CLI (in process) against the emulator and a recording Slack server.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { runMain } from '../helpers/in-process';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import { shardOf } from '../../src/fleet/shard';
import { PRODUCTION_BASELINE_FILE, productionBaseline } from '../drift/fixtures';
import { startSlackServer, type SlackServer } from '../notify/slack-server';

const WORKSPACE = [
  { application_id: 'app_billing', name: 'Billing', instances: [{ instance_id: 'ins_billing_dev', environment_type: 'development' as const }, { instance_id: 'ins_billing_prod', environment_type: 'production' as const }] },
  { application_id: 'app_docs', name: 'Docs', instances: [{ instance_id: 'ins_docs_prod', environment_type: 'production' as const }] },
];

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
  dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-discover-'));
  mkdirSync(path.join(dir, 'baselines'));
  writeFileSync(path.join(dir, 'baselines', 'production.json'), readFileSync(PRODUCTION_BASELINE_FILE, 'utf8'));
  emulator = await startEmulator({ seed: productionBaseline(), rateLimit: false, applicationName: 'Shop', workspace: WORKSPACE });
  slack.mode = 'ok';
  slack.requests.length = 0;
});
afterEach(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return runMain(args, { cwd: dir, env: { ...emulator.env(), SLACK_BOT_TOKEN: 'xoxb-discover', SLACK_CHANNEL_ID: 'C0CLERKGUARD', SLACK_API_URL: slack.apiUrl, ...env } });
}

const texts = () => slack.messages().map((message) => String(message.text));

describe('--discover', () => {
  test('drift lists the instances no baseline governs (the run\'s own instance is governed), in every format, not drift unless --strict', async () => {
    const text = await cli(['drift', '--discover']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('UNMANAGED     Billing (development), instance ins_billing_dev, application app_billing');
    expect(text.stdout).toContain('UNMANAGED     Docs (production), instance ins_docs_prod, application app_docs');
    expect(text.stdout).toContain('3 of the 4 instances the workspace lists have no baseline (not drift unless --strict); clerkguard init writes a baseline');
    expect(text.stdout).not.toMatch(/UNMANAGED +Shop/);

    const json = JSON.parse((await cli(['drift', '--discover', '--format', 'json'])).stdout) as { discovery: { status: string; applications: number; instances: number; unmanaged: { instance_id: string }[] } };
    expect(json.discovery).toMatchObject({ status: 'ok', applications: 3, instances: 4 });
    expect(json.discovery.unmanaged.map((instance) => instance.instance_id)).toEqual(['ins_billing_dev', 'ins_billing_prod', 'ins_docs_prod']);
    expect((await cli(['drift', '--discover', '--format', 'markdown'])).stdout).toContain('## Instances without a baseline');
    expect((await cli(['drift', '--discover', '--strict'])).code).toBe(2);
    // Discovery never asks for secret keys.
    const listing = emulator.requests.filter((request) => request.path === '/v1/platform/applications');
    expect(listing.length).toBeGreaterThan(0);
    for (const request of listing) expect(request.query.include_secret_keys).toBeUndefined();
  });

  test('a baseline naming an application and type governs that instance', async () => {
    const billing = JSON.parse(readFileSync(PRODUCTION_BASELINE_FILE, 'utf8')) as { environment: string; target: Record<string, string> };
    billing.environment = 'billing';
    billing.target = { ...billing.target, application_id: 'app_billing', environment_type: 'production', secret_key_env: 'CLERK_BILLING_SECRET_KEY', publishable_key_env: 'CLERK_BILLING_PUBLISHABLE_KEY' };
    writeFileSync(path.join(dir, 'baselines', 'billing.json'), JSON.stringify(billing));
    // billing's own read fails (no key set): discovery still counts its target as governed.
    const run = await cli(['drift', '--discover', '--format', 'json']);
    const report = JSON.parse(run.stdout) as { discovery: { unmanaged: { instance_id: string }[] } };
    expect(report.discovery.unmanaged.map((instance) => instance.instance_id)).toEqual(['ins_billing_dev', 'ins_docs_prod']);
  });

  test('Slack: one alert for the set, nothing while it stays, an update when it changes, and "every instance has a baseline" when none is left', async () => {
    expect((await cli(['drift', '--discover', '--slack'])).code).toBe(0);
    expect(texts()).toEqual(['3 Clerk instances have no clerkguard baseline']);
    expect(JSON.stringify(slack.messages()[0]!.blocks)).toContain('clerkguard init');
    await cli(['drift', '--discover', '--slack']);
    expect(texts()).toHaveLength(1);
    await emulator.close();
    emulator = await startEmulator({ seed: productionBaseline(), rateLimit: false, applicationName: 'Shop', workspace: WORKSPACE.slice(0, 1), ...keysOf(emulator) });
    await cli(['drift', '--discover', '--slack']);
    expect(texts()[1]).toBe('2 Clerk instances have no clerkguard baseline');
    expect(slack.messages()[1]!.thread_ts).toBe(slack.messages()[0]!.ts ?? '1764126000.000001');
    await emulator.close();
    emulator = await startEmulator({ seed: productionBaseline(), rateLimit: false, applicationName: 'Shop', workspace: [], ...keysOf(emulator) });
    await cli(['drift', '--discover', '--slack']);
    expect(texts()[2]).toBe('Every Clerk instance of the workspace has a clerkguard baseline again');
  });

  test('a workspace that cannot be listed is an error (exit 1) and an error alert, never "none unmanaged"', async () => {
    emulator.faults.add({ kind: 'status', status: 403, path: '/v1/platform/applications', method: 'GET' });
    const run = await cli(['drift', '--discover', '--slack']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('the workspace could not be listed, so unmanaged instances are unknown (not "none")');
    expect(texts()).toEqual(['clerkguard could not list the workspace']);
    const missing = await cli(['drift', '--discover'], { CLERK_PLATFORM_API_KEY: '' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('clerkguard: --discover needs a Platform API key: CLERK_PLATFORM_API_KEY is not set');
  });

  test('shards report disjoint parts of the unmanaged instances, together all of them', async () => {
    const all: string[] = [];
    for (const shard of ['1/2', '2/2']) {
      const report = JSON.parse((await cli(['drift', '--discover', '--format', 'json', '--shard', shard])).stdout) as { discovery: { unmanaged: { instance_id: string }[] } };
      const ids = report.discovery.unmanaged.map((instance) => instance.instance_id);
      for (const id of ids) expect(shardOf(id, 2)).toBe(Number(shard[0]));
      all.push(...ids);
    }
    expect(all.sort()).toEqual(['ins_billing_dev', 'ins_billing_prod', 'ins_docs_prod']);
  });

  test('a shard speaks only for its part of the workspace: never "every instance has a baseline" for the whole', async () => {
    for (const shard of ['1/2', '2/2']) {
      const json = JSON.parse((await cli(['drift', '--discover', '--format', 'json', '--shard', shard])).stdout) as { discovery: { instances: number; shard: string; shard_instances: number; unmanaged: unknown[] } };
      expect(json.discovery).toMatchObject({ instances: 4, shard });
      const text = (await cli(['drift', '--discover', '--shard', shard])).stdout;
      expect(text).toContain(`instances of shard ${shard} (of 4 the workspace lists; other shards report the rest)`);
      expect(text).not.toContain('the 4 instances the workspace lists');
    }
  });

  test('snapshot --discover lists them in the review report, before the sign-off', async () => {
    const run = await cli(['snapshot', '--discover', '--format', 'json']);
    expect([0, 2]).toContain(run.code);
    expect((JSON.parse(run.stdout) as { discovery: { unmanaged: unknown[] } }).discovery.unmanaged).toHaveLength(3);
    const review = readFileSync(path.join(dir, 'snapshots', 'production', '2026-Q4.md'), 'utf8');
    const section = review.indexOf('## Workspace instances without a baseline');
    expect(section).toBeGreaterThan(0);
    expect(section).toBeLessThan(review.indexOf('## Sign-off'));
    expect(review).toContain('- Docs (production), instance `ins_docs_prod`, application `app_docs`');
    emulator.faults.add({ kind: 'status', status: 401, path: '/v1/platform/applications', method: 'GET' });
    rmSync(path.join(dir, 'snapshots'), { recursive: true });
    const failed = await cli(['snapshot', '--discover']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('could not list the workspace for --discover');
  });
});

/** Keeps the same keys and application id when the emulator is restarted with another workspace. */
function keysOf(previous: RunningEmulator) {
  return { secretKey: previous.secret_key, platformApiKey: previous.platform_api_key, applicationId: previous.application_id };
}
