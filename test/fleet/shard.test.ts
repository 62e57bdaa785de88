/**
 * `--shard I/N` (src/fleet/shard.ts): every environment in exactly one shard, by its name alone;
 * the shards of a matrix together cover the fleet once; a Kubernetes Indexed Job's
 * JOB_COMPLETION_INDEX picks the shard; bad values are clear errors. Through the CLI (in
 * process) against the emulator, with Slack: shards write only their own environments' state.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { runMain } from '../helpers/in-process';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import { inShard, parseShard, shardOf } from '../../src/fleet/shard';
import { readAlertStates } from '../../src/notify/state';
import { PRODUCTION_BASELINE_FILE, productionBaseline } from '../drift/fixtures';
import { startSlackServer, type SlackServer } from '../notify/slack-server';

describe('shard assignment', () => {
  const names = Array.from({ length: 200 }, (_, index) => `app-${index}`);

  test('every environment lands in exactly one shard, the same one whatever the rest of the fleet', () => {
    for (const count of [1, 2, 3, 7]) {
      const shards = Array.from({ length: count }, (_, index) => inShard(names, { index: index + 1, count }, (name) => name));
      expect(shards.flat().sort()).toEqual([...names].sort());
      // Stable: the assignment of app-7 does not depend on which other environments exist.
      expect(shardOf('app-7', count)).toBe(shardOf('app-7', count));
      expect(inShard(['app-7'], { index: shardOf('app-7', count), count }, (name) => name)).toEqual(['app-7']);
    }
    // Roughly even over many environments (a hash, not a coordinator).
    const sizes = Array.from({ length: 4 }, (_, index) => inShard(names, { index: index + 1, count: 4 }, (name) => name).length);
    for (const size of sizes) expect(size).toBeGreaterThan(25);
  });

  test.each([
    ['2/4', {}, { index: 2, count: 4 }],
    [' 1 / 1 ', {}, { index: 1, count: 1 }],
    ['job/4', { JOB_COMPLETION_INDEX: '0' }, { index: 1, count: 4 }],
    ['job/4', { JOB_COMPLETION_INDEX: '3' }, { index: 4, count: 4 }],
  ])('reads --shard %j', (value, env, expected) => {
    expect(parseShard(value, env)).toEqual(expected);
  });

  test.each([
    ['0/4', {}, /the shard must be between 1 and 4/],
    ['5/4', {}, /the shard must be between 1 and 4/],
    ['1/0', {}, /N must be between 1 and 1000/],
    ['half', {}, /is not of the form I\/N/],
    ['job/4', {}, /needs JOB_COMPLETION_INDEX, which is not set/],
    ['job/4', { JOB_COMPLETION_INDEX: '4' }, /JOB_COMPLETION_INDEX 4\): the shard must be between 1 and 4/],
  ])('refuses --shard %j clearly', (value, env, message) => {
    expect(() => parseShard(value, env)).toThrow(message);
  });
});

describe('sharded runs through the CLI', () => {
  let dir: string;
  let emulator: RunningEmulator;
  let slack: SlackServer;
  const environments = ['production', 'staging', 'eu', 'us', 'apac', 'sandbox'];

  beforeAll(async () => {
    slack = await startSlackServer();
  });
  afterAll(async () => {
    await slack.close();
  });
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-shard-'));
    mkdirSync(path.join(dir, 'baselines'));
    const text = readFileSync(PRODUCTION_BASELINE_FILE, 'utf8');
    for (const name of environments) writeFileSync(path.join(dir, 'baselines', `${name}.json`), text.replace('"environment": "production"', `"environment": "${name}"`));
    emulator = await startEmulator({ seed: productionBaseline(), rateLimit: false });
    // One weakening, so every environment that is checked alerts.
    emulator.applySettings({ session: { maximum_lifetime_minutes: 43200 } });
  });
  afterEach(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function cli(args: string[], env: Record<string, string> = {}) {
    return runMain(args, { cwd: dir, env: { ...emulator.env(), SLACK_BOT_TOKEN: 'xoxb-shard', SLACK_CHANNEL_ID: 'C0CLERKGUARD', SLACK_API_URL: slack.apiUrl, ...env } });
  }

  test('three shards of a matrix check every environment once, alert once per environment, and write only their own state', async () => {
    const seen: string[] = [];
    for (const shard of ['1/3', '2/3', '3/3']) {
      const run = await cli(['drift', '--format', 'json', '--slack', '--shard', shard]);
      expect([0, 2]).toContain(run.code);
      const report = JSON.parse(run.stdout) as { environments: { environment: string; status: string }[] };
      const names = report.environments.map((environment) => environment.environment);
      expect(run.stderr).toMatch(new RegExp(`shard ${shard}: (${names.length} of 6 environments|none of the 6 environments)`));
      for (const environment of report.environments) expect(environment.status).toBe('drift');
      seen.push(...names);
    }
    expect(seen.sort()).toEqual([...environments].sort());
    expect(slack.messages().filter((message) => String(message.text).startsWith('Clerk settings drift in')).map((message) => String(message.text).split(' ')[4]?.replace(':', '')).sort()).toEqual([...environments].sort());
    expect(readdirSync(path.join(dir, '.clerkguard', 'state')).filter((name) => name.endsWith('.json')).sort()).toEqual(environments.map((name) => `${name}.json`).sort());
    expect(Object.keys(readAlertStates(path.join(dir, '.clerkguard', 'state.json')).environments).sort()).toEqual([...environments].sort());
  });

  test('a Kubernetes Indexed Job picks its shard from JOB_COMPLETION_INDEX', async () => {
    const byIndex = await cli(['drift', '--format', 'json', '--shard', 'job/3'], { JOB_COMPLETION_INDEX: '1' });
    const byNumber = await cli(['drift', '--format', 'json', '--shard', '2/3']);
    const names = (run: { stdout: string }) => (JSON.parse(run.stdout) as { environments: { environment: string }[] }).environments.map((environment) => environment.environment);
    expect(names(byIndex)).toEqual(names(byNumber));
  });

  test('a bad --shard is one clear error before any request; snapshot and schedule --once take it too', async () => {
    const bad = await cli(['drift', '--shard', '4/3']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('clerkguard: --shard "4/3": the shard must be between 1 and 3');
    expect(emulator.requests).toHaveLength(0);
    const snapshot = await cli(['snapshot', '--format', 'json', '--shard', `${shardOfProduction()}/3`]);
    expect(snapshot.code, snapshot.stderr).toBe(2);
    expect((JSON.parse(snapshot.stdout) as { environments: { environment: string }[] }).environments.map((environment) => environment.environment)).toContain('production');
    const once = await cli(['schedule', '--once', '--shard', `${shardOfProduction()}/3`, '--out', 'out']);
    expect(once.code).toBe(2);
    expect(once.stderr).toMatch(new RegExp(`drift: shard ${shardOfProduction()}/3: \\d+ of 6 environments \\([^)]*production`));
    expect(once.stderr).toContain('drift: production drift');
    expect((await cli(['schedule', '--once', '--shard', 'job/3'])).stderr).toContain('needs JOB_COMPLETION_INDEX, which is not set');
  });

  const shardOfProduction = () => shardOf('production', 3);
});
