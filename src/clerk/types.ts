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

/** GET /domains item (bapi-2026-05-12.yml, Domain): only the fields clerkguard uses. */
export interface DomainWire {
  id: string;
  name: string;
  is_satellite: boolean;
  proxy_url?: string | null;
}

/** GET/PATCH /instance/oauth_application_settings (OAuthApplicationSettings). */
export interface OAuthApplicationSettingsWire {
  dynamic_oauth_client_registration: boolean;
  oauth_jwt_access_tokens: boolean;
  client_id_metadata_documents_advertised: boolean;
  client_id_metadata_documents_only_allow_pre_registered_clients: boolean;
  client_id_metadata_documents_block_implicitly_allowed_clients: boolean;
}

/** GET /role_sets item (RoleSet), with its roles reduced to keys. */
export interface RoleSetWire {
  key: string;
  name: string;
  roles: string[];
  default_role?: string | null;
  creator_role?: string | null;
}

/** The parts of FAPI GET /v1/environment clerkguard reads. */
export interface FapiEnvironment {
  auth_config?: { test_mode?: boolean; id?: string };
  display_config?: { instance_environment_type?: string; captcha_oauth_bypass?: string[] };
  partitioned_cookies?: boolean;
  user_settings?: {
    attributes?: { email_address?: { verify_at_sign_up?: boolean } };
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
    passkey_settings?: { satisfies_second_factor?: boolean };
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
 * The typed session settings on the Platform config. Clerk documents one session field:
 * `session.lifetime`, in seconds (Clerk CLI, packages/cli-core/src/commands/config/README.md:
 * `clerk config patch --json '{"session":{"lifetime":3600}}'`; pull.test.ts reads
 * `{"session":{"lifetime":604800}}`, Clerk's documented 7-day default maximum lifetime).
 * clerkguard maps it to `session.maximum_lifetime_minutes`; that `lifetime` is the maximum
 * lifetime (not the inactivity timeout) is read from the name and that default. No Platform
 * name is documented for the inactivity timeout: it is never read from or written to the
 * Platform API. Ranges come from the instance's own config schema, never from here.
 */
export const PLATFORM_SESSION_KEY = 'session';
export const PLATFORM_SESSION_LIFETIME_FIELD = 'lifetime';

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

/** One application of the workspace (Platform `PlatformApplicationResponse`), as discovery keeps it. */
export interface PlatformApplicationWire {
  application_id: string;
  name: string;
  instances: { instance_id: string; environment_type: string; publishable_key?: string }[];
}
