import { describe, expect, test } from 'vitest';
import { diffBaseline, diffExports, diffSettings } from '../../src/drift/index';
import type { Settings } from '../../src/settings/model';
import { FULL_COVERAGE, clone, liveLike, productionBaseline } from './fixtures';

const TODAY = '2026-11-26';

describe('diffBaseline', () => {
  test('a live export identical to the baseline is clean, with coverage for every managed group', () => {
    const loaded = productionBaseline();
    const drift = diffBaseline(loaded, liveLike(loaded), { today: TODAY });
    expect(drift.status).toBe('clean');
    expect(drift.changes).toEqual([]);
    expect(drift.unmanaged).toEqual([]);
    expect(drift.unverified).toEqual([]);
    expect(drift.environment).toBe('production');
    expect(drift.baseline_version).toBe('1.0.0');
    expect(drift.coverage['settings.session']).toBe('export-file');
    expect(drift.coverage['settings.instance.test_mode']).toBe('fapi');
    expect(drift.coverage['settings.instance.allowed_origins']).toBe('bapi');
  });

  test('reordered and duplicated origins, events and country codes are not drift', () => {
    const loaded = productionBaseline();
    const live = liveLike(loaded, (settings) => {
      settings.instance!.allowed_origins = ['https://www.example.com', 'https://app.example.com', 'https://www.example.com'];
      settings.session!.revoke_on = ['mfa_enrollment', 'password_change', 'email_change'];
      settings.communication!.blocked_country_codes = ['IR', 'KP'];
      settings.webhooks!.endpoints!['https://api.example.com/webhooks/clerk']!.events = ['session.ended', 'user.deleted', 'user.updated', 'user.created'];
    });
    const drift = diffBaseline(loaded, live, { today: TODAY });
    expect(drift.changes).toEqual([]);
    expect(drift.status).toBe('clean');
  });

  test('the demo changes are reported exactly, weakening, with their checklist items and sources', () => {
    const loaded = productionBaseline();
    const live = liveLike(loaded, (settings) => {
      settings.session!.inactivity_timeout_minutes = 10080;
      settings.jwt_templates!.supabase!.claims.email = '{{user.primary_email_address}}';
      settings.jwt_templates!.supabase!.lifetime = 3600;
      settings.instance!.allowed_origins!.push('https://preview.example.dev');
    });
    const drift = diffBaseline(loaded, live, { today: TODAY });
    expect(drift.status).toBe('drift');
    expect(drift.changes.map(({ path, kind, baseline, live: value, direction, severity, checklist_items, source }) => ({ path, kind, baseline, live: value, direction, severity, checklist_items, source }))).toEqual([
      { path: 'settings.instance.allowed_origins["https://preview.example.dev"]', kind: 'added', baseline: null, live: 'https://preview.example.dev', direction: 'weakening', severity: 'high', checklist_items: [3], source: 'bapi' },
      { path: 'settings.jwt_templates.supabase.claims.email', kind: 'added', baseline: null, live: '{{user.primary_email_address}}', direction: 'weakening', severity: 'high', checklist_items: [16], source: 'bapi' },
      { path: 'settings.jwt_templates.supabase.lifetime', kind: 'changed', baseline: 60, live: 3600, direction: 'weakening', severity: 'high', checklist_items: [17], source: 'bapi' },
      { path: 'settings.session.inactivity_timeout_minutes', kind: 'changed', baseline: 30, live: 10080, direction: 'weakening', severity: 'high', checklist_items: [5], source: 'export-file' },
    ]);
  });

  test('hostile claim names are diffed like any other key', () => {
    const loaded = productionBaseline((raw) => {
      const settings = raw.settings as Settings;
      const claims = settings.jwt_templates!.supabase!.claims as Record<string, unknown>;
      claims['toString'] = 'kept';
      claims['y__added'] = 'kept';
    });
    const hostile = ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'x__deleted', 'y__added', 'z__old', '__new', 'valueOf~', 'k~'];
    const live = liveLike(loaded, (settings) => {
      const claims = settings.jwt_templates!.supabase!.claims as Record<string, unknown>;
      for (const key of hostile) Object.defineProperty(claims, key, { value: `v-${key}`, enumerable: true, writable: true, configurable: true });
    });
    const drift = diffBaseline(loaded, live, { today: TODAY });
    const byKey = new Map(drift.changes.map((change) => [change.path.replace('settings.jwt_templates.supabase.claims', ''), change]));
    for (const key of hostile) {
      const rendered = /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
      const change = byKey.get(rendered);
      expect(change, key).toBeDefined();
      const existed = key === 'toString' || key === 'y__added';
      expect(change?.kind, key).toBe(existed ? 'changed' : 'added');
      expect(change?.live, key).toBe(`v-${key}`);
      expect(change?.baseline, key).toBe(existed ? 'kept' : null);
    }
    expect(drift.changes).toHaveLength(hostile.length);
    expect(Object.getPrototypeOf(live.settings.jwt_templates!.supabase!.claims)).toBe(Object.prototype);
  });

  test('a removed hostile claim is a removal, and a claims object built by JSON.parse works too', () => {
    const before = JSON.parse('{"jwt_templates":{"t":{"claims":{"aud":"x","__proto__":"p","constructor":"c"},"lifetime":60}}}') as Settings;
    const after = JSON.parse('{"jwt_templates":{"t":{"claims":{"aud":"x"},"lifetime":60}}}') as Settings;
    const changes = diffSettings(before, after);
    expect(changes.map((change) => [change.path, change.kind, change.baseline])).toEqual([
      ['settings.jwt_templates.t.claims.__proto__', 'removed', 'p'],
      ['settings.jwt_templates.t.claims.constructor', 'removed', 'c'],
    ]);
  });

  test('settings live but not in the baseline are unmanaged, and drift only with strict', () => {
    const loaded = productionBaseline();
    const live = liveLike(loaded, (settings) => {
      settings.attack_protection!.pii = { enabled: true };
      settings.protect!.specter_enabled = false;
    });
    const lenient = diffBaseline(loaded, live, { today: TODAY });
    expect(lenient.status).toBe('clean');
    expect(lenient.unmanaged).toEqual([
      { path: 'settings.attack_protection.pii', live: { enabled: true }, source: 'fapi' },
      { path: 'settings.protect.specter_enabled', live: false, source: 'bapi' },
    ]);
    const strict = diffBaseline(loaded, live, { today: TODAY, strict: true });
    expect(strict.status).toBe('drift');
    expect(strict.unmanaged).toEqual([]);
    // Weakening first: Protect's specter turned off outranks the PII protection turned on.
    expect(strict.changes.map((change) => [change.path, change.kind, change.direction])).toEqual([
      ['settings.protect.specter_enabled', 'added', 'weakening'],
      ['settings.attack_protection.pii', 'added', 'strengthening'],
    ]);
  });

  test('a new JWT template, role or endpoint is drift: the baseline manages those records whole', () => {
    const loaded = productionBaseline();
    const live = liveLike(loaded, (settings) => {
      settings.jwt_templates!.firebase = { claims: { email: '{{user.primary_email_address}}' }, lifetime: 3600 };
      settings.organizations!.roles!['org:auditor'] = { name: 'Auditor', permissions: ['org:billing:manage'] };
    });
    const drift = diffBaseline(loaded, live, { today: TODAY });
    expect(drift.changes.map((change) => [change.path, change.kind, change.direction])).toEqual([
      ['settings.jwt_templates.firebase', 'added', 'weakening'],
      ['settings.organizations.roles["org:auditor"]', 'added', 'weakening'],
    ]);
  });

  test('managed settings without a live source are unverified: never clean, never drift', () => {
    const loaded = productionBaseline();
    const coverage = { ...FULL_COVERAGE };
    delete (coverage as Record<string, string>).session;
    const live = liveLike(loaded, (settings) => {
      delete settings.session;
    }, coverage);
    const drift = diffBaseline(loaded, live, { today: TODAY });
    expect(drift.status).toBe('clean');
    expect(drift.changes).toEqual([]);
    expect(drift.coverage['settings.session']).toBe('unverified');
    expect(drift.unverified).toEqual([
      { path: 'settings.session', baseline: { cookie_same_site: 'lax', inactivity_timeout_minutes: 30, maximum_lifetime_minutes: 10080, revoke_on: ['email_change', 'mfa_enrollment', 'password_change'] } },
    ]);
  });

  test('an unverified source hides even a value the export happened to carry', () => {
    const loaded = productionBaseline();
    const live = liveLike(loaded, (settings) => {
      settings.session!.inactivity_timeout_minutes = 99999;
    }, { ...FULL_COVERAGE, 'session.inactivity_timeout_minutes': 'unverified' });
    const drift = diffBaseline(loaded, live, { today: TODAY });
    expect(drift.changes).toEqual([]);
    expect(drift.unverified?.map((entry) => entry.path)).toEqual(['settings.session.inactivity_timeout_minutes']);
    expect(drift.coverage['settings.session.maximum_lifetime_minutes']).toBe('export-file');
  });

  test('a group whose every managed field is unverified field by field is not "removed" (no Platform key)', () => {
    const loaded = productionBaseline();
    const coverage: Record<string, string> = { ...FULL_COVERAGE };
    delete coverage.session;
    for (const field of ['inactivity_timeout_minutes', 'maximum_lifetime_minutes', 'revoke_on', 'cookie_same_site']) coverage[`session.${field}`] = 'unverified';
    const live = liveLike(loaded, (settings) => {
      delete settings.session;
    }, coverage as typeof FULL_COVERAGE);
    const drift = diffBaseline(loaded, live, { today: TODAY });
    expect(drift.changes).toEqual([]);
    expect(drift.status).toBe('clean');
    expect(drift.unverified?.map((entry) => entry.path)).toEqual([
      'settings.session.cookie_same_site',
      'settings.session.inactivity_timeout_minutes',
      'settings.session.maximum_lifetime_minutes',
      'settings.session.revoke_on',
    ]);
  });

  test('a verified source that lacks a managed value reports it removed', () => {
    const loaded = productionBaseline();
    const live = liveLike(loaded, (settings) => {
      delete settings.jwt_templates!.supabase!.claims.aud;
    });
    const drift = diffBaseline(loaded, live, { today: TODAY });
    expect(drift.changes.map((change) => [change.path, change.kind, change.direction, change.checklist_items])).toEqual([['settings.jwt_templates.supabase.claims.aud', 'removed', 'weakening', [18]]]);
  });

  test('exceptions (by rule and path, until they expire) and ignore entries suppress a change and say why', () => {
    const loaded = productionBaseline((raw) => {
      raw.exceptions = [
        { rule: 'jwt-short-lifetime', path: 'settings.jwt_templates.supabase', reason: 'batch job needs 1h tokens', owner: 'data-team', expires: '2027-01-31' },
        { rule: 'session-inactivity-timeout', reason: 'expired waiver', owner: 'ops', expires: '2026-01-01' },
      ];
      raw.ignore = [
        { path: 'instance.allowed_origins', reason: 'preview deployments come and go', owner: 'web', expires: '2027-03-31' },
        { path: 'settings.session.inactivity_timeout_minutes', reason: 'expired: no longer applies', owner: 'ops', expires: '2026-01-01' },
        { path: 'code:settings/**', reason: 'a code: entry leaves files out of a scan, never a setting', owner: 'ops', expires: '2027-03-31' },
      ];
    });
    const live = liveLike(loaded, (settings) => {
      settings.jwt_templates!.supabase!.lifetime = 3600;
      settings.session!.inactivity_timeout_minutes = 60;
      settings.instance!.allowed_origins!.push('https://pr-12.example.dev');
    });
    const drift = diffBaseline(loaded, live, { today: TODAY });
    expect(drift.status).toBe('drift');
    const byPath = Object.fromEntries(drift.changes.map((change) => [change.path, change.suppressed]));
    expect(byPath['settings.jwt_templates.supabase.lifetime']).toEqual({ by: 'exception', reason: 'batch job needs 1h tokens', rule: 'jwt-short-lifetime', expires: '2027-01-31' });
    expect(byPath['settings.instance.allowed_origins["https://pr-12.example.dev"]']).toEqual({ by: 'ignore', reason: 'preview deployments come and go', owner: 'web', expires: '2027-03-31', scope: 'instance.allowed_origins' });
    expect(byPath['settings.session.inactivity_timeout_minutes']).toBeUndefined();
    expect(drift.changes[0]?.path).toBe('settings.session.inactivity_timeout_minutes');

    const onlySuppressed = diffBaseline(loaded, liveLike(loaded, (settings) => { settings.jwt_templates!.supabase!.lifetime = 3600; }), { today: TODAY });
    expect(onlySuppressed.status).toBe('clean');
    expect(onlySuppressed.changes).toHaveLength(1);
  });

  test('an ignore entry spanning every group suppresses nothing, even if it got past validation', () => {
    const loaded = productionBaseline();
    const live = liveLike(loaded, (settings) => void (settings.instance!.test_mode = true));
    for (const scope of ['settings', '*', 'settings.*', '*.test_mode']) {
      const unvalidated = { ...loaded, baseline: { ...loaded.baseline, ignore: [{ path: scope, reason: 'r', owner: 'o', expires: '2027-03-31' }] } };
      const drift = diffBaseline(unvalidated, live, { today: TODAY });
      expect(drift.changes.map((change) => [change.path, change.suppressed]), scope).toEqual([['settings.instance.test_mode', undefined]]);
    }
  });

  test('diffBaseline does not mutate its inputs', () => {
    const loaded = productionBaseline();
    const live = liveLike(loaded, (settings) => { settings.instance!.allowed_origins = ['https://b', 'https://a']; });
    const before = clone(loaded.baseline);
    const liveBefore = clone(live);
    diffBaseline(loaded, live, { today: TODAY });
    expect(loaded.baseline).toEqual(before);
    expect(live).toEqual(liveBefore);
  });
});

describe('diffSettings', () => {
  test('reports every difference with the source from the coverage of the after side', () => {
    const before: Settings = { session: { inactivity_timeout_minutes: 30 }, instance: { allowed_origins: ['https://a.example.com'] } };
    const after: Settings = { session: { inactivity_timeout_minutes: 15 }, instance: { allowed_origins: ['https://a.example.com'] }, sign_in: { second_factor: { required: true } } };
    const changes = diffSettings(before, after, { coverage: { session: 'platform', sign_in: 'fapi' } });
    expect(changes).toEqual([
      { path: 'settings.session.inactivity_timeout_minutes', kind: 'changed', baseline: 30, live: 15, direction: 'strengthening', severity: 'low', checklist_items: [5], source: 'platform' },
      { path: 'settings.sign_in', kind: 'added', baseline: null, live: { second_factor: { required: true } }, direction: 'strengthening', severity: 'low', checklist_items: [], source: 'fapi' },
    ]);
  });

  test('raw API lists (id-keyed arrays with server fields) normalize to the same records', () => {
    const asRecords = { jwt_templates: { supabase: { claims: { aud: 'a' }, lifetime: 60 } } } as Settings;
    const asList = { jwt_templates: [{ id: 'jtmp_1', object: 'jwt_template', name: 'supabase', claims: { aud: 'a' }, lifetime: 60, created_at: 1, updated_at: 2 }] } as unknown as Settings;
    expect(diffSettings(asRecords, asList)).toEqual([]);
  });

  test('ids inside JWT claims are user data, not server fields', () => {
    const before = { jwt_templates: { t: { claims: { id: 'a' }, lifetime: 60 } } } as Settings;
    const after = { jwt_templates: { t: { claims: { id: 'b' }, lifetime: 60 } } } as Settings;
    expect(diffSettings(before, after).map((change) => change.path)).toEqual(['settings.jwt_templates.t.claims.id']);
  });

  test('arrays that are not sets compare as whole values', () => {
    const before = { jwt_templates: { t: { claims: { roles: ['a', 'b'] }, lifetime: 60 } } } as Settings;
    const after = { jwt_templates: { t: { claims: { roles: ['b', 'a'] }, lifetime: 60 } } } as Settings;
    expect(diffSettings(before, after).map((change) => [change.path, change.kind, change.baseline, change.live])).toEqual([['settings.jwt_templates.t.claims.roles', 'changed', ['a', 'b'], ['b', 'a']]]);
  });
});

describe('diffExports (snapshot vs snapshot)', () => {
  const loaded = productionBaseline();
  test('a setting unverified on either side is listed, never reported as removed or added', () => {
    const older = liveLike(loaded);
    const newer = liveLike(loaded, (settings) => {
      delete settings.session!.revoke_on;
      settings.instance!.allowed_origins!.push('https://new.example.com');
    }, { ...FULL_COVERAGE, 'session.revoke_on': 'unverified' });
    const forward = diffExports(older, newer, { production: true });
    expect(forward.changes.map((change) => [change.path, change.kind])).toEqual([['settings.instance.allowed_origins["https://new.example.com"]', 'added']]);
    expect(forward.unverified).toEqual([{ path: 'settings.session.revoke_on', baseline: ['email_change', 'mfa_enrollment', 'password_change'] }]);
    const backward = diffExports(newer, older, { production: true });
    expect(backward.changes.map((change) => [change.path, change.kind])).toEqual([['settings.instance.allowed_origins["https://new.example.com"]', 'removed']]);
    expect(backward.unverified.map((entry) => entry.path)).toEqual(['settings.session.revoke_on']);
  });

  test('with full coverage on both sides it equals diffSettings', () => {
    const older = liveLike(loaded);
    const newer = liveLike(loaded, (settings) => { settings.session!.inactivity_timeout_minutes = 60; });
    expect(diffExports(older, newer)).toEqual({ changes: diffSettings(older.settings, newer.settings, { coverage: newer.coverage }), unverified: [] });
  });
});
