/**
 * canonicalizeSharing (drift's live side, built against the baseline's canonical tree) must be
 * canonicalize's tree with some entries being the reference's own objects, and must never change
 * a diff: the same changes, in the same order, with the same values (oracle: canonicalize).
 * Property-based over settings-shaped values with hostile keys, server-managed fields, free-form
 * claims, set-like and keyed arrays, objects where the other side has a set, undefined, bigint,
 * NaN and -0; the live side is an edit of the reference, so most entries are shared.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalize, compileNormalizeOptions, type CanonicalObject, type CompiledNormalizeOptions } from '../../src/drift/normalize';
import { canonicalizeSharing, diffCanonical } from '../../src/drift/tree-diff';
import { setOwn } from '../../src/util/records';

const DEFAULT = compileNormalizeOptions();
// Set-like arrays and a free-form subtree at every depth a shared entry can have.
const CUSTOM = compileNormalizeOptions({ setLikePaths: ['g.s', 'g.*.s', 'instance.allowed_origins', 'organizations.roles.*.permissions'], keyedArrays: { 'g.k': 'name' } });

const HOSTILE = ['__proto__', 'constructor', 'id', 'created_at', 'object', 'claims', 's', 'k', 'name', 'a.b', ''];
const key = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 3 }));
const scalar = fc.oneof(
  fc.constantFrom<unknown>(0, -0, 1, '', 'a', 'b', '\u0000a:["a"]', true, false, null, undefined, Number.NaN, Number.POSITIVE_INFINITY, 10n),
  fc.string({ maxLength: 3 }),
  fc.integer({ min: -3, max: 3 }),
);
const { value: jsonish } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    scalar,
    scalar,
    fc.array(fc.constantFrom('a', 'b', 'c', '__proto__'), { maxLength: 3 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.array(fc.record({ name: fc.constantFrom('x', 'y', '__proto__'), v: scalar }), { maxLength: 2 }),
    fc.uniqueArray(fc.tuple(key, tie('value')), { selector: ([name]) => name, maxLength: 4 }).map(objectOf),
  ),
}));
const template = fc
  .record({ claims: fc.uniqueArray(fc.tuple(key, jsonish), { selector: ([name]) => name, maxLength: 4 }).map(objectOf), lifetime: scalar, id: fc.constant('jtmp_1'), s: jsonish }, { requiredKeys: ['claims'] })
  .map((value) => value as Record<string, unknown>);
const group = fc.uniqueArray(fc.tuple(key, fc.oneof(template, jsonish)), { selector: ([name]) => name, maxLength: 5 }).map(objectOf);
const settings = fc
  .uniqueArray(fc.tuple(fc.constantFrom('jwt_templates', 'organizations', 'instance', 'g', 'session', '__proto__', 'id'), fc.oneof(group, group, jsonish)), { selector: ([name]) => name, maxLength: 5 })
  .map(objectOf);

/** An edit of `value`: at some group entries (or deeper), a value replaced, removed or added. */
const edits = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.oneof(fc.constant('delete'), jsonish, template)), { maxLength: 4 });

function objectOf(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of entries) setOwn(out, name, value);
  return out;
}

function edited(value: Record<string, unknown>, changes: [number, number, unknown][]): Record<string, unknown> {
  const copy = structuredClone(value);
  for (const [groupIndex, entryIndex, replacement] of changes) {
    const groups = Object.keys(copy);
    if (groups.length === 0) return copy;
    const target = copy[groups[groupIndex % groups.length]!];
    if (target === null || typeof target !== 'object' || Array.isArray(target)) continue;
    const entries = Object.keys(target);
    const name = entries.length === 0 || entryIndex % 4 === 0 ? `new-${entryIndex}` : entries[entryIndex % entries.length]!;
    const inner = (target as Record<string, unknown>)[name];
    // Half of the edits go one level deeper (a template's field, a claim).
    if (entryIndex % 2 === 1 && inner !== null && typeof inner === 'object' && !Array.isArray(inner) && Object.keys(inner).length > 0) {
      const fields = Object.keys(inner);
      const field = fields[entryIndex % fields.length]!;
      if (replacement === 'delete') delete (inner as Record<string, unknown>)[field];
      else setOwn(inner as Record<string, unknown>, field, replacement);
    } else if (replacement === 'delete') delete (target as Record<string, unknown>)[name];
    else setOwn(target as Record<string, unknown>, name, replacement);
  }
  return copy;
}

/** Keys in order, values, prototypes; -0 told apart from 0 only when `strict`. */
function shapeOf(value: unknown, strict: boolean): unknown {
  if (value === null || typeof value !== 'object') return strict && Object.is(value, -0) ? '-0' : Object.is(value, -0) ? 0 : value;
  if (Array.isArray(value)) return { array: value.map((item) => shapeOf(item, strict)) };
  return { prototype: Object.getPrototypeOf(value) === Object.prototype, entries: Object.keys(value).map((name) => [name, shapeOf((value as Record<string, unknown>)[name], strict)]) };
}

function holdsAgainstCanonicalize(referenceSettings: unknown, liveSettings: unknown, options: CompiledNormalizeOptions): void {
  const reference = canonicalize(referenceSettings, options);
  const slow = canonicalize(liveSettings, options);
  const shared = canonicalizeSharing(liveSettings, options, reference);
  expect(shapeOf(shared, false)).toEqual(shapeOf(slow, false));
  // The changes, both ways round, with their values exactly (-0 included).
  expect(shapeOf(diffCanonical(reference, shared, options), true)).toEqual(shapeOf(diffCanonical(reference, slow, options), true));
  expect(shapeOf(diffCanonical(shared, reference, options), true)).toEqual(shapeOf(diffCanonical(slow, reference, options), true));
}

describe('canonicalizeSharing equals canonicalize for the diff', () => {
  test.each([
    ['default options', DEFAULT],
    ['set-like arrays and keyed lists as group entries', CUSTOM],
  ])('a settings value and an edit of it (%s)', (_name, options) => {
    fc.assert(
      fc.property(settings, edits, (reference, changes) => holdsAgainstCanonicalize(reference, edited(reference, changes), options)),
      { numRuns: 1000 },
    );
  });

  test('two independent settings values', () => {
    fc.assert(
      fc.property(settings, settings, (reference, live) => {
        holdsAgainstCanonicalize(reference, live, DEFAULT);
        holdsAgainstCanonicalize(reference, live, CUSTOM);
      }),
      { numRuns: 500 },
    );
  });

  test('large groups (64 entries and more, taken in the reference order unsorted): array-index names, shuffled, edited', () => {
    const name = fc.oneof(fc.constantFrom('0', '1', '9', '10', '01', '4294967294', '4294967295', '-1', '1.5', '__proto__', 'id', 'a', 'B', '_'), fc.string({ maxLength: 4 }), fc.nat({ max: 300 }).map(String));
    const large = fc.tuple(fc.uniqueArray(name, { minLength: 60, maxLength: 140 }), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.oneof(fc.constant('delete'), jsonish, template)), { maxLength: 3 }), fc.boolean());
    fc.assert(
      fc.property(large, ([names, changes, reversed]) => {
        const templates = objectOf(names.map((entry, index) => [entry, { claims: { aud: `a${index % 3}` }, lifetime: 60 + (index % 2) }]));
        const reference = { jwt_templates: templates, instance: { allowed_origins: ['x'] } };
        const live = edited(reference, changes) as { jwt_templates: Record<string, unknown> };
        // Clerk's order, not the baseline's.
        const liveNames = Object.keys(live.jwt_templates);
        if (reversed) liveNames.reverse();
        live.jwt_templates = objectOf(liveNames.map((entry) => [entry, live.jwt_templates[entry]]));
        holdsAgainstCanonicalize(reference, live, DEFAULT);
        // Unsorted keys in the reference (not a canonical tree): sorted as usual.
        const shared = canonicalizeSharing(live, DEFAULT, { jwt_templates: objectOf(Object.keys(templates).reverse().map((entry) => [entry, {}])) } as CanonicalObject);
        expect(shapeOf(shared, false)).toEqual(shapeOf(canonicalize(live, DEFAULT), false));
      }),
      { numRuns: 300 },
    );
  });

  test('an equal template is the reference entry itself; a changed, server-field-only or set-confused one is not', () => {
    const baseline = { jwt_templates: { a: { claims: { id: 1, aud: 'x' }, lifetime: 60 }, b: { claims: {}, lifetime: 60 } }, g: { s: ['a'] } };
    const reference = canonicalize(baseline, CUSTOM);
    const live = { jwt_templates: { b: { claims: {}, lifetime: 61, id: 'jtmp' }, a: { id: 'jtmp', lifetime: 60, claims: { aud: 'x', id: 1 }, signing_algorithm: undefined } }, g: { s: { a: true } } };
    const shared = canonicalizeSharing(live, CUSTOM, reference) as Record<string, Record<string, unknown>>;
    const referenceGroups = reference as Record<string, Record<string, unknown>>;
    expect(shared.jwt_templates!.a).toBe(referenceGroups.jwt_templates!.a);
    // A group equal entry for entry, none missing, is the reference's group itself; one entry short, it is not.
    const whole = canonicalizeSharing({ jwt_templates: { a: live.jwt_templates.a }, session: { x: 1 } }, CUSTOM, canonicalize({ jwt_templates: { a: baseline.jwt_templates.a }, session: { x: 1, y: 2 } }, CUSTOM)) as Record<string, unknown>;
    expect(whole.session).toEqual({ x: 1 });
    const wholeReference = canonicalize({ jwt_templates: { a: baseline.jwt_templates.a } }, CUSTOM) as Record<string, unknown>;
    expect((canonicalizeSharing({ jwt_templates: { a: live.jwt_templates.a } }, CUSTOM, wholeReference as CanonicalObject) as Record<string, unknown>).jwt_templates).toBe(wholeReference.jwt_templates);
    expect(shared.jwt_templates!.b).not.toBe(referenceGroups.jwt_templates!.b);
    // An object where the baseline has a set diffs equal (json-diff sees both as keyed members) but is not shared.
    expect(shared.g!.s).toEqual({ a: true });
    expect(diffCanonical(reference, shared as CanonicalObject, CUSTOM).map((change) => `${change.kind} ${change.path.join('.')}`)).toEqual(['changed jwt_templates.b.lifetime']);
  });

  test('counts the group entries it could not share (what the diff will walk; a large drift collects first when they are many)', () => {
    const baseline = { jwt_templates: { a: { claims: {}, lifetime: 60 }, b: { claims: {}, lifetime: 60 }, c: { claims: {}, lifetime: 60 } }, session: { x: 1 } };
    const reference = canonicalize(baseline, DEFAULT);
    const count = (live: unknown) => {
      const counts = { copied: 0 };
      canonicalizeSharing(live, DEFAULT, reference, counts);
      return counts.copied;
    };
    expect(count(structuredClone(baseline))).toBe(0);
    expect(count({ ...baseline, jwt_templates: { ...baseline.jwt_templates, b: { claims: {}, lifetime: 61 }, d: { claims: {}, lifetime: 60 } } })).toBe(2);
    expect(count({ ...baseline, jwt_templates: { a: { claims: {}, lifetime: 60, extra: true }, b: { claims: { aud: 'x' }, lifetime: 60 }, c: { claims: {}, lifetime: 1 } } })).toBe(3);
  });
});
