/**
 * What the generated baseline validator (valid-baseline.generated.ts) calls besides the value
 * checks: written once here, type-checked and linted, instead of pasted into every generation.
 */
export { hasOwn } from '../util/records';

/** Thrown inside the generated validator when a value is not certainly valid; never leaves it. */
export const INVALID = new Error('not certainly valid');

export function defined(x: unknown): unknown {
  if (x === undefined) throw INVALID;
  return x;
}

/** A `$comment`: a string or an array of strings. */
export function isComment(x: unknown): x is string | string[] {
  return typeof x === 'string' || (Array.isArray(x) && x.every((item) => typeof item === 'string'));
}

/** zod's isPlainObject, stricter: a plain or null prototype, no constructor function of its own. */
export function isPlainRecord(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const prototype: unknown = Object.getPrototypeOf(x);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return !Object.prototype.hasOwnProperty.call(x, 'constructor') || typeof (x as { constructor: unknown }).constructor !== 'function';
}

/** A URL zod accepts and returns unchanged (no surrounding white space, no tab or newline). */
export function isUntouchedUrl(x: string): boolean {
  if (x.trim() !== x || /[\t\n\r]/.test(x)) return false;
  try {
    new URL(x);
    return true;
  } catch {
    return false;
  }
}
