/**
 * The live-source table (src/export/sources.ts) is the coverage model the dashboard export's
 * allow-list and the copied declarations come from; these tests keep it equal to what the
 * readers actually fill, to the settings model, and to docs/clerk-api-coverage.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBaselineFile } from '../../src/baseline/load';
import { ANSWERS, type AnswerField } from '../../src/clerk/answers';
import { createClerkApi } from '../../src/clerk/api';
import { connectionFromEnv } from '../../src/clerk/connection';
import { readSettings } from '../../src/clerk/settings-io';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { DASHBOARD_EXPORT_PATHS, DECLARED_PATHS, LIVE_SOURCES, liveSourceOf } from '../../src/export/sources';
import { settingsSchema } from '../../src/settings/model';
import { REPO_ROOT } from '../helpers/cli';

const loaded = loadBaselineFile(path.join(REPO_ROOT, 'baselines', 'production.json'));
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ seed: loaded, rateLimit: false });
});

afterAll(async () => {
  await emulator?.close();
});

const groupAndField = (feed: string): [string, string | undefined] => {
  const [group, field] = feed.split('.');
  return [group!, field];
};

describe('the live-source table', () => {
  it('classifies every group and every field of the settings model', () => {
    const shape = settingsSchema.shape as Record<string, { unwrap?: () => { shape?: Record<string, unknown> } }>;
    expect(Object.keys(LIVE_SOURCES).sort()).toEqual(Object.keys(shape).sort());
    for (const [group, entry] of Object.entries(LIVE_SOURCES)) {
      if (typeof entry === 'string') continue;
      const fields = Object.keys(shape[group]!.unwrap!().shape ?? {});
      expect(Object.keys(entry).sort(), group).toEqual(fields.sort());
    }
  });

  it('says `api` for every settings path an answer feeds (src/clerk/answers.ts)', () => {
    const feeds = Object.values(ANSWERS).flatMap((answer) => (answer.fields as readonly AnswerField[]).flatMap((field) => [...(field.feeds ?? []), ...(field.each ?? []).flatMap((each) => each.feeds ?? [])]));
    expect(feeds.length).toBeGreaterThan(20);
    for (const feed of feeds) expect(liveSourceOf(...groupAndField(feed)), feed).toBe('api');
  });

  it('says `api` for every coverage key a full read emits, and no API fills a dashboard-only or declared path', async () => {
    const api = createClerkApi(connectionFromEnv(loaded.baseline.target, emulator.env(), { environment: 'production' }));
    const read = await readSettings(api, { platformConfig: { captcha: { widget_type: 'smart' } } });
    const keys = Object.keys(read.coverage);
    expect(keys.length).toBeGreaterThan(10);
    for (const key of keys) expect(liveSourceOf(...groupAndField(key)), key).toBe('api');
  });

  it('lets a dashboard export fill exactly the settings no API exposes, as the coverage doc says', () => {
    expect(DASHBOARD_EXPORT_PATHS).toEqual(['session.inactivity_timeout_minutes', 'webhooks.endpoints']);
    const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'clerk-api-coverage.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Dashboard export file'));
    for (const entry of DASHBOARD_EXPORT_PATHS) expect(section).toContain(`\`${entry}\``);
  });

  it('copies declarations and attestations from the baseline', () => {
    expect(DECLARED_PATHS.map((entry) => entry.join('.'))).toEqual([
      'keys.last_rotated_at',
      'keys.last_rotation',
      'keys.rotation_max_age_days',
      'session.revoke_on',
      'session.cookie_same_site',
      'webhooks.signature_verification',
      'webhooks.secret_storage',
      'webhooks.idempotency',
      'webhooks.user_deleted_handling',
      'monitoring',
      'practices',
    ]);
  });
});
