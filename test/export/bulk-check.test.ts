/**
 * bulk-check.ts replaces zod for the JWT templates and `sensitive` entries of a live export only
 * when it says exactly what zod (through validateWithSchema) would: every value it accepts, zod
 * accepts too, with a deep-equal output (the same keys in the same order, the same values, the
 * same prototypes). Values it refuses go to zod as before. Property-based over values near the
 * schema's edges (wrong types, out-of-range numbers, extra and hostile keys, undefined).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { validateWithSchema } from '../../src/baseline/validate';
import { checkedSensitive, checkedSensitiveValue, checkedTemplate, checkedTemplates } from '../../src/export/bulk-check';
import { sensitiveValueSchema } from '../../src/export/types';
import { jwtTemplateSchema, settingsSchema } from '../../src/settings/model';
import { setOwn } from '../../src/util/records';

const templatesSchema = settingsSchema.shape.jwt_templates.unwrap();
const sensitiveSchema = z.record(z.string(), sensitiveValueSchema);

const HOSTILE = ['__proto__', 'constructor', 'prototype', 'toString', 'a.b', '', ' ', 'claims', 'lifetime'];
const key = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 6 }));
const scalar = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined));
const number = fc.oneof(
  fc.constantFrom(-1, -0, 0, 29, 30, 31, 300, 301, 315360000, 315360001, 1.5, Number.NaN, Infinity, 2 ** 53, '60'),
  fc.integer({ min: -10, max: 400 }),
  fc.double({ min: -10, max: 400 }),
);

function objectOf(entries: readonly (readonly [string, unknown])[], prototype: 'object' | 'null' = 'object'): Record<string, unknown> {
  const out: Record<string, unknown> = prototype === 'null' ? Object.create(null) : {};
  for (const [name, value] of entries) setOwn(out, name, value);
  return out;
}

const claims = fc.oneof(
  fc.tuple(fc.uniqueArray(fc.tuple(key, fc.oneof(scalar, fc.dictionary(fc.string({ maxLength: 3 }), scalar, { maxKeys: 2 }))), { selector: ([name]) => name, maxLength: 4 }), fc.constantFrom('object' as const, 'null' as const)).map(([entries, prototype]) =>
    objectOf(entries, prototype),
  ),
  fc.constantFrom(null, [], ['a'], 'claims', 1, new Date(0)),
);
/** Templates near the schema: each field present or not, valid or not, in any order, sometimes an extra key. */
const template = fc
  .record(
    {
      claims,
      lifetime: number,
      allowed_clock_skew: number,
      signing_algorithm: fc.oneof(fc.constantFrom('RS256', ''), scalar),
      custom_signing_key: fc.oneof(fc.boolean(), scalar),
      extra: fc.tuple(key, scalar),
    },
    { requiredKeys: [] },
  )
  .chain((fields) => fc.shuffledSubarray(Object.entries(fields), { minLength: Object.keys(fields).length, maxLength: Object.keys(fields).length }))
  .map((entries) => objectOf(entries.flatMap(([name, value]): [string, unknown][] => (name === 'extra' ? [value as [string, unknown]] : [[name, value]]))));
const validTemplate = fc
  .record(
    {
      claims: fc.dictionary(key, scalar.filter((value) => value !== undefined), { maxKeys: 4 }),
      lifetime: fc.integer({ min: 30, max: 315360000 }),
      allowed_clock_skew: fc.integer({ min: 0, max: 300 }),
      signing_algorithm: fc.string({ maxLength: 6 }),
      custom_signing_key: fc.boolean(),
    },
    { requiredKeys: ['claims', 'lifetime'] },
  )
  .map((fields) => objectOf(Object.entries(fields).reverse()));
const sensitiveValue = fc
  .record({ present: fc.oneof(fc.boolean(), scalar), fingerprint: fc.oneof(fc.constantFrom('sha256:0123456789abcdef', 'sha256:0123456789ABCDEF', 'sha256:0123'), scalar), extra: fc.tuple(key, scalar) }, { requiredKeys: [] })
  .map((fields) => objectOf(Object.entries(fields).flatMap(([name, value]): [string, unknown][] => (name === 'extra' ? [value as [string, unknown]] : [[name, value]]))));

/** Deep equality that also compares key order and prototypes. */
function shapeOf(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return Object.is(value, -0) ? '-0' : value;
  if (Array.isArray(value)) return { array: value.map(shapeOf) };
  return { prototype: Object.getPrototypeOf(value) === null ? 'null' : Object.getPrototypeOf(value) === Object.prototype ? 'object' : 'other', entries: Reflect.ownKeys(value).map((name) => [String(name), shapeOf((value as Record<string, unknown>)[name as string])]) };
}

/** What validateWithSchema returns, or undefined when it refuses the value (or throws: a `__proto__` key holding an invalid value). */
function viaZod(schema: z.ZodType, value: unknown): unknown {
  try {
    return validateWithSchema(schema, value, 'x').value;
  } catch {
    return undefined;
  }
}

describe('bulk checks of a live export agree with zod', () => {
  test('a template it accepts, zod accepts with the same output', () => {
    fc.assert(
      fc.property(template, (value) => {
        const fast = checkedTemplate(value);
        if (fast !== undefined) {
          expect(jwtTemplateSchema.safeParse(value).success).toBe(true);
          const zod = viaZod(z.record(z.string(), jwtTemplateSchema), { t: value }) as Record<string, unknown> | undefined;
          expect(shapeOf(fast)).toEqual(shapeOf(zod?.t));
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('a record of templates it accepts, zod accepts with the same output (keys are data)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, fc.oneof(template, validTemplate)), { selector: ([name]) => name, maxLength: 4 }), (entries) => {
        const value = objectOf(entries);
        const fast = checkedTemplates(value);
        const zod = viaZod(templatesSchema, value);
        if (fast !== undefined) {
          expect(zod).toBeDefined();
          expect(shapeOf(fast)).toEqual(shapeOf(zod));
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('every valid template it is used for is accepted (else the bulk path never runs)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key.filter((name) => name !== ''), validTemplate), { selector: ([name]) => name, maxLength: 4 }), (entries) => {
        const value = objectOf(entries);
        const fast = checkedTemplates(value);
        expect(fast).toBeDefined();
        expect(shapeOf(fast)).toEqual(shapeOf(viaZod(templatesSchema, value)));
      }),
      { numRuns: 1000 },
    );
  });

  test('a sensitive record it accepts, zod accepts with the same output', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, sensitiveValue), { selector: ([name]) => name, maxLength: 4 }), (entries) => {
        const value = objectOf(entries);
        for (const [, entry] of entries) if (checkedSensitiveValue(entry) !== undefined) expect(sensitiveValueSchema.safeParse(entry).success).toBe(true);
        const fast = checkedSensitive(value);
        const zod = viaZod(sensitiveSchema, value);
        if (fast !== undefined) {
          expect(zod).toBeDefined();
          expect(shapeOf(fast)).toEqual(shapeOf(zod));
        }
        if (entries.every(([, entry]) => sensitiveValueSchema.safeParse(entry).success && Object.values(entry).every((field) => field !== undefined))) expect(fast).toBeDefined();
      }),
      { numRuns: 2000 },
    );
  });

  test.each([
    ['an empty name', { '': { claims: {}, lifetime: 60 } }],
    ['a lifetime under 30 s', { a: { claims: {}, lifetime: 29 } }],
    ['a clock skew over 300 s', { a: { claims: {}, lifetime: 60, allowed_clock_skew: 301 } }],
    ['claims as a list', { a: { claims: [], lifetime: 60 } }],
    ['an unknown field', { a: { claims: {}, lifetime: 60, audience: 'x' } }],
    ['a field present as undefined', { a: { claims: {}, lifetime: 60, signing_algorithm: undefined } }],
  ])('%s is left to zod', (_what, value) => {
    expect(checkedTemplates(value)).toBeUndefined();
  });
});
