/**
 * Keys are data: a JWT template, a claim, a role or a permission may be named `__proto__`,
 * `constructor`, `prototype`, `a.b`, `x["y"]` or after json-diff's own markers, and must
 * round-trip through every step: baseline text → baseline parsing → the emulator (over HTTP)
 * → export → normalize → diff → every report format → Slack → snapshot text. Property-based
 * (fast-check) over arbitrary key names, with the hostile ones always in the mix.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseBaseline } from '../../src/baseline/load';
import { diffBaseline } from '../../src/drift/index';
import { startEmulator } from '../../src/emulator/index';
import { exportLive } from '../../src/export/export';
import { renderDrift } from '../../src/report/drift';
import { driftAlert } from '../../src/report/slack';
import { parsePath } from '../../src/settings/paths';
import { parseSnapshotText } from '../../src/snapshot/layout';
import { snapshotJsonText } from '../../src/snapshot/redact';
import { canonicalize, stableStringify } from '../../src/util/json';
import { setOwn } from '../../src/util/records';

const HOSTILE = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'a.b', 'x["y"]', '[0]', 'k__added', 'k__deleted', '__old', '__new', 'aud~', 'k~__added', '', ' ', 'ü.ß'];
const keyName = fc.oneof(fc.constantFrom(...HOSTILE.filter((key) => key !== '')), fc.string({ minLength: 1, maxLength: 12 }));
/** Role keys as the model accepts them (letters, digits, _ : -). */
const roleKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'org:x', 'valueOf'), fc.stringMatching(/^[a-z_][a-z0-9_:-]{0,10}$/));

/** An object with exactly these own keys (built with setOwn: `__proto__` is an own key). */
function objectOf(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) setOwn(out, key, value);
  return out;
}

const claimsArbitrary = fc.uniqueArray(fc.tuple(keyName, fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean())), { selector: ([key]) => key, minLength: 1, maxLength: 4 });
const templatesArbitrary = fc.uniqueArray(fc.tuple(keyName, claimsArbitrary, keyName), { selector: ([name]) => name, minLength: 1, maxLength: 3 });
const rolesArbitrary = fc.uniqueArray(roleKey, { minLength: 0, maxLength: 2 });

function baselineText(templates: readonly (readonly [string, readonly (readonly [string, unknown])[], string])[], roles: readonly string[]): string {
  const jwt = objectOf(templates.map(([name, claims, nestedKey]) => [name, { claims: objectOf([...claims, ['aud', 'api'], ['nested', objectOf([[nestedKey, 1]])]]), lifetime: 60 }]));
  const permissions = objectOf(roles.map((key) => [`${key}:perm`, { name: `P ${key}` }]));
  const roleRecord = objectOf(roles.map((key) => [key, { name: `R ${key}`, permissions: [`${key}:perm`] }]));
  return JSON.stringify({
    schema_version: 1,
    version: '1.0.0',
    environment: 'production',
    profile: 'saas',
    target: { environment_type: 'production' },
    settings: { jwt_templates: jwt, ...(roles.length > 0 ? { organizations: { roles: roleRecord, permissions } } : {}) },
  });
}

describe('keys are data (fast-check)', () => {
  test('arbitrary template, claim, role and permission names round-trip baseline → emulator → export → drift', async () => {
    await fc.assert(
      fc.asyncProperty(templatesArbitrary, rolesArbitrary, async (templates, roles) => {
        const text = baselineText(templates, roles);
        const loaded = parseBaseline(text, 'baselines/production.json');
        const declared = loaded.baseline.settings.jwt_templates!;
        // Parsing keeps every key, as an own key of a prototype-free record.
        expect(Object.keys(declared).sort()).toEqual(templates.map(([name]) => name).sort());
        expect(Object.getPrototypeOf(declared)).toBeNull();
        for (const [name, claims] of templates) expect(Object.keys(declared[name]!.claims).sort()).toEqual([...claims.map(([key]) => key), 'aud', 'nested'].sort());

        const emulator = await startEmulator({ seed: loaded, rateLimit: false });
        try {
          const env = { ...emulator.env(), CLERK_PLATFORM_API_KEY: '' };
          const live = await exportLive(loaded, { env });
          expect(Object.keys(live.settings.jwt_templates!).sort()).toEqual(Object.keys(declared).sort());
          for (const name of Object.keys(declared)) expect(live.settings.jwt_templates![name]!.claims).toEqual(declared[name]!.claims);
          for (const key of roles) expect(Object.keys(live.settings.organizations?.roles ?? {})).toContain(key);

          // Unchanged: in sync, nothing to report.
          const same = diffBaseline(loaded, live, { today: '2026-11-26' });
          expect(same.changes).toEqual([]);
          expect(same.status).toBe('clean');

          // One changed claim under a hostile key is exactly one change, at a path that parses back.
          const [name, claims, nestedKey] = templates[0]!;
          const [claimKey] = claims[0]!;
          const changedClaims = objectOf([...Object.entries(declared[name]!.claims), [claimKey, 'CHANGED-VALUE']]);
          const nestedClaims = objectOf([...Object.entries(declared[name]!.claims), ['nested', objectOf([[nestedKey, 2]])]]);
          emulator.applySettings({ jwt_templates: objectOf([[name, { ...declared[name]!, claims: claimKey === 'nested' ? nestedClaims : changedClaims }]]) as never });
          const changedLive = await exportLive(loaded, { env });
          const drift = diffBaseline(loaded, changedLive, { today: '2026-11-26' });
          expect(drift.status).toBe('drift');
          expect(drift.changes).toHaveLength(1);
          const change = drift.changes[0]!;
          const expectedPath = claimKey === 'nested' ? ['settings', 'jwt_templates', name, 'claims', 'nested', nestedKey] : ['settings', 'jwt_templates', name, 'claims', claimKey];
          expect(parsePath(change.path)).toEqual(expectedPath);

          // Every report format and the Slack alert carry the same path.
          const report = { status: drift.status, generated_at: '2026-11-26T03:00:00.000Z', environments: [drift] };
          const json = JSON.parse(renderDrift('json', report)) as { environments: { changes: { path: string; live: unknown }[] }[] };
          expect(json.environments[0]!.changes[0]!.path).toBe(change.path);
          expect(renderDrift('text', report)).toContain(change.path);
          expect(renderDrift('markdown', report).length).toBeGreaterThan(0);
          const sarif = JSON.parse(renderDrift('sarif', report, { texts: { 'baselines/production.json': text } })) as { runs: { results: unknown[] }[] };
          expect(sarif.runs[0]!.results).toHaveLength(1);
          expect(JSON.stringify(driftAlert(drift).blocks)).toContain(JSON.stringify(change.path.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')).slice(1, -1));

          // Snapshot text keeps the keys and reads back equal.
          const snapshot = parseSnapshotText(snapshotJsonText(changedLive, [], 'the snapshot'), 'snapshot.json');
          expect(Object.keys(snapshot.settings.jwt_templates!).sort()).toEqual(Object.keys(declared).sort());
          expect(snapshot.settings.jwt_templates![name]!.claims).toEqual(changedLive.settings.jwt_templates![name]!.claims);
        } finally {
          await emulator.close();
        }
      }),
      { numRuns: 25 },
    );
  });

  test('a JWT template and a claim named __proto__ on the live instance are drift, not invisible', async () => {
    const loaded = parseBaseline(baselineText([['supabase', [['role', 'user']], 'x']], []), 'baselines/production.json');
    const emulator = await startEmulator({ seed: loaded, rateLimit: false });
    try {
      emulator.applySettings({ jwt_templates: objectOf([['__proto__', { claims: objectOf([['__proto__', { role: 'admin' }]]), lifetime: 3600 }]]) as never });
      const live = await exportLive(loaded, { env: { ...emulator.env(), CLERK_PLATFORM_API_KEY: '' } });
      const drift = diffBaseline(loaded, live, { today: '2026-11-26' });
      expect(drift.changes.map((change) => [change.path, change.kind, change.direction, change.severity])).toEqual([['settings.jwt_templates.__proto__', 'added', 'weakening', 'high']]);
      expect((drift.changes[0]!.live as { claims: Record<string, unknown> }).claims).toEqual(objectOf([['__proto__', { role: 'admin' }]]));
    } finally {
      await emulator.close();
    }
  });
});

describe('canonical JSON (src/util/json.ts) keeps every key as data', () => {
  test('`__proto__`, `constructor` and `toString` keys survive canonicalize and stableStringify at any depth, sorted, without touching prototypes', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(keyName, fc.oneof(fc.string({ maxLength: 4 }), fc.integer())), { selector: ([key]) => key, minLength: 1, maxLength: 6 }), (entries) => {
        const inner = objectOf(entries);
        const value = JSON.parse(JSON.stringify({ outer: inner, list: [inner] }).replace('"outer"', '"__proto__"')) as Record<string, unknown>;
        // JSON.parse made `__proto__` an own key; canonical output must keep it, with its contents.
        expect(Object.keys(value)).toEqual(['__proto__', 'list']);
        const canonical = canonicalize(value) as Record<string, unknown>;
        expect(Object.keys(canonical)).toEqual(['__proto__', 'list']);
        expect(Object.keys(canonical.__proto__ as object).sort()).toEqual(entries.map(([key]) => key).sort());
        const text = stableStringify(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(text.indexOf('"__proto__"')).toBeGreaterThan(-1);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
    );
  });

  test('a hostile key holding an object is written as data, not as a prototype', () => {
    const value = JSON.parse('{"b": 1, "__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}') as unknown;
    expect(stableStringify(value)).toBe('{\n  "__proto__": {\n    "polluted": true\n  },\n  "b": 1,\n  "constructor": {\n    "prototype": {\n      "x": 1\n    }\n  }\n}\n');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
