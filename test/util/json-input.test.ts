/**
 * The strict-JSON scan (duplicate keys, depth) guards every file and every Clerk answer; it is
 * on the hot path of large answers, so it skips strings with indexOf and decodes only keys with
 * escapes. A property test holds it to a plain character-by-character reference on arbitrary
 * JSON, formatted any way, with duplicates and escapes mixed in.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MAX_JSON_DEPTH, scanJsonText, type JsonTextProblem } from '../../src/util/json-input';
import type { PathSegment } from '../../src/settings/paths';

/** The scan as first written: every character visited, every key decoded with JSON.parse. */
function reference(text: string, maxDepth = MAX_JSON_DEPTH, limit = 20): JsonTextProblem[] {
  const problems: JsonTextProblem[] = [];
  const stack: { array: boolean; keys?: Map<string, number>; expectKey: boolean; key?: string; index: number }[] = [];
  const pathOf = (): PathSegment[] => stack.map((frame) => (frame.array ? frame.index : (frame.key ?? '')));
  let i = 0;
  while (i < text.length && problems.length < limit) {
    const ch = text[i];
    if (ch === '"') {
      const start = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && !top.array && top.expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        top.expectKey = false;
        top.key = key;
        const first = top.keys!.get(key);
        if (first === undefined) top.keys!.set(key, start);
        else problems.push({ kind: 'duplicate_key', offset: start, path: pathOf(), key, firstOffset: first });
      }
    } else if (ch === '{' || ch === '[') {
      if (stack.length >= maxDepth) return [...problems, { kind: 'too_deep', offset: i, path: pathOf() }];
      stack.push(ch === '{' ? { array: false, keys: new Map(), expectKey: true, index: 0 } : { array: true, expectKey: false, index: 0 });
    } else if (ch === '}' || ch === ']') stack.pop();
    else if (ch === ',') {
      const top = stack[stack.length - 1];
      if (top?.array) top.index++;
      else if (top) top.expectKey = true;
    }
    i++;
  }
  return problems;
}

const key = fc.oneof(fc.constantFrom('a', 'b', '__proto__', 'a"b', 'x\\y', '\\', '"', 'é', '\u0000', 'k\n'), fc.string({ maxLength: 6 }));
/** JSON text with repeated keys: objects written by hand from entries, so a key may come twice. */
const jsonText: fc.Arbitrary<string> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constantFrom('null', 'true', '1.5e3', '"s"', '"q\\"uote"'), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
  object: fc
    .array(fc.tuple(key, tie('value'), fc.boolean()), { maxLength: 5 })
    .map((entries) => `{${entries.map(([name, value, escapeIt]) => `${escapeIt ? JSON.stringify(name).replace(/[a-z]/, (letter) => `\\u00${letter.charCodeAt(0).toString(16)}`) : JSON.stringify(name)}: ${value}`).join(',\n  ')}}`),
})).object as fc.Arbitrary<string>;

describe('scanJsonText', () => {
  test('finds exactly what a character-by-character scan finds, on arbitrary JSON with repeated and escaped keys', () => {
    fc.assert(
      fc.property(jsonText, fc.integer({ min: 1, max: 6 }), (text, maxDepth) => {
        expect(JSON.parse(text)).toBeDefined();
        expect(scanJsonText(text, { maxDepth })).toEqual(reference(text, maxDepth));
        expect(scanJsonText(text)).toEqual(reference(text));
      }),
      { numRuns: 500 },
    );
  });

  test('wide objects (past the short key list, where a map takes over) and reused frames: the same as the reference', () => {
    const wideKey = fc.integer({ min: 0, max: 30 }).map((n) => `k${n}`);
    const wide = fc.array(fc.array(wideKey, { maxLength: 40 }), { minLength: 1, maxLength: 4 }).map((objects) => `[${objects.map((keys) => `{${keys.map((name, index) => `"${name}": {"n": ${index}, "n": 0}`).join(', ')}}`).join(', ')}]`);
    fc.assert(
      fc.property(wide, (text) => {
        expect(scanJsonText(text, { limit: 1000 })).toEqual(reference(text, MAX_JSON_DEPTH, 1000));
      }),
      { numRuns: 300 },
    );
  });

  test('a key written with an escape is the same key as without one', () => {
    expect(scanJsonText('{"ab": 1, "\\u0061b": 2}')).toEqual([{ kind: 'duplicate_key', offset: 10, path: ['ab'], key: 'ab', firstOffset: 1 }]);
    expect(scanJsonText('{"a\\\\": 1, "a\\\\\\"": 2, "a\\\\": 3}').map((problem) => problem.key)).toEqual(['a\\']);
  });
});
