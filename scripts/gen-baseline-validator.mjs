#!/usr/bin/env node
// Generates src/baseline/valid-baseline.generated.ts from the zod schema of a baseline
// (src/baseline/schema.ts): plain functions that answer "certainly valid, and this is what zod
// would return" or "not sure". `check` of a valid baseline then never loads or builds zod
// (its evaluation and the construction of the schemas were a quarter of a start-up, see
// docs/benchmarks.md (f)); anything else goes to zod, which words every error.
//
// The generated code is conservative by construction: it knows the zod features the schema
// uses (strict objects, records, arrays, strings, numbers, booleans, enums, literals, unknown,
// optional, nullable, default, and the checks below) and stops with an error here, at build
// time, on anything else, so a new kind of rule in the schema cannot be skipped silently.
// Refinements call the same functions the schema refines with (src/baseline/value-checks.ts).
// A value it is unsure of (an input zod would transform, an inherited key, a URL with spaces)
// it leaves to zod. test/baseline/valid-baseline.test.ts holds it to zod on every baseline in
// the repository and on random mutations of them, and checks that this file is current.
//
// Usage: npx tsc -p tsconfig.build.json && node scripts/gen-baseline-validator.mjs [--check]
// (`npm run build` runs it with --check after tsc and stops, before bundling, while the file is stale.)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const GENERATED_FILE = path.join(root, 'src/baseline/valid-baseline.generated.ts');

/** Whether a value is exactly the JSON value `json` (no Date, Map, undefined member or toJSON turned into something else). */
function sameJson(json, value) {
  if (json === null || typeof json !== 'object') return Object.is(json, value);
  if (Array.isArray(json)) return Array.isArray(value) && value.length === json.length && json.every((item, index) => sameJson(item, value[index]));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const keys = Object.keys(value);
  return keys.length === Object.keys(json).length && keys.every((key) => Object.prototype.hasOwnProperty.call(json, key) && sameJson(json[key], value[key]));
}

/**
 * The source of valid-baseline.generated.ts for `baselineSchema`; `valueCheckName(check, fn)`
 * names a refinement (src/baseline/value-checks.ts).
 */
export function generateBaselineValidator(baselineSchema, valueCheckName) {
  const functions = [];
  const names = new Map();
  /** Schemas that check the same (every `z.string().min(1)` is an instance of its own) share one function. */
  const byBody = new Map();
  const sets = new Map();
  const patterns = new Map();

  /** The name of the function that validates `schema` (generated on first use; the schema holds no cycle). */
  function validatorOf(schema, where) {
    const known = names.get(schema);
    if (known) return known;
    const body = bodyOf(schema, where).map((line) => `  ${line}`).join('\n');
    let name = byBody.get(body);
    if (!name) {
      name = `v${byBody.size}`;
      byBody.set(body, name);
      functions.push(`// ${where || '(the file)'}\nfunction ${name}(x: any): any {\n${body}\n}`);
    }
    names.set(schema, name);
    return name;
  }

  function constantOf(table, prefix, text) {
    if (!table.has(text)) table.set(text, `${prefix}${table.size}`);
    return table.get(text);
  }

  function bodyOf(schema, where) {
    const def = schema._zod.def;
    switch (def.type) {
      case 'object':
        return objectBody(schema, where);
      case 'record':
        return recordBody(schema, where);
      case 'array': {
        const element = validatorOf(def.element, `${where}[]`);
        return ['if (!Array.isArray(x)) throw INVALID;', ...checksOf(schema, where, 'array'), 'const out: any[] = [];', `for (let i = 0; i < x.length; i++) out.push(${element}(x[i]));`, 'return out;'];
      }
      case 'string':
        return ["if (typeof x !== 'string') throw INVALID;", ...checksOf(schema, where, 'string'), 'return x;'];
      case 'number':
        // zod's number: finite, not NaN.
        return ["if (typeof x !== 'number' || !Number.isFinite(x)) throw INVALID;", ...checksOf(schema, where, 'number'), 'return x;'];
      case 'boolean':
        return ["if (typeof x !== 'boolean') throw INVALID;", ...checksOf(schema, where, 'boolean'), 'return x;'];
      case 'enum':
      case 'literal': {
        // zod's own set of the values it accepts: an enum's entries also hold a numeric TS enum's reverse mappings (names), which zod refuses.
        if (!(schema._zod.values instanceof Set)) throw new Error(`${where}: an ${def.type} without zod's value set is not supported`);
        const values = [...schema._zod.values];
        for (const value of values) if (!['string', 'number', 'boolean'].includes(typeof value)) throw new Error(`${where}: an enum or literal of ${typeof value} is not supported`);
        return [`if (!(${values.map((value) => `x === ${JSON.stringify(value)}`).join(' || ')})) throw INVALID;`, ...checksOf(schema, where, def.type), 'return x;'];
      }
      case 'unknown':
        return [...checksOf(schema, where, 'unknown'), 'return x;'];
      case 'optional':
        // Only as a field (see fieldLines): anywhere else zod would accept undefined, which JSON never holds.
        return ['if (x === undefined) throw INVALID;', `return ${validatorOf(def.innerType, where)}(x);`];
      case 'nullable':
        return [`return x === null ? null : ${validatorOf(def.innerType, where)}(x);`];
      default:
        throw new Error(`${where || '(the file)'}: zod type "${def.type}" is not supported by scripts/gen-baseline-validator.mjs; teach it, or the fast path could accept what zod rejects`);
    }
  }

  function objectBody(schema, where) {
    const def = schema._zod.def;
    if (!def.catchall || def.catchall._zod.def.type !== 'never') throw new Error(`${where}: only strict objects are supported`);
    const keys = Object.keys(def.shape);
    if (Object.getOwnPropertySymbols(def.shape).length > 0) throw new Error(`${where}: symbol keys are not supported`);
    for (const key of keys) {
      // zod reads `input[key]` and `key in input`, which see inherited names; JSON objects inherit Object.prototype's.
      if (key in Object.prototype || key === '__proto__' || key === '$comment') throw new Error(`${where}: the key "${key}" is not supported`);
    }
    const set = constantOf(sets, 'KEYS', JSON.stringify([...keys, '$comment']));
    const lines = [
      "if (typeof x !== 'object' || x === null || Array.isArray(x)) throw INVALID;",
      `for (const key in x) if (!${set}.has(key)) throw INVALID;`,
      // `$comment` is removed before validation (src/baseline/comments.ts) where a fixed shape is: here.
      "if (hasOwn(x, '$comment') && !isComment(x.$comment)) throw INVALID;",
      'const out: any = {};',
    ];
    for (const key of keys) lines.push(...fieldLines(def.shape[key], key, where ? `${where}.${key}` : key));
    lines.push(...checksOf(schema, where, 'object', 'out'), 'return out;');
    return lines;
  }

  /** A field in zod's order of the shape, present, absent, optional or defaulted as zod's object parse handles it. */
  function fieldLines(field, key, where) {
    const def = field._zod.def;
    const at = `x[${JSON.stringify(key)}]`;
    const to = `out[${JSON.stringify(key)}]`;
    const present = `hasOwn(x, ${JSON.stringify(key)})`;
    if (def.type === 'optional') {
      noChecks(field, where);
      // A key present with the value undefined (never from JSON) is left to zod.
      return [`if (${present}) ${to} = ${validatorOf(def.innerType, where)}(defined(${at}));`];
    }
    if (def.type === 'default') {
      noChecks(field, where);
      // defaultValue is a getter that calls the default's factory: a default that changes from
      // one parse to the next (a date, a counter) or is not JSON cannot be frozen into the file.
      // Read twice, the second time after the clock has moved on (a date with milliseconds differs then).
      const literal = jsonDefault(def.defaultValue, where);
      for (const start = Date.now(); Date.now() <= start + 1; );
      if (jsonDefault(def.defaultValue, where) !== literal) throw new Error(`${where}: a default that differs from one read to the next (a factory such as () => new Date()) is not supported; zod would compute it at every parse`);
      return [`${to} = ${present} ? ${validatorOf(def.innerType, where)}(defined(${at})) : ${literal};`];
    }
    return [`if (!${present}) throw INVALID;`, `${to} = ${validatorOf(field, where)}(${at});`];
  }

  /** A default's JSON text, when the value survives JSON unchanged. */
  function jsonDefault(value, where) {
    let literal;
    try {
      literal = JSON.stringify(value);
    } catch {
      literal = undefined;
    }
    if (literal === undefined || JSON.stringify(JSON.parse(literal)) !== literal || !sameJson(JSON.parse(literal), value)) throw new Error(`${where}: a default that is not JSON is not supported`);
    return literal;
  }

  function recordBody(schema, where) {
    const def = schema._zod.def;
    const keyDef = def.keyType._zod.def;
    if (keyDef.type !== 'string' || def.keyType._zod.values || def.mode === 'loose') throw new Error(`${where}: only records keyed by strings are supported`);
    const key = validatorOf(def.keyType, `${where} (a key)`);
    const value = validatorOf(def.valueType, `${where}.*`);
    return [
      'if (!isPlainRecord(x)) throw INVALID;',
      'const keys = Object.keys(x);',
      // Symbols and hidden keys: zod walks Reflect.ownKeys; JSON holds neither.
      'if (Reflect.ownKeys(x).length !== keys.length) throw INVALID;',
      // Null prototype, every key kept (`__proto__` too): what validateWithSchema's keepRecordKeys makes of zod's output.
      'const out: any = Object.create(null);',
      `for (const key of keys) { if (${key}(key) !== key) throw INVALID; out[key] = ${value}(x[key]); }`,
      ...checksOf(schema, where, 'record', 'out'),
      'return out;',
    ];
  }

  function noChecks(schema, where) {
    if ((schema._zod.def.checks ?? []).length > 0) throw new Error(`${where}: checks on an optional or default wrapper are not supported`);
  }

  /** The checks of a schema (a string format schema is its own first check), each as a line that throws. */
  function checksOf(schema, where, kind, value = 'x') {
    const own = schema._zod.def;
    const checks = [...(own.checks ?? [])];
    if (own.check) checks.unshift(schema);
    const lines = [];
    for (const check of checks) {
      const def = check._zod.def;
      // A check's `when` (zod's: run only on a value that has a length, ...) is not consulted:
      // every check here always runs, after the type is known, which is never less strict.
      switch (def.check) {
        case 'min_length':
          lines.push(`if (${value}.length < ${def.minimum}) throw INVALID;`);
          break;
        case 'max_length':
          lines.push(`if (${value}.length > ${def.maximum}) throw INVALID;`);
          break;
        case 'length_equals':
          lines.push(`if (${value}.length !== ${def.length}) throw INVALID;`);
          break;
        case 'greater_than':
          lines.push(`if (!(${value} ${def.inclusive ? '>=' : '>'} ${def.value})) throw INVALID;`);
          break;
        case 'less_than':
          lines.push(`if (!(${value} ${def.inclusive ? '<=' : '<'} ${def.value})) throw INVALID;`);
          break;
        case 'number_format':
          if (def.format !== 'safeint') throw new Error(`${where}: number format "${def.format}" is not supported`);
          lines.push(`if (!Number.isSafeInteger(${value})) throw INVALID;`);
          break;
        case 'string_format':
          if (def.format === 'regex') {
            if (def.pattern.global || def.pattern.sticky) throw new Error(`${where}: a global or sticky pattern is not supported`);
            lines.push(`if (!${constantOf(patterns, 'PATTERN', `/${def.pattern.source}/${def.pattern.flags}`)}.test(${value})) throw INVALID;`);
          } else if (def.format === 'url') {
            if ('normalize' in def || 'hostname' in def || 'protocol' in def) throw new Error(`${where}: url() with options is not supported`);
            // zod trims a URL and strips tabs and newlines from it: such a value goes to zod.
            lines.push(`if (!isUntouchedUrl(${value})) throw INVALID;`);
          } else {
            throw new Error(`${where}: string format "${def.format}" is not supported`);
          }
          break;
        case 'custom': {
          const name = valueCheckName(check, def.fn);
          if (!name) throw new Error(`${where}: a refinement without a name in src/baseline/value-checks.ts (refine with a VALUE_CHECKS function, or nameLastCheck a superRefine)`);
          lines.push(`if (!VALUE_CHECKS.${name}(${value})) throw INVALID;`);
          break;
        }
        default:
          throw new Error(`${where}: check "${def.check}" on a ${kind} is not supported`);
      }
    }
    return lines;
  }

  const rootName = validatorOf(baselineSchema, '');
  if (functions.length === 0) throw new Error('nothing generated');
  return `/* eslint-disable */
// GENERATED by scripts/gen-baseline-validator.mjs from src/baseline/schema.ts: do not edit.
// Regenerate with \`npx tsc -p tsconfig.build.json && node scripts/gen-baseline-validator.mjs\`
// (test/baseline/valid-baseline.test.ts and \`npm run build\` fail while it is out of date).
import type { Baseline } from './schema';
import { VALUE_CHECKS } from './value-checks';
import { INVALID, defined, hasOwn, isComment, isPlainRecord, isUntouchedUrl } from './generated-runtime';

/**
 * The parsed baseline, exactly as zod (and validateWithSchema) would return it, when the value
 * is certainly valid; undefined when it is not or when this code is not sure: then zod decides
 * and words the errors. Never throws; does not change \`value\`.
 */
export function parseValidBaseline(value: unknown): Baseline | undefined {
  try {
    return ${rootName}(value) as Baseline;
  } catch {
    return undefined;
  }
}

${[...sets].map(([keys, name]) => `const ${name} = new Set(${keys});`).join('\n')}
${[...patterns].map(([pattern, name]) => `const ${name} = ${pattern};`).join('\n')}

${functions.reverse().join('\n\n')}
`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const require = createRequire(import.meta.url);
  const { baselineSchema } = require(path.join(root, 'dist/baseline/schema.js'));
  const { valueCheckName } = require(path.join(root, 'dist/baseline/value-checks.js'));
  const source = generateBaselineValidator(baselineSchema, valueCheckName);
  if (process.argv.includes('--check')) {
    if (readFileSync(GENERATED_FILE, 'utf8') !== source) {
      process.stderr.write(`${path.relative(root, GENERATED_FILE)} is out of date (src/baseline/schema.ts changed): regenerate it with node scripts/gen-baseline-validator.mjs (after tsc -p tsconfig.build.json, which npm run build runs first) and commit it\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(GENERATED_FILE, source);
    process.stdout.write(`wrote ${path.relative(root, GENERATED_FILE)}\n`);
  }
}
