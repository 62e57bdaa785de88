/**
 * runDrift builds each baseline's side of the diff while its export runs (prepareBaseline).
 * That changes nothing a report says: the same drift as diffBaseline alone, and an exporter
 * that fails (at once or later) still makes its environment an error, never "clean".
 */
import { describe, expect, test } from 'vitest';
import { diffBaseline } from '../../src/drift/index';
import { runDrift, type LiveExporter } from '../../src/drift/run';
import type { Settings } from '../../src/settings/model';
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

  test('JWT templates heard while the export reads (matched early) change nothing a report says; a template changed after it was heard fails its environment', async () => {
    const loaded = productionBaseline((raw) => {
      const settings = raw.settings as { jwt_templates: Record<string, unknown> };
      for (let i = 0; i < 300; i++) settings.jwt_templates[i % 7 === 0 ? `__proto__${i}` : `svc-${i}`] = { claims: { aud: `svc-${i}`, nested: { roles: ['a', 'b'] } }, lifetime: 60 };
    });
    const drifted = (settings: Settings) => {
      const templates = settings.jwt_templates!;
      templates['svc-1']!.lifetime = 61;
      templates['svc-2']!.claims.aud = 'other';
      delete templates['svc-3'];
      templates['not-in-baseline'] = { claims: {}, lifetime: 60 };
    };
    const expected = diffBaseline(loaded, liveLike(loaded, drifted), { today: TODAY });
    expect(expected.changes.length).toBeGreaterThanOrEqual(3);
    // As readSettings does: each template as its page is taken, pages a turn apart, then the export.
    const hearing = (after?: (live: ReturnType<typeof liveLike>) => void): LiveExporter => async (_loaded, listener) => {
      const live = liveLike(loaded, drifted);
      const names = Object.keys(live.settings.jwt_templates!);
      for (let index = 0; index < names.length; index++) {
        if (index % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
        listener?.onJwtTemplate(names[index]!, live.settings.jwt_templates![names[index]!]!);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      after?.(live);
      return live;
    };
    const report = await runDrift([loaded], hearing(), { today: TODAY, now: NOW });
    expect(report.environments[0]).toEqual(expected);
    expect(report.status).toBe('drift');

    // Changed after it was heard: an error if it had been matched (frozen), else the diff of what
    // the export finally holds; never the answer made before the change.
    const changedAfter = await runDrift([loaded], hearing((live) => (live.settings.jwt_templates!['svc-1']!.lifetime = 60)), { today: TODAY, now: NOW });
    if (changedAfter.status === 'error') expect(changedAfter.environments[0]!.errors[0]!.message).toMatch(/read.only|frozen|Cannot assign/i);
    else
      expect(changedAfter.environments[0]).toEqual(
        diffBaseline(loaded, liveLike(loaded, (settings) => {
          drifted(settings);
          settings.jwt_templates!['svc-1']!.lifetime = 60;
        }), { today: TODAY }),
      );
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
