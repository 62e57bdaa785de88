/**
 * runDrift builds each baseline's side of the diff while its export runs (prepareBaseline).
 * That changes nothing a report says: the same drift as diffBaseline alone, and an exporter
 * that fails (at once or later) still makes its environment an error, never "clean".
 */
import { describe, expect, test } from 'vitest';
import { diffBaseline } from '../../src/drift/index';
import { runDrift } from '../../src/drift/run';
import { liveLike, productionBaseline } from './fixtures';

const TODAY = '2026-11-26';
const NOW = new Date('2026-11-26T12:00:00Z');

describe('runDrift with the baseline prepared beside the export', () => {
  test('reports what diffBaseline reports', async () => {
    const loaded = productionBaseline();
    const live = liveLike(loaded, (settings) => {
      settings.session!.inactivity_timeout_minutes = 10080;
      settings.jwt_templates!.supabase!.claims.email = '{{user.primary_email_address}}';
    });
    const report = await runDrift([loaded], async () => live, { today: TODAY, now: NOW });
    expect(report.environments[0]).toEqual(diffBaseline(loaded, live, { today: TODAY }));
    expect(report.status).toBe('drift');
  });

  test.each([
    ['throws at once', () => {
      throw new Error('no connection');
    }],
    ['rejects', async () => {
      throw new Error('no connection');
    }],
  ])('an exporter that %s makes its environment an error', async (_how, exporter) => {
    const report = await runDrift([productionBaseline()], exporter, { today: TODAY, now: NOW });
    expect(report.status).toBe('error');
    expect(report.environments[0]!.errors[0]!.message).toContain('no connection');
  });
});
