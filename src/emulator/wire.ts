/**
 * Serializers from emulator state to Clerk's wire shapes. Every shape here is validated
 * against Clerk's OpenAPI specs by test/contract: change them only together with that test.
 */
import { createHash } from 'node:crypto';
import type { EmulatorDomain, EmulatorJwtTemplate, EmulatorPermission, EmulatorRole, EmulatorRoleSet, EmulatorState } from './state';

export function instanceJson(state: EmulatorState) {
  return { object: 'instance', id: state.instance_id, environment_type: state.environment_type, allowed_origins: [...state.allowed_origins], workspace_id: null };
}

export function restrictionsJson(state: EmulatorState) {
  return { object: 'instance_restrictions', ...state.restrictions };
}

export function protectJson(state: EmulatorState) {
  return { object: 'instance_protect', ...state.protect };
}

export function communicationJson(state: EmulatorState) {
  return { object: 'instance_communication', blocked_country_codes: [...state.communication.blocked_country_codes] };
}

/** Read by role key (writes take role ids): the BAPI quirk clerkguard must map. */
export function organizationSettingsJson(state: EmulatorState) {
  const org = state.organization_settings;
  const keyOf = (id: string) => state.roles.find((role) => role.id === id)?.key ?? '';
  return {
    object: 'organization_settings',
    enabled: org.enabled,
    max_allowed_memberships: org.max_allowed_memberships,
    max_allowed_roles: 10,
    max_role_sets_allowed: 1,
    max_allowed_domains: 10,
    creator_role: keyOf(org.creator_role_id),
    admin_delete_enabled: org.admin_delete_enabled,
    domains_enabled: org.domains_enabled,
    slug_disabled: org.slug_disabled,
    domains_enrollment_modes: [...org.domains_enrollment_modes],
    domains_default_role: keyOf(org.domains_default_role_id),
    initial_role_set_key: 'default',
  };
}

export function permissionJson(permission: EmulatorPermission) {
  return {
    object: 'permission',
    id: permission.id,
    name: permission.name,
    key: permission.key,
    description: permission.description,
    type: permission.type,
    created_at: permission.created_at,
    updated_at: permission.updated_at,
  };
}

export function roleJson(state: EmulatorState, role: EmulatorRole) {
  return {
    object: 'role',
    id: role.id,
    name: role.name,
    key: role.key,
    description: role.description,
    is_creator_eligible: role.permission_ids.some((id) => state.permissions.find((permission) => permission.id === id)?.key === 'org:sys_memberships:manage'),
    permissions: role.permission_ids
      .map((id) => state.permissions.find((permission) => permission.id === id))
      .filter((permission): permission is EmulatorPermission => permission !== undefined)
      .map(permissionJson),
    created_at: role.created_at,
    updated_at: role.updated_at,
  };
}

export function jwtTemplateJson(template: EmulatorJwtTemplate) {
  return {
    object: 'jwt_template',
    id: template.id,
    name: template.name,
    claims: structuredClone(template.claims),
    lifetime: template.lifetime,
    allowed_clock_skew: template.allowed_clock_skew,
    custom_signing_key: template.custom_signing_key,
    signing_algorithm: template.signing_algorithm,
    created_at: template.created_at,
    updated_at: template.updated_at,
  };
}

export function deletedJson(object: string, id: string) {
  return { object, id, deleted: true };
}

export function clerkError(code: string, message: string, longMessage: string, meta: Record<string, unknown> = {}) {
  return { errors: [{ message, long_message: longMessage, code, meta }], clerk_trace_id: `trace_${createHash('sha256').update(`${code}${Date.now()}${Math.random()}`).digest('hex').slice(0, 24)}` };
}

/** The Platform config as served: sensitive values replaced by presence + fingerprint. */
export function platformConfigJson(state: EmulatorState, keys?: readonly string[]) {
  const out: Record<string, unknown> = { config_version: String(state.platform.version) };
  for (const [key, value] of Object.entries(state.platform.config)) {
    if (keys && keys.length > 0 && !keys.includes(key)) continue;
    const served: Record<string, unknown> = structuredClone(value);
    for (const [path, secret] of Object.entries(state.platform.secrets)) {
      const [secretKey, field] = path.split('.') as [string, string];
      if (secretKey === key) served[field] = { redacted: true, fingerprint: `sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 16)}` };
    }
    out[key] = served;
  }
  return out;
}

/**
 * JSON Schema of the Platform config keys the emulator knows. `session.lifetime` (seconds) is
 * Clerk's documented name (Clerk CLI); its range here, 5 minutes to 10 years, is the one Clerk
 * documents for native session lifetimes (changelog 2026-11-04): the web range is unverified.
 * `session.inactivity_timeout` and the `captcha` key are the emulator's own (docs/clerk-api-coverage.md,
 * emulator fidelity).
 */
export function platformConfigSchemaJson(keys?: readonly string[]) {
  const duration = { type: ['integer', 'null'], minimum: 300, maximum: 315360000 };
  const properties: Record<string, unknown> = {
    session: {
      type: 'object',
      additionalProperties: false,
      properties: {
        lifetime: { ...duration, description: 'Maximum session lifetime in seconds. null resets it to the default; with destructive=true it turns the limit off.' },
        inactivity_timeout: { ...duration, description: 'Emulator only: inactivity timeout in seconds (Clerk documents no name for it).' },
      },
    },
    captcha: {
      type: 'object',
      additionalProperties: false,
      properties: {
        provider: { type: 'string', enum: ['turnstile'] },
        widget_type: { type: 'string', enum: ['smart', 'invisible'] },
        secret_key: { type: 'string', writeOnly: true, description: 'Sensitive: served redacted.' },
      },
    },
  };
  const shown = keys && keys.length > 0 ? Object.fromEntries(Object.entries(properties).filter(([key]) => keys.includes(key))) : properties;
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: 'https://api.clerk.com/v1/platform/config/schema', type: 'object', properties: shown };
}

/** Defaults a `null` (reset) restores, per key and field. */
export const PLATFORM_DEFAULTS: Readonly<Record<string, Record<string, unknown>>> = {
  session: { lifetime: 604800, inactivity_timeout: 604800 },
  captcha: { provider: 'turnstile', widget_type: 'smart' },
};

export function domainJson(state: EmulatorState, domain: EmulatorDomain) {
  const host = domain.name;
  return {
    object: 'domain',
    id: domain.id,
    name: host,
    is_satellite: domain.is_satellite,
    frontend_api_url: `https://clerk.${host}`,
    accounts_portal_url: domain.is_satellite ? null : `https://accounts.${host}`,
    proxy_url: domain.proxy_url,
    development_origin: state.environment_type === 'production' ? '' : `https://${host}`,
    cname_targets: state.environment_type === 'production' ? [{ host: `clerk.${host}`, value: 'frontend-api.clerk.services', required: true }] : null,
  };
}

export function oauthApplicationSettingsJson(state: EmulatorState) {
  return { object: 'oauth_application_settings', ...state.oauth_application_settings, default_scopes: state.oauth_application_settings.default_scopes ? [...state.oauth_application_settings.default_scopes] : null };
}

export function roleSetJson(state: EmulatorState, set: EmulatorRoleSet) {
  const item = (key: string) => {
    const role = state.roles.find((candidate) => candidate.key === key);
    return role
      ? { object: 'role_set_item', id: role.id, name: role.name, key: role.key, description: role.description, created_at: role.created_at, updated_at: role.updated_at }
      : undefined;
  };
  const roles = set.roles.map(item).filter((role) => role !== undefined);
  return {
    object: 'role_set',
    id: set.id,
    name: set.name,
    key: set.key,
    description: null,
    roles,
    default_role: set.default_role === null ? null : (item(set.default_role) ?? null),
    creator_role: set.creator_role === null ? null : (item(set.creator_role) ?? null),
    type: set.key === 'role_set:default' ? 'initial' : 'custom',
    role_set_migration: null,
    created_at: set.created_at,
    updated_at: set.updated_at,
  };
}

/** FAPI GET /v1/environment: the full Client.Environment shape with this instance's settings. */
export function environmentJson(state: EmulatorState) {
  const attribute = (enabled: boolean, extra: Partial<Record<string, unknown>> = {}) => ({
    enabled,
    required: false,
    used_for_first_factor: false,
    first_factors: [] as string[],
    used_for_second_factor: false,
    second_factors: [] as string[],
    verifications: [] as string[],
    verify_at_sign_up: false,
    immutable: false,
    ...extra,
  });
  const fapi = state.fapi;
  const enabled = (value: boolean) => ({ enabled: value });
  const org = organizationSettingsJson(state);
  const url = (path: string) => `https://accounts.example.com/${path}`;
  return {
    auth_config: {
      object: 'auth_config',
      id: `aac_${state.instance_id.slice(4)}`,
      first_name: 'off',
      last_name: 'off',
      email_address: 'required',
      phone_number: 'off',
      username: 'off',
      password: 'required',
      identification_requirements: [['email_address']],
      identification_strategies: ['email_address'],
      first_factors: ['email_code', 'password'],
      second_factors: ['totp', 'backup_code'],
      email_address_verification_strategies: ['email_code'],
      single_session_mode: true,
      enhanced_email_deliverability: false,
      test_mode: state.test_mode,
      cookieless_dev: false,
      url_based_session_syncing: state.environment_type !== 'production',
      claimed_at: null,
      reverification: true,
      native_settings: {
        object: 'native_settings',
        api_enabled: false,
        trusted_device_sign_in_enabled: false,
        trusted_device_enrollment_prompt_after_sign_in_enabled: false,
        trusted_device_enrollment_prompt_after_sign_up_enabled: false,
      },
    },
    display_config: {
      object: 'display_config',
      id: `display_config_${state.instance_id.slice(4)}`,
      instance_environment_type: state.environment_type,
      application_name: 'clerkguard emulator',
      theme: {},
      preferred_sign_in_strategy: 'password',
      logo_image_url: null,
      favicon_image_url: null,
      home_url: url(''),
      sign_in_url: url('sign-in'),
      sign_up_url: url('sign-up'),
      user_profile_url: url('user'),
      waitlist_url: url('waitlist'),
      oauth_consent_url: url('oauth-consent'),
      after_sign_in_url: url(''),
      after_sign_up_url: url(''),
      after_sign_out_one_url: url('sign-in'),
      after_sign_out_all_url: url('sign-in'),
      after_switch_session_url: url(''),
      after_join_waitlist_url: url(''),
      organization_profile_url: url('organization'),
      create_organization_url: url('create-organization'),
      after_leave_organization_url: url(''),
      after_create_organization_url: url(''),
      logo_link_url: url(''),
      support_email: null,
      branded: true,
      experimental_force_oauth_first: false,
      clerk_js_version: null,
      show_devmode_warning: state.environment_type !== 'production',
      google_one_tap_client_id: null,
      help_url: null,
      privacy_policy_url: null,
      terms_url: null,
      logo_url: null,
      favicon_url: null,
      // Required and, under OpenAPI 3.0.3 rules, not nullable (nullable beside allOf adds no null).
      logo_image: { object: 'image', id: 'img_emulator_logo', name: 'logo.png', public_url: url('logo.png') },
      favicon_image: { object: 'image', id: 'img_emulator_favicon', name: 'favicon.png', public_url: url('favicon.png') },
      captcha_public_key: fapi.sign_up.captcha_enabled ? '0x4AAAAAAAemulatorSiteKey' : null,
      captcha_widget_type: fapi.sign_up.captcha_enabled ? 'smart' : null,
      captcha_public_key_invisible: null,
      captcha_provider: fapi.sign_up.captcha_enabled ? 'turnstile' : null,
      captcha_oauth_bypass: [...fapi.captcha_oauth_bypass],
    },
    user_settings: {
      attributes: {
        email_address: attribute(true, { required: true, used_for_first_factor: true, first_factors: ['email_code'], verifications: ['email_code'], verify_at_sign_up: fapi.email_verify_at_sign_up }),
        phone_number: attribute(false),
        username: attribute(false),
        web3_wallet: attribute(false),
        first_name: attribute(false),
        last_name: attribute(false),
        password: attribute(true, { required: true }),
        authenticator_app: attribute(true, { used_for_second_factor: true, second_factors: ['totp'] }),
        ticket: attribute(true),
        backup_code: attribute(true, { used_for_second_factor: true, second_factors: ['backup_code'] }),
        passkey: attribute(false),
      },
      social: {},
      saml: { enabled: false },
      enterprise_sso: { enabled: false },
      sign_in: { second_factor: { required: fapi.second_factor_required } },
      sign_up: {
        captcha_enabled: fapi.sign_up.captcha_enabled,
        captcha_widget_type: 'smart',
        custom_action_required: false,
        progressive: true,
        mode: fapi.sign_up.mode,
        legal_consent_enabled: false,
      },
      restrictions: {
        allowlist: enabled(state.restrictions.allowlist),
        blocklist: enabled(state.restrictions.blocklist),
        allowlist_blocklist_disabled_on_sign_in: enabled(state.restrictions.allowlist_blocklist_disabled_on_sign_in),
        block_email_subaddresses: enabled(state.restrictions.block_email_subaddresses),
        block_disposable_email_domains: enabled(state.restrictions.block_disposable_email_domains),
      },
      password_settings: {
        disable_hibp: !state.hibp,
        disable_password_reverification: false,
        show_zxcvbn: false,
        allowed_special_characters: '!"#$%&\'()*+,-./:;<=>?@[]^_`{|}~',
        ...fapi.password_settings,
      },
      username_settings: { min_length: 4, max_length: 64, allow_extended_special_characters: false, allow_numeric_usernames: false },
      actions: { delete_self: true, create_organization: org.enabled, create_organizations_limit: null },
      attack_protection: structuredClone(fapi.attack_protection),
      passkey_settings: { allow_autofill: true, show_sign_in_button: true, satisfies_second_factor: fapi.passkey_satisfies_second_factor },
    },
    organization_settings: {
      enabled: org.enabled,
      max_allowed_memberships: org.max_allowed_memberships,
      actions: { admin_delete: org.admin_delete_enabled },
      domains: { enabled: org.domains_enabled, enrollment_modes: org.domains_enrollment_modes, default_role: org.domains_default_role },
      slug: { disabled: org.slug_disabled },
      creator_role: org.creator_role,
    },
    partitioned_cookies: state.partitioned_cookies,
  };
}
