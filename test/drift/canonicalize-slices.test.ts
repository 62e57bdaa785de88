/**
 * canonicalizeInSlices (the baseline's side of a drift, built while Clerk's answers are on their
 * way) builds exactly the tree canonicalize builds: same keys in the same order, same values,
 * `__proto__` an own key. Property-based over arbitrary JSON and over settings-shaped values
 * with hostile keys; the slices are forced small so that every value is cut into many.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalize, canonicalizeInSlices, compileNormalizeOptions } from '../../src/drift/normalize';
import { setOwn } from '../../src/util/records';

const HOSTILE = ['__proto__', 'constructor', 'id', 'created_at', 'object', 'claims', 'jwt_templates', 'a.b', ''];
const key = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 5 }));
const { value: jsonish } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined)),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.uniqueArray(fc.tuple(key, tie('value')), { selector: ([name]) => name, maxLength: 4 }).map(objectOf),
  ),
}));

function objectOf(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of entries) setOwn(out, name, value);
  return out;
}

/** Keys in order, values, prototypes: what toEqual alone would not compare. */
function shapeOf(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return Object.is(value, -0) ? '-0' : value;
  if (Array.isArray(value)) return { array: value.map(shapeOf) };
  return { prototype: Object.getPrototypeOf(value) === Object.prototype, entries: Object.keys(value).map((name) => [name, shapeOf((value as Record<string, unknown>)[name])]) };
}

/** Both trees equal; the number of pauses taken (a pause after every 64 entries). */
async function bothWays(value: unknown): Promise<number> {
  const options = compileNormalizeOptions();
  let pauses = 0;
  const sliced = await canonicalizeInSlices(value, options, { pause: async () => void pauses++, sliceMs: 0 });
  expect(shapeOf(sliced)).toEqual(shapeOf(canonicalize(value, options)));
  return pauses;
}

describe('canonicalizeInSlices builds the tree canonicalize builds', () => {
  test('arbitrary JSON-like values', async () => {
    await fc.assert(fc.asyncProperty(jsonish, async (value) => void (await bothWays(value))), { numRuns: 1500 });
  });

  test('settings-shaped values: groups of entries, templates with claims, sets, hostile keys', async () => {
    const settings = fc.uniqueArray(fc.tuple(fc.constantFrom('jwt_templates', 'organizations', 'instance', 'session', '__proto__', 'id'), fc.uniqueArray(fc.tuple(key, jsonish), { selector: ([name]) => name, maxLength: 6 }).map(objectOf)), {
      selector: ([name]) => name,
      maxLength: 4,
    });
    await fc.assert(fc.asyncProperty(settings.map(objectOf), async (value) => void (await bothWays(value))), { numRuns: 1500 });
  });

  test.each(['production.json', 'staging.json'])('baselines/%s, and 3,000 templates cut into slices', async (file) => {
    const baseline = JSON.parse(readFileSync(path.join(__dirname, '../../baselines', file), 'utf8')) as { settings: Record<string, unknown> };
    await bothWays(baseline.settings);
    const templates: Record<string, unknown> = {};
    for (let index = 0; index < 3000; index++) templates[`t-${index % 7}-${index}`] = { lifetime: 60 + index, claims: { aud: `a${index}`, id: index, nested: { created_at: 1 } }, id: `jtmp_${index}` };
    expect(await bothWays({ ...baseline.settings, jwt_templates: templates })).toBeGreaterThanOrEqual(40);
  });
});
