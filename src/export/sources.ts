/**
 * Where each setting is read live: the coverage model of docs/clerk-api-coverage.md as data.
 *
 * - `api`: a Clerk API answers it (Backend, Frontend or Platform API). Only the API counts: a
 *   dashboard export's value for it is never used, also when the API did not answer this run
 *   (no Platform key, no publishable key, an answer without the field). Then it is unverified.
 * - `dashboard`: no API exposes it; a person copies it from the dashboard into a dashboard
 *   export (`--dashboard-export`). The allow-list of that file.
 * - `declared`: the baseline's word (attestations, the application's policies): no API or
 *   dashboard page holds it, so it comes from the baseline only.
 *
 * test/export/sources.test.ts keeps this table equal to what the readers actually fill: every
 * path an API answer feeds (src/clerk/answers.ts) and every coverage key a full read emits is
 * `api`, and every group and field of the settings model is classified.
 */
import type { Settings } from '../settings/model';

export type LiveSource = 'api' | 'dashboard' | 'declared';

type GroupSources = LiveSource | { readonly [field: string]: LiveSource };

export const LIVE_SOURCES: { readonly [G in keyof Required<Settings>]: GroupSources } = {
  // expected_environment: the secret key's prefix; rotation dates and their attestation: a person's record.
  // No Clerk API shows when a secret key was created or rotated (docs/clerk-api-coverage.md).
  keys: { expected_environment: 'api', last_rotated_at: 'declared', last_rotation: 'declared', rotation_max_age_days: 'declared' },
  instance: 'api',
  session: {
    // Clerk documents no API field for the inactivity timeout (Clerk docs, "Session options").
    inactivity_timeout_minutes: 'dashboard',
    maximum_lifetime_minutes: 'api',
    partitioned_cookies: 'api',
    // Enforced by the application: no instance setting exists.
    revoke_on: 'declared',
    cookie_same_site: 'declared',
  },
  restrictions: 'api',
  protect: 'api',
  communication: 'api',
  attack_protection: 'api',
  sign_in: 'api',
  sign_up: 'api',
  password_settings: 'api',
  passkey_settings: 'api',
  oauth_application_settings: 'api',
  organizations: 'api',
  jwt_templates: 'api',
  webhooks: {
    // Endpoints live in the Svix portal; no Clerk API lists them.
    endpoints: 'dashboard',
    signature_verification: 'declared',
    secret_storage: 'declared',
    idempotency: 'declared',
    user_deleted_handling: 'declared',
  },
  monitoring: 'declared',
  practices: 'declared',
  platform_config: 'api',
};

/** The live source of a group, or of one field of it (a group's own entry when it has no table). */
export function liveSourceOf(group: string, field?: string): LiveSource | undefined {
  if (!Object.prototype.hasOwnProperty.call(LIVE_SOURCES, group)) return undefined;
  const entry = LIVE_SOURCES[group as keyof typeof LIVE_SOURCES];
  if (typeof entry === 'string') return entry;
  if (field === undefined) return undefined;
  return Object.prototype.hasOwnProperty.call(entry, field) ? entry[field] : undefined;
}

/** Every `group.field` (or whole `group`) of one kind, in table order. */
export function pathsOfSource(source: LiveSource): string[] {
  return Object.entries(LIVE_SOURCES).flatMap(([group, entry]) =>
    typeof entry === 'string' ? (entry === source ? [group] : []) : Object.entries(entry).filter(([, kind]) => kind === source).map(([field]) => `${group}.${field}`),
  );
}

/** What a dashboard export may fill: the settings no API exposes. */
export const DASHBOARD_EXPORT_PATHS: readonly string[] = pathsOfSource('dashboard');

/** What is copied from the baseline into an export (attestations and declarations). */
export const DECLARED_PATHS: readonly (readonly [keyof Settings, string?])[] = pathsOfSource('declared').map((entry) => {
  const [group, field] = entry.split('.') as [keyof Settings, string?];
  return field === undefined ? ([group] as const) : ([group, field] as const);
});
