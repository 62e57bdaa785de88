/**
 * EarlyMatches (src/drift/early.ts) answers, while the export still reads, what canonicalizeSharing
 * would find for each JWT template. Its answers must never change a tree or a diff (oracle:
 * canonicalizeSharing walking every entry itself, over hostile names and values, with every,
 * some or none of the templates matched), must only ever be used for the very object, reference
 * entry and options they were made for, and a template they were made for cannot change after.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { EarlyMatches } from '../../src/drift/early';
import { canonicalize, compileNormalizeOptions, SERVER_MANAGED_KEYS, type CanonicalObject, type CanonicalValue } from '../../src/drift/normalize';
import { canonicalizeSharing, diffCanonical, type DecidedMatches } from '../../src/drift/tree-diff';
import { setOwn } from '../../src/util/records';

const HOSTILE = ['__proto__', 'constructor', 'toString', 'id', 'created_at', 'object', 'claims', 'aud', '0', '01', 'a.b', ''];
const name = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 3 }));
const scalar = fc.constantFrom<unknown>(0, -0, 1, '', 'a', 'b', true, false, null, Number.NaN, '{{user.id}}');
const { value: jsonish } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    scalar,
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.uniqueArray(fc.tuple(name, tie('value')), { selector: ([key]) => key, maxLength: 3 }).map(objectOf),
  ),
}));
const template = fc
  .record({ claims: fc.uniqueArray(fc.tuple(name, jsonish), { selector: ([key]) => key, maxLength: 4 }).map(objectOf), lifetime: fc.constantFrom(60, 61, 3600), id: fc.constantFrom('jtmp_1', 'jtmp_2'), signing_algorithm: fc.constantFrom('RS256', 'HS256') }, { requiredKeys: ['claims', 'lifetime'] })
  .map((value) => value as Record<string, unknown>);
const templates = fc.uniqueArray(fc.tuple(name, template), { selector: ([key]) => key, maxLength: 8 });
/** Per template of the baseline: kept, changed (a copy with one field replaced), or left out of the live side. */
const edit = fc.constantFrom('same', 'same', 'lifetime', 'claim', 'server field', 'gone');

function objectOf(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) setOwn(out, key, value);
  return out;
}

/** A few turns of the event loop. */
async function turns(count = 3): Promise<void> {
  for (let index = 0; index < count; index++) await new Promise((resolve) => setImmediate(resolve));
}

/** Every offered template matched, as the idle turns would (deterministic; the idle scheduling has its own test). */
async function matchedAll(early: EarlyMatches): Promise<void> {
  early.drain();
  expect(early.waiting).toBe(0);
}

/** Keys in order, values (-0 told apart), prototypes. */
function shapeOf(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return Object.is(value, -0) ? '-0' : value;
  if (Array.isArray(value)) return { array: value.map(shapeOf) };
  return { prototype: Object.getPrototypeOf(value) === Object.prototype, entries: Object.keys(value).map((key) => [key, shapeOf((value as Record<string, unknown>)[key])]) };
}

function liveTemplates(baseline: [string, Record<string, unknown>][], edits: string[], extra: [string, Record<string, unknown>][]): Record<string, unknown> {
  const live: [string, unknown][] = [];
  baseline.forEach(([key, value], index) => {
    const how = edits[index % Math.max(1, edits.length)] ?? 'same';
    if (how === 'gone') return;
    const copy = structuredClone(value);
    if (how === 'lifetime') copy.lifetime = (copy.lifetime as number) + 1;
    if (how === 'claim') setOwn(copy.claims as Record<string, unknown>, 'extra', 'x');
    if (how === 'server field') copy.updated_at = 2;
    live.push([key, copy]);
  });
  for (const [key, value] of extra) if (!baseline.some(([other]) => other === key)) live.push([key, structuredClone(value)]);
  // Clerk's order, not the baseline's.
  return objectOf(live.reverse());
}

describe('EarlyMatches', () => {
  test('its answers change no tree and no diff, whether every, some or none of the templates were matched', async () => {
    await fc.assert(
      fc.asyncProperty(templates, fc.array(edit, { maxLength: 8 }), templates, fc.nat({ max: 10 }), async (baselineTemplates, edits, extra, matchedBeforeClose) => {
        const baseline = { jwt_templates: objectOf(baselineTemplates), instance: { allowed_origins: ['https://a.example'] } };
        const live = { jwt_templates: liveTemplates(baselineTemplates, edits, extra), instance: { allowed_origins: ['https://a.example'] } };
        // The baseline's tree as prepareBaseline builds it (its own options object, the same options).
        const declared = canonicalize(baseline, compileNormalizeOptions());
        const prepared = new EarlyMatches(Promise.resolve({ declared }));
        const names = Object.keys(live.jwt_templates);
        await turns(1);
        names.slice(0, matchedBeforeClose).forEach((key) => prepared.offerTemplate(key, live.jwt_templates[key] as object));
        await matchedAll(prepared);
        prepared.close();
        // Offered after close: neither frozen nor matched.
        names.slice(matchedBeforeClose).forEach((key) => prepared.offerTemplate(key, live.jwt_templates[key] as object));
        await new Promise((resolve) => setTimeout(resolve, 5));
        for (const key of names.slice(matchedBeforeClose)) expect(Object.isFrozen(live.jwt_templates[key])).toBe(false);

        let used = 0;
        const counting: DecidedMatches = (...args) => {
          const answer = prepared.decided(...args);
          if (answer !== undefined) used++;
          return answer;
        };
        const options = prepared.options;
        const walked = canonicalizeSharing(live, options, declared);
        const decided = canonicalizeSharing(live, options, declared, undefined, counting);
        expect(shapeOf(decided)).toEqual(shapeOf(walked));
        expect(shapeOf(diffCanonical(declared, decided, options))).toEqual(shapeOf(diffCanonical(declared, walked, options)));
        expect(shapeOf(diffCanonical(decided, declared, options))).toEqual(shapeOf(diffCanonical(walked, declared, options)));
        // Every template offered in time and named in the baseline had its answer used.
        // (Names the diff never shares, server-managed ones such as `id`, are not matched.)
        const answerable = names.slice(0, matchedBeforeClose).filter((key) => Object.prototype.hasOwnProperty.call(baseline.jwt_templates, key) && !SERVER_MANAGED_KEYS.has(key)).length;
        expect(used).toBe(answerable);
        expect(prepared.matched).toBe(answerable);
      }),
      { numRuns: 300 },
    );
  });

  test('an answer is only for the object it was made for, against the same reference entry and options', async () => {
    const baseline = { jwt_templates: { a: { claims: { aud: 'x' }, lifetime: 60 } } };
    const declared = canonicalize(baseline, compileNormalizeOptions());
    const early = new EarlyMatches(Promise.resolve({ declared }));
    const live = { claims: { aud: 'x' }, lifetime: 60 };
    await turns(1);
    early.offerTemplate('a', live);
    await matchedAll(early);
    const reference = (declared.jwt_templates as Record<string, CanonicalValue>).a!;
    expect(early.decided('jwt_templates', 'a', live, reference, early.options)).toBe(true);
    // An equal copy (zod's output), another reference entry, other options, another group: no answer.
    expect(early.decided('jwt_templates', 'a', structuredClone(live), reference, early.options)).toBeUndefined();
    expect(early.decided('jwt_templates', 'a', live, structuredClone(reference), early.options)).toBeUndefined();
    expect(early.decided('jwt_templates', 'a', live, reference, compileNormalizeOptions())).toBeUndefined();
    expect(early.decided('roles', 'a', live, reference, early.options)).toBeUndefined();
    // Once used, forgotten: no live template is kept through the rest of the diff.
    early.forget();
    expect(early.matched).toBe(0);
    expect(early.decided('jwt_templates', 'a', live, reference, early.options)).toBeUndefined();
  });

  test('a template is frozen, deeply, before it is matched: a later change throws instead of leaving a stale answer', async () => {
    const early = new EarlyMatches(Promise.resolve({ declared: canonicalize({ jwt_templates: { a: { claims: {}, lifetime: 60 } } }, compileNormalizeOptions()) }));
    await turns(1);
    const deep = { deep: true };
    const list: unknown[] = [1, deep];
    const claims: Record<string, unknown> = { aud: 'x', nested: { list } };
    const live = { claims, lifetime: 60 };
    early.offerTemplate('a', live);
    await matchedAll(early);
    expect(early.matched).toBe(1);
    expect(() => (live.lifetime = 61)).toThrow(TypeError);
    expect(() => (claims.aud = 'y')).toThrow(TypeError);
    expect(() => list.push(2)).toThrow(TypeError);
    expect(() => (deep.deep = false)).toThrow(TypeError);
    expect(() => delete claims.aud).toThrow(TypeError);
  });

  test('matches on its own while the event loop is idle, and not while it is kept busy', async () => {
    const baseline = { jwt_templates: Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`t${index}`, { claims: { aud: `a${index}` }, lifetime: 60 }])) };
    const early = new EarlyMatches(Promise.resolve({ declared: canonicalize(baseline, compileNormalizeOptions()) }));
    await turns(1);
    // Busy: every turn of the loop runs 3 ms of other work, so no timer finds it idle.
    const busyUntil = performance.now() + 40;
    const templates = Object.entries(structuredClone(baseline.jwt_templates));
    for (const [name, template] of templates) early.offerTemplate(name, template);
    await new Promise<void>((resolve) => {
      const spin = () => {
        const end = performance.now() + 3;
        while (performance.now() < end) {
          // other work
        }
        if (performance.now() < busyUntil) setImmediate(spin);
        else resolve();
      };
      spin();
    });
    expect(early.matched).toBeLessThan(50);
    // Idle (bounded wait): all of them, each frozen.
    for (let index = 0; index < 2500 && early.waiting > 0; index++) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(early.matched).toBe(50);
    for (const [, template] of templates) expect(Object.isFrozen(template)).toBe(true);
  });

  test.each([
    ['is not prepared (the baseline\'s tree failed)', () => Promise.resolve(undefined)],
    ['rejects', () => Promise.reject(new Error('no tree'))],
    ['has no jwt_templates group', () => Promise.resolve({ declared: canonicalize({ instance: {} }, compileNormalizeOptions()) as CanonicalObject })],
  ])('nothing is matched or frozen when the baseline\'s tree %s', async (_how, prepared) => {
    const early = new EarlyMatches(prepared());
    await turns(2);
    const live = { claims: {}, lifetime: 60 };
    early.offerTemplate('a', live);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(early.matched).toBe(0);
    expect(Object.isFrozen(live)).toBe(false);
  });
});
