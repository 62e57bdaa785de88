/**
 * Canonical JSON text for files people diff in git: keys sorted, 2-space indent, trailing
 * newline. Sorting at write time (not relying on insertion order) keeps output byte-stable
 * whatever order APIs returned fields in.
 */
import { nullRecord } from './records';

export function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalize);
  if (value !== null && typeof value === 'object') {
    // Null prototype: a key named `__proto__` (a JWT claim, a template name) stays an own key.
    const out = nullRecord<unknown>();
    for (const key of Object.keys(value).sort()) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) out[key] = canonicalize(child);
    }
    return out;
  }
  return value;
}

export function stableStringify(value: unknown): string {
  return `${JSON.stringify(canonicalize(value), null, 2)}\n`;
}

/** JSON text in the order the caller built the object (for reports whose order is designed). */
export function prettyJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
