/**
 * Audit finding 6: the Platform config is addressed by the instance id `GET /v1/instance`
 * answers for the secret key, never by the environment type, so Platform credentials of another
 * application cannot make a setting look read. Two emulators: the secret key's instance has a
 * 30-day maximum lifetime; the other application's instance has the baseline's 7 days.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBaselineFile } from '../../src/baseline/load';
import { createClerkApi } from '../../src/clerk/api';
import { connectionFromEnv } from '../../src/clerk/connection';
import { writeSession } from '../../src/clerk/settings-io';
import { diffBaseline } from '../../src/drift/index';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { exportLive } from '../../src/export/export';

const ROOT = path.resolve(__dirname, '..', '..');
const loaded = loadBaselineFile(path.join(ROOT, 'baselines', 'production.json'));

let ours: RunningEmulator;
let theirs: RunningEmulator;

beforeEach(async () => {
  [ours, theirs] = await Promise.all([startEmulator({ seed: loaded }), startEmulator({ seed: loaded })]);
  ours.applySettings({ session: { maximum_lifetime_minutes: 43200 } });
});

afterEach(async () => {
  await Promise.all([ours.close(), theirs.close()]);
});

/** Our secret and publishable keys, with the other application's Platform URL, key and id. */
function crossedEnv(): Record<string, string> {
  const other = theirs.env();
  return { ...ours.env(), CLERK_PLATFORM_API_URL: other.CLERK_PLATFORM_API_URL!, CLERK_PLATFORM_API_KEY: other.CLERK_PLATFORM_API_KEY!, CLERK_APPLICATION_ID: other.CLERK_APPLICATION_ID! };
}

describe('the Platform config of the instance the secret key belongs to', () => {
  it('is read by instance id: the right credentials see the 30-day lifetime', async () => {
    const live = await exportLive(loaded, { env: ours.env() });
    expect(live.settings.session?.maximum_lifetime_minutes).toBe(43200);
    expect(live.coverage['session.maximum_lifetime_minutes']).toBe('platform');
    const platformPaths = ours.requests.filter((request) => request.api === 'platform').map((request) => request.path);
    expect(platformPaths.length).toBeGreaterThan(0);
    for (const requested of platformPaths) expect(requested).toContain(`/instances/${ours.state.instance_id}/config`);
  });

  it("another application's Platform credentials: an error naming the mismatch, never a clean read", async () => {
    const failure = exportLive(loaded, { env: crossedEnv() });
    await expect(failure).rejects.toThrow(
      `the Platform API has no instance ${ours.state.instance_id} in application ${theirs.application_id} (GET …/config answered 404): the Platform credentials of environment production belong to another application than its secret key`,
    );
    // Before the fix the other application's production instance answered: 7 days, "in sync".
    expect(theirs.requests.filter((request) => request.api === 'platform').map((request) => request.status)).toContain(404);
  });

  it('writes go to the same instance: a session write with crossed credentials changes nothing elsewhere', async () => {
    const api = createClerkApi(connectionFromEnv(loaded.baseline.target, crossedEnv(), { environment: 'production' }));
    await expect(writeSession(api, { maximum_lifetime_minutes: 60 })).rejects.toThrow(/404/);
    expect(theirs.state.platform.config.session?.lifetime).toBe(604800);
    // The drift that would have been hidden is visible with the right credentials.
    const drift = diffBaseline(loaded, await exportLive(loaded, { env: ours.env() }), { today: '2026-11-26' });
    expect(drift.changes).toContainEqual(expect.objectContaining({ path: 'settings.session.maximum_lifetime_minutes', baseline: 10080, live: 43200, direction: 'weakening' }));
  });
});
