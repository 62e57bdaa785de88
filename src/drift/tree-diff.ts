/**
 * The one place json-diff runs. Canonical trees are first turned into "diff trees" that avoid
 * every json-diff weakness:
 *
 * - every key is escaped as `k<key>~`, so no key is an Object.prototype member (json-diff tests
 *   `key in obj`, which misses an added `constructor`), none is `__proto__`, and none can be
 *   mistaken for json-diff's own `<key>__added` / `<key>__deleted` / `__old` / `__new` markers:
 *   a real key always ends in `~`, a marker never does;
 * - set-like arrays become objects keyed by element, so json-diff compares them by key in O(n)
 *   instead of aligning sequences in O(n·m);
 * - every other array becomes an opaque string token (its canonical JSON): json-diff never sees
 *   an array, and such arrays compare as whole values;
 * - the `precision` option is never passed (it mutates its inputs);
 * - entries equal on both sides are left out of both diff trees (json-diff reports nothing for
 *   them), so json-diff and the copies see only what differs: a large configuration with a few
 *   changes costs one comparison walk, not two escaped copies and a scored diff of everything.
 *
 * The walk over json-diff's result unescapes keys and reads values back from the canonical
 * trees, so callers get real values, never tokens.
 */
import { diff as jsonDiff } from 'json-diff';
import type { PathSegment } from '../settings/paths';
import { getOwn, hasOwn } from '../util/records';
import { matchesAny } from './patterns';
import {
  addCanonicalEntry,
  canonicalize,
  canonicalNode,
  isPlainObject,
  isSetLikePath,
  SERVER_MANAGED_KEYS,
  setOwn,
  sortedKeys,
  type CanonicalObject,
  type CanonicalValue,
  type CompiledNormalizeOptions,
} from './normalize';
import type { ChangeKind } from './types';

export interface RawChange {
  /** Path inside the settings (no `settings.` prefix). For a set element, the last segment is the element. */
  path: PathSegment[];
  kind: ChangeKind;
  before: unknown;
  after: unknown;
  /** True when the change is one element added to or removed from a set-like array. */
  setElement: boolean;
}

const ARRAY_TOKEN = '\u0000a:';
const STRING_TOKEN = '\u0000s:';

function escapeKey(key: string): string {
  return `k${key}~`;
}

function unescapeKey(escaped: string): string {
  return escaped.slice(1, -1);
}

/** The diff tree json-diff sees for a canonical value at `path`. */
export function toDiffTree(value: CanonicalValue, path: PathSegment[], options: CompiledNormalizeOptions): unknown {
  if (Array.isArray(value)) {
    if (isSetLikePath(path, options) && value.every((item) => typeof item === 'string')) {
      const members: Record<string, true> = {};
      for (const item of value as string[]) members[escapeKey(item)] = true;
      return members;
    }
    return ARRAY_TOKEN + JSON.stringify(value);
  }
  if (typeof value === 'string') return value.startsWith('\u0000') ? STRING_TOKEN + value : value;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    path.push(key);
    out[escapeKey(key)] = toDiffTree(value[key] as CanonicalValue, path, options);
    path.pop();
  }
  return out;
}

/** All differences between two canonical trees, as raw (unclassified) changes. */
export function diffCanonical(before: CanonicalObject, after: CanonicalObject, options: CompiledNormalizeOptions): RawChange[] {
  const changes: RawChange[] = [];
  forEachChange(before, after, options, (change) => changes.push(change));
  return changes;
}

/**
 * diffCanonical's changes handed over one by one as the walk over json-diff's answer finds them,
 * none kept here: a large diff's changes can be classified and dropped as they come.
 */
export function forEachChange(before: CanonicalObject, after: CanonicalObject, options: CompiledNormalizeOptions, onChange: (change: RawChange) => void): void {
  const [beforeTree, afterTree] = prunedDiffTrees(before, after, [], options);
  walkDiffTrees(beforeTree, afterTree, before, after, options, onChange);
}

/** json-diff of two diff trees, walked into raw changes whose values come from the canonical trees. */
export function diffTrees(beforeTree: unknown, afterTree: unknown, before: CanonicalObject, after: CanonicalObject, options: CompiledNormalizeOptions): RawChange[] {
  const changes: RawChange[] = [];
  walkDiffTrees(beforeTree, afterTree, before, after, options, (change) => changes.push(change));
  return changes;
}

function walkDiffTrees(beforeTree: unknown, afterTree: unknown, before: CanonicalObject, after: CanonicalObject, options: CompiledNormalizeOptions, out: (change: RawChange) => void): void {
  const result = jsonDiff(beforeTree, afterTree) as unknown;
  if (result === undefined) return;
  if (!isPlainObject(result) || isScalarChange(result)) {
    out({ path: [], kind: 'changed', before, after, setElement: false });
    return;
  }
  walk(result, [], before, after, options, out);
}

/**
 * The diff trees of two canonical values at `path` (see toDiffTree) without the entries that
 * are equal on both sides. json-diff reports nothing for equal entries, so leaving them out
 * changes nothing in its answer; it only spares json-diff (and the copies) the unchanged bulk of
 * a large configuration, which is nearly all of it. One walk compares each common entry once.
 * Entries present on one side only keep a placeholder (in that side's order, which is all
 * json-diff reads of it): the walk reads values from the canonical trees, never from markers.
 */
function prunedDiffTrees(before: CanonicalValue, after: CanonicalValue, path: PathSegment[], options: CompiledNormalizeOptions): [unknown, unknown] {
  const beforeView = membersView(before, path, options);
  const afterView = membersView(after, path, options);
  if (!beforeView || !afterView) {
    // An object against a scalar or an opaque array: json-diff sees different types, whatever the entries.
    return [beforeView ? placeholders(beforeView.keys) : toDiffTree(before, path, options), afterView ? placeholders(afterView.keys) : toDiffTree(after, path, options)];
  }
  const beforeTree: Record<string, unknown> = {};
  const afterTree: Record<string, unknown> = {};
  for (const key of beforeView.keys) {
    if (!afterView.has(key)) {
      beforeTree[escapeKey(key)] = ONE_SIDED;
      continue;
    }
    const beforeChild = beforeView.get(key);
    const afterChild = afterView.get(key);
    path.push(key);
    if (!sameDiffTree(beforeChild, afterChild, path, options)) {
      const [beforeSubtree, afterSubtree] = prunedDiffTrees(beforeChild, afterChild, path, options);
      beforeTree[escapeKey(key)] = beforeSubtree;
      afterTree[escapeKey(key)] = afterSubtree;
    }
    path.pop();
  }
  for (const key of afterView.keys) if (!beforeView.has(key)) afterTree[escapeKey(key)] = ONE_SIDED;
  return [beforeTree, afterTree];
}

interface MembersView {
  keys: readonly string[];
  has(key: string): boolean;
  get(key: string): CanonicalValue;
}

/** The entries json-diff compares when a value is an object in the diff tree; undefined for a scalar or an opaque array. */
function membersView(value: CanonicalValue, path: PathSegment[], options: CompiledNormalizeOptions): MembersView | undefined {
  if (isPlainObject(value)) {
    return { keys: Object.keys(value), has: (key) => Object.prototype.hasOwnProperty.call(value, key), get: (key) => value[key] as CanonicalValue };
  }
  const members = diffTreeMembers(value, path, options);
  return members && { keys: [...members.keys()], has: (key) => members.has(key), get: (key) => members.get(key) as CanonicalValue };
}

function placeholders(keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) out[escapeKey(key)] = ONE_SIDED;
  return out;
}

const ONE_SIDED = 0;

/**
 * The entries json-diff compares when `value` is an object in the diff tree (a canonical object,
 * or a set-like array as keyed members), by unescaped key in diff-tree order; undefined when
 * the diff tree is a scalar or an opaque token.
 */
function diffTreeMembers(value: CanonicalValue, path: PathSegment[], options: CompiledNormalizeOptions): Map<string, CanonicalValue> | undefined {
  if (Array.isArray(value)) {
    if (!isSetLikePath(path, options) || !value.every((item) => typeof item === 'string')) return undefined;
    const members = new Map<string, CanonicalValue>();
    for (const item of value as string[]) members.set(item, true);
    return members;
  }
  if (!isPlainObject(value)) return undefined;
  const members = new Map<string, CanonicalValue>();
  for (const key of Object.keys(value)) members.set(key, value[key] as CanonicalValue);
  return members;
}

/** What canonicalizeSharing could not share: group entries built as copies (each one the diff walks). */
export interface SharingCounts {
  copied: number;
}

/**
 * canonicalize(value), except that a group's entry (one JWT template, one role: the second level
 * of the settings) whose canonical form diffs equal to `reference`'s entry of the same name IS
 * that entry of `reference`, not a copy. The live side of a drift is built this way against the
 * baseline's tree: the unchanged bulk of a large configuration (50,000 templates) is compared in
 * one walk that allocates nothing, instead of being copied into a canonical tree and compared
 * afterwards, and the diff then finds each shared entry equal by identity.
 *
 * A group whose every entry is shared and which has no other is the reference's group itself.
 * Only entries are shared, and only between two plain objects with the same keys or two arrays,
 * so the tree is canonicalize's tree up to values that compare equal with === (0 and -0): a
 * shared entry is equal in the diff, so it is never reported, and its container is an object on
 * both sides, so it is never reported whole (test/drift/canonicalize-sharing.test.ts holds the
 * trees and the changes equal to canonicalize's).
 */
export function canonicalizeSharing(value: unknown, options: CompiledNormalizeOptions, reference: CanonicalObject, counts?: SharingCounts, decided?: DecidedMatches): CanonicalObject {
  // A free-form pattern could match a group or an entry: then no entry is shared.
  if (!isPlainObject(value) || options.freeFormMinDepth < 3) return canonicalize(value, options);
  const out: Record<string, unknown> = {};
  for (const key of sortedKeys(value)) {
    const group = value[key];
    const referenceGroup = getOwn(reference, key);
    if (SERVER_MANAGED_KEYS.has(key) || !isPlainObject(group) || !isPlainObject(referenceGroup)) {
      addCanonicalEntry(out, value, key, [], options, false);
      continue;
    }
    const path: PathSegment[] = [key];
    const referenceNames = keysInReferenceOrder(group, referenceGroup);
    const names = referenceNames ?? sortedKeys(group);
    const shared: (CanonicalValue | undefined)[] = new Array<CanonicalValue | undefined>(names.length);
    let sharedCount = 0;
    for (let index = 0; index < names.length; index++) {
      const name = names[index]!;
      // The reference's own names need no ownership check (an own `__proto__` is read as such).
      const referenceEntry = (referenceNames ? referenceGroup[name] : getOwn(referenceGroup, name)) as CanonicalValue | undefined;
      const field = group[name];
      if (referenceEntry === undefined || SERVER_MANAGED_KEYS.has(name) || field === undefined) continue;
      path.push(name);
      if (decided?.(key, name, field, referenceEntry, options) ?? matchesCanonical(field, referenceEntry, path, options, false)) {
        shared[index] = referenceEntry;
        sharedCount++;
      }
      path.pop();
    }
    // Every entry equal and none missing: the group is the baseline's own (equal at once in the diff).
    if (sharedCount === names.length && sharedCount === (referenceNames ?? Object.keys(referenceGroup)).length) {
      setOwn(out, key, referenceGroup);
      continue;
    }
    if (counts) counts.copied += names.length - sharedCount;
    const canonicalGroup: Record<string, unknown> = {};
    for (let index = 0; index < names.length; index++) {
      const entry = shared[index];
      if (entry !== undefined) setOwn(canonicalGroup, names[index]!, entry);
      else addCanonicalEntry(canonicalGroup, group, names[index]!, path, options, false);
    }
    setOwn(out, key, canonicalGroup);
  }
  return out as CanonicalObject;
}

/**
 * What matchesEntry already answered for a group's entry (drift/early.ts: JWT templates matched
 * while later pages were on their way), or undefined when it has no answer for this very value,
 * reference entry and options: canonicalizeSharing then walks the entry itself.
 */
export type DecidedMatches = (group: string, name: string, value: unknown, referenceEntry: CanonicalValue, options: CompiledNormalizeOptions) => boolean | undefined;

/**
 * canonicalizeSharing's test for one entry of a group, on its own: does `value` canonicalize to
 * what diffs equal to `referenceEntry`? False where canonicalizeSharing would not share.
 */
export function matchesEntry(group: string, name: string, value: unknown, referenceEntry: CanonicalValue, options: CompiledNormalizeOptions): boolean {
  if (SERVER_MANAGED_KEYS.has(group) || SERVER_MANAGED_KEYS.has(name) || value === undefined || options.freeFormMinDepth < 3) return false;
  return matchesCanonical(value, referenceEntry, [group, name], options, false);
}

/**
 * The keys of a large `group` in canonical order without sorting them, when they are exactly the
 * keys of the canonical `reference` group and those are in canonical order (as a canonical
 * tree's are): 50,000 templates arrive in Clerk's order, and the baseline's are sorted already.
 * Otherwise undefined. Inserting these keys in this order gives the object sortedKeys' order
 * gives: array-index keys come first in ascending order whatever the insertion order, and the
 * others keep theirs, which is sorted either way.
 */
function keysInReferenceOrder(group: Record<string, unknown>, reference: Record<string, unknown>): string[] | undefined {
  const keys = Object.keys(reference);
  if (keys.length < 64 || keys.length !== Object.keys(group).length) return undefined;
  let previous: string | undefined;
  for (const key of keys) {
    if (!hasOwn(group, key)) return undefined;
    if (isArrayIndex(key)) continue;
    if (previous !== undefined && previous >= key) return undefined;
    previous = key;
  }
  return keys;
}

/** A key JavaScript orders before all others in an object, numerically: an array index (0 … 2³² − 2). */
function isArrayIndex(key: string): boolean {
  if (key.length === 0 || key.length > 10 || (key.length > 1 && key[0] === '0')) return false;
  for (let index = 0; index < key.length; index++) {
    const code = key.charCodeAt(index);
    if (code < 48 || code > 57) return false;
  }
  return Number(key) <= 4294967294;
}

/**
 * True only when canonicalNode(value, path) is of the same type as `reference` (object, array
 * or scalar) and sameDiffTree with it; walks `value` and `reference` together without building
 * the canonical form (but for arrays, which are few). False when unsure: the caller then builds
 * the canonical form as usual.
 */
function matchesCanonical(value: unknown, reference: CanonicalValue, path: PathSegment[], options: CompiledNormalizeOptions, freeForm: boolean): boolean {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return false;
  if (value === null || typeof value !== 'object') {
    // canonicalNode's scalars; sameDiffTree compares a scalar with anything by ===.
    const canonical = typeof value === 'bigint' || (typeof value === 'number' && !Number.isFinite(value)) ? String(value) : value;
    return canonical === reference;
  }
  if (Array.isArray(value)) {
    if (!Array.isArray(reference)) return false;
    const canonical = canonicalNode(value, path, options, freeForm);
    return Array.isArray(canonical) && sameDiffTree(canonical, reference, path, options);
  }
  if (!isPlainObject(reference)) return false;
  const inFreeForm = freeForm || (path.length >= options.freeFormMinDepth && matchesAny(path, options.freeForm));
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  // The names first, without descending: a template whose fields the baseline declares only in
  // part (150,000 unmanaged fields) fails here, before its claims are walked.
  let kept = 0;
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    if (isLeftOut(source, key, inFreeForm)) continue;
    if (!hasOwnProperty.call(reference, key)) return false;
    kept++;
  }
  if (kept !== ownKeyCount(reference)) return false;
  const everyKept = kept === keys.length;
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    if (!everyKept && isLeftOut(source, key, inFreeForm)) continue;
    path.push(key);
    const same = matchesCanonical(source[key], reference[key] as CanonicalValue, path, options, inFreeForm);
    path.pop();
    if (!same) return false;
  }
  return true;
}

const hasOwnProperty = Object.prototype.hasOwnProperty;

/** Object.keys(value).length without the array: a canonical object's keys are its own enumerable string keys. */
function ownKeyCount(value: Record<string, unknown>): number {
  let count = 0;
  for (const key in value) if (hasOwnProperty.call(value, key)) count++;
  return count;
}

/** An entry the canonical form leaves out (addCanonicalEntry): a server-managed field, or no JSON value. */
function isLeftOut(source: Record<string, unknown>, key: string, inFreeForm: boolean): boolean {
  if (!inFreeForm && SERVER_MANAGED_KEYS.has(key)) return true;
  const field = source[key];
  return field === undefined || typeof field === 'function' || typeof field === 'symbol';
}

/** json-diff's `equal` for the diff trees of two canonical values at `path`. */
function sameDiffTree(a: CanonicalValue, b: CanonicalValue, path: PathSegment[], options: CompiledNormalizeOptions): boolean {
  if (a === b) return true;
  if (isPlainObject(a) && isPlainObject(b)) {
    // The common case, without building member maps: two canonical objects.
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    for (const key of keys) {
      if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
      path.push(key);
      const same = sameDiffTree(a[key] as CanonicalValue, b[key] as CanonicalValue, path, options);
      path.pop();
      if (!same) return false;
    }
    return true;
  }
  const aMembers = diffTreeMembers(a, path, options);
  const bMembers = diffTreeMembers(b, path, options);
  if (aMembers === undefined || bMembers === undefined) {
    if (aMembers !== bMembers) return false;
    // Opaque arrays compare by their canonical JSON; anything else is a scalar compared with ===.
    return Array.isArray(a) && Array.isArray(b) && JSON.stringify(a) === JSON.stringify(b);
  }
  if (aMembers.size !== bMembers.size) return false;
  for (const [key, child] of aMembers) {
    if (!bMembers.has(key)) return false;
    path.push(key);
    const same = sameDiffTree(child, bMembers.get(key) as CanonicalValue, path, options);
    path.pop();
    if (!same) return false;
  }
  return true;
}

function isScalarChange(node: Record<string, unknown>): boolean {
  return Object.prototype.hasOwnProperty.call(node, '__old') || Object.prototype.hasOwnProperty.call(node, '__new');
}

function walk(node: Record<string, unknown>, path: PathSegment[], before: unknown, after: unknown, options: CompiledNormalizeOptions, out: (change: RawChange) => void): void {
  const setElement = isSetLikePath(path, options) && (Array.isArray(before) || Array.isArray(after));
  for (const marker of Object.keys(node)) {
    let kind: ChangeKind;
    let escaped: string;
    if (marker.endsWith('~__added')) {
      kind = 'added';
      escaped = marker.slice(0, -'__added'.length);
    } else if (marker.endsWith('~__deleted')) {
      kind = 'removed';
      escaped = marker.slice(0, -'__deleted'.length);
    } else if (marker.endsWith('~')) {
      kind = 'changed';
      escaped = marker;
    } else {
      throw new Error(`unexpected key in json-diff output: ${JSON.stringify(marker)}`);
    }
    const key = unescapeKey(escaped);
    const childPath = [...path, key];
    if (setElement) {
      out({ path: childPath, kind, before: kind === 'removed' ? key : undefined, after: kind === 'added' ? key : undefined, setElement: true });
      continue;
    }
    const beforeChild = childOf(before, key);
    const afterChild = childOf(after, key);
    const child = node[marker];
    if (kind === 'changed' && isPlainObject(child) && !isScalarChange(child)) {
      walk(child, childPath, beforeChild, afterChild, options, out);
      continue;
    }
    out({ path: childPath, kind, before: beforeChild, after: afterChild, setElement: false });
  }
}

function childOf(value: unknown, key: string): unknown {
  if (!isPlainObject(value) || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
  return value[key];
}

/** A deep copy of a canonical tree without the subtrees at `paths` (used to drop unverified settings). */
export function withoutPaths(tree: CanonicalObject, paths: readonly (readonly PathSegment[])[]): CanonicalObject {
  if (paths.length === 0) return tree;
  return prune(tree, paths.map((p) => p.map(String)), 0) as CanonicalObject;
}

/**
 * A container left empty only because its contents were pruned goes too: the baseline's
 * `session: {inactivity_timeout_minutes: 30}` with that field unverified must not become
 * `session: {}` and then "session removed".
 */
function prune(value: CanonicalValue, paths: string[][], depth: number): CanonicalValue | undefined {
  if (paths.some((p) => p.length === depth)) return undefined;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const below = paths.filter((p) => p[depth] === key);
    const original = value[key] as CanonicalValue;
    const child = below.length === 0 ? original : prune(original, below, depth + 1);
    if (child === undefined) continue;
    if (below.length > 0 && isPlainObject(child) && Object.keys(child).length === 0 && isPlainObject(original) && Object.keys(original).length > 0) continue;
    setOwn(out, key, child);
  }
  return out as CanonicalObject;
}
