/**
 * Clerk wire shapes clerkguard reads and writes, in Clerk's own snake_case (from the
 * 2026-05-12 BAPI/FAPI specs and the Platform beta spec). Only the fields clerkguard uses.
 */

export interface InstanceInfo {
  id: string;
  environment_type: string;
  allowed_origins: string[] | null;
}

export interface InstanceProtect {
  rules_enabled: boolean;
  specter_enabled: boolean;
}

export interface InstanceCommunication {
  blocked_country_codes: string[];
}

export interface InstanceRestrictions {
  allowlist: boolean;
  blocklist: boolean;
  allowlist_blocklist_disabled_on_sign_in: boolean;
  block_email_subaddresses: boolean;
  block_disposable_email_domains: boolean;
}

/** GET /instance/organization_settings: roles are returned as keys. */
export interface OrganizationSettingsWire {
  enabled: boolean;
  max_allowed_memberships: number;
  admin_delete_enabled: boolean;
  domains_enabled: boolean;
  slug_disabled?: boolean;
  domains_enrollment_modes: string[];
  creator_role: string;
  domains_default_role: string;
}

export interface PermissionWire {
  id: string;
  key: string;
  name: string;
  description: string;
}

export interface RoleWire {
  id: string;
  key: string;
  name: string;
  description: string | null;
  permissions: PermissionWire[];
}

export interface JwtTemplateWire {
  id: string;
  name: string;
  claims: Record<string, unknown>;
  lifetime: number;
  allowed_clock_skew: number;
  custom_signing_key: boolean;
  signing_algorithm: string;
}

/** The parts of FAPI GET /v1/environment clerkguard reads. */
export interface FapiEnvironment {
  auth_config?: { test_mode?: boolean; id?: string };
  display_config?: { instance_environment_type?: string };
  user_settings?: {
    restrictions?: Record<string, { enabled: boolean }>;
    attack_protection?: {
      user_lockout?: { enabled: boolean; max_attempts?: number; duration_in_minutes?: number };
      enumeration_protection?: { enabled: boolean };
      pii?: { enabled: boolean };
      email_link?: { require_same_client: boolean };
    };
    sign_in?: { second_factor?: { required: boolean } };
    sign_up?: { mode?: string; captcha_enabled?: boolean };
    password_settings?: Record<string, unknown> & { disable_hibp?: boolean };
  };
}

/** Platform API instance config: free-form keys plus the version used for If-Match. */
export interface PlatformConfig {
  config_version?: string;
  [key: string]: unknown;
}

export interface PlatformPatchResult {
  config_version?: string;
  dry_run?: boolean;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

/**
 * The Platform config key and fields clerkguard uses for session lifetime. UNVERIFIED against
 * the real Clerk: the Platform spec leaves config keys free-form (documented in
 * docs/clerk-api-coverage.md). A null duration means the limit is switched off.
 */
export const PLATFORM_SESSION_KEY = 'session';
export interface PlatformSessionConfig {
  inactivity_timeout_in_minutes?: number | null;
  maximum_lifetime_in_minutes?: number | null;
}

/** How the Platform API returns a sensitive value (UNVERIFIED shape, see the coverage doc). */
export interface RedactedValue {
  redacted: true;
  fingerprint?: string;
}

export function isRedactedValue(value: unknown): value is RedactedValue {
  return value !== null && typeof value === 'object' && (value as { redacted?: unknown }).redacted === true;
}

/** Default roles every instance has; the settings model manages custom roles only. */
export const DEFAULT_ROLE_KEYS: readonly string[] = ['org:admin', 'org:member'];

/** System permissions (`org:sys_*`) come with every instance and cannot be edited. */
export function isSystemPermission(key: string): boolean {
  return key.startsWith('org:sys_');
}
