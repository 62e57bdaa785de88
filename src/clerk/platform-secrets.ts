/**
 * Secrets inside the Platform config. The config is free-form (each instance's own schema says
 * what it holds), and a key clerkguard manages may carry a secret beside ordinary fields (the
 * CAPTCHA provider's secret key beside its widget type). Nothing read from it may carry a secret
 * into an export, a report, Slack or a snapshot, so every field that is sensitive is replaced by
 * the marker Clerk's own redaction uses, `{"redacted": true, "fingerprint": "sha256:…"}`, and its
 * presence and fingerprint are recorded in the export's `sensitive` map (a rotated secret changes
 * the fingerprint, which a committed snapshot shows).
 *
 * A field is sensitive when
 * - the instance's config schema marks it `writeOnly` (or `format: "password"`), whatever its type;
 * - Clerk served it redacted already;
 * - it is a string (or a list of strings) whose name, or an enclosing object's name, says it holds
 *   a secret (`isSensitiveName`: `secret_key`, `client_secret`, `api_token`, everything under
 *   `credentials`; not `site_key`, `client_id` or `token_lifetime`), or whose value has a known
 *   secret shape (`containsSecret`).
 * Numbers, booleans and null are never hidden by name: they are settings, not secrets.
 */
import type { JsonPath } from '../settings/paths';
import { formatPath } from '../settings/paths';
import { containsSecret, isSensitiveName } from '../settings/redact';
import { stableStringify } from '../util/json';
import { nullRecord, setOwn } from '../util/records';
import type { PlatformSchema } from './platform-schema';
import { isRedactedValue } from './types';

export interface SensitiveEntry {
  present: boolean;
  fingerprint?: string;
}

/** Why a field counts as a secret, for messages; undefined when it does not. */
export type SensitiveReason = 'writeOnly in the instance\'s config schema' | 'served redacted by the Platform API' | 'named like a secret' | 'shaped like a secret';

/** Platform answers nest at most 64 levels (http.ts); deeper is refused here too, never walked unbounded. */
const MAX_DEPTH = 64;

export interface RedactOptions {
  schema: PlatformSchema | undefined;
  /** sha256 fingerprint of a string (settings-io's `fingerprint`). */
  fingerprint: (value: string) => string;
  /** Receives every sensitive field found, keyed `platform.<key>.<field>`. */
  sensitive: Record<string, SensitiveEntry>;
}

/**
 * A copy of `value` (the config value at `path`, e.g. `['captcha']`) with every sensitive field
 * replaced by `{redacted: true, fingerprint}`; each one is recorded in `options.sensitive`.
 */
export function redactPlatformValue(value: unknown, path: JsonPath, options: RedactOptions): unknown {
  return walk(value, path, false, options, 0);
}

function walk(value: unknown, path: JsonPath, namedSecret: boolean, options: RedactOptions, depth: number): unknown {
  const reason = sensitiveReason(value, path, namedSecret, options.schema);
  if (reason) {
    const marker = isRedactedValue(value) ? value : { redacted: true, fingerprint: options.fingerprint(typeof value === 'string' ? value : stableStringify(value).trimEnd()) };
    const fingerprint = typeof marker.fingerprint === 'string' && /^sha256:[0-9a-f]{16}$/.test(marker.fingerprint) ? marker.fingerprint : undefined;
    options.sensitive[formatPath(['platform', ...path])] = { present: true, ...(fingerprint ? { fingerprint } : {}) };
    return isRedactedValue(value) ? structuredClone(value) : marker;
  }
  if (depth >= MAX_DEPTH) return { redacted: true };
  const name = typeof path[path.length - 1] === 'string' ? (path[path.length - 1] as string) : '';
  const inherited = namedSecret || isSensitiveName(name);
  if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index], inherited, options, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out = nullRecord<unknown>();
    for (const key of Object.keys(value)) setOwn(out, key, walk((value as Record<string, unknown>)[key], [...path, key], inherited, options, depth + 1));
    return out;
  }
  return value;
}

/**
 * Why the value at `path` is a secret, or undefined. `namedSecret`: an enclosing field's name
 * says it holds secrets (array elements inherit their list's name).
 */
export function sensitiveReason(value: unknown, path: JsonPath, namedSecret: boolean, schema: PlatformSchema | undefined): SensitiveReason | undefined {
  if (isRedactedValue(value)) return 'served redacted by the Platform API';
  const fieldSchema = path.every((segment) => typeof segment === 'string') ? schema?.fieldSchema(path.join('.')) : undefined;
  if (fieldSchema && (fieldSchema.writeOnly === true || fieldSchema.format === 'password')) return 'writeOnly in the instance\'s config schema';
  if (typeof value !== 'string') return undefined;
  const last = path[path.length - 1];
  if (namedSecret || (typeof last === 'string' && isSensitiveName(last))) return 'named like a secret';
  if (containsSecret(value)) return 'shaped like a secret';
  return undefined;
}

/**
 * The fields of `live` the baseline declares (`declared`), at every depth: `platform_config`
 * manages the fields it names, and what it leaves out is unmanaged and stays out of the export.
 */
export function declaredPart(live: unknown, declared: unknown): unknown {
  if (!isPlainObject(live) || !isPlainObject(declared) || isRedactedValue(live)) return live;
  const out = nullRecord<unknown>();
  for (const key of Object.keys(declared)) {
    if (!Object.prototype.hasOwnProperty.call(live, key)) continue;
    setOwn(out, key, declaredPart(live[key], declared[key]));
  }
  return out;
}

/**
 * The first field the baseline declares that is a secret of the instance, with why: a baseline
 * never holds secrets (it is committed, diffed and printed), so this is bad input.
 */
export function declaredSecret(declared: unknown, live: unknown, path: JsonPath, schema: PlatformSchema | undefined, namedSecret = false, depth = 0): { path: JsonPath; reason: SensitiveReason } | undefined {
  if (!isPlainObject(declared) || depth >= MAX_DEPTH) return undefined;
  const last = path[path.length - 1];
  const inherited = namedSecret || (typeof last === 'string' && isSensitiveName(last));
  for (const key of Object.keys(declared)) {
    const here = [...path, key];
    const liveValue = isPlainObject(live) && Object.prototype.hasOwnProperty.call(live, key) ? live[key] : undefined;
    const wanted = declared[key];
    const reason = sensitiveReason(liveValue, here, inherited, schema) ?? sensitiveReason(wanted, here, inherited, schema);
    if (reason) return { path: here, reason };
    const nested = declaredSecret(wanted, liveValue, here, schema, inherited, depth + 1);
    if (nested) return nested;
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
