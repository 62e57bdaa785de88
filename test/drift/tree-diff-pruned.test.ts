/**
 * diffCanonical leaves equal entries out of the trees json-diff sees. That must never change
 * the answer: every case is compared with json-diff on the complete diff trees.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalize, compileNormalizeOptions, type CanonicalObject } from '../../src/drift/normalize';
import { diffCanonical, diffTrees, toDiffTree } from '../../src/drift/tree-diff';

const options = compileNormalizeOptions({ setLikePaths: ['s', 'o.s', '*.s', 'o.*.s'], keyedArrays: {} });

function unpruned(before: CanonicalObject, after: CanonicalObject) {
  return diffTrees(toDiffTree(before, [], options), toDiffTree(after, [], options), before, after, options);
}

/** An object from entries; `__proto__` stays an own key, as canonical trees keep it. */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

// Few distinct keys and values, so two random trees share much and differ in every way.
const key = fc.constantFrom('s', 'o', 'a', 'b', '10', '2', '__proto__', 'constructor', 'x__deleted', 'k~', '__old');
const scalar = fc.constantFrom<unknown>(0, -0, 1, 1.5, '', 'a', 'b', '\u0000a:["a"]', '\u0000s:a', true, false, null);
const tree = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, scalar, tie('object'), tie('strings'), tie('array')),
  object: fc.array(fc.tuple(key, tie('value')), { maxLength: 5 }).map(objectOf),
  strings: fc.array(fc.constantFrom('a', 'b', 'c', '__proto__', 'x__added'), { maxLength: 4 }),
  array: fc.array(tie('value'), { maxLength: 3 }),
}));
const root = fc.array(fc.tuple(key, tree.value), { maxLength: 6 }).map((entries) => canonicalize(objectOf(entries), options));

/** A copy of `value` with a few random edits, so most of it stays equal. */
function edited(value: CanonicalObject, edits: [number, unknown][]): CanonicalObject {
  const copy = structuredClone(value) as Record<string, unknown>;
  const keys = Object.keys(copy);
  for (const [index, replacement] of edits) {
    if (keys.length === 0) break;
    const target = keys[index % keys.length]!;
    if (replacement === 'delete') delete copy[target];
    else Object.defineProperty(copy, target, { value: replacement, enumerable: true, writable: true, configurable: true });
  }
  return canonicalize(copy, options);
}

describe('diffCanonical on pruned trees', () => {
  test('equals json-diff on the complete trees for independent values', () => {
    fc.assert(
      fc.property(root, root, (before, after) => {
        expect(diffCanonical(before, after, options)).toEqual(unpruned(before, after));
      }),
      { numRuns: 2000 },
    );
  });

  test('equals json-diff on the complete trees for a value and an edit of it', () => {
    fc.assert(
      fc.property(root, fc.array(fc.tuple(fc.nat(), fc.oneof(tree.value, fc.constant('delete'))), { maxLength: 3 }), (before, edits) => {
        const after = edited(before, edits);
        expect(diffCanonical(before, after, options)).toEqual(unpruned(before, after));
        expect(diffCanonical(after, before, options)).toEqual(unpruned(after, before));
      }),
      { numRuns: 2000 },
    );
  });

  test('equal trees have no changes; a set element, a type change and an opaque array are each one change', () => {
    const before = canonicalize({ s: ['a', 'b'], o: { a: { b: 1 } }, b: [1, 2] }, options);
    expect(diffCanonical(before, structuredClone(before), options)).toEqual([]);
    const after = canonicalize({ s: ['b', 'c'], o: { a: 'flat' }, b: [2, 1] }, options);
    expect(diffCanonical(before, after, options)).toEqual(unpruned(before, after));
    expect(diffCanonical(before, after, options).map((change) => `${change.kind} ${change.path.join('.')}`)).toEqual(['changed b', 'changed o.a', 'removed s.a', 'added s.c']);
  });
});
