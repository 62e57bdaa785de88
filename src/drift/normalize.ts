/**
 * Normalization before diffing. Both sides of a diff pass through here so that only
 * meaningful differences survive:
 *
 * - id-keyed arrays (a raw API list of JWT templates, roles, permissions, endpoints) become
 *   records keyed by their natural key; the settings model already stores them as records;
 * - set-like arrays (SET_LIKE_PATHS) are sorted and de-duplicated: order carries no meaning;
 * - server-managed fields (ids, object tags, timestamps) are dropped, except inside JWT claims,
 *   which are user data;
 * - undefined values are dropped and object keys are sorted, so values in reports are stable.
 *
 * The result is a "canonical tree". Keys named `__proto__` stay own properties (assignment would
 * change the prototype instead), which is what lets hostile claim names be diffed at all.
 */
import { SET_LIKE_PATHS } from '../settings/model';
import type { PathSegment } from '../settings/paths';
import { performance } from 'node:perf_hooks';
import { setOwn } from '../util/records';
import { compileAll, compilePattern, matchesAny, matchesCompiled, type CompiledPattern } from './patterns';

export interface NormalizeOptions {
  /** Patterns of arrays compared as sets (default: SET_LIKE_PATHS of the settings model). */
  setLikePaths?: readonly string[];
  /** Patterns of arrays of objects turned into records, with the field that keys them. */
  keyedArrays?: Readonly<Record<string, string>>;
}

/** Raw Clerk API lists and the field that identifies each element. */
export const KEYED_ARRAY_PATHS: Readonly<Record<string, string>> = {
  jwt_templates: 'name',
  'organizations.roles': 'key',
  'organizations.permissions': 'key',
  'webhooks.endpoints': 'url',
};

/** Fields Clerk manages itself; they differ between any two instances and mean nothing here. */
export const SERVER_MANAGED_KEYS: ReadonlySet<string> = new Set(['id', 'object', 'created_at', 'updated_at', 'instance_id']);

/** Subtrees that are free-form user data: no field is server-managed, no array is a set. */
export const FREE_FORM_PATHS: readonly string[] = ['jwt_templates.*.claims'];

export type CanonicalValue = null | boolean | number | string | CanonicalValue[] | { [key: string]: CanonicalValue };
export type CanonicalObject = { [key: string]: CanonicalValue };

export interface CompiledNormalizeOptions {
  setLike: CompiledPattern[];
  keyed: { pattern: CompiledPattern; key: string }[];
  freeForm: CompiledPattern[];
  /** The fewest segments a free-form pattern matches: shallower nodes need no check. */
  freeFormMinDepth: number;
}

export function compileNormalizeOptions(options: NormalizeOptions = {}): CompiledNormalizeOptions {
  const freeForm = compileAll(FREE_FORM_PATHS);
  return {
    setLike: compileAll(options.setLikePaths ?? SET_LIKE_PATHS),
    keyed: Object.entries(options.keyedArrays ?? KEYED_ARRAY_PATHS).map(([pattern, key]) => ({ pattern: compilePattern(pattern), key })),
    freeForm,
    freeFormMinDepth: Math.min(...freeForm.map((pattern) => pattern.parts.length + (pattern.deep ? 1 : 0))),
  };
}

export { setOwn } from '../util/records';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True when `path` is a set-like array under these options. */
export function isSetLikePath(path: readonly PathSegment[], options: CompiledNormalizeOptions): boolean {
  return matchesAny(path, options.setLike);
}

/** Builds the canonical tree of a settings value (see the module comment). */
export function canonicalize(value: unknown, options: CompiledNormalizeOptions = compileNormalizeOptions()): CanonicalObject {
  const result = canonicalNode(value, [], options, false);
  return isPlainObject(result) ? (result as CanonicalObject) : {};
}

/** The canonical form of `value` at `path` (`path` is used as a stack and comes back unchanged). */
export function canonicalNode(value: unknown, path: PathSegment[], options: CompiledNormalizeOptions, freeForm: boolean): CanonicalValue | undefined {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return String(value);
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
    return value as CanonicalValue;
  }
  const inFreeForm = freeForm || (path.length >= options.freeFormMinDepth && matchesAny(path, options.freeForm));
  if (Array.isArray(value)) {
    if (!inFreeForm) {
      const keyed = options.keyed.find((entry) => matchesCompiled(path, entry.pattern));
      if (keyed && value.every((item) => isPlainObject(item) && typeof item[keyed.key] === 'string')) {
        return canonicalNode(keyedArrayToRecord(value as Record<string, unknown>[], keyed.key), path, options, inFreeForm);
      }
      if (matchesAny(path, options.setLike) && value.every((item) => typeof item === 'string')) {
        // The default sort orders strings by code unit, exactly as compareStrings, only faster.
        return [...new Set(value as string[])].sort();
      }
    }
    // `path` is one mutable stack for the whole walk: pushing and popping avoids a new array per node.
    return value.map((item, index) => {
      path.push(index);
      const child = canonicalNode(item, path, options, inFreeForm);
      path.pop();
      return child ?? null;
    });
  }
  const out: Record<string, unknown> = {};
  for (const key of sortedKeys(value)) addCanonicalEntry(out, value as Record<string, unknown>, key, path, options, inFreeForm);
  return out as CanonicalObject;
}

/** One entry of an object's canonical form (server-managed fields and undefined values left out). */
export function addCanonicalEntry(out: Record<string, unknown>, value: Record<string, unknown>, key: string, path: PathSegment[], options: CompiledNormalizeOptions, inFreeForm: boolean): void {
  if (!inFreeForm && SERVER_MANAGED_KEYS.has(key)) return;
  const field = value[key];
  let child: unknown;
  // Most leaves are plain scalars: they are their own canonical form, no walk needed.
  if (typeof field === 'string' || typeof field === 'boolean' || field === null || (typeof field === 'number' && Number.isFinite(field))) child = field;
  else {
    path.push(key);
    child = canonicalNode(field, path, options, inFreeForm);
    path.pop();
    if (child === undefined) return;
  }
  if (key === '__proto__') setOwn(out, key, child);
  else out[key] = child;
}

/**
 * canonicalize, in slices that give the event loop back every few milliseconds: the same tree,
 * built while other work waits (a drift run builds the baseline's side while Clerk's answers
 * are on their way). The groups' entries (e.g. each of 50,000 JWT templates) are the slices.
 */
export async function canonicalizeInSlices(
  value: unknown,
  options: CompiledNormalizeOptions = compileNormalizeOptions(),
  { pause = nextTurn, sliceMs = 4 }: { pause?: () => Promise<void>; sliceMs?: number } = {},
): Promise<CanonicalObject> {
  // A free-form pattern could match the root or a group: then the plain walk, all at once.
  if (!isPlainObject(value) || options.freeFormMinDepth < 2) return canonicalize(value, options);
  // Started beside the export: its first requests go out before the first slice.
  await pause();
  let sliceStart = performance.now();
  const out: Record<string, unknown> = {};
  for (const key of sortedKeys(value)) {
    const group = value[key];
    if (SERVER_MANAGED_KEYS.has(key) || !isPlainObject(group)) {
      addCanonicalEntry(out, value, key, [], options, false);
      continue;
    }
    const canonicalGroup: Record<string, unknown> = {};
    const path: PathSegment[] = [key];
    let count = 0;
    for (const entry of sortedKeys(group)) {
      addCanonicalEntry(canonicalGroup, group, entry, path, options, false);
      if (++count % 64 === 0 && performance.now() - sliceStart >= sliceMs) {
        await pause();
        sliceStart = performance.now();
      }
    }
    setOwn(out, key, canonicalGroup);
  }
  return out as CanonicalObject;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Own keys in code-unit order. Most objects are small and many already sorted (claims, a
 * baseline written in order): a linear check, and an insertion sort for a few keys, spare the
 * general sort's overhead on each of a large configuration's objects.
 */
export function sortedKeys(value: object): string[] {
  const keys = Object.keys(value);
  const count = keys.length;
  let sorted = true;
  for (let index = 1; index < count; index++) {
    if (keys[index - 1]! > keys[index]!) {
      sorted = false;
      break;
    }
  }
  if (sorted) return keys;
  if (count > 16) return keys.sort();
  for (let index = 1; index < count; index++) {
    const key = keys[index]!;
    let at = index - 1;
    while (at >= 0 && keys[at]! > key) {
      keys[at + 1] = keys[at]!;
      at--;
    }
    keys[at + 1] = key;
  }
  return keys;
}

function keyedArrayToRecord(items: readonly Record<string, unknown>[], keyField: string): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const item of items) {
    const rest: Record<string, unknown> = {};
    for (const [field, fieldValue] of Object.entries(item)) if (field !== keyField) setOwn(rest, field, fieldValue);
    setOwn(record, item[keyField] as string, rest);
  }
  return record;
}

/** Code-unit order: locale-independent, so output is identical on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
