/**
 * The diff of two canonical trees, defined as json-diff of their "diff trees", which avoid
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
 * - the `precision` option is never passed (it mutates its inputs).
 *
 * On such trees json-diff is a plain key-wise comparison, so diffCanonical computes its answer
 * in one walk over the canonical trees (see there), without building the diff trees: callers get
 * real values, never tokens. diffTrees (json-diff itself, on the complete diff trees) stays as
 * the reference the property tests hold diffCanonical equal to.
 */
import { diff as jsonDiff } from 'json-diff';
import type { PathSegment } from '../settings/paths';
import { isPlainObject, isSetLikePath, setOwn, type CanonicalObject, type CanonicalValue, type CompiledNormalizeOptions } from './normalize';
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

/**
 * All differences between two canonical trees, as raw (unclassified) changes: exactly what
 * json-diff of their diff trees, walked by `walk`, reports (diffTrees), in the same order, found
 * by one walk over the canonical trees themselves. On diff trees, which hold no arrays,
 * json-diff is a key-wise comparison: an object's keys only before (`__deleted`, in its order),
 * then keys only after (`__added`, in its order), then common keys whose values differ (in the
 * before order), each an object diff when both are objects, else `{__old, __new}`. Nothing of
 * that needs the escaped copies, the markers or json-diff's result tree: a large configuration
 * whose every entry differs (50,000 templates with unmanaged fields) no longer holds three
 * copies of itself at once. The property test in test/drift/tree-diff-pruned.test.ts holds it
 * equal to json-diff on the complete diff trees.
 */
export function diffCanonical(before: CanonicalObject, after: CanonicalObject, options: CompiledNormalizeOptions): RawChange[] {
  const changes: RawChange[] = [];
  forEachChange(before, after, options, (change) => changes.push(change));
  return changes;
}

/** diffCanonical's changes handed over one by one, in the same order, none kept: a large diff's changes can go as they come. */
export function forEachChange(before: CanonicalObject, after: CanonicalObject, options: CompiledNormalizeOptions, onChange: (change: RawChange) => void): void {
  if (!sameDiffTree(before, after, [], options)) diffMembers(before, after, [], options, onChange);
}

/** The changes between two canonical values at `path` whose diff trees differ (see diffCanonical). */
function diffMembers(before: CanonicalValue, after: CanonicalValue, path: PathSegment[], options: CompiledNormalizeOptions, out: (change: RawChange) => void): void {
  const beforeView = membersView(before, path, options);
  const afterView = membersView(after, path, options);
  if (!beforeView || !afterView) {
    // An object against a scalar or an opaque array, or two different scalars: json-diff's {__old, __new}.
    out({ path: [...path], kind: 'changed', before, after, setElement: false });
    return;
  }
  const setElement = isSetLikePath(path, options) && (Array.isArray(before) || Array.isArray(after));
  const add = (key: string, kind: ChangeKind) => {
    const childPath = [...path, key];
    if (setElement) out({ path: childPath, kind, before: kind === 'removed' ? key : undefined, after: kind === 'added' ? key : undefined, setElement: true });
    else out({ path: childPath, kind, before: childOf(before, key), after: childOf(after, key), setElement: false });
  };
  for (const key of beforeView.keys) if (!afterView.has(key)) add(key, 'removed');
  for (const key of afterView.keys) if (!beforeView.has(key)) add(key, 'added');
  for (const key of beforeView.keys) {
    if (!afterView.has(key)) continue;
    path.push(key);
    const differs = !sameDiffTree(beforeView.get(key), afterView.get(key), path, options);
    if (differs && !setElement) diffMembers(childOf(before, key) as CanonicalValue, childOf(after, key) as CanonicalValue, path, options, out);
    path.pop();
    if (differs && setElement) add(key, 'changed');
  }
}

/**
 * json-diff of two diff trees, walked into raw changes whose values come from the canonical
 * trees: the reference diffCanonical is held equal to (test/drift/tree-diff-pruned.test.ts).
 */
export function diffTrees(beforeTree: unknown, afterTree: unknown, before: CanonicalObject, after: CanonicalObject, options: CompiledNormalizeOptions): RawChange[] {
  const result = jsonDiff(beforeTree, afterTree) as unknown;
  const changes: RawChange[] = [];
  if (result === undefined) return changes;
  if (!isPlainObject(result) || isScalarChange(result)) {
    changes.push({ path: [], kind: 'changed', before, after, setElement: false });
    return changes;
  }
  walk(result, [], before, after, options, changes);
  return changes;
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

function walk(node: Record<string, unknown>, path: PathSegment[], before: unknown, after: unknown, options: CompiledNormalizeOptions, out: RawChange[]): void {
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
      out.push({ path: childPath, kind, before: kind === 'removed' ? key : undefined, after: kind === 'added' ? key : undefined, setElement: true });
      continue;
    }
    const beforeChild = childOf(before, key);
    const afterChild = childOf(after, key);
    const child = node[marker];
    if (kind === 'changed' && isPlainObject(child) && !isScalarChange(child)) {
      walk(child, childPath, beforeChild, afterChild, options, out);
      continue;
    }
    out.push({ path: childPath, kind, before: beforeChild, after: afterChild, setElement: false });
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
