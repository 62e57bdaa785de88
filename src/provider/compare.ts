/**
 * Comparing desired and live properties the way Clerk means them: set-like arrays ignore order
 * and duplicates, and a key the baseline leaves out is unmanaged, so a live value there is
 * never a change.
 */
import { canonicalize } from '../util/json';
import { SET_LIKE_KEYS, type KindName } from './kinds';

/** Properties the Pulumi engine adds to dynamic resources; never part of a comparison. */
export const ENGINE_KEYS: readonly string[] = ['__provider'];

export type Props = Record<string, unknown>;

/** Drops engine keys and undefined values; sorts and de-duplicates set-like arrays. */
export function normalizeProps(kind: KindName, props: Props | undefined): Props {
  const out: Props = {};
  if (!props) return out;
  const setLike = SET_LIKE_KEYS[kind];
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || ENGINE_KEYS.includes(key)) continue;
    out[key] = setLike.includes(key) && Array.isArray(value) ? sortedUnique(value) : value;
  }
  return out;
}

function sortedUnique(values: readonly unknown[]): unknown[] {
  const byText = new Map<string, unknown>();
  for (const value of values) byText.set(JSON.stringify(canonicalize(value)), value);
  return [...byText.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, value]) => value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonicalize(a)) === JSON.stringify(canonicalize(b));
}

/**
 * Top-level keys of `desired` whose value differs from `actual`, in `desired`'s order.
 * Keys absent from `desired` are unmanaged and never reported.
 */
export function changedKeys(kind: KindName, actual: Props | undefined, desired: Props | undefined): string[] {
  const live = normalizeProps(kind, actual);
  const wanted = normalizeProps(kind, desired);
  return Object.keys(wanted).filter((key) => !deepEqual(live[key], wanted[key]));
}

/** The subset of `props` under `keys`. */
export function pick(props: Props, keys: readonly string[]): Props {
  const out: Props = {};
  for (const key of keys) if (props[key] !== undefined) out[key] = props[key];
  return out;
}

function isPlainObject(value: unknown): value is Props {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The live object projected onto the keys the baseline manages, recursive through nested
 * objects: for grouped settings such as `attack_protection.user_lockout`, a sub-key the
 * baseline does not declare is unmanaged too.
 */
export function projectDeep(live: unknown, shape: unknown): unknown {
  if (!isPlainObject(shape) || !isPlainObject(live)) return live;
  const out: Props = {};
  for (const [key, wanted] of Object.entries(shape)) {
    if (live[key] === undefined) continue;
    out[key] = projectDeep(live[key], wanted);
  }
  return out;
}
