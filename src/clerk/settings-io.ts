/**
 * The settings model on top of the Clerk API: read every readable group into a Settings value
 * with per-path coverage, and write each writable group from its model value.
 *
 * Reads run in parallel under the connection's concurrency bound. Writes are group by group so
 * a caller (the Pulumi provider) can create, update and delete one resource at a time.
 */
import { createHash } from 'node:crypto';
import type { EvidenceSource, JwtTemplate, Settings } from '../settings/model';
import { formatPath } from '../settings/paths';
import { ClerkguardError } from '../util/errors';
import { nullRecord, toNullRecord } from '../util/records';
import { checkedSensitiveValue, checkedTemplate } from '../export/bulk-check';
import type { AnswerGap } from './answers';
import type { ClerkApi, InstanceUpdate } from './api';
import { keyEnvironment } from './connection';
import { ClerkApiError } from './http';
import { mapLimit } from './limit';
import { describeProblems, platformSchema, type PlatformSchema } from './platform-schema';
import { declaredPart, redactPlatformValue } from './platform-secrets';
import {
  DEFAULT_ROLE_KEYS,
  type DomainWire,
  type FapiEnvironment,
  isSystemPermission,
  type JwtTemplateWire,
  PLATFORM_SESSION_KEY,
  PLATFORM_SESSION_LIFETIME_FIELD,
  type PermissionWire,
  type PlatformConfig,
  type RoleSetWire,
  type RoleWire,
} from './types';

export interface SensitiveValue {
  present: boolean;
  fingerprint?: string;
}

export interface LiveRead {
  instanceId: string;
  settings: Settings;
  coverage: Record<string, EvidenceSource>;
  sensitive: Record<string, SensitiveValue>;
  /** config_version of the Platform config read, for a later If-Match write. */
  platformConfigVersion?: string;
  /** The Platform config as read (the keys asked for) and the instance's schema of it. */
  platform?: { config: PlatformConfig; schema?: PlatformSchema };
  /**
   * The roles every instance has (`org:admin`, `org:member`) and the system permissions
   * (`org:sys_*`), in model shape. They are left out of `settings` so a baseline that does not
   * mention them sees no noise; a caller whose baseline manages one adds it back.
   */
  builtIn: {
    roles: NonNullable<NonNullable<Settings['organizations']>['roles']>;
    permissions: NonNullable<NonNullable<Settings['organizations']>['permissions']>;
  };
  /** Groups the instance does not offer (a plan without the feature): left unverified, with why. */
  unavailable: string[];
  /**
   * Fields the answers legitimately left out (or answered with a value clerkguard does not
   * know). Every settings path they feed is `unverified` in `coverage`.
   */
  gaps: AnswerGap[];
  /**
   * `settings.jwt_templates` itself when every template in it is already in the shape the
   * export's schema gives it (checked by bulk-check.ts as its page arrived, no name empty), so
   * the export need not check and copy them again after the last page; otherwise undefined.
   */
  checkedJwtTemplates?: Record<string, JwtTemplate>;
  /** `sensitive` itself when every entry in it is already in the export schema's shape (checked as added). */
  checkedSensitive?: Record<string, SensitiveValue>;
}

/**
 * Statuses with which Clerk says a feature is not part of this instance or plan (the spec lists
 * 402 and 404 for organization settings). The group is then unverified, never "in sync", and the
 * rest of the export goes on; any other failure still fails the export.
 */
const FEATURE_UNAVAILABLE = [402, 403, 404];

async function optional<T>(read: () => Promise<T>, unavailable: string[]): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ClerkApiError && error.status !== undefined && FEATURE_UNAVAILABLE.includes(error.status)) {
      unavailable.push(`${error.endpoint} answered ${error.status} (not available on this instance)`);
      return undefined;
    }
    throw error;
  }
}

/**
 * The Platform API is asked for the instance the secret key belongs to (by its id, api.ts).
 * A 404 means the Platform credentials (application id, key) belong to another application:
 * an error, like a publishable key of another instance, never a setting read from elsewhere.
 */
async function platformOfThisInstance<T>(api: ClerkApi, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof ClerkApiError) || error.status !== 404 || !api.connection.platform) throw error;
    const instance = await api.getInstance().then((value) => value.id, () => 'of the secret key');
    throw new ClerkguardError(
      `the Platform API has no instance ${instance} in application ${api.connection.platform.applicationId} (GET …/config answered 404): the Platform credentials of environment ${api.connection.environment} belong to another application than its secret key`,
      {
        hint: 'set CLERK_APPLICATION_ID (or the baseline\'s target.application_id) and CLERK_PLATFORM_API_KEY for the application of this instance, or unset them: Platform settings are then unverified',
        cause: error,
      },
    );
  }
}

/** First 16 hex chars of sha256: enough to notice a change, useless for recovering the value. */
export function fingerprint(value: string): string {
  return `sha256:${createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 16)}`;
}

export interface ReadOptions {
  /** Top-level Platform config keys a baseline manages (`platform_config`): read and exported. */
  platformKeys?: readonly string[];
  /**
   * The baseline's `platform_config`: its keys are read, and of each only the fields it declares
   * are exported (what it leaves out is unmanaged). Without it, `platformKeys` are exported whole.
   * Either way secrets are replaced by presence + fingerprint (platform-secrets.ts).
   */
  platformConfig?: Readonly<Record<string, Record<string, unknown>>>;
  /**
   * Gets each JWT template in export shape as it is taken from its page, in list order, while
   * later pages are on their way (a drift matches it against the baseline then: drift/early.ts).
   */
  onJwtTemplate?: (name: string, template: JwtTemplate) => void;
}

/** Reads every group the APIs expose. Throws ClerkguardError (ClerkApiError) on any failed read. */
export async function readSettings(api: ClerkApi, options: ReadOptions = {}): Promise<LiveRead> {
  const unavailable: string[] = [];
  const managedKeys = [...new Set([...(options.platformKeys ?? []), ...Object.keys(options.platformConfig ?? {})])];
  const platformKeys = [...new Set([PLATFORM_SESSION_KEY, ...managedKeys])];
  // `sensitive` in the shape the export's schema gives it (bulk-check.ts), each entry checked as
  // it is added: the secret key's first, the templates' signing keys as their pages are taken,
  // then the Platform secrets. The export need not check and copy it again after the last page.
  const sensitive = nullRecord<SensitiveValue>();
  let everySensitiveChecked = true;
  const addSensitive = (path: string, value: SensitiveValue) => {
    const checked = checkedSensitiveValue(value);
    if (!checked) everySensitiveChecked = false;
    sensitive[path] = checked ?? value;
  };
  addSensitive('keys.secret_key', { present: true, fingerprint: fingerprint(api.connection.secretKey) });
  // The templates' record is filled in list order as pages are taken, while later ones are on their way.
  const jwtTemplates = nullRecord<JwtTemplate>();
  let templatesTaken = 0;
  let everyTemplateChecked = true;
  const takeTemplate = (template: ReturnType<typeof modelledTemplate>) => {
    if (Object.prototype.hasOwnProperty.call(jwtTemplates, template.name)) throw duplicateName(api, 'GET /v1/jwt_templates', 'JWT templates', template.name);
    jwtTemplates[template.name] = template.model;
    templatesTaken++;
    addSensitive(template.signingKeyPath, { present: template.customSigningKey });
    if (!template.checked || template.name.length === 0) everyTemplateChecked = false;
    options.onJwtTemplate?.(template.name, template.model);
  };
  // Lists first: their later pages can only follow their first, so those go out first. Every
  // read starts at once; the client's own cap (api.ts) decides how many requests are in flight.
  const jobs = {
    // Each template modelled as its page arrives.
    jwtTemplates: () => api.listJwtTemplates(modelledTemplate, takeTemplate),
    roles: () => optional(() => api.listOrganizationRoles(), unavailable),
    permissions: () => optional(() => api.listOrganizationPermissions(), unavailable),
    roleSets: () => optional(() => api.listRoleSets(), unavailable),
    domains: () => optional(() => api.listDomains(), unavailable),
    instance: () => api.getInstance(),
    environment: () => api.getEnvironment(),
    protect: () => api.getProtect(),
    communication: () => api.getCommunication(),
    oauth: () => optional(() => api.getOAuthApplicationSettings(), unavailable),
    organizationSettings: () => optional(() => api.getOrganizationSettings(), unavailable),
    // The whole document: every sensitive value in it is fingerprinted (collectRedacted).
    platform: () => platformOfThisInstance(api, () => api.getPlatformConfig()),
    platformSchema: () => optional(() => api.getPlatformConfigSchema(platformKeys), unavailable),
  };
  const names = Object.keys(jobs) as (keyof typeof jobs)[];
  const values = await mapLimit(names, names.length, (name) => jobs[name]() as Promise<unknown>);
  const got = Object.fromEntries(names.map((name, index) => [name, values[index]])) as {
    [K in keyof typeof jobs]: Awaited<ReturnType<(typeof jobs)[K]>>;
  };

  const settings: Settings = {};
  const coverage: Record<string, EvidenceSource> = {};
  const extraGaps: AnswerGap[] = [];

  const expected = keyEnvironment(api.connection.secretKey);
  if (expected) {
    settings.keys = { expected_environment: expected };
    coverage['keys.expected_environment'] = 'bapi';
  }

  const environmentType = got.instance.environment_type;
  assertSameInstance(api, environmentType, got.environment);
  settings.instance = {
    ...(isEnvironmentType(environmentType) ? { environment_type: environmentType } : {}),
    allowed_origins: [...(got.instance.allowed_origins ?? [])],
  };
  coverage['instance.environment_type'] = 'bapi';
  coverage['instance.allowed_origins'] = 'bapi';
  if (got.domains) {
    settings.instance.domains = domainsToModel(got.domains);
    coverage['instance.domains'] = 'bapi';
  }

  settings.protect = { rules_enabled: got.protect.rules_enabled, specter_enabled: got.protect.specter_enabled };
  coverage.protect = 'bapi';
  settings.communication = { blocked_country_codes: [...got.communication.blocked_country_codes] };
  coverage.communication = 'bapi';
  if (got.oauth) {
    settings.oauth_application_settings = { ...got.oauth };
    coverage.oauth_application_settings = 'bapi';
  }

  if (got.organizationSettings && got.roles && got.permissions) {
    settings.organizations = {
      settings: {
        enabled: got.organizationSettings.enabled,
        max_allowed_memberships: got.organizationSettings.max_allowed_memberships,
        admin_delete_enabled: got.organizationSettings.admin_delete_enabled,
        domains_enabled: got.organizationSettings.domains_enabled,
        ...(got.organizationSettings.slug_disabled === undefined ? {} : { slug_disabled: got.organizationSettings.slug_disabled }),
        domains_enrollment_modes: got.organizationSettings.domains_enrollment_modes as ('manual_invitation' | 'automatic_invitation' | 'automatic_suggestion')[],
        ...(got.organizationSettings.creator_role ? { creator_role: got.organizationSettings.creator_role } : {}),
        ...(got.organizationSettings.domains_default_role ? { domains_default_role: got.organizationSettings.domains_default_role } : {}),
      },
      roles: rolesToModel(got.roles),
      permissions: permissionsToModel(got.permissions),
    };
    coverage.organizations = 'bapi';
    if (got.roleSets) settings.organizations.role_sets = roleSetsToModel(got.roleSets);
    else coverage['organizations.role_sets'] = 'unverified';
  }

  if (templatesTaken !== got.jwtTemplates.length) throw new ClerkguardError(`internal error: ${got.jwtTemplates.length} JWT templates listed, ${templatesTaken} taken`);
  settings.jwt_templates = jwtTemplates;
  coverage.jwt_templates = 'bapi';

  if (got.environment) applyEnvironment(settings, coverage, got.environment);

  let platformConfigVersion: string | undefined;
  let platform: LiveRead['platform'];
  if (got.platform) {
    platformConfigVersion = got.platform.config_version;
    const schema = got.platformSchema ? platformSchema(got.platformSchema) : undefined;
    platform = { config: got.platform, ...(schema ? { schema } : {}) };
    const lifetime = sessionLifetimeFromPlatform(got.platform, schema);
    if (lifetime.gap) extraGaps.push(lifetime.gap);
    if (lifetime.minutes !== undefined) {
      settings.session = { ...settings.session, maximum_lifetime_minutes: lifetime.minutes };
      coverage['session.maximum_lifetime_minutes'] = 'platform';
    }
    // Every key is walked for secrets (their presence and fingerprint go to `sensitive`); a managed
    // key is exported with its secrets replaced by markers, and only the fields the baseline declares.
    for (const key of Object.keys(got.platform)) {
      if (key === 'config_version') continue;
      const found: Record<string, SensitiveValue> = nullRecord();
      const redacted = redactPlatformValue(got.platform[key], [key], { schema, fingerprint, sensitive: found });
      for (const path of Object.keys(found)) addSensitive(path, found[path]!);
      if (!managedKeys.includes(key) || !isPlainObject(redacted)) continue;
      const declared = options.platformConfig && Object.prototype.hasOwnProperty.call(options.platformConfig, key) ? options.platformConfig[key] : undefined;
      const exported = (declared ? declaredPart(redacted, declared) : redacted) as Record<string, unknown>;
      settings.platform_config = toNullRecord([...Object.entries(settings.platform_config ?? {}), [key, exported]]);
      coverage[formatPath(['platform_config', key])] = 'platform';
    }
  }

  // A field an answer left out makes every path it feeds unverified, even inside a group
  // another field covered: never "in sync", never "removed".
  const gaps = [...api.gaps, ...extraGaps];
  for (const gap of gaps) for (const feed of gap.feeds) coverage[feed] = 'unverified';

  const builtIn: LiveRead['builtIn'] = {
    roles: rolesToModel((got.roles ?? []).filter((role) => DEFAULT_ROLE_KEYS.includes(role.key)), { builtIn: true }),
    permissions: permissionsToModel((got.permissions ?? []).filter((permission) => isSystemPermission(permission.key)), { builtIn: true }),
  };
  return {
    instanceId: got.instance.id,
    settings,
    coverage,
    sensitive,
    builtIn,
    unavailable,
    gaps,
    ...(everyTemplateChecked ? { checkedJwtTemplates: settings.jwt_templates } : {}),
    ...(everySensitiveChecked ? { checkedSensitive: sensitive } : {}),
    ...(platformConfigVersion ? { platformConfigVersion } : {}),
    ...(platform ? { platform } : {}),
  };
}

/**
 * `session.lifetime` (seconds, Clerk CLI) as `maximum_lifetime_minutes`. Unverified, with the
 * reason, when the instance's config schema does not describe the field (or could not be read),
 * when it holds null (what null means is not documented) or a number of seconds that is not a
 * whole number of minutes.
 */
export function sessionLifetimeFromPlatform(config: PlatformConfig, schema: PlatformSchema | undefined): { minutes?: number; gap?: AnswerGap } {
  const endpoint = 'GET …/config';
  const feeds = ['session.maximum_lifetime_minutes'];
  const field = `${PLATFORM_SESSION_KEY}.${PLATFORM_SESSION_LIFETIME_FIELD}`;
  const session = config[PLATFORM_SESSION_KEY];
  if (!isPlainObject(session) || !Object.prototype.hasOwnProperty.call(session, PLATFORM_SESSION_LIFETIME_FIELD)) return {};
  const value = session[PLATFORM_SESSION_LIFETIME_FIELD];
  if (!schema) return { gap: { endpoint: 'GET …/config/schema', field, reason: 'absent', feeds } };
  if (!schema.fieldSchema(field)) return { gap: { endpoint: 'GET …/config/schema', field, reason: 'absent', feeds } };
  if (value === null) return { gap: { endpoint, field, reason: 'unmapped', value, detail: 'and what null means for the maximum lifetime is not documented', feeds } };
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value % 60 !== 0) {
    return { gap: { endpoint, field, reason: 'unmapped', value, detail: 'which is not a whole number of minutes (session.maximum_lifetime_minutes holds minutes)', feeds } };
  }
  return { minutes: value / 60 };
}

/**
 * The baseline's `platform_config` checked against the instance's own schema, as the document a
 * PATCH would produce. Problems name the settings path; an empty list means it fits.
 */
export function platformConfigProblems(platformConfig: Record<string, Record<string, unknown>>, platform: NonNullable<LiveRead['platform']>): string | undefined {
  if (!platform.schema) return undefined;
  const problems = platform.schema.validatePatch(platformConfig, platform.config);
  return problems.length > 0 ? describeProblems(problems, 'settings.platform_config.') : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function domainsToModel(domains: readonly DomainWire[]): NonNullable<NonNullable<Settings['instance']>['domains']> {
  const out: NonNullable<NonNullable<Settings['instance']>['domains']> = nullRecord();
  for (const domain of domains) out[domain.name] = { is_satellite: domain.is_satellite, ...(domain.proxy_url === undefined ? {} : { proxy_url: domain.proxy_url }) };
  return out;
}

export function roleSetsToModel(sets: readonly RoleSetWire[]): NonNullable<NonNullable<Settings['organizations']>['role_sets']> {
  const out: NonNullable<NonNullable<Settings['organizations']>['role_sets']> = nullRecord();
  for (const set of sets) {
    out[set.key] = {
      name: set.name,
      roles: [...set.roles],
      ...(set.default_role === undefined ? {} : { default_role: set.default_role }),
      ...(set.creator_role === undefined ? {} : { creator_role: set.creator_role }),
    };
  }
  return out;
}

/**
 * The Frontend API is found through the publishable key (or CLERK_FRONTEND_API_URL), the Backend
 * API through the secret key. When they name instances of different types (a pk_test_ key beside
 * an sk_live_ key), the FAPI settings belong to another instance: refuse rather than report
 * another instance's MFA or lockout settings as this one's.
 */
function assertSameInstance(api: ClerkApi, backendType: string, environment: FapiEnvironment | undefined): void {
  const frontendType = environment?.display_config?.instance_environment_type;
  if (typeof frontendType !== 'string' || frontendType === backendType) return;
  const connection = api.connection;
  let origin = 'the Frontend API';
  try {
    origin = `the Frontend API at ${new URL(connection.frontendApiUrl ?? '').origin}`;
  } catch {
    // keep the generic wording
  }
  throw new ClerkguardError(
    `${origin} serves a ${frontendType} instance, but the secret key of environment ${connection.environment} belongs to a ${backendType} instance`,
    { hint: 'the publishable key (or CLERK_FRONTEND_API_URL) and the secret key must come from the same Clerk instance (Dashboard → API Keys)' },
  );
}

function duplicateName(api: ClerkApi, endpoint: string, what: string, name: string): ClerkguardError {
  return new ClerkguardError(`Clerk sent a malformed response to ${endpoint} for environment ${api.connection.environment}: two ${what} are named ${JSON.stringify(name)}`);
}

function isEnvironmentType(value: string): value is 'production' | 'development' | 'staging' {
  return value === 'production' || value === 'development' || value === 'staging';
}

/** FAPI /v1/environment → instance.test_mode/hibp, restrictions, attack protection, sign-in/up, password policy. */
export function applyEnvironment(settings: Settings, coverage: Record<string, EvidenceSource>, environment: FapiEnvironment): void {
  const user = environment.user_settings ?? {};
  if (environment.auth_config?.test_mode !== undefined) {
    settings.instance = { ...settings.instance, test_mode: environment.auth_config.test_mode };
    coverage['instance.test_mode'] = 'fapi';
  }
  if (user.password_settings?.disable_hibp !== undefined) {
    settings.instance = { ...settings.instance, hibp: !user.password_settings.disable_hibp };
    coverage['instance.hibp'] = 'fapi';
  }
  if (user.restrictions) {
    const restrictions: NonNullable<Settings['restrictions']> = {};
    for (const key of ['allowlist', 'blocklist', 'allowlist_blocklist_disabled_on_sign_in', 'block_email_subaddresses', 'block_disposable_email_domains'] as const) {
      const entry = user.restrictions[key];
      if (entry) restrictions[key] = entry.enabled;
    }
    settings.restrictions = restrictions;
    coverage.restrictions = 'fapi';
  }
  if (user.attack_protection) {
    const attack = user.attack_protection;
    settings.attack_protection = {
      ...(attack.user_lockout ? { user_lockout: { ...attack.user_lockout } } : {}),
      ...(attack.enumeration_protection ? { enumeration_protection: { enabled: attack.enumeration_protection.enabled } } : {}),
      ...(attack.pii ? { pii: { enabled: attack.pii.enabled } } : {}),
      ...(attack.email_link ? { email_link: { require_same_client: attack.email_link.require_same_client } } : {}),
    };
    coverage.attack_protection = 'fapi';
  }
  if (typeof user.sign_in?.second_factor?.required === 'boolean') {
    settings.sign_in = { second_factor: { required: user.sign_in.second_factor.required } };
    coverage.sign_in = 'fapi';
  }
  if (user.sign_up) {
    const mode = user.sign_up.mode;
    const bypass = environment.display_config?.captcha_oauth_bypass;
    const verify = user.attributes?.email_address?.verify_at_sign_up;
    settings.sign_up = {
      ...(mode === 'public' || mode === 'restricted' || mode === 'waitlist' ? { mode } : {}),
      ...(user.sign_up.captcha_enabled === undefined ? {} : { captcha_enabled: user.sign_up.captcha_enabled }),
      ...(Array.isArray(bypass) ? { captcha_oauth_bypass: [...bypass] } : {}),
      ...(typeof verify === 'boolean' ? { email_verification_required: verify } : {}),
    };
    coverage.sign_up = 'fapi';
  }
  if (typeof user.passkey_settings?.satisfies_second_factor === 'boolean') {
    settings.passkey_settings = { satisfies_second_factor: user.passkey_settings.satisfies_second_factor };
    coverage.passkey_settings = 'fapi';
  }
  if (typeof environment.partitioned_cookies === 'boolean') {
    settings.session = { ...settings.session, partitioned_cookies: environment.partitioned_cookies };
    coverage['session.partitioned_cookies'] = 'fapi';
  }
  if (user.password_settings) {
    const source = user.password_settings;
    const out: Record<string, unknown> = {};
    for (const key of ['min_length', 'max_length', 'require_special_char', 'require_numbers', 'require_uppercase', 'require_lowercase', 'enforce_hibp_on_sign_in', 'min_zxcvbn_strength']) {
      if (source[key] !== undefined && source[key] !== null) out[key] = source[key];
    }
    settings.password_settings = out as Settings['password_settings'];
    coverage.password_settings = 'fapi';
  }
}

export function rolesToModel(roles: readonly RoleWire[], options: { builtIn?: boolean } = {}): NonNullable<NonNullable<Settings['organizations']>['roles']> {
  const out: NonNullable<NonNullable<Settings['organizations']>['roles']> = nullRecord();
  for (const role of roles) {
    if (!options.builtIn && DEFAULT_ROLE_KEYS.includes(role.key)) continue;
    if (Object.prototype.hasOwnProperty.call(out, role.key)) throw new ClerkguardError(`GET /v1/organization_roles answered two roles with the key "${role.key}"`);
    out[role.key] = {
      name: role.name,
      ...(role.description ? { description: role.description } : {}),
      permissions: role.permissions.map((permission) => permission.key),
    };
  }
  return out;
}

export function permissionsToModel(permissions: readonly PermissionWire[], options: { builtIn?: boolean } = {}): NonNullable<NonNullable<Settings['organizations']>['permissions']> {
  const out: NonNullable<NonNullable<Settings['organizations']>['permissions']> = nullRecord();
  for (const permission of permissions) {
    if (!options.builtIn && isSystemPermission(permission.key)) continue;
    if (Object.prototype.hasOwnProperty.call(out, permission.key)) throw new ClerkguardError(`GET /v1/organization_permissions answered two permissions with the key "${permission.key}"`);
    out[permission.key] = { name: permission.name, ...(permission.description ? { description: permission.description } : {}) };
  }
  return out;
}

/**
 * A listed template in model shape, with the `sensitive` path of its signing key. The model is
 * checked here, as its page arrives, into the shape the export's schema gives it (bulk-check.ts;
 * `checked`): the export then has nothing left to check or copy after the last page, and the
 * answer's objects die young. A template that does not plainly fit stays as modelled, and the
 * export validates everything with zod (its own error).
 */
function modelledTemplate(template: JwtTemplateWire): { name: string; model: JwtTemplate; checked: boolean; signingKeyPath: string; customSigningKey: boolean } {
  const model = jwtTemplateToModel(template);
  const checked = checkedTemplate(model);
  return { name: template.name, model: checked ?? model, checked: checked !== undefined, signingKeyPath: formatPath(['jwt_templates', template.name, 'signing_key']), customSigningKey: template.custom_signing_key };
}

export function jwtTemplateToModel(template: JwtTemplateWire): JwtTemplate {
  return {
    claims: template.claims,
    lifetime: template.lifetime,
    allowed_clock_skew: template.allowed_clock_skew,
    signing_algorithm: template.signing_algorithm,
    custom_signing_key: template.custom_signing_key,
  };
}

// ---------------------------------------------------------------------------------------------
// Writes, one group at a time. Each takes the model value of its group.

export async function writeInstance(api: ClerkApi, instance: NonNullable<Settings['instance']>): Promise<void> {
  if (instance.allowed_origins !== undefined && instance.allowed_origins.length === 0) {
    throw new ClerkguardError('Clerk cannot clear allowed origins: PATCH /instance ignores an empty list', {
      hint: 'list at least one origin, or remove the origins in the Clerk dashboard (Settings → Domains)',
    });
  }
  const update: InstanceUpdate = {
    ...(instance.allowed_origins === undefined ? {} : { allowed_origins: [...new Set(instance.allowed_origins)] }),
    ...(instance.test_mode === undefined ? {} : { test_mode: instance.test_mode }),
    ...(instance.hibp === undefined ? {} : { hibp: instance.hibp }),
  };
  if (Object.keys(update).length > 0) await api.updateInstance(update);
}

export async function writeRestrictions(api: ClerkApi, restrictions: NonNullable<Settings['restrictions']>): Promise<void> {
  if (Object.keys(restrictions).length > 0) await api.updateRestrictions(restrictions);
}

export async function writeProtect(api: ClerkApi, protect: NonNullable<Settings['protect']>): Promise<void> {
  if (Object.keys(protect).length > 0) await api.updateProtect(protect);
}

export async function writeCommunication(api: ClerkApi, communication: NonNullable<Settings['communication']>): Promise<void> {
  if (communication.blocked_country_codes !== undefined) await api.updateCommunication({ blocked_country_codes: communication.blocked_country_codes });
}

export async function writeOrganizationSettings(
  api: ClerkApi,
  settings: NonNullable<NonNullable<Settings['organizations']>['settings']>,
): Promise<void> {
  if (Object.keys(settings).length > 0) await api.updateOrganizationSettings(settings);
}

/**
 * Creates or updates a JWT template by name. The signing key, when the template uses a custom
 * one, comes from the env var named by `signingKeyEnv` and is never logged.
 */
export async function writeJwtTemplate(api: ClerkApi, name: string, template: JwtTemplate, options: { signingKeyEnv?: string } = {}): Promise<JwtTemplateWire> {
  const input = { name, ...template, ...(options.signingKeyEnv ? { signing_key_env: options.signingKeyEnv } : {}) };
  const existing = await api.findJwtTemplate(name);
  return existing ? api.updateJwtTemplate(existing.id, input) : api.createJwtTemplate(input);
}

/**
 * The maximum session lifetime through the Platform API config (`session.lifetime`, seconds).
 * The inactivity timeout has no documented Platform name and is never written.
 */
export async function writeSession(
  api: ClerkApi,
  session: Pick<NonNullable<Settings['session']>, 'maximum_lifetime_minutes'>,
  options: { dryRun?: boolean; configVersion?: string } = {},
): Promise<PlatformWriteResult> {
  if (session.maximum_lifetime_minutes === undefined) return { dryRun: options.dryRun ?? false, after: {} };
  return writePlatformConfig(api, { [PLATFORM_SESSION_KEY]: { [PLATFORM_SESSION_LIFETIME_FIELD]: session.maximum_lifetime_minutes * 60 } }, options);
}

export interface PlatformWriteResult {
  configVersion?: string;
  dryRun: boolean;
  /** The touched keys as Clerk's answer says they now are (projected, for a dry run). */
  after: Record<string, unknown>;
}

/**
 * PATCHes top-level Platform config keys: validated first against the instance's own schema
 * (as the document the PATCH would produce), sent with If-Match of the version read, confirmed
 * from the answer's `after`. Never PUTs: a PUT without every key would reset the others.
 */
export async function writePlatformConfig(
  api: ClerkApi,
  patch: Record<string, Record<string, unknown>>,
  options: { dryRun?: boolean; configVersion?: string } = {},
): Promise<PlatformWriteResult> {
  const keys = Object.keys(patch);
  if (keys.length === 0) return { dryRun: options.dryRun ?? false, after: {} };
  // The whole schema, so a key the instance lacks is named with the closest one it has.
  const [current, schemaDocument] = await Promise.all([api.getPlatformConfig(keys), api.getPlatformConfigSchema()]);
  if (!current || !schemaDocument) {
    throw new ClerkguardError(`the Platform config of environment ${api.connection.environment} (${keys.join(', ')}) can only be written through the Platform API`, {
      hint: 'set CLERK_PLATFORM_API_KEY (ak_…) and CLERK_APPLICATION_ID, or change it in the dashboard',
    });
  }
  const problems = platformSchema(schemaDocument).validatePatch(patch, current);
  if (problems.length > 0) {
    throw new ClerkguardError(`the Platform config write for environment ${api.connection.environment} does not fit the instance's config schema: ${describeProblems(problems, '')}`, {
      hint: 'GET …/config/schema (clerk config schema) lists the keys and fields this instance accepts; nothing was sent',
    });
  }
  const version = options.configVersion ?? current.config_version;
  if (!version) throw new ClerkguardError('the Platform config has no config_version to send as If-Match');
  const result = await api.patchPlatformConfig(patch, { configVersion: version, dryRun: options.dryRun ?? false });
  return {
    ...(result.config_version ? { configVersion: result.config_version } : {}),
    dryRun: result.dry_run ?? options.dryRun ?? false,
    after: (result.after ?? {}) as Record<string, unknown>,
  };
}
