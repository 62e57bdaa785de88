/**
 * What `clerkguard init` records: the settings of a live export that a source actually read
 * (`bapi`, `fapi`, `platform`, or a dashboard export file a person copied), nothing else.
 *
 * Fail closed: a setting the export marks `unverified` is left out and listed, never written as
 * a guess; a value copied from an earlier baseline's attestation (`attested`) is not the
 * instance's and is left out too; a value shaped like a secret is never written. Settings an
 * API normally shows but this export lacks are listed with what would have read them.
 */
import { z } from 'zod';
import { unwrap } from '../baseline/validate';
import { sourceFor } from '../evidence/index';
import type { LiveExport } from '../export/types';
import type { EvidenceSource, Settings } from '../settings/model';
import { containsSecret } from '../settings/redact';
import { formatPath, getAt, parsePath, type JsonPath, type PathSegment } from '../settings/paths';
import { nullRecord } from '../util/records';
import { schemaAt } from './schema-walk';

/** Sources whose values are what the instance has: read now, or copied from its dashboard. */
const RECORDED_SOURCES: ReadonlySet<EvidenceSource> = new Set(['bapi', 'fapi', 'platform', 'export-file']);

export interface LeftOut {
  /** Rendered path, `settings.…`. */
  path: string;
  reason: string;
}

export interface Recorded {
  settings: Settings;
  /** Each recorded setting (at the export's coverage granularity, rendered) and its source. */
  sources: Record<string, EvidenceSource>;
  leftOut: LeftOut[];
}

/**
 * Settings Clerk's APIs show on every instance that offers them, and what reads each. One that
 * is missing from the export is listed (with `missingReason`), never silently absent.
 */
const API_READABLE: readonly { path: string; readBy: string }[] = [
  { path: 'keys.expected_environment', readBy: 'the secret key prefix' },
  { path: 'instance.environment_type', readBy: 'GET /v1/instance' },
  { path: 'instance.allowed_origins', readBy: 'GET /v1/instance' },
  { path: 'instance.domains', readBy: 'GET /v1/domains' },
  { path: 'instance.test_mode', readBy: 'the Frontend API (GET /v1/environment)' },
  { path: 'instance.hibp', readBy: 'the Frontend API (GET /v1/environment)' },
  { path: 'session.maximum_lifetime_minutes', readBy: 'the Platform API (config session.lifetime)' },
  { path: 'session.partitioned_cookies', readBy: 'the Frontend API (GET /v1/environment)' },
  { path: 'restrictions', readBy: 'the Frontend API (GET /v1/environment)' },
  { path: 'protect', readBy: 'GET /v1/instance/protect' },
  { path: 'communication', readBy: 'GET /v1/instance/communication' },
  { path: 'attack_protection', readBy: 'the Frontend API (GET /v1/environment)' },
  { path: 'sign_in', readBy: 'the Frontend API (GET /v1/environment)' },
  { path: 'sign_up', readBy: 'the Frontend API (GET /v1/environment)' },
  { path: 'password_settings', readBy: 'the Frontend API (GET /v1/environment)' },
  { path: 'passkey_settings', readBy: 'the Frontend API (GET /v1/environment)' },
  { path: 'oauth_application_settings', readBy: 'GET /v1/instance/oauth_application_settings' },
  { path: 'organizations', readBy: 'GET /v1/instance/organization_settings, /v1/organization_roles and /v1/organization_permissions' },
  { path: 'organizations.role_sets', readBy: 'GET /v1/role_sets' },
  { path: 'jwt_templates', readBy: 'GET /v1/jwt_templates' },
];

export interface RecordOptions {
  /** Values that must never be written (the credentials in the environment). */
  secrets: readonly string[];
  /** Why a setting the export's coverage marks unverified is left out. */
  unverifiedReason: string;
  /** Why an API-readable setting is absent from this export. */
  missingReason(path: string, readBy: string): string;
}

export function recordFromExport(live: LiveExport, options: RecordOptions): Recorded {
  const coverageKeys = Object.keys(live.coverage).map(parsePath);
  const sources: Record<string, EvidenceSource> = {};
  const leftOut: LeftOut[] = [];

  const leftOutReason = (source: EvidenceSource): string => {
    if (source === 'attested') return 'an attestation copied from the baseline the export was taken with, not a value read from the instance: attest it again in this baseline if it still holds';
    if (source === 'code' || source === 'probe') return `evidence from the application (${source}), not a value read from the instance`;
    return options.unverifiedReason;
  };

  const walk = (value: unknown, path: PathSegment[]): unknown => {
    const finer = coverageKeys.some((key) => key.length > path.length && path.every((segment, index) => key[index] === '*' || String(key[index]) === String(segment)));
    if (finer && isPlainObject(value)) {
      const out = nullRecord<unknown>();
      let kept = 0;
      for (const key of Object.keys(value)) {
        const child = walk(value[key], [...path, key]);
        if (child === undefined) continue;
        out[key] = child;
        kept++;
      }
      if (kept > 0) return out;
      const own = sourceFor(live.coverage, path);
      return Object.keys(value).length === 0 && RECORDED_SOURCES.has(own) ? out : undefined;
    }
    const source = sourceFor(live.coverage, path);
    const rendered = formatPath(['settings', ...path]);
    if (!RECORDED_SOURCES.has(source)) {
      leftOut.push({ path: rendered, reason: leftOutReason(source) });
      return undefined;
    }
    const kept = withoutSecrets(path, value, options.secrets);
    for (const dropped of kept.dropped) leftOut.push({ path: formatPath(['settings', ...dropped]), reason: 'it holds a value shaped like a key or token; clerkguard never writes one into a baseline' });
    if (kept.value === undefined) return undefined;
    sources[rendered] = source;
    return kept.value;
  };

  const settings = nullRecord<unknown>();
  for (const group of Object.keys(live.settings)) {
    const value = walk((live.settings as Record<string, unknown>)[group], [group]);
    if (value !== undefined) settings[group] = value;
  }
  oneOwnerForSessionLifetime(settings, leftOut);

  // Coverage can name a setting the export holds no value for (a managed one nothing read).
  for (const [key, source] of Object.entries(live.coverage)) {
    if (RECORDED_SOURCES.has(source)) continue;
    const segments = parsePath(key);
    const rendered = formatPath(['settings', ...segments]);
    if (getAt(live.settings, segments) !== undefined || leftOut.some((entry) => isWithin(rendered, entry.path))) continue;
    leftOut.push({ path: rendered, reason: leftOutReason(source) });
  }

  for (const { path, readBy } of API_READABLE) {
    const segments = parsePath(path);
    if (getAt(settings, segments) !== undefined) continue;
    // Role sets are only expected of an instance whose organizations were read at all.
    if (path === 'organizations.role_sets' && getAt(settings, ['organizations']) === undefined) continue;
    const rendered = formatPath(['settings', ...segments]);
    if (leftOut.some((entry) => isWithin(rendered, entry.path) || isWithin(entry.path, rendered))) continue;
    leftOut.push({ path: rendered, reason: options.missingReason(path, readBy) });
  }
  leftOut.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { settings: settings as Settings, sources, leftOut };
}

/**
 * The value without anything shaped like a secret, cut as finely as the model allows: a map
 * entry (one JWT template, one role) or an optional field goes; a required field takes its
 * object with it (a template without its claims is no template). Returns the paths dropped.
 */
function withoutSecrets(path: JsonPath, value: unknown, secrets: readonly string[]): { value?: unknown; dropped: JsonPath[] } {
  const text = JSON.stringify(value);
  if (!containsSecret(text) && !secrets.some((secret) => secret.length >= 6 && text.includes(secret))) return { value: cloneJson(value), dropped: [] };
  const schema = schemaAt(path);
  const inner = schema ? unwrap(schema) : undefined;
  const entries = (isPlainObject(value) && (inner instanceof z.ZodObject || (inner instanceof z.ZodRecord && unwrap(inner.valueType as z.ZodType) instanceof z.ZodObject))) ? Object.keys(value) : undefined;
  if (!entries || !isPlainObject(value)) return { dropped: [path] };
  const out = nullRecord<unknown>();
  const dropped: JsonPath[] = [];
  for (const key of entries) {
    const child = withoutSecrets([...path, key], value[key], secrets);
    if (child.value !== undefined) {
      out[key] = child.value;
      continue;
    }
    const childSchema = schemaAt([...path, key]);
    // A required field of a fixed-shape object cannot go alone: the object goes.
    if (inner instanceof z.ZodObject && !(childSchema instanceof z.ZodOptional)) return { dropped: [path] };
    dropped.push(...child.dropped);
  }
  return { value: out, dropped };
}

/**
 * The typed `session.maximum_lifetime_minutes` owns Platform `session.lifetime`; an export taken
 * with a baseline that managed `platform_config.session` may hold both: keep the typed one.
 */
function oneOwnerForSessionLifetime(settings: Record<string, unknown>, leftOut: LeftOut[]): void {
  const typed = getAt(settings, ['session', 'maximum_lifetime_minutes']);
  const raw = getAt(settings, ['platform_config', 'session']);
  if (typed === undefined || !isPlainObject(raw) || !Object.prototype.hasOwnProperty.call(raw, 'lifetime')) return;
  delete raw.lifetime;
  leftOut.push({ path: 'settings.platform_config.session.lifetime', reason: 'settings.session.maximum_lifetime_minutes records the same Clerk field (in minutes)' });
  if (Object.keys(raw).length === 0) {
    const platform = settings.platform_config as Record<string, unknown>;
    delete platform.session;
    if (Object.keys(platform).length === 0) delete settings.platform_config;
  }
}

function isWithin(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
}

/** A deep copy in which every object is a null-prototype record: keys are data (`__proto__` too). */
/** Left-out settings grouped by reason, in first-seen order: one line per reason, not per path. */
export function byReason(leftOut: readonly LeftOut[]): { reason: string; paths: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const entry of leftOut) groups.set(entry.reason, [...(groups.get(entry.reason) ?? []), entry.path]);
  return [...groups.entries()].map(([reason, paths]) => ({ reason, paths }));
}

export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => cloneJson(item) as unknown) as T;
  if (!isPlainObject(value)) return value;
  const out = nullRecord<unknown>();
  for (const key of Object.keys(value)) out[key] = cloneJson(value[key]);
  return out as T;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
