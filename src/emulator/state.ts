/**
 * The emulator's live state: one Clerk instance, held in Clerk's own terms (ids, role ids,
 * permission types, FAPI user settings, Platform config with a version). Seeding maps the
 * settings model onto it; the HTTP handlers read and mutate it.
 */
import { randomBytes } from 'node:crypto';
import type { Settings } from '../settings/model';
import type { JwtTemplateWire } from '../clerk/types';

export type EnvironmentType = 'production' | 'development' | 'staging';

export interface EmulatorPermission {
  id: string;
  key: string;
  name: string;
  description: string;
  type: 'system' | 'user';
  created_at: number;
  updated_at: number;
}

export interface EmulatorRole {
  id: string;
  key: string;
  name: string;
  description: string | null;
  permission_ids: string[];
  created_at: number;
  updated_at: number;
}

export interface EmulatorRoleSet {
  id: string;
  key: string;
  name: string;
  /** Role keys. */
  roles: string[];
  default_role: string | null;
  creator_role: string | null;
  created_at: number;
  updated_at: number;
}

export interface EmulatorDomain {
  id: string;
  name: string;
  is_satellite: boolean;
  proxy_url: string | null;
}

/** Clerk's JWT template wire shape plus what the server keeps and never serves back. */
export interface EmulatorJwtTemplate extends JwtTemplateWire {
  /** Held only to prove it arrived; never served back. */
  signing_key?: string;
  created_at: number;
  updated_at: number;
}

export interface EmulatorState {
  kind: 'clerkguard-emulator-state';
  instance_id: string;
  environment_type: EnvironmentType;
  allowed_origins: string[];
  test_mode: boolean;
  hibp: boolean;
  restrictions: {
    allowlist: boolean;
    blocklist: boolean;
    allowlist_blocklist_disabled_on_sign_in: boolean;
    block_email_subaddresses: boolean;
    block_disposable_email_domains: boolean;
  };
  protect: { rules_enabled: boolean; specter_enabled: boolean; checks_bypassed: boolean };
  communication: { blocked_country_codes: string[] };
  organization_settings: {
    enabled: boolean;
    max_allowed_memberships: number;
    admin_delete_enabled: boolean;
    domains_enabled: boolean;
    slug_disabled: boolean;
    domains_enrollment_modes: ('manual_invitation' | 'automatic_invitation' | 'automatic_suggestion')[];
    creator_role_id: string;
    domains_default_role_id: string;
  };
  roles: EmulatorRole[];
  permissions: EmulatorPermission[];
  /** Role sets (GET /role_sets): role keys; the initial set holds every role. */
  role_sets: EmulatorRoleSet[];
  jwt_templates: EmulatorJwtTemplate[];
  /** GET /domains: the primary domain and satellites (written in the dashboard). */
  domains: EmulatorDomain[];
  oauth_application_settings: {
    dynamic_oauth_client_registration: boolean;
    default_scopes: string[] | null;
    oauth_jwt_access_tokens: boolean;
    client_id_metadata_documents_advertised: boolean;
    client_id_metadata_documents_only_allow_pre_registered_clients: boolean;
    client_id_metadata_documents_block_implicitly_allowed_clients: boolean;
  };
  /** FAPI partitioned_cookies. */
  partitioned_cookies: boolean;
  /** FAPI-only settings (Dashboard → User & authentication); no BAPI endpoint writes them. */
  fapi: {
    attack_protection: {
      user_lockout: { enabled: boolean; max_attempts: number; duration_in_minutes: number };
      enumeration_protection: { enabled: boolean };
      pii: { enabled: boolean };
      email_link: { require_same_client: boolean };
    };
    second_factor_required: boolean;
    sign_up: { mode: 'public' | 'restricted' | 'waitlist'; captcha_enabled: boolean };
    captcha_oauth_bypass: string[];
    email_verify_at_sign_up: boolean;
    passkey_satisfies_second_factor: boolean;
    password_settings: {
      min_length: number;
      max_length: number;
      require_special_char: boolean;
      require_numbers: boolean;
      require_uppercase: boolean;
      require_lowercase: boolean;
      enforce_hibp_on_sign_in: boolean;
      min_zxcvbn_strength: number;
    };
  };
  /** Platform API config: keys as the Platform API serves them, plus sensitive values. */
  platform: {
    version: number;
    config: Record<string, Record<string, unknown>>;
    /** Sensitive config values by "key.field"; served redacted. */
    secrets: Record<string, string>;
  };
  /** Monotonic clock for ids and timestamps, so state files are reproducible. */
  sequence: number;
}

const SYSTEM_PERMISSIONS: readonly [string, string][] = [
  ['org:sys_profile:manage', 'Manage organization'],
  ['org:sys_profile:delete', 'Delete organization'],
  ['org:sys_memberships:read', 'Read members'],
  ['org:sys_memberships:manage', 'Manage members'],
  ['org:sys_domains:read', 'Read domains'],
  ['org:sys_domains:manage', 'Manage domains'],
];

export function newId(state: EmulatorState, prefix: string): string {
  state.sequence++;
  return `${prefix}_${state.sequence.toString(36).padStart(6, '0')}${randomBytes(6).toString('hex')}`;
}

export function nowMs(): number {
  return Date.now();
}

/** A fresh instance with Clerk's defaults for its environment type. */
export function defaultState(environmentType: EnvironmentType = 'production'): EmulatorState {
  const state: EmulatorState = {
    kind: 'clerkguard-emulator-state',
    instance_id: '',
    environment_type: environmentType,
    allowed_origins: [],
    test_mode: environmentType !== 'production',
    hibp: true,
    restrictions: {
      allowlist: false,
      blocklist: false,
      allowlist_blocklist_disabled_on_sign_in: false,
      block_email_subaddresses: false,
      block_disposable_email_domains: false,
    },
    protect: { rules_enabled: false, specter_enabled: false, checks_bypassed: false },
    communication: { blocked_country_codes: [] },
    organization_settings: {
      enabled: false,
      max_allowed_memberships: 5,
      admin_delete_enabled: true,
      domains_enabled: false,
      slug_disabled: false,
      domains_enrollment_modes: [],
      creator_role_id: '',
      domains_default_role_id: '',
    },
    roles: [],
    permissions: [],
    role_sets: [],
    jwt_templates: [],
    domains: [],
    oauth_application_settings: {
      dynamic_oauth_client_registration: false,
      default_scopes: null,
      oauth_jwt_access_tokens: false,
      client_id_metadata_documents_advertised: false,
      client_id_metadata_documents_only_allow_pre_registered_clients: false,
      client_id_metadata_documents_block_implicitly_allowed_clients: false,
    },
    partitioned_cookies: false,
    fapi: {
      attack_protection: {
        // New instances lock out after 10 attempts since 2026-07-06 (Clerk docs, "Lock accounts
        // after failed sign-ins"), for one hour.
        user_lockout: { enabled: true, max_attempts: 10, duration_in_minutes: 60 },
        enumeration_protection: { enabled: false },
        pii: { enabled: false },
        email_link: { require_same_client: false },
      },
      second_factor_required: false,
      sign_up: { mode: 'public', captcha_enabled: environmentType === 'production' },
      captcha_oauth_bypass: [],
      email_verify_at_sign_up: true,
      passkey_satisfies_second_factor: true,
      password_settings: {
        min_length: 8,
        max_length: 72,
        require_special_char: false,
        require_numbers: false,
        require_uppercase: false,
        require_lowercase: false,
        enforce_hibp_on_sign_in: false,
        min_zxcvbn_strength: 0,
      },
    },
    platform: {
      version: 1,
      config: defaultPlatformConfig(),
      secrets: { 'captcha.secret_key': `0x4AAAAAAA${randomBytes(12).toString('hex')}` },
    },
    sequence: 0,
  };
  state.instance_id = newId(state, 'ins');
  const created = nowMs();
  for (const [key, name] of SYSTEM_PERMISSIONS) {
    state.permissions.push({ id: newId(state, 'perm'), key, name, description: `${name} (system permission)`, type: 'system', created_at: created, updated_at: created });
  }
  const idsOf = (keys: string[]) => state.permissions.filter((permission) => keys.includes(permission.key)).map((permission) => permission.id);
  const admin: EmulatorRole = {
    id: newId(state, 'role'),
    key: 'org:admin',
    name: 'Admin',
    description: 'Role with elevated permissions',
    permission_ids: idsOf(SYSTEM_PERMISSIONS.map(([key]) => key)),
    created_at: created,
    updated_at: created,
  };
  const member: EmulatorRole = {
    id: newId(state, 'role'),
    key: 'org:member',
    name: 'Member',
    description: 'Role with non-privileged permissions',
    permission_ids: idsOf(['org:sys_memberships:read', 'org:sys_domains:read']),
    created_at: created,
    updated_at: created,
  };
  state.roles.push(admin, member);
  state.organization_settings.creator_role_id = admin.id;
  state.organization_settings.domains_default_role_id = member.id;
  state.role_sets.push({ id: newId(state, 'rs'), key: 'role_set:default', name: 'Default', roles: ['org:admin', 'org:member'], default_role: 'org:member', creator_role: 'org:admin', created_at: created, updated_at: created });
  const host = environmentType === 'production' ? 'example.com' : 'example-app-13.clerk.accounts.dev';
  state.domains.push({ id: newId(state, 'dmn'), name: host, is_satellite: false, proxy_url: null });
  return state;
}

/**
 * The Platform config a new instance starts with. `session.lifetime` is Clerk's documented
 * field (seconds; Clerk CLI README and tests), 7 days by default (Clerk docs, "Session
 * options": maximum lifetime 7 days). `session.inactivity_timeout` is the emulator's own name:
 * Clerk documents none for it, so clerkguard never reads it; it exists so the emulator can
 * enforce "both limits may not be off at once". `captcha` is an emulator key for settings
 * clerkguard has no typed model for (and a sensitive value served redacted).
 */
function defaultPlatformConfig(): Record<string, Record<string, unknown>> {
  return {
    session: { lifetime: 604800, inactivity_timeout: 604800 },
    captcha: { provider: 'turnstile', widget_type: 'smart' },
  };
}

/**
 * Applies model settings to the state, as a person editing the dashboard would. Used for
 * seeding and for "dashboard-style" changes to settings no API writes.
 */
export function applySettings(state: EmulatorState, settings: Settings): void {
  const now = nowMs();
  const instance = settings.instance;
  if (instance) {
    if (instance.environment_type) state.environment_type = instance.environment_type;
    if (instance.allowed_origins) state.allowed_origins = [...instance.allowed_origins];
    if (instance.test_mode !== undefined) state.test_mode = instance.test_mode;
    if (instance.hibp !== undefined) state.hibp = instance.hibp;
  }
  if (settings.restrictions) Object.assign(state.restrictions, definedOnly(settings.restrictions));
  if (settings.protect) Object.assign(state.protect, definedOnly(settings.protect));
  if (settings.communication?.blocked_country_codes) state.communication.blocked_country_codes = [...settings.communication.blocked_country_codes];
  const attack = settings.attack_protection;
  if (attack) {
    const target = state.fapi.attack_protection;
    if (attack.user_lockout) target.user_lockout = { ...target.user_lockout, ...definedOnly(attack.user_lockout) };
    if (attack.enumeration_protection) target.enumeration_protection = { ...attack.enumeration_protection };
    if (attack.pii) target.pii = { ...attack.pii };
    if (attack.email_link) target.email_link = { ...attack.email_link };
  }
  if (settings.sign_in?.second_factor) state.fapi.second_factor_required = settings.sign_in.second_factor.required;
  if (settings.sign_up) Object.assign(state.fapi.sign_up, definedOnly(settings.sign_up));
  if (settings.password_settings) Object.assign(state.fapi.password_settings, definedOnly(settings.password_settings));
  if (settings.session) {
    const session = state.platform.config.session ?? {};
    let changed = false;
    // A dashboard edit: the inactivity timeout lives under the emulator's own field name.
    if (settings.session.inactivity_timeout_minutes !== undefined) {
      session.inactivity_timeout = settings.session.inactivity_timeout_minutes * 60;
      changed = true;
    }
    if (settings.session.maximum_lifetime_minutes !== undefined) {
      session.lifetime = settings.session.maximum_lifetime_minutes * 60;
      changed = true;
    }
    if (settings.session.partitioned_cookies !== undefined) state.partitioned_cookies = settings.session.partitioned_cookies;
    state.platform.config.session = session;
    if (changed) state.platform.version++;
  }
  for (const [key, value] of Object.entries(settings.platform_config ?? {})) {
    state.platform.config[key] = { ...state.platform.config[key], ...structuredClone(value) };
    state.platform.version++;
  }
  if (settings.sign_up?.captcha_oauth_bypass) state.fapi.captcha_oauth_bypass = [...settings.sign_up.captcha_oauth_bypass];
  if (settings.sign_up?.email_verification_required !== undefined) state.fapi.email_verify_at_sign_up = settings.sign_up.email_verification_required;
  if (settings.passkey_settings?.satisfies_second_factor !== undefined) state.fapi.passkey_satisfies_second_factor = settings.passkey_settings.satisfies_second_factor;
  if (settings.oauth_application_settings) Object.assign(state.oauth_application_settings, definedOnly(settings.oauth_application_settings));
  if (settings.instance?.domains) {
    state.domains = Object.entries(settings.instance.domains).map(([name, domain]) => ({
      id: state.domains.find((existing) => existing.name === name)?.id ?? newId(state, 'dmn'),
      name,
      is_satellite: domain.is_satellite,
      proxy_url: domain.proxy_url ?? null,
    }));
  }
  for (const [key, set] of Object.entries(settings.organizations?.role_sets ?? {})) {
    const existing = state.role_sets.find((candidate) => candidate.key === key);
    const values = { name: set.name, roles: [...set.roles], default_role: set.default_role ?? null, creator_role: set.creator_role ?? null, updated_at: now };
    if (existing) Object.assign(existing, values);
    else state.role_sets.push({ id: newId(state, 'rs'), key, created_at: now, ...values });
  }
  // Lookups by natural key go through maps built once per call: seeding 50,000 templates is
  // linear, where a scan of the state per entry was quadratic.
  const index = stateIndex(state);
  const organizations = settings.organizations;
  if (organizations) {
    for (const [key, permission] of Object.entries(organizations.permissions ?? {})) {
      const existing = index.permissions.get(key);
      if (existing) Object.assign(existing, { name: permission.name, description: permission.description ?? '', updated_at: now });
      else addPermission(state, index, { id: newId(state, 'perm'), key, name: permission.name, description: permission.description ?? '', type: 'user', created_at: now, updated_at: now });
    }
    for (const [key, role] of Object.entries(organizations.roles ?? {})) {
      const permissionIds = role.permissions.map((permissionKey) => ensurePermission(state, index, permissionKey).id);
      const existing = index.roles.get(key);
      if (existing) Object.assign(existing, { name: role.name, description: role.description ?? null, permission_ids: permissionIds, updated_at: now });
      else addRole(state, index, { id: newId(state, 'role'), key, name: role.name, description: role.description ?? null, permission_ids: permissionIds, created_at: now, updated_at: now });
    }
    const org = organizations.settings;
    if (org) {
      const { creator_role, domains_default_role, ...rest } = org;
      Object.assign(state.organization_settings, definedOnly(rest));
      if (creator_role) state.organization_settings.creator_role_id = roleByKey(state, index, creator_role).id;
      if (domains_default_role) state.organization_settings.domains_default_role_id = roleByKey(state, index, domains_default_role).id;
    }
  }
  for (const [name, template] of Object.entries(settings.jwt_templates ?? {})) {
    const existing = index.templates.get(name);
    const values = {
      claims: structuredClone(template.claims),
      lifetime: template.lifetime,
      allowed_clock_skew: template.allowed_clock_skew ?? 5,
      custom_signing_key: template.custom_signing_key ?? false,
      signing_algorithm: template.signing_algorithm ?? 'RS256',
      updated_at: now,
    };
    if (existing) Object.assign(existing, values);
    else {
      const created: EmulatorJwtTemplate = { id: newId(state, 'jtmp'), name, created_at: now, ...values };
      state.jwt_templates.push(created);
      index.templates.set(name, created);
    }
  }
}

/** The state's entries by natural key; the first of duplicates wins, as a scan from the front would. */
interface StateIndex {
  permissions: Map<string, EmulatorPermission>;
  roles: Map<string, EmulatorRole>;
  templates: Map<string, EmulatorJwtTemplate>;
}

function stateIndex(state: EmulatorState): StateIndex {
  const byKey = <T>(items: readonly T[], keyOf: (item: T) => string) => {
    const map = new Map<string, T>();
    for (const item of items) if (!map.has(keyOf(item))) map.set(keyOf(item), item);
    return map;
  };
  return {
    permissions: byKey(state.permissions, (permission) => permission.key),
    roles: byKey(state.roles, (role) => role.key),
    templates: byKey(state.jwt_templates, (template) => template.name),
  };
}

function addPermission(state: EmulatorState, index: StateIndex, permission: EmulatorPermission): EmulatorPermission {
  state.permissions.push(permission);
  index.permissions.set(permission.key, permission);
  return permission;
}

function addRole(state: EmulatorState, index: StateIndex, role: EmulatorRole): EmulatorRole {
  state.roles.push(role);
  index.roles.set(role.key, role);
  return role;
}

function ensurePermission(state: EmulatorState, index: StateIndex, key: string): EmulatorPermission {
  const existing = index.permissions.get(key);
  if (existing) return existing;
  const now = nowMs();
  return addPermission(state, index, { id: newId(state, 'perm'), key, name: key, description: '', type: 'user', created_at: now, updated_at: now });
}

function roleByKey(state: EmulatorState, index: StateIndex, key: string): EmulatorRole {
  const existing = index.roles.get(key);
  if (existing) return existing;
  const now = nowMs();
  return addRole(state, index, { id: newId(state, 'role'), key, name: key, description: null, permission_ids: [], created_at: now, updated_at: now });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, child]) => child !== undefined)) as Partial<T>;
}

export function isEmulatorState(value: unknown): value is EmulatorState {
  return value !== null && typeof value === 'object' && (value as { kind?: unknown }).kind === 'clerkguard-emulator-state';
}

/** What is missing from a state file whose kind matches (undefined when it is usable). */
export function emulatorStateProblem(state: EmulatorState): string | undefined {
  const value = state as unknown as Record<string, unknown>;
  const object = (key: string) => value[key] !== null && typeof value[key] === 'object' && !Array.isArray(value[key]);
  if (typeof value.instance_id !== 'string' || value.instance_id === '') return 'instance_id is missing';
  if (!['production', 'development', 'staging'].includes(String(value.environment_type))) return 'environment_type must be production, development or staging';
  for (const key of ['allowed_origins', 'roles', 'permissions', 'jwt_templates']) if (!Array.isArray(value[key])) return `${key} must be a list`;
  // State files written before these existed get Clerk's defaults for them.
  const fresh = defaultState(state.environment_type);
  if (!Array.isArray(value.role_sets)) state.role_sets = fresh.role_sets;
  if (!Array.isArray(value.domains)) state.domains = fresh.domains;
  if (value.oauth_application_settings === undefined) state.oauth_application_settings = fresh.oauth_application_settings;
  if (typeof value.partitioned_cookies !== 'boolean') state.partitioned_cookies = false;
  // State files of emulators before the documented session.lifetime (seconds) used invented
  // minute fields: carried over so a saved state still seeds the same session limits.
  const session = (value.platform as { config?: Record<string, Record<string, unknown>> } | undefined)?.config?.session;
  if (session && ('maximum_lifetime_in_minutes' in session || 'inactivity_timeout_in_minutes' in session)) {
    const minutes = (field: string) => (typeof session[field] === 'number' ? (session[field] as number) * 60 : null);
    if (!('lifetime' in session)) session.lifetime = minutes('maximum_lifetime_in_minutes');
    if (!('inactivity_timeout' in session)) session.inactivity_timeout = minutes('inactivity_timeout_in_minutes');
    delete session.maximum_lifetime_in_minutes;
    delete session.inactivity_timeout_in_minutes;
  }
  if (value.fapi !== null && typeof value.fapi === 'object') {
    const fapi = state.fapi as Partial<EmulatorState['fapi']>;
    fapi.captcha_oauth_bypass ??= [];
    fapi.email_verify_at_sign_up ??= true;
    fapi.passkey_satisfies_second_factor ??= true;
  }
  for (const key of ['restrictions', 'protect', 'communication', 'organization_settings', 'fapi', 'platform']) if (!object(key)) return `${key} must be an object`;
  return undefined;
}
