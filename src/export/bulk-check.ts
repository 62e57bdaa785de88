/**
 * The two large records of a live export, JWT templates (settings.jwt_templates) and
 * `sensitive`, checked without zod when every entry plainly fits the schema.
 *
 * zod parses and copies each of 50,000 templates (and 50,000 `sensitive` entries), and
 * validateWithSchema then rebuilds every record of its output with null prototypes: about 40 %
 * of a 50,000-template drift's CPU. These functions accept an entry only when it is exactly of
 * the shape the schema accepts, and build what validateWithSchema would return for it (the same
 * keys in the same order, the same values, null-prototype records). Anything else, or
 * anything unusual (a key present with the value undefined, an object with an unexpected
 * prototype, a number out of range), returns undefined, and the caller validates the whole
 * export with zod as before, so an invalid value gets zod's own errors.
 *
 * `test/export/bulk-check.test.ts` holds both equal to the zod schemas (property test): every
 * value they accept, zod accepts with a deep-equal output, and the valid values they are
 * used for are accepted.
 *
 * Their domain is JSON data, which is what an export holds (JSON.parse output and the objects
 * settings-io.ts builds from it): every key an own, enumerable string, every value JSON. A
 * symbol key or a non-enumerable property would not be seen here.
 */
import type { JwtTemplate } from '../settings/model';
import { hasOwn, nullRecord } from '../util/records';
import type { SensitiveValue } from '../clerk/settings-io';

/** jwtTemplateSchema's fields in its shape's order (zod's output order). */
const TEMPLATE_FIELDS: ReadonlySet<string> = new Set(['claims', 'lifetime', 'allowed_clock_skew', 'signing_algorithm', 'custom_signing_key']);
const SENSITIVE_FIELDS: ReadonlySet<string> = new Set(['present', 'fingerprint']);
const FINGERPRINT = /^sha256:[0-9a-f]{16}$/;

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** Every key is one of `allowed` and holds a value (not undefined). */
function hasOnly(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key of Object.keys(value)) if (!allowed.has(key) || value[key] === undefined) return false;
  return true;
}

/** z.number().int().min(min).max(max) */
function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

/** z.record(z.string(), z.unknown()) as validateWithSchema returns it: a null-prototype copy, same values. */
function checkedFreeRecord(value: unknown): Record<string, unknown> | undefined {
  if (!isPlainRecord(value)) return undefined;
  const out = nullRecord<unknown>();
  for (const key of Object.keys(value)) {
    const field = value[key];
    if (field === undefined) return undefined;
    out[key] = field;
  }
  return out;
}

/** One template as jwtTemplateSchema parses it, or undefined when it does not plainly fit. */
export function checkedTemplate(value: unknown): JwtTemplate | undefined {
  if (!isPlainRecord(value) || !hasOnly(value, TEMPLATE_FIELDS)) return undefined;
  const claims = checkedFreeRecord(value.claims);
  if (!claims || !isIntegerIn(value.lifetime, 30, 315360000)) return undefined;
  const out: JwtTemplate = { claims, lifetime: value.lifetime };
  if (hasOwn(value, 'allowed_clock_skew')) {
    if (!isIntegerIn(value.allowed_clock_skew, 0, 300)) return undefined;
    out.allowed_clock_skew = value.allowed_clock_skew;
  }
  if (hasOwn(value, 'signing_algorithm')) {
    if (typeof value.signing_algorithm !== 'string') return undefined;
    out.signing_algorithm = value.signing_algorithm;
  }
  if (hasOwn(value, 'custom_signing_key')) {
    if (typeof value.custom_signing_key !== 'boolean') return undefined;
    out.custom_signing_key = value.custom_signing_key;
  }
  return out;
}

/** settings.jwt_templates (z.record(z.string().min(1), jwtTemplateSchema)) as validateWithSchema returns it. */
export function checkedTemplates(value: unknown): Record<string, JwtTemplate> | undefined {
  if (!isPlainRecord(value)) return undefined;
  const out = nullRecord<JwtTemplate>();
  for (const key of Object.keys(value)) {
    if (key.length === 0) return undefined;
    const template = checkedTemplate(value[key]);
    if (!template) return undefined;
    out[key] = template;
  }
  return out;
}

/** One entry of `sensitive` (sensitiveValueSchema). */
export function checkedSensitiveValue(value: unknown): SensitiveValue | undefined {
  if (!isPlainRecord(value) || !hasOnly(value, SENSITIVE_FIELDS) || typeof value.present !== 'boolean') return undefined;
  if (!hasOwn(value, 'fingerprint')) return { present: value.present };
  if (typeof value.fingerprint !== 'string' || !FINGERPRINT.test(value.fingerprint)) return undefined;
  return { present: value.present, fingerprint: value.fingerprint };
}

/** The export's `sensitive` (z.record(z.string(), sensitiveValueSchema)) as validateWithSchema returns it. */
export function checkedSensitive(value: unknown): Record<string, SensitiveValue> | undefined {
  if (!isPlainRecord(value)) return undefined;
  const out = nullRecord<SensitiveValue>();
  for (const key of Object.keys(value)) {
    const entry = checkedSensitiveValue(value[key]);
    if (!entry) return undefined;
    out[key] = entry;
  }
  return out;
}
