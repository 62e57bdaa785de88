/**
 * User-keyed maps (JWT templates, claims, roles, permissions, origins, coverage paths): keys are
 * data, so `__proto__`, `constructor` or `toString` must be ordinary keys. A null-prototype
 * object makes plain assignment and lookup safe for every key; `setOwn`/`getOwn` do the same
 * on objects that may have a prototype (JSON.parse output, zod output).
 */

/** An empty object without a prototype: `record[key] = value` and `record[key]` are safe for any key. */
export function nullRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A null-prototype copy of `entries` (own enumerable string keys only). */
export function toNullRecord<T>(source: Readonly<Record<string, T>> | Iterable<readonly [string, T]>): Record<string, T> {
  const out = nullRecord<T>();
  const entries = Symbol.iterator in Object(source) ? (source as Iterable<readonly [string, T]>) : Object.entries(source as Record<string, T>);
  for (const [key, value] of entries) out[key] = value;
  return out;
}

export function hasOwn(value: object, key: PropertyKey): boolean {
  return Object.prototype.hasOwnProperty.call(value, key);
}

/** `obj[key]` if it is an own property, else undefined (never an inherited `constructor`). */
export function getOwn<T>(obj: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return obj !== undefined && hasOwn(obj, key) ? obj[key] : undefined;
}

/** Sets `obj[key]` as an own, enumerable property even when key is `__proto__`. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * A deep copy in which every object has Object.prototype again (own keys kept, `__proto__`
 * included), for libraries that stringify values they are handed (Pulumi's serializer does:
 * a null-prototype object has no toString).
 */
export function toPlainObjects<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => toPlainObjects(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) setOwn(out, key, toPlainObjects((value as Record<string, unknown>)[key]));
  return out as T;
}

/** A copy of `value` holding only `keys`, in that order (a key `value` lacks is copied as undefined). */
export function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) out[key] = value[key];
  return out;
}
