/**
 * The response boundary: what each Clerk answer must carry before anything reads it.
 *
 * Every answer clerkguard reads (BAPI, FAPI, Platform) is checked against one AnswerSchema, a
 * table of the fields it uses. Each field says
 *
 * - `presence`: `required` (missing or of the wrong type → the answer is malformed, the
 *   environment is an error naming the endpoint and the field, nothing is written) or
 *   `optional` (Clerk may leave it out: every settings path it `feeds` is then **unverified**,
 *   with a warning naming the endpoint and the field, never "removed" or "in sync");
 * - `basis`: why — `spec` when Clerk's OpenAPI schema (`component` in SPEC_FILE) lists the field
 *   as required, `product` when clerkguard cannot do its job without it (the same-instance
 *   check needs FAPI `display_config.instance_environment_type`). The contract test checks
 *   every `spec` claim against the spec files;
 * - `type`, `nullable`, `enum`: a wrong type is always malformed, also for an optional field;
 *   a value outside `enum` (a newer Clerk value) leaves its feeds unverified with a warning.
 *   `enumBasis` says where the enum comes from (default: `basis`): `spec` enums are checked
 *   against the spec files by the contract test; a `product` enum is the set of values the
 *   settings model can hold where the spec gives none.
 *
 * A field under an absent optional parent is not checked: the parent's `feeds` cover it.
 */
import type { ApiName } from './http';

export type FieldType = 'string' | 'boolean' | 'integer' | 'object' | 'array' | 'string[]';

export interface AnswerField {
  /** Dotted path from the answer (or list item) root; segments are Clerk's wire names. */
  path: string;
  type: FieldType;
  nullable?: boolean;
  enum?: readonly string[];
  presence: 'required' | 'optional';
  basis: 'spec' | 'product';
  /** Settings-model paths (coverage keys, no `settings.` prefix) this field fills. */
  feeds?: readonly string[];
  /** Where `enum` comes from when it differs from `basis` (the spec declares a plain string). */
  enumBasis?: 'spec' | 'product';
  /** type 'array' of objects: the fields of each element. */
  each?: readonly AnswerField[];
}

export interface AnswerSchema {
  api: ApiName;
  /** operationId in the spec. */
  operation: string;
  /** Spec file (in the clerk-openapi folder) and component schema the `spec` claims refer to. */
  specFile: string;
  component?: string;
  fields: readonly AnswerField[];
}

/** A field the answer legitimately left out (or answered with a value clerkguard does not know). */
export interface AnswerGap {
  /** `GET /v1/environment` */
  endpoint: string;
  /** Wire path, e.g. `user_settings.sign_in.second_factor.required`. */
  field: string;
  /** `unmapped`: present, but clerkguard has no documented meaning for this value (see `detail`). */
  reason: 'absent' | 'unknown_value' | 'unmapped';
  value?: unknown;
  /** For `unmapped`: why the value cannot be read as a setting. */
  detail?: string;
  feeds: readonly string[];
}

export interface AnswerCheck {
  /** Why the answer is malformed (empty when it is not). */
  problems: string[];
  gaps: Omit<AnswerGap, 'endpoint'>[];
}

const BAPI = 'bapi-2026-05-12.yml';
const FAPI = 'fapi-2026-05-12.yml';
const PLATFORM = 'platform-beta.yml';

const req = (path: string, type: FieldType, extra: Partial<AnswerField> = {}): AnswerField => ({ path, type, presence: 'required', basis: 'spec', ...extra });
const opt = (path: string, type: FieldType, extra: Partial<AnswerField> = {}): AnswerField => ({ path, type, presence: 'optional', basis: 'spec', ...extra });

export const PERMISSION_FIELDS: readonly AnswerField[] = [req('id', 'string'), req('key', 'string'), req('name', 'string'), req('description', 'string')];

/** OAuthApplicationSettings: each field is the setting of the same name (api.ts keeps exactly these). */
export const OAUTH_APPLICATION_SETTINGS_FIELDS = [
  'dynamic_oauth_client_registration',
  'oauth_jwt_access_tokens',
  'client_id_metadata_documents_advertised',
  'client_id_metadata_documents_only_allow_pre_registered_clients',
  'client_id_metadata_documents_block_implicitly_allowed_clients',
] as const;

export const ANSWERS = {
  instance: {
    api: 'bapi',
    operation: 'GetInstance',
    specFile: BAPI,
    component: 'Instance',
    fields: [
      req('id', 'string'),
      // Required string per the spec (bapi Instance.environment_type), which gives no enum: the
      // three values are what the settings model and the same-instance check (FAPI
      // DisplayConfig.instance_environment_type, which has this enum) can use. Any other value
      // leaves instance.environment_type unverified.
      req('environment_type', 'string', { enum: ['production', 'development', 'staging'], enumBasis: 'product', feeds: ['instance.environment_type'] }),
      // Nullable: null is Clerk's default (no extra origins), read as [].
      req('allowed_origins', 'string[]', { nullable: true, feeds: ['instance.allowed_origins'] }),
    ],
  },
  protect: {
    api: 'bapi',
    operation: 'GetInstanceProtect',
    specFile: BAPI,
    component: 'InstanceProtect',
    fields: [req('rules_enabled', 'boolean', { feeds: ['protect.rules_enabled'] }), req('specter_enabled', 'boolean', { feeds: ['protect.specter_enabled'] })],
  },
  communication: {
    api: 'bapi',
    operation: 'GetInstanceCommunication',
    specFile: BAPI,
    component: 'InstanceCommunication',
    fields: [req('blocked_country_codes', 'string[]', { feeds: ['communication.blocked_country_codes'] })],
  },
  organizationSettings: {
    api: 'bapi',
    operation: 'GetInstanceOrganizationSettings',
    specFile: BAPI,
    component: 'OrganizationSettings',
    fields: [
      req('enabled', 'boolean'),
      req('max_allowed_memberships', 'integer'),
      req('admin_delete_enabled', 'boolean'),
      req('domains_enabled', 'boolean'),
      req('domains_enrollment_modes', 'string[]', { enum: ['manual_invitation', 'automatic_invitation', 'automatic_suggestion'], feeds: ['organizations.settings.domains_enrollment_modes'] }),
      req('creator_role', 'string'),
      req('domains_default_role', 'string'),
      opt('slug_disabled', 'boolean', { feeds: ['organizations.settings.slug_disabled'] }),
    ],
  },
  role: {
    api: 'bapi',
    operation: 'ListOrganizationRoles',
    specFile: BAPI,
    component: 'Role',
    fields: [req('id', 'string'), req('key', 'string'), req('name', 'string'), req('description', 'string', { nullable: true }), req('permissions', 'array', { each: PERMISSION_FIELDS })],
  },
  permission: { api: 'bapi', operation: 'ListOrganizationPermissions', specFile: BAPI, component: 'Permission', fields: PERMISSION_FIELDS },
  jwtTemplate: {
    api: 'bapi',
    operation: 'ListJWTTemplates',
    specFile: BAPI,
    component: 'JWTTemplate',
    fields: [
      req('id', 'string'),
      req('name', 'string'),
      req('claims', 'object'),
      req('lifetime', 'integer'),
      req('allowed_clock_skew', 'integer'),
      req('custom_signing_key', 'boolean'),
      req('signing_algorithm', 'string'),
    ],
  },
  restrictions: {
    api: 'bapi',
    operation: 'UpdateInstanceRestrictions',
    specFile: BAPI,
    component: 'InstanceRestrictions',
    fields: [req('allowlist', 'boolean'), req('blocklist', 'boolean'), req('block_email_subaddresses', 'boolean'), req('block_disposable_email_domains', 'boolean'), { path: 'allowlist_blocklist_disabled_on_sign_in', type: 'boolean', presence: 'optional', basis: 'product' }],
  },
  environment: {
    api: 'fapi',
    operation: 'getEnvironment',
    specFile: FAPI,
    component: 'Client.Environment',
    fields: [
      // The spec marks nothing in Client.Environment as required. The instance type is needed to
      // prove the Frontend API serves the same instance as the secret key.
      { path: 'display_config', type: 'object', presence: 'required', basis: 'product' },
      { path: 'display_config.instance_environment_type', type: 'string', enum: ['production', 'development', 'staging'], presence: 'required', basis: 'spec' },
      opt('auth_config', 'object', { feeds: ['instance.test_mode'] }),
      req('auth_config.test_mode', 'boolean', { feeds: ['instance.test_mode'] }),
      opt('user_settings', 'object', { feeds: ['instance.hibp', 'restrictions', 'attack_protection', 'sign_in', 'sign_up', 'password_settings'] }),
      req('user_settings.sign_in', 'object', { feeds: ['sign_in'] }),
      req('user_settings.sign_in.second_factor', 'object', { feeds: ['sign_in'] }),
      // The spec lists it as required (UserSettings.SignIn.second_factor: `required: [required]`).
      // Read as optional by choice: an answer without it leaves only the MFA setting unverified
      // (never in sync, never a pass) instead of failing every other setting of the export.
      { path: 'user_settings.sign_in.second_factor.required', type: 'boolean', presence: 'optional', basis: 'product', feeds: ['sign_in.second_factor.required'] },
      req('user_settings.sign_up', 'object', { feeds: ['sign_up'] }),
      req('user_settings.sign_up.mode', 'string', { enum: ['public', 'restricted', 'waitlist'], feeds: ['sign_up.mode'] }),
      req('user_settings.sign_up.captcha_enabled', 'boolean', { feeds: ['sign_up.captcha_enabled'] }),
      req('user_settings.restrictions', 'object', { feeds: ['restrictions'] }),
      ...(['allowlist', 'blocklist', 'allowlist_blocklist_disabled_on_sign_in', 'block_email_subaddresses', 'block_disposable_email_domains'] as const).flatMap((name) => [
        req(`user_settings.restrictions.${name}`, 'object', { feeds: [`restrictions.${name}`] }),
        req(`user_settings.restrictions.${name}.enabled`, 'boolean', { feeds: [`restrictions.${name}`] }),
      ]),
      req('user_settings.password_settings', 'object', { feeds: ['instance.hibp', 'password_settings'] }),
      req('user_settings.password_settings.disable_hibp', 'boolean', { feeds: ['instance.hibp'] }),
      ...(['min_length', 'max_length', 'min_zxcvbn_strength'] as const).map((name) => req(`user_settings.password_settings.${name}`, 'integer', { feeds: [`password_settings.${name}`] })),
      ...(['require_special_char', 'require_numbers', 'require_uppercase', 'require_lowercase', 'enforce_hibp_on_sign_in'] as const).map((name) =>
        req(`user_settings.password_settings.${name}`, 'boolean', { feeds: [`password_settings.${name}`] }),
      ),
      req('user_settings.attack_protection', 'object', { feeds: ['attack_protection'] }),
      req('user_settings.attack_protection.user_lockout', 'object', { feeds: ['attack_protection.user_lockout'] }),
      req('user_settings.attack_protection.user_lockout.enabled', 'boolean', { feeds: ['attack_protection.user_lockout.enabled'] }),
      req('user_settings.attack_protection.user_lockout.max_attempts', 'integer', { feeds: ['attack_protection.user_lockout.max_attempts'] }),
      req('user_settings.attack_protection.user_lockout.duration_in_minutes', 'integer', { feeds: ['attack_protection.user_lockout.duration_in_minutes'] }),
      req('user_settings.attack_protection.enumeration_protection', 'object', { feeds: ['attack_protection.enumeration_protection'] }),
      req('user_settings.attack_protection.enumeration_protection.enabled', 'boolean', { feeds: ['attack_protection.enumeration_protection'] }),
      req('user_settings.attack_protection.pii', 'object', { feeds: ['attack_protection.pii'] }),
      req('user_settings.attack_protection.pii.enabled', 'boolean', { feeds: ['attack_protection.pii'] }),
      req('user_settings.attack_protection.email_link', 'object', { feeds: ['attack_protection.email_link'] }),
      req('user_settings.attack_protection.email_link.require_same_client', 'boolean', { feeds: ['attack_protection.email_link'] }),
      // Client.DisplayConfig lists captcha_oauth_bypass as required (a list of OAuth providers).
      req('display_config.captcha_oauth_bypass', 'string[]', { feeds: ['sign_up.captcha_oauth_bypass'] }),
      req('user_settings.passkey_settings', 'object', { feeds: ['passkey_settings'] }),
      req('user_settings.passkey_settings.satisfies_second_factor', 'boolean', { feeds: ['passkey_settings.satisfies_second_factor'] }),
      req('user_settings.attributes', 'object', { feeds: ['sign_up.email_verification_required'] }),
      req('user_settings.attributes.email_address', 'object', { feeds: ['sign_up.email_verification_required'] }),
      req('user_settings.attributes.email_address.verify_at_sign_up', 'boolean', { feeds: ['sign_up.email_verification_required'] }),
      // Client.Environment marks nothing required; partitioned_cookies may be left out.
      opt('partitioned_cookies', 'boolean', { feeds: ['session.partitioned_cookies'] }),
    ],
  },
  domain: {
    api: 'bapi',
    operation: 'ListDomains',
    specFile: BAPI,
    component: 'Domain',
    fields: [req('id', 'string'), req('name', 'string'), req('is_satellite', 'boolean'), opt('proxy_url', 'string', { nullable: true, feeds: ['instance.domains'] })],
  },
  oauthApplicationSettings: {
    api: 'bapi',
    operation: 'GetInstanceOAuthApplicationSettings',
    specFile: BAPI,
    component: 'OAuthApplicationSettings',
    fields: OAUTH_APPLICATION_SETTINGS_FIELDS.map((name) => req(name, 'boolean', { feeds: [`oauth_application_settings.${name}`] })),
  },
  roleSet: {
    api: 'bapi',
    operation: 'ListRoleSets',
    specFile: BAPI,
    component: 'RoleSet',
    fields: [
      req('id', 'string'),
      req('key', 'string'),
      req('name', 'string'),
      req('roles', 'array', { each: [req('key', 'string')] }),
      // `nullable: true` beside allOf: under OpenAPI 3.0.3 that admits no null, so null is malformed.
      opt('default_role', 'object', { feeds: ['organizations.role_sets'] }),
      req('default_role.key', 'string'),
      opt('creator_role', 'object', { feeds: ['organizations.role_sets'] }),
      req('creator_role.key', 'string'),
    ],
  },
  platformConfig: {
    api: 'platform',
    operation: 'PlatformGetConfig',
    specFile: PLATFORM,
    component: 'PlatformConfigResponse',
    fields: [
      opt('config_version', 'string'),
      // Config keys are free-form in the spec (additionalProperties). `session.lifetime` (seconds)
      // is the one session field Clerk documents (Clerk CLI, commands/config/README.md and its
      // tests); an instance may not have or expose it. Its meaning as the maximum lifetime, and
      // the meaning of null, are not documented: null leaves it unverified (settings-io.ts).
      { path: 'session', type: 'object', presence: 'optional', basis: 'product', feeds: ['session.maximum_lifetime_minutes'] },
      { path: 'session.lifetime', type: 'integer', nullable: true, presence: 'optional', basis: 'product', feeds: ['session.maximum_lifetime_minutes'] },
    ],
  },
  platformSchema: {
    api: 'platform',
    operation: 'PlatformGetConfigSchema',
    specFile: PLATFORM,
    component: 'PlatformConfigSchemaResponse',
    // Without `properties` the schema describes no key: every Platform setting stays unverified.
    fields: [opt('properties', 'object', { feeds: ['session.maximum_lifetime_minutes', 'platform_config'] })],
  },
  platformPatch: {
    api: 'platform',
    operation: 'PlatformPatchConfig',
    specFile: PLATFORM,
    component: 'PlatformConfigPatchResponse',
    fields: [opt('config_version', 'string'), opt('dry_run', 'boolean'), opt('before', 'object'), opt('after', 'object')],
  },
  /** One application of the workspace (discovery: src/fleet/discover.ts); each instance an element of `instances`. */
  platformApplication: {
    api: 'platform',
    operation: 'PlatformListApplications',
    specFile: PLATFORM,
    component: 'PlatformApplicationResponse',
    fields: [
      req('application_id', 'string'),
      req('name', 'string'),
      req('instances', 'array', {
        each: [req('instance_id', 'string'), req('environment_type', 'string', { enum: ['development', 'production'] }), opt('publishable_key', 'string')],
      }),
    ],
  },
} as const satisfies Record<string, AnswerSchema>;

/** Checks one answer (or one list item) against its fields. Never throws; never recurses into values. */
export function checkAnswer(fields: readonly AnswerField[], answer: unknown): AnswerCheck {
  const result: AnswerCheck = { problems: [], gaps: [] };
  if (!isObject(answer)) {
    result.problems.push(`expected a JSON object, got ${describe(answer)}`);
    return result;
  }
  checkFields(fields, answer, '', result);
  return result;
}

interface FieldPlan {
  field: AnswerField;
  parent: readonly string[];
  name: string;
  under: string;
}

/** The fields' paths split once per list of fields: every item of a 50,000-item list is checked against the same fields. */
const plans = new WeakMap<readonly AnswerField[], readonly FieldPlan[]>();
function planOf(fields: readonly AnswerField[]): readonly FieldPlan[] {
  let plan = plans.get(fields);
  if (!plan) {
    plan = fields.map((field) => {
      const segments = field.path.split('.');
      return { field, parent: segments.slice(0, -1), name: segments[segments.length - 1]!, under: `${field.path}.` };
    });
    plans.set(fields, plan);
  }
  return plan;
}

function checkFields(fields: readonly AnswerField[], root: Record<string, unknown>, prefix: string, result: AnswerCheck): void {
  // Paths (with a trailing ".") whose fields below are not looked at; the words for a field are
  // built only when something is reported about it.
  let skipped: string[] | undefined;
  for (const { field, parent: parentPath, name, under } of planOf(fields)) {
    if (skipped !== undefined && skipped.some((path) => field.path.startsWith(path))) continue;
    const parent = parentPath.length === 0 ? root : lookup(root, parentPath);
    // A parent that is absent or malformed has been reported (or gapped) already.
    if (!isObject(parent)) {
      (skipped ??= []).push(under);
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(parent, name) || parent[name] === undefined) {
      if (field.presence === 'required') result.problems.push(`${prefix}${field.path} is missing${field.basis === 'spec' ? ' (required by Clerk\'s API spec)' : ' (clerkguard needs it)'}`);
      else if (field.feeds) result.gaps.push({ field: `${prefix}${field.path}`, reason: 'absent', feeds: field.feeds });
      (skipped ??= []).push(under);
      continue;
    }
    const value = parent[name];
    if (value === null) {
      if (!field.nullable) result.problems.push(`${prefix}${field.path} is null, expected ${typeWords(field.type)}`);
      (skipped ??= []).push(under);
      continue;
    }
    if (!hasType(value, field.type)) {
      result.problems.push(`${prefix}${field.path} is ${describe(value)}, expected ${typeWords(field.type)}${field.nullable ? ' or null' : ''}`);
      (skipped ??= []).push(under);
      continue;
    }
    if (field.enum) {
      const unknown = (Array.isArray(value) ? (value as string[]) : [value as string]).find((item) => !field.enum!.includes(item));
      if (unknown !== undefined) {
        result.gaps.push({ field: `${prefix}${field.path}`, reason: 'unknown_value', value: unknown, feeds: field.feeds ?? [] });
        (skipped ??= []).push(under);
        continue;
      }
    }
    if (field.each && Array.isArray(value)) {
      const at = `${prefix}${field.path}`;
      value.forEach((item, index) => {
        if (!isObject(item)) result.problems.push(`${at}[${index}] is ${describe(item)}, expected an object`);
        else checkFields(field.each!, item, `${at}[${index}].`, result);
      });
    }
  }
}

function lookup(root: Record<string, unknown>, segments: readonly string[]): unknown {
  let node: unknown = root;
  for (const segment of segments) {
    if (!isObject(node) || !Object.prototype.hasOwnProperty.call(node, segment)) return undefined;
    node = node[segment];
  }
  return node;
}

function hasType(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
  }
}

function typeWords(type: FieldType): string {
  return type === 'string[]' ? 'a list of strings' : type === 'array' ? 'a list' : type === 'object' ? 'an object' : type === 'integer' ? 'an integer' : `a ${type}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value === 'number' ? 'the number' : `a ${typeof value}`} ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** "user_settings.sign_in is missing; …" for an error message: the first few problems. */
export function summarizeProblems(problems: readonly string[], max = 3): string {
  const shown = problems.slice(0, max).join('; ');
  return problems.length > max ? `${shown}; and ${problems.length - max} more` : shown;
}
