/* eslint-disable @typescript-eslint/no-explicit-any -- walks zod's internal definitions */
/**
 * The validator generated from the baseline schema (src/baseline/valid-baseline.generated.ts)
 * against zod, the oracle: it may leave a value to zod, but what it accepts zod accepts, and it
 * returns exactly what the zod path returns (same keys in the same order, same prototypes,
 * `$comment` removed, defaults filled in). On every baseline file in the repository, on values
 * generated from the schema itself (each leaf drawn from strings and numbers at the edges of
 * every rule, mostly ones zod accepts there), and on random damage to both.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import fc from 'fast-check';
import { transformSync } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { baselineSchema } from '../../src/baseline/schema';
import { stripComments } from '../../src/baseline/comments';
import { z } from 'zod';
import { childSchema, unwrap, validateWithSchema } from '../../src/baseline/validate';
import { formatPath } from '../../src/settings/paths';
import { validateBaselineText } from '../../src/baseline/load';
import { parseValidBaseline } from '../../src/baseline/valid-baseline.generated';
import { valueCheckName } from '../../src/baseline/value-checks';
import * as generatedRuntime from '../../src/baseline/generated-runtime';
import { RULE_IDS } from '../../src/checklist/ids';
import { REPO_ROOT } from '../helpers/cli';

const FIXTURES = ['baselines/production.json', 'baselines/staging.json', 'test/scan/fixtures/next-app-router/production.json'];

/** A value written out with its keys in order and every object's prototype (null or not). */
function shape(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(shape).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value) === null ? 'null' : Object.getPrototypeOf(value) === Object.prototype ? 'object' : 'other';
    return `${prototype}{${Object.keys(value)
      .map((key) => `${JSON.stringify(key)}:${shape((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

/** What the zod path makes of a text: the value, or undefined when it is invalid (or throws). */
function zodAnswer(text: string): { valid: boolean; value?: unknown } {
  const value = JSON.parse(text) as unknown;
  try {
    // Without the text: the same answer, only faster (zod compiles its fast path; no line numbers to find).
    const comments = stripComments(baselineSchema, value, 'f.json');
    const result = validateWithSchema(baselineSchema, value, 'f.json');
    if (comments.length > 0 || result.errors.length > 0 || result.value === undefined) return { valid: false };
    return { valid: true, value: result.value };
  } catch {
    return { valid: false };
  }
}

/** The generated validator's answer, held to zod's; true when it accepted. */
function agreesWithZod(text: string): boolean {
  const input = JSON.parse(text) as unknown;
  const fast = parseValidBaseline(input);
  expect(shape(input), 'the generated validator changed its input').toBe(shape(JSON.parse(text)));
  if (fast === undefined) return false;
  const oracle = zodAnswer(text);
  expect(oracle.valid, `accepted what zod rejects:\n${text}`).toBe(true);
  expect(shape(fast)).toBe(shape(oracle.value));
  return true;
}

// Strings and numbers at the edges of the schema's rules; each leaf draws mostly from those its own schema accepts.
const STRINGS = [
  '', 'a', 'x'.repeat(2049), `/${'x'.repeat(2047)}`, `/${'x'.repeat(2048)}`, '$comment', '__proto__', 'constructor', 'toString', 'production', 'Prod', 'staging-2',
  '2026-01-31', '2026-02-30', '2026-1-01', '2027-12-31', '1999-01-01',
  'CLERK_SECRET_KEY', 'clerk-key', 'MY_ENV_1',
  'https://app.example.com', 'http://localhost:3000', ' https://app.example.com', 'https://app.example.com\n', 'https://app.example.com/path', 'https://*.example.com', 'not a url', 'https://api.clerk.com',
  '/', '/dashboard', '//evil', '/a b', '/a#b',
  ...RULE_IDS.slice(0, 4), 'keys-rotaton',
  'settings.session.inactivity_timeout_minutes', 'settings', 'settings.*', 'settings.session', 'settings.jwt_templates.*', 'settings.jwt_templates.supabase', 'code:src/**', 'session.*',
  'org:admin', 'org:member', 'bad key', 'session', 'sign_up', 'Bad_Key',
  'RU', 'ru', 'live', 'test', 'banking', 'saas', 'lax', 'none', 'public', 'monthly', 'password_change', 'manual_invitation', 'RS256', 'user.deleted',
];
const NUMBERS = [0, -0, 1, -1, 0.5, 4, 5, 29, 30, 31, 60, 72, 73, 100, 101, 128, 129, 300, 301, 1000, 1001, 1440, 3600, 3650, 3651, 525600, 525601, 315360000, 315360001, 2 ** 53, 1e21];
const WILD = fc.oneof(fc.constantFrom<unknown>(null, true, 0, '', [], {}, 'x', 1.5), fc.jsonValue({ maxDepth: 2 }));

/**
 * Values drawn from a zod schema. `clean`: every leaf from the values its schema accepts, no
 * missing or unknown key (what is left to fail are the checks of whole objects); otherwise now
 * and then damaged (a wild value, a missing or unknown key, a `$comment` of the wrong type).
 */
function arbitraryOf(schema: any, clean: boolean, full = false): fc.Arbitrary<unknown> {
  const def = schema._zod.def;
  const damaged = (arbitrary: fc.Arbitrary<unknown>) => (clean ? arbitrary : fc.oneof({ weight: 30, arbitrary }, { weight: 1, arbitrary: WILD }));
  function fromPool<T>(leaf: any, pool: readonly T[]): fc.Arbitrary<T> {
    const accepted = pool.filter((item) => leaf.safeParse(item).success);
    // zod trims URLs: such a value is left to zod on purpose (the damaged values keep it).
    const untouched = accepted.filter((item) => typeof item !== 'string' || (item.trim() === item && !/[\t\n\r]/.test(item)));
    if (clean && untouched.length > 0) return fc.constantFrom(...untouched);
    return accepted.length > 0 ? fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...accepted) }, { weight: 1, arbitrary: fc.constantFrom(...pool) }) : fc.constantFrom(...pool);
  }
  switch (def.type) {
    case 'object': {
      const keys = Object.keys(def.shape);
      const required = keys.filter((key) => !['optional', 'default'].includes(def.shape[key]._zod.def.type));
      const record = fc.record(Object.fromEntries(keys.map((key) => [key, arbitraryOf(def.shape[key], clean, full)])), { requiredKeys: (full ? keys : required) as never[] });
      const goodComment = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 2 }));
      const comment = fc.option(clean ? goodComment : fc.oneof({ weight: 4, arbitrary: goodComment }, { weight: 1, arbitrary: WILD }), { freq: 8 });
      const extra = clean ? fc.constant(null) : fc.option(fc.constantFrom(...STRINGS.slice(0, 8), 'instance', 'settings'), { freq: 25 });
      const drop = clean ? fc.constant(null) : fc.option(fc.constantFrom(...(required.length > 0 ? required : ['-'])), { freq: 25 });
      return damaged(
        fc.tuple(record, comment, extra, drop).map(([value, commentValue, extraKey, dropKey]) => {
          const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
          if (commentValue !== null) out.$comment = commentValue;
          if (extraKey !== null) Object.defineProperty(out, extraKey, { value: 1, enumerable: true, configurable: true, writable: true });
          if (dropKey !== null) delete out[dropKey];
          return out;
        }),
      );
    }
    case 'record': {
      const keys = fromPool(def.keyType, [...STRINGS.slice(0, 9), 'supabase', 'https://hooks.example.com/clerk', ' https://hooks.example.com', 'org:admin', 'session']);
      return damaged(
        fc.array(fc.tuple(keys, arbitraryOf(def.valueType, clean, full)), { minLength: full ? 1 : 0, maxLength: full ? 1 : 3 }).map((entries) => {
          const out: Record<string, unknown> = {};
          for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
          return out;
        }),
      );
    }
    case 'array': {
      const max = (def.checks ?? []).map((check: any) => check._zod.def).find((check: any) => check.check === 'max_length')?.maximum;
      const min = (def.checks ?? []).map((check: any) => check._zod.def).find((check: any) => check.check === 'min_length')?.minimum;
      return damaged(fc.array(arbitraryOf(def.element, clean, full), { minLength: full ? Math.max(1, min ?? 0) : clean ? (min ?? 0) : 0, maxLength: full ? Math.max(1, min ?? 0) : clean ? Math.max(min ?? 0, Math.min(3, max ?? 3)) : Math.min(4, max ?? 4) + (max ? 1 : 0) }));
    }
    case 'string':
      return damaged(fromPool(schema, STRINGS));
    case 'number':
      return damaged(fromPool(schema, NUMBERS));
    case 'boolean':
      return damaged(fc.boolean());
    case 'enum':
      return damaged(fromPool(schema, [...Object.values(def.entries), 'other']));
    case 'literal':
      return damaged(fromPool(schema, [...def.values, 2, '1']));
    case 'unknown':
      if (full) return fc.constant({ a: 1 });
      return fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant({ $comment: 1, __proto__x: 2 }));
    case 'optional':
    case 'default':
      return arbitraryOf(def.innerType, clean, full);
    case 'nullable':
      return full ? arbitraryOf(def.innerType, clean, full) : fc.oneof(fc.constant(null), arbitraryOf(def.innerType, clean, full));
    default:
      throw new Error(`no arbitrary for zod type ${def.type}`);
  }
}

/** A valid baseline that sets every field of the schema (each map and list with one entry); the same one on every call. */
function baselineWithEveryField(): unknown {
  return fc.sample(arbitraryOf(baselineSchema, true, true), { seed: 14, numRuns: 200 }).find((sample) => zodAnswer(JSON.stringify(sample)).valid);
}

/** scripts/gen-baseline-validator.mjs, the build step that writes the generated validator. */
async function generator(): Promise<{ generateBaselineValidator: (schema: unknown, name: unknown) => string; GENERATED_FILE: string }> {
  return (await import(path.join(REPO_ROOT, 'scripts/gen-baseline-validator.mjs') as string)) as never;
}

/** Random damage to a valid value: one node replaced, one key removed, one key added. */
function damage(value: unknown): fc.Arbitrary<unknown> {
  const paths: (string | number)[][] = [];
  const walk = (node: unknown, at: (string | number)[]) => {
    paths.push(at);
    if (Array.isArray(node)) node.forEach((item, index) => walk(item, [...at, index]));
    else if (node !== null && typeof node === 'object') for (const key of Object.keys(node)) walk((node as Record<string, unknown>)[key], [...at, key]);
  };
  walk(value, []);
  const replacement = fc.oneof({ weight: 3, arbitrary: fc.constantFrom<unknown>(...STRINGS, ...NUMBERS) }, { weight: 1, arbitrary: WILD });
  return fc.tuple(fc.constantFrom(...paths), fc.constantFrom('replace', 'replace', 'remove', 'add', 'comment'), replacement).map(([at, how, replacement]) => {
    const copy = structuredClone(value) as Record<string, any>;
    if (at.length === 0) return how === 'replace' ? replacement : copy;
    let parent: any = copy;
    for (const segment of at.slice(0, -1)) parent = parent[segment];
    const last = at[at.length - 1]!;
    if (how === 'replace') parent[last] = replacement;
    else if (how === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else {
      const target = parent[last];
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
        const key = how === 'comment' ? '$comment' : typeof replacement === 'string' ? replacement : 'extra';
        Object.defineProperty(target, key, { value: replacement, enumerable: true, configurable: true, writable: true });
      }
    }
    return copy;
  });
}

describe('the generated baseline validator', () => {
  it('is current: regenerating it from the schema gives the same bytes', async () => {
    const { generateBaselineValidator, GENERATED_FILE } = await generator();
    expect(generateBaselineValidator(baselineSchema, valueCheckName), 'run: npx tsc -p tsconfig.build.json && node scripts/gen-baseline-validator.mjs').toBe(readFileSync(GENERATED_FILE, 'utf8'));
  });

  it.each(FIXTURES)('accepts %s with exactly the value zod returns', (file) => {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    expect(agreesWithZod(text)).toBe(true);
    // And the loader takes that path: the same value as zod's, the same warnings.
    const loaded = validateBaselineText(text, file);
    expect(loaded.errors).toEqual([]);
    expect(shape(loaded.value)).toBe(shape(zodAnswer(text).value));
  });

  it('accepts $comment notes where the loader strips them, and keeps "$comment" and "__proto__" as data in maps', () => {
    const baseline = JSON.parse(readFileSync(path.join(REPO_ROOT, 'baselines/production.json'), 'utf8'));
    baseline.$comment = ['a note'];
    baseline.settings.$comment = 'why';
    const templates = baseline.settings.jwt_templates as Record<string, any>;
    const [first] = Object.keys(templates);
    templates[first!].$comment = 'template note';
    templates[first!].claims.$comment = 'a claim named $comment';
    const text = JSON.stringify(baseline).replace('"claims":{', '"claims":{"__proto__":{"x":1},');
    expect(text).toContain('"__proto__"');
    expect(agreesWithZod(text)).toBe(true);
  });

  it.each([
    ['valid', true],
    ['damaged', false],
  ] as const)('never accepts what zod rejects, and returns what zod returns, on %s values generated from the schema', (_, clean) => {
    let accepted = 0;
    let valid = 0;
    fc.assert(
      fc.property(arbitraryOf(baselineSchema, clean), (value) => {
        const text = JSON.stringify(value);
        if (agreesWithZod(text)) accepted++;
        if (clean && zodAnswer(text).valid) valid++;
      }),
      { numRuns: clean ? 600 : 300 },
    );
    // The generation reaches valid baselines (not only the first error), and the generated validator takes them.
    if (clean) {
      expect(valid).toBeGreaterThan(150);
      expect(accepted).toBeGreaterThanOrEqual(valid * 0.9);
    }
    // 600 zod runs over generated baselines take ~10 s quiet and came within 2 s of the default
    // 30 s limit under load 19: the limit guards against a hang, not against a slow machine.
  }, 120_000);

  it('never accepts what zod rejects after one random change to a valid value generated from the schema', () => {
    fc.assert(
      fc.property(
        arbitraryOf(baselineSchema, true).chain((value) => damage(value)),
        (damaged) => void agreesWithZod(JSON.stringify(damaged) ?? 'null'),
      ),
      { numRuns: 1000 },
    );
  });

  it('never accepts what zod rejects when any one leaf of a baseline with every field becomes any edge value', () => {
    // A valid baseline that sets every field of the schema (each map and list with one entry).
    const value = baselineWithEveryField() as any;
    expect(value).toBeDefined();
    expect(agreesWithZod(JSON.stringify(value))).toBe(true);
    const leaves: (string | number)[][] = [];
    const walk = (node: unknown, at: (string | number)[]) => {
      if (Array.isArray(node)) node.forEach((item, index) => walk(item, [...at, index]));
      else if (node !== null && typeof node === 'object') for (const key of Object.keys(node)) walk((node as Record<string, unknown>)[key], [...at, key]);
      else leaves.push(at);
    };
    walk(value, []);
    for (const at of leaves) {
      let parent = value;
      for (const segment of at.slice(0, -1)) parent = parent[segment];
      const last = at[at.length - 1]!;
      const original = parent[last];
      let leaf: any = baselineSchema;
      for (const segment of at) leaf = leaf && childSchema(leaf, segment);
      // Every edge value of the leaf's own type; of the others, one of each. What the leaf's own
      // schema rejects must be rejected; of what it accepts, a few go to the whole-file oracle
      // (zod on the whole file is the slow part), enough to meet the checks of whole objects.
      const edges = typeof original === 'string' ? [...STRINGS, 1, true, null] : [...NUMBERS, 'x', '', true, null];
      let compared = 0;
      for (const replacement of edges) {
        const leafAccepts = leaf === undefined || leaf.safeParse(replacement).success;
        if (leafAccepts && compared >= 4) continue;
        parent[last] = replacement;
        // The generated validator leaves its input alone (checked above): no copy needed to ask it.
        const accepted = parseValidBaseline(value) !== undefined;
        const text = accepted ? JSON.stringify(value) : '';
        parent[last] = original;
        if (!accepted) continue;
        expect(agreesWithZod(text)).toBe(true);
        if (leafAccepts) compared++;
      }
    }
  });

  it('checks a "__proto__" key of every map in the schema like any other key, on both paths, with the same answer', () => {
    // A valid baseline with every map holding one entry; each map in turn gets that entry under "__proto__".
    const value = baselineWithEveryField() as any;
    const maps: { at: (string | number)[]; schema: any }[] = [];
    const walk = (node: unknown, schema: any, at: (string | number)[]) => {
      if (schema === undefined || node === null || typeof node !== 'object') return;
      if (unwrap(schema) instanceof z.ZodRecord) maps.push({ at, schema: unwrap(schema) });
      if (Array.isArray(node)) node.forEach((item, index) => walk(item, childSchema(schema, index), [...at, index]));
      else for (const key of Object.keys(node)) walk((node as Record<string, unknown>)[key], childSchema(schema, key), [...at, key]);
    };
    walk(value, baselineSchema, []);
    // Every map the schema has (a baseline with every field set), nested ones too (a template's claims, a Platform config key's fields).
    const mapPaths = maps.map(({ at }) => formatPath(at));
    expect(mapPaths.length).toBeGreaterThanOrEqual(8);
    expect(mapPaths).toEqual(expect.arrayContaining(['settings.webhooks.endpoints', 'settings.platform_config', 'settings.jwt_templates', 'settings.instance.domains', 'settings.organizations.roles']));
    const cases: { name: string; at: (string | number)[]; entry: unknown; errorAt?: RegExp }[] = [];
    for (const { at, schema } of maps) {
      const map = at.reduce((node: any, segment) => node[segment], value) as Record<string, unknown>;
      const [entry] = Object.values(map);
      const where = formatPath([...at, '__proto__']).replace(/[.[\]"]/g, '\\$&');
      const keyValid = schema.keyType.safeParse('__proto__').success;
      cases.push({ name: `${formatPath(at)}: a valid value`, at, entry, errorAt: keyValid ? undefined : new RegExp(`^${where}$`) });
      const wrong = [5, 'x', null, []].find((candidate) => !schema.valueType.safeParse(candidate).success);
      if (wrong !== undefined) cases.push({ name: `${formatPath(at)}: an invalid value`, at, entry: wrong, errorAt: new RegExp(`^${where}($|[.[])`) });
    }
    expect(cases.filter((entry) => entry.errorAt === undefined).length, 'maps whose keys accept "__proto__"').toBeGreaterThan(3);
    expect(cases.filter((entry) => entry.name.endsWith('a valid value') && entry.errorAt).map((entry) => entry.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^settings\.webhooks\.endpoints:/), expect.stringMatching(/^settings\.platform_config:/)]),
    );
    for (const { name, at, entry, errorAt } of cases) {
      const copy = structuredClone(value);
      const map = at.reduce((node: any, segment) => node[segment], copy) as Record<string, unknown>;
      for (const key of Object.keys(map)) delete map[key];
      Object.defineProperty(map, '__proto__', { value: entry, enumerable: true, configurable: true, writable: true });
      const text = JSON.stringify(copy, null, 2);
      expect(text, name).toContain('"__proto__"');
      const accepted = agreesWithZod(text);
      const loaded = validateBaselineText(text, 'f.json');
      if (errorAt === undefined) {
        expect(accepted, name).toBe(true);
        expect(loaded.errors, name).toEqual([]);
        const kept = at.reduce((node: any, segment) => node[segment], loaded.value) as Record<string, unknown>;
        expect(Object.keys(kept), name).toEqual(['__proto__']);
      } else {
        expect(accepted, name).toBe(false);
        expect(loaded.value, name).toBeUndefined();
        expect(loaded.errors.length, name).toBeGreaterThan(0);
        for (const error of loaded.errors) {
          expect(error.path, name).toMatch(errorAt);
          expect(error.line, name).toBeGreaterThan(0);
        }
      }
    }
  });

  it.each(FIXTURES)('never accepts what zod rejects after random damage to %s', (file) => {
    const value = JSON.parse(readFileSync(path.join(REPO_ROOT, file), 'utf8'));
    fc.assert(
      fc.property(damage(value), (damaged) => {
        if (damaged !== undefined) agreesWithZod(JSON.stringify(damaged));
      }),
      { numRuns: 400 },
    );
  });
});

describe('the validator generator (scripts/gen-baseline-validator.mjs)', () => {
  /** The generated module, compiled and loaded, for a schema without refinements. */
  async function generatedFor(schema: z.ZodType): Promise<(value: unknown) => unknown> {
    const source = (await generator()).generateBaselineValidator(schema, () => undefined);
    const { code } = transformSync(source, { loader: 'ts', format: 'cjs' });
    const module = { exports: {} as { parseValidBaseline?: (value: unknown) => unknown } };
    new Function('require', 'module', 'exports', code)((id: string) => (id.endsWith('generated-runtime') ? generatedRuntime : { VALUE_CHECKS: {} }), module, module.exports);
    return module.exports.parseValidBaseline!;
  }

  it('takes an enum\'s values from zod\'s own set: a numeric TS enum\'s names (its reverse mappings) are not values', async () => {
    enum Level {
      Low = 1,
      High = 2,
    }
    const schema = z.strictObject({ level: z.enum(Level) });
    expect(schema.safeParse({ level: 'Low' }).success).toBe(false);
    const parse = await generatedFor(schema);
    expect(parse({ level: 1 })).toEqual({ level: 1 });
    expect(parse({ level: 2 })).toEqual({ level: 2 });
    for (const name of ['Low', 'High', '1']) expect(parse({ level: name }), name).toBeUndefined();
  });

  it('refuses a default that is computed anew at each parse, or is not JSON, with a clear error', async () => {
    const { generateBaselineValidator } = await generator();
    let calls = 0;
    const counter = z.strictObject({ n: z.number().default(() => ++calls) });
    expect(() => generateBaselineValidator(counter, () => undefined)).toThrow(/^n: a default that differs from one read to the next/);
    const date = z.strictObject({ at: z.string().default(() => new Date().toISOString()) });
    expect(() => generateBaselineValidator(date, () => undefined)).toThrow(/^at: a default that differs from one read to the next/);
    const notJson = z.strictObject({ at: z.any().default(() => new Date(0)) });
    expect(() => generateBaselineValidator(notJson, () => undefined)).toThrow(/not supported/);
    // A fixed JSON default, even from a factory, is frozen as zod would return it.
    const parse = await generatedFor(z.strictObject({ list: z.array(z.string()).default(() => []), mode: z.enum(['a', 'b']).default('a') }));
    expect(parse({})).toEqual({ list: [], mode: 'a' });
  });
});

describe('npm run build', () => {
  it('fails, before bundling, while the generated validator is out of date', () => {
    // A checkout of its own (the sources, the build's scripts and configuration; node_modules linked), whose generated file is stale.
    // It has this checkout's tsc output and incremental state without the bundles, as a developer's
    // checkout has after an earlier build: tsc compiles what changed instead of all of src/ again.
    const checkout = mkdtempSync(path.join(os.tmpdir(), 'clerkguard-stale-build-'));
    onTestFinished(() => rmSync(checkout, { recursive: true, force: true }));
    for (const entry of ['src', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) cpSync(path.join(REPO_ROOT, entry), path.join(checkout, entry), { recursive: true });
    cpSync(path.join(REPO_ROOT, 'dist'), path.join(checkout, 'dist'), { recursive: true, filter: (source) => !/[\\/]dist[\\/]cli[\\/]clerkguard[^\\/]*\.js$/.test(source) });
    expect(existsSync(path.join(checkout, 'dist/.tsbuildinfo')), 'the build is incremental').toBe(true);
    // node_modules hard-linked, so that its files keep the paths the incremental state names
    // (through a symbolic link tsc would see them at their real paths, as new files, and check all).
    const linked = spawnSync('cp', ['-al', path.join(REPO_ROOT, 'node_modules'), path.join(checkout, 'node_modules')], { encoding: 'utf8' });
    if (linked.status !== 0) symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(checkout, 'node_modules'), 'dir');
    const generated = path.join(checkout, 'src/baseline/valid-baseline.generated.ts');
    writeFileSync(generated, readFileSync(generated, 'utf8').replace('do not edit.', 'do not edit (an older build).'));
    // The stale file's earlier output, dated long ago: tsc rewrites it when it compiles the edit.
    const compiled = path.join(checkout, 'dist/baseline/valid-baseline.generated.js');
    const longAgo = new Date('2001-01-01T00:00:00Z');
    utimesSync(compiled, longAgo, longAgo);
    const npm = spawnSync('npm', ['run', 'build'], { cwd: checkout, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    expect(npm.status, npm.stdout + npm.stderr).not.toBe(0);
    expect(npm.stderr).toContain('src/baseline/valid-baseline.generated.ts is out of date (src/baseline/schema.ts changed): regenerate it with node scripts/gen-baseline-validator.mjs');
    expect(existsSync(path.join(checkout, 'dist/baseline/schema.js')), 'tsc ran first').toBe(true);
    expect(statSync(compiled).mtimeMs, 'tsc ran first, on the edited sources').toBeGreaterThan(longAgo.getTime());
    for (const bundle of ['clerkguard.js', 'clerkguard-check.js', 'clerkguard-rules.js', 'clerkguard-help.js']) {
      expect(existsSync(path.join(checkout, 'dist/cli', bundle)), `nothing bundled from a stale build (${bundle})`).toBe(false);
    }
  }, 120_000);
});
