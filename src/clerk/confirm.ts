/**
 * Confirmed writes: a write counts when Clerk's own answer to it reflects what was sent.
 *
 * Why the PATCH answer and nothing else (Clerk CLI, packages/cli-core/src/commands/config/
 * README.md, "Round-trip verification"): BAPI silently drops fields it does not know inside a
 * group, and reads are eventually consistent, so a GET right after a write may still show the
 * old value. The answer to the write is the only read guaranteed to be about this write.
 *
 * `PATCH /v1/instance` answers 204 without a body, so nothing can confirm it afterwards: its
 * fields are checked before sending against the closed set in BAPI's own schema
 * (bapi-2026-05-12.yml, UpdateInstance, `additionalProperties: false`).
 */
import { ClerkguardError } from '../util/errors';
import { canonicalize } from '../util/json';

/** Every field `PATCH /v1/instance` accepts (bapi-2026-05-12.yml, UpdateInstance request body). */
export const INSTANCE_PATCH_FIELDS: readonly string[] = [
  'test_mode',
  'hibp',
  'support_email',
  'clerk_js_version',
  'development_origin',
  'allowed_origins',
  'cookieless_dev',
  'url_based_session_syncing',
  'preferred_sign_in_strategy_when_password_required',
];

/**
 * Domain enrollment modes `PATCH /v1/instance/organization_settings` accepts: "Supported modes
 * are 'automatic_invitation' & 'automatic_suggestion'" (bapi-2026-05-12.yml,
 * UpdateInstanceOrganizationSettings). `manual_invitation` appears only in reads.
 */
export const WRITABLE_ENROLLMENT_MODES: readonly string[] = ['automatic_invitation', 'automatic_suggestion'];

/** One field of a write the answer does not reflect. */
export interface Unconfirmed {
  /** Wire path, e.g. `specter_enabled` or `session.lifetime`. */
  field: string;
  sent: unknown;
  answered: unknown;
}

export interface CompareOptions {
  /** Wire fields whose arrays are sets: order and duplicates do not matter. */
  setLike?: readonly string[];
}

/**
 * Walks every leaf that was sent and compares it with the answer (objects recursively, so a
 * nested Platform config field is named by its full path). Keys are data: own properties only.
 */
export function unconfirmedFields(sent: Record<string, unknown>, answered: unknown, options: CompareOptions = {}, prefix = ''): Unconfirmed[] {
  const out: Unconfirmed[] = [];
  const answer = isObject(answered) ? answered : undefined;
  for (const key of Object.keys(sent)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const value = sent[key];
    const got = answer && Object.prototype.hasOwnProperty.call(answer, key) ? answer[key] : undefined;
    if (isObject(value) && Object.keys(value).length > 0) {
      out.push(...unconfirmedFields(value, got, options, path));
      continue;
    }
    // A sensitive value comes back redacted: its presence is all an answer can reflect.
    if (isRedacted(got) && value !== null && value !== undefined) continue;
    const setLike = options.setLike?.includes(path) ?? false;
    if (!sameValue(value, got, setLike)) out.push({ field: path, sent: value, answered: got });
  }
  return out;
}

function sameValue(sent: unknown, answered: unknown, setLike: boolean): boolean {
  if (setLike && Array.isArray(sent) && Array.isArray(answered)) return text(sortedUnique(sent)) === text(sortedUnique(answered));
  return text(sent) === text(answered);
}

function sortedUnique(values: readonly unknown[]): unknown[] {
  return [...new Set(values.map(text))].sort();
}

function text(value: unknown): string {
  return JSON.stringify(canonicalize(value)) ?? 'undefined';
}

/** The error for a write whose answer does not reflect every field sent. */
export function unconfirmedWrite(endpoint: string, environment: string, fields: readonly Unconfirmed[], hint?: string): ClerkguardError {
  const shown = fields
    .slice(0, 5)
    .map((item) => (SENSITIVE_FIELD.test(item.field) ? `${item.field} (value not shown)` : `${item.field} (sent ${describe(item.sent)}, Clerk answered ${item.answered === undefined ? 'without it' : describe(item.answered)})`));
  const more = fields.length > 5 ? `; and ${fields.length - 5} more` : '';
  return new ClerkguardError(
    `Clerk did not confirm the write to ${endpoint} for environment ${environment}: its answer does not reflect ${shown.join('; ')}${more}`,
    { hint: hint ?? 'Clerk drops fields it does not accept instead of rejecting them; check the field against the API (or the instance\'s config schema) and the dashboard' },
  );
}

/** Fields of an `/instance` update outside the closed set: refused before anything is sent. */
export function assertInstanceFields(fields: readonly string[], environment: string): void {
  const unknown = fields.filter((field) => !INSTANCE_PATCH_FIELDS.includes(field));
  if (unknown.length === 0) return;
  throw new ClerkguardError(
    `PATCH /v1/instance for environment ${environment} would send ${unknown.map((field) => JSON.stringify(field)).join(', ')}, which the endpoint does not accept: Clerk answers 204 and drops it`,
    { hint: `PATCH /v1/instance accepts only ${INSTANCE_PATCH_FIELDS.join(', ')} (bapi-2026-05-12.yml, UpdateInstance)` },
  );
}

/** Field names whose values are never echoed in a message. */
const SENSITIVE_FIELD = /secret|password|token|private|signing_key|api_key/i;

function isRedacted(value: unknown): boolean {
  return isObject(value) && value.redacted === true;
}

function describe(value: unknown): string {
  const shown = JSON.stringify(value) ?? String(value);
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
