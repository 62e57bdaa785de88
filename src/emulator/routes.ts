/**
 * The emulator's endpoints: the subset of Clerk's Backend API, Frontend API and Platform API
 * that clerkguard uses, with Clerk's semantics and quirks (each with its source in
 * docs/clerk-api-coverage.md, "Emulator fidelity"):
 * - group PATCHes (/instance, restrictions, protect, communication, organization and OAuth
 *   settings) silently drop fields they do not know; PATCH /instance answers 204 and ignores an
 *   empty or null allowed_origins (origins cannot be cleared);
 * - organization settings are written by role id and read by role key;
 * - JWT template PATCH requires name and claims; lifetime 30..315360000, clock skew 0..300;
 * - resource endpoints answer 422 with form_param_unknown / form_param_missing /
 *   form_param_format_invalid / form_identifier_exists;
 * - Platform config PATCH honours If-Match (409 on a stale version) and dry_run; null resets a
 *   field to its default, null with destructive=true clears it; both session limits may not be
 *   off at once; PUT without every key answers 400.
 */
import type { ApiName } from '../clerk/http';
import { newId, nowMs, type EmulatorState } from './state';
import { platformSchema } from '../clerk/platform-schema';
import { closestMatch } from '../util/suggest';
import {
  clerkError,
  communicationJson,
  domainJson,
  oauthApplicationSettingsJson,
  PLATFORM_DEFAULTS,
  roleSetJson,
  deletedJson,
  environmentJson,
  instanceJson,
  jwtTemplateJson,
  organizationSettingsJson,
  permissionJson,
  platformConfigJson,
  platformConfigSchemaJson,
  protectJson,
  restrictionsJson,
  roleJson,
} from './wire';

export interface RouteContext {
  state: EmulatorState;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  api: ApiName;
  method: string;
  /** OpenAPI path template, e.g. /organization_roles/{organization_role_id} (without /v1 for BAPI and Platform). */
  template: string;
  operationId: string;
  handle(context: RouteContext): RouteResult;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

/** 422 as Clerk words it: `code`, a short message, a long one and meta.param_name. */
const unprocessable = (code: string, message: string, longMessage: string, meta: Record<string, unknown> = {}) => new HttpError(422, clerkError(code, message, longMessage, meta));
const invalidValue = (param: string, longMessage: string) => unprocessable('form_param_value_invalid', 'is invalid', longMessage, { param_name: param });
const invalidFormat = (param: string, longMessage: string) => unprocessable('form_param_format_invalid', 'is invalid', longMessage, { param_name: param });
const missingParam = (param: string) => unprocessable('form_param_missing', 'is missing', `${param} must be included.`, { param_name: param });
const alreadyExists = (param: string, longMessage: string) => unprocessable('form_identifier_exists', 'already exists', longMessage, { param_name: param });
const notFound = (what: string) => new HttpError(404, clerkError('resource_not_found', 'not found', `${what} was not found`));

/**
 * The request body as an object. With `allowed`, an unknown parameter of a resource endpoint is
 * 422 form_param_unknown; with `dropUnknown` (group PATCHes) it is silently dropped, as BAPI
 * does (Clerk CLI, commands/config/README.md, "Round-trip verification").
 */
function objectBody(context: RouteContext, allowed?: readonly string[], dropUnknown = false): Record<string, unknown> {
  const body = context.body;
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, clerkError('request_body_invalid', 'invalid request body', 'The request body must be a JSON object.'));
  if (!allowed) return body as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(body)) {
    if (allowed.includes(key)) out[key] = (body as Record<string, unknown>)[key];
    else if (!dropUnknown) throw unprocessable('form_param_unknown', 'is unknown', `${key} is not a valid parameter for this request.`, { param_name: key });
  }
  return out;
}

function expectType(body: Record<string, unknown>, key: string, type: 'boolean' | 'string' | 'number' | 'object' | 'array', nullable = true): void {
  const value = body[key];
  if (value === undefined || (nullable && value === null)) return;
  const ok = type === 'array' ? Array.isArray(value) : type === 'object' ? value !== null && typeof value === 'object' && !Array.isArray(value) : typeof value === type;
  if (!ok) throw invalidValue(key, `${key} must be a ${type}.`);
}

function pagination(query: URLSearchParams): { limit: number; offset: number } {
  const limit = query.has('limit') ? Number(query.get('limit')) : 10;
  const offset = query.has('offset') ? Number(query.get('offset')) : 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw invalidValue('limit', 'limit must be an integer between 1 and 500.');
  if (!Number.isInteger(offset) || offset < 0) throw invalidValue('offset', 'offset must be a non-negative integer.');
  return { limit, offset };
}

function applyBooleans(target: Record<string, unknown>, body: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of keys) {
    expectType(body, key, 'boolean');
    if (typeof body[key] === 'boolean') target[key] = body[key];
  }
}

function findRole(state: EmulatorState, id: string) {
  const role = state.roles.find((candidate) => candidate.id === id);
  if (!role) throw notFound(`Organization role ${id}`);
  return role;
}

function findPermission(state: EmulatorState, id: string) {
  const permission = state.permissions.find((candidate) => candidate.id === id);
  if (!permission) throw notFound(`Permission ${id}`);
  return permission;
}

function findTemplate(state: EmulatorState, id: string) {
  const template = state.jwt_templates.find((candidate) => candidate.id === id);
  if (!template) throw notFound(`JWT template ${id}`);
  return template;
}

function permissionIdsFrom(state: EmulatorState, value: unknown): string[] {
  if (!Array.isArray(value)) throw invalidValue('permissions', 'permissions must be an array of permission IDs.');
  return value.map((id) => findPermission(state, String(id)).id);
}

function jwtFields(body: Record<string, unknown>, requireNameAndClaims: boolean) {
  for (const key of ['name', 'claims'] as const) {
    if (requireNameAndClaims && (body[key] === undefined || body[key] === null)) throw missingParam(key);
  }
  expectType(body, 'name', 'string', false);
  expectType(body, 'claims', 'object', false);
  expectType(body, 'lifetime', 'number');
  expectType(body, 'allowed_clock_skew', 'number');
  expectType(body, 'custom_signing_key', 'boolean', false);
  expectType(body, 'signing_algorithm', 'string');
  expectType(body, 'signing_key', 'string');
  const lifetime = body.lifetime as number | null | undefined;
  if (typeof lifetime === 'number' && (!Number.isInteger(lifetime) || lifetime < 30 || lifetime > 315360000)) throw invalidValue('lifetime', 'lifetime must be between 30 and 315360000 seconds.');
  const skew = body.allowed_clock_skew as number | null | undefined;
  if (typeof skew === 'number' && (!Number.isInteger(skew) || skew < 0 || skew > 300)) throw invalidValue('allowed_clock_skew', 'allowed_clock_skew must be between 0 and 300 seconds.');
  if (body.custom_signing_key === true && !body.signing_key) throw missingParam('signing_key');
  if (body.custom_signing_key === true && !body.signing_algorithm) throw missingParam('signing_algorithm');
}

const ROLE_KEY = /^org:[a-z0-9_]+$/;

export const BAPI_ROUTES: Route[] = [
  { api: 'bapi', method: 'GET', template: '/instance', operationId: 'GetInstance', handle: ({ state }) => ({ status: 200, body: instanceJson(state) }) },
  {
    api: 'bapi',
    method: 'PATCH',
    template: '/instance',
    operationId: 'UpdateInstance',
    handle: (context) => {
      // A field outside the closed set is dropped without a word: 204 either way.
      const body = objectBody(context, INSTANCE_PATCH_FIELDS, true);
      const { state } = context;
      expectType(body, 'allowed_origins', 'array');
      // Clerk's quirk: an empty list or null leaves the origins unchanged.
      if (Array.isArray(body.allowed_origins) && body.allowed_origins.length > 0) state.allowed_origins = [...new Set(body.allowed_origins.map(String))];
      applyBooleans(state as unknown as Record<string, unknown>, body, ['test_mode', 'hibp']);
      return { status: 204 };
    },
  },
  {
    api: 'bapi',
    method: 'PATCH',
    template: '/instance/restrictions',
    operationId: 'UpdateInstanceRestrictions',
    handle: (context) => {
      const keys = ['allowlist', 'blocklist', 'allowlist_blocklist_disabled_on_sign_in', 'block_email_subaddresses', 'block_disposable_email_domains'];
      applyBooleans(context.state.restrictions, objectBody(context, keys, true), keys);
      return { status: 200, body: restrictionsJson(context.state) };
    },
  },
  { api: 'bapi', method: 'GET', template: '/instance/protect', operationId: 'GetInstanceProtect', handle: ({ state }) => ({ status: 200, body: protectJson(state) }) },
  {
    api: 'bapi',
    method: 'PATCH',
    template: '/instance/protect',
    operationId: 'UpdateInstanceProtect',
    handle: (context) => {
      const keys = ['rules_enabled', 'specter_enabled'];
      applyBooleans(context.state.protect, objectBody(context, keys, true), keys);
      return { status: 200, body: protectJson(context.state) };
    },
  },
  { api: 'bapi', method: 'GET', template: '/instance/communication', operationId: 'GetInstanceCommunication', handle: ({ state }) => ({ status: 200, body: communicationJson(state) }) },
  {
    api: 'bapi',
    method: 'PATCH',
    template: '/instance/communication',
    operationId: 'UpdateInstanceCommunication',
    handle: (context) => {
      const body = objectBody(context, ['blocked_country_codes'], true);
      const codes = body.blocked_country_codes;
      if (codes !== undefined && codes !== null) {
        if (!Array.isArray(codes) || codes.some((code) => typeof code !== 'string' || !/^[A-Z]{2}$/.test(code))) {
          throw invalidFormat('blocked_country_codes', 'blocked_country_codes must be ISO 3166-1 alpha-2 codes in upper case.');
        }
        if (new Set(codes).size !== codes.length) throw invalidValue('blocked_country_codes', 'blocked_country_codes must not repeat a code.');
        // The spec: codes that aren't SMS-tier countries are silently dropped from the list.
        context.state.communication.blocked_country_codes = (codes as string[]).filter((code) => !NON_SMS_TIER_CODES.includes(code));
      }
      return { status: 200, body: communicationJson(context.state) };
    },
  },
  { api: 'bapi', method: 'GET', template: '/instance/organization_settings', operationId: 'GetInstanceOrganizationSettings', handle: ({ state }) => ({ status: 200, body: organizationSettingsJson(state) }) },
  {
    api: 'bapi',
    method: 'PATCH',
    template: '/instance/organization_settings',
    operationId: 'UpdateInstanceOrganizationSettings',
    handle: (context) => {
      const body = objectBody(context, ['enabled', 'max_allowed_memberships', 'admin_delete_enabled', 'domains_enabled', 'slug_disabled', 'domains_enrollment_modes', 'creator_role_id', 'domains_default_role_id'], true);
      const org = context.state.organization_settings;
      applyBooleans(org, body, ['enabled', 'admin_delete_enabled', 'domains_enabled', 'slug_disabled']);
      expectType(body, 'max_allowed_memberships', 'number');
      if (typeof body.max_allowed_memberships === 'number') org.max_allowed_memberships = body.max_allowed_memberships;
      if (body.domains_enrollment_modes !== undefined) {
        const modes = body.domains_enrollment_modes;
        const allowed = ['automatic_invitation', 'automatic_suggestion'];
        if (!Array.isArray(modes) || modes.some((mode) => typeof mode !== 'string')) throw invalidValue('domains_enrollment_modes', 'domains_enrollment_modes must be a list of strings.');
        // "Supported modes are 'automatic_invitation' & 'automatic_suggestion'": the PATCH sets
        // those; manual_invitation (read-only here) keeps its state; anything else is dropped.
        const manual = org.domains_enrollment_modes.filter((mode) => mode === 'manual_invitation');
        org.domains_enrollment_modes = [...manual, ...[...new Set(modes as string[])].filter((mode) => allowed.includes(mode))] as typeof org.domains_enrollment_modes;
      }
      // Written by role id: a role key here is the classic mistake, and Clerk answers 422.
      for (const [field, target] of [['creator_role_id', 'creator_role_id'], ['domains_default_role_id', 'domains_default_role_id']] as const) {
        const value = body[field];
        if (value === undefined || value === null) continue;
        const role = context.state.roles.find((candidate) => candidate.id === value);
        if (!role) throw invalidValue(field, `${field} must be the ID of an existing organization role, got "${String(value)}".`);
        org[target] = role.id;
      }
      return { status: 200, body: organizationSettingsJson(context.state) };
    },
  },
  {
    api: 'bapi',
    method: 'GET',
    template: '/organization_roles',
    operationId: 'ListOrganizationRoles',
    // The spec: `query` (exact id, partial name/key), `order_by` created_at|name|key with +/-,
    // default -created_at (most recent first).
    handle: ({ state, query }) => {
      const { limit, offset } = pagination(query);
      const roles = ordered(searched(state.roles, query), query);
      return { status: 200, body: { data: roles.slice(offset, offset + limit).map((role) => roleJson(state, role)), total_count: roles.length } };
    },
  },
  {
    api: 'bapi',
    method: 'POST',
    template: '/organization_roles',
    operationId: 'CreateOrganizationRole',
    handle: (context) => {
      const body = objectBody(context, ['name', 'key', 'description', 'permissions', 'include_in_initial_role_set']);
      const { state } = context;
      if (typeof body.name !== 'string' || body.name === '') throw missingParam('name');
      if (typeof body.key !== 'string') throw missingParam('key');
      if (!ROLE_KEY.test(body.key)) throw invalidFormat('key', "key must start with 'org:' followed by lowercase alphanumeric characters and underscores.");
      if (state.roles.some((role) => role.key === body.key)) throw alreadyExists('key', `A role with key ${body.key} already exists.`);
      const now = nowMs();
      const role = {
        id: newId(state, 'role'),
        key: body.key,
        name: body.name,
        description: typeof body.description === 'string' ? body.description : null,
        permission_ids: body.permissions === undefined || body.permissions === null ? [] : permissionIdsFrom(state, body.permissions),
        created_at: now,
        updated_at: now,
      };
      state.roles.push(role);
      return { status: 200, body: roleJson(state, role) };
    },
  },
  { api: 'bapi', method: 'GET', template: '/organization_roles/{organization_role_id}', operationId: 'GetOrganizationRole', handle: ({ state, params }) => ({ status: 200, body: roleJson(state, findRole(state, params.organization_role_id!)) }) },
  {
    api: 'bapi',
    method: 'PATCH',
    template: '/organization_roles/{organization_role_id}',
    operationId: 'UpdateOrganizationRole',
    handle: (context) => {
      const { state, params } = context;
      const role = findRole(state, params.organization_role_id!);
      const body = objectBody(context, ['name', 'key', 'description', 'permissions']);
      if (typeof body.key === 'string') {
        if (!ROLE_KEY.test(body.key)) throw invalidFormat('key', "key must start with 'org:' followed by lowercase alphanumeric characters and underscores.");
        role.key = body.key;
      }
      if (typeof body.name === 'string') role.name = body.name;
      if (body.description !== undefined) role.description = typeof body.description === 'string' ? body.description : null;
      if (body.permissions !== undefined && body.permissions !== null) role.permission_ids = permissionIdsFrom(state, body.permissions);
      role.updated_at = nowMs();
      return { status: 200, body: roleJson(state, role) };
    },
  },
  {
    api: 'bapi',
    method: 'DELETE',
    template: '/organization_roles/{organization_role_id}',
    operationId: 'DeleteOrganizationRole',
    handle: ({ state, params }) => {
      const role = findRole(state, params.organization_role_id!);
      // The spec (DeleteOrganizationRole): a role used as the creator or domain default role
      // cannot be deleted; it lists 422 for a refused request (the error code is not specified).
      if (state.organization_settings.creator_role_id === role.id || state.organization_settings.domains_default_role_id === role.id) {
        throw invalidValue('organization_role_id', 'The role is the default creator role or the domain default role and cannot be deleted.');
      }
      state.roles = state.roles.filter((candidate) => candidate.id !== role.id);
      return { status: 200, body: deletedJson('role', role.id) };
    },
  },
  {
    api: 'bapi',
    method: 'POST',
    template: '/organization_roles/{organization_role_id}/permissions/{permission_id}',
    operationId: 'AssignPermissionToOrganizationRole',
    handle: ({ state, params }) => {
      const role = findRole(state, params.organization_role_id!);
      const permission = findPermission(state, params.permission_id!);
      if (!role.permission_ids.includes(permission.id)) role.permission_ids.push(permission.id);
      role.updated_at = nowMs();
      return { status: 200, body: roleJson(state, role) };
    },
  },
  {
    api: 'bapi',
    method: 'DELETE',
    template: '/organization_roles/{organization_role_id}/permissions/{permission_id}',
    operationId: 'RemovePermissionFromOrganizationRole',
    handle: ({ state, params }) => {
      const role = findRole(state, params.organization_role_id!);
      const permission = findPermission(state, params.permission_id!);
      role.permission_ids = role.permission_ids.filter((id) => id !== permission.id);
      role.updated_at = nowMs();
      return { status: 200, body: roleJson(state, role) };
    },
  },
  {
    api: 'bapi',
    method: 'GET',
    template: '/organization_permissions',
    operationId: 'ListOrganizationPermissions',
    handle: ({ state, query }) => {
      const { limit, offset } = pagination(query);
      return { status: 200, body: { data: state.permissions.slice(offset, offset + limit).map(permissionJson), total_count: state.permissions.length } };
    },
  },
  {
    api: 'bapi',
    method: 'POST',
    template: '/organization_permissions',
    operationId: 'CreateOrganizationPermission',
    handle: (context) => {
      const body = objectBody(context, ['name', 'key', 'description']);
      const { state } = context;
      if (typeof body.name !== 'string' || body.name === '') throw missingParam('name');
      if (typeof body.key !== 'string') throw missingParam('key');
      if (!/^org:[a-z0-9_]+:[a-z0-9_]+$/.test(body.key) || body.key.startsWith('org:sys_')) {
        throw invalidFormat('key', 'key must look like org:<feature>:<action> and must not use the org:sys_ prefix.');
      }
      if (state.permissions.some((permission) => permission.key === body.key)) throw alreadyExists('key', `A permission with key ${body.key} already exists.`);
      const now = nowMs();
      const permission = { id: newId(state, 'perm'), key: body.key, name: body.name, description: typeof body.description === 'string' ? body.description : '', type: 'user' as const, created_at: now, updated_at: now };
      state.permissions.push(permission);
      return { status: 200, body: permissionJson(permission) };
    },
  },
  { api: 'bapi', method: 'GET', template: '/organization_permissions/{permission_id}', operationId: 'GetOrganizationPermission', handle: ({ state, params }) => ({ status: 200, body: permissionJson(findPermission(state, params.permission_id!)) }) },
  {
    api: 'bapi',
    method: 'PATCH',
    template: '/organization_permissions/{permission_id}',
    operationId: 'UpdateOrganizationPermission',
    handle: (context) => {
      const permission = findPermission(context.state, context.params.permission_id!);
      if (permission.type === 'system') throw new HttpError(403, clerkError('system_permission_immutable', 'forbidden', 'System permissions cannot be changed.'));
      const body = objectBody(context, ['name', 'key', 'description']);
      for (const key of ['name', 'key', 'description'] as const) if (typeof body[key] === 'string') permission[key] = body[key] as string;
      permission.updated_at = nowMs();
      return { status: 200, body: permissionJson(permission) };
    },
  },
  {
    api: 'bapi',
    method: 'DELETE',
    template: '/organization_permissions/{permission_id}',
    operationId: 'DeleteOrganizationPermission',
    handle: ({ state, params }) => {
      const permission = findPermission(state, params.permission_id!);
      if (permission.type === 'system') throw new HttpError(403, clerkError('system_permission_immutable', 'forbidden', 'System permissions cannot be deleted.'));
      state.permissions = state.permissions.filter((candidate) => candidate.id !== permission.id);
      for (const role of state.roles) role.permission_ids = role.permission_ids.filter((id) => id !== permission.id);
      return { status: 200, body: deletedJson('permission', permission.id) };
    },
  },
  {
    api: 'bapi',
    method: 'GET',
    template: '/jwt_templates',
    operationId: 'ListJWTTemplates',
    // The spec answers a plain array (JWTTemplate.List); with paginated=true, which
    // @clerk/backend always sends (JwtTemplatesApi.list), {data, total_count}.
    handle: ({ state, query }) => {
      const { limit, offset } = pagination(query);
      const page = state.jwt_templates.slice(offset, offset + limit).map(jwtTemplateJson);
      return { status: 200, body: query.get('paginated') === 'true' ? { data: page, total_count: state.jwt_templates.length } : page };
    },
  },
  {
    api: 'bapi',
    method: 'POST',
    template: '/jwt_templates',
    operationId: 'CreateJWTTemplate',
    handle: (context) => {
      const body = objectBody(context, ['name', 'claims', 'lifetime', 'allowed_clock_skew', 'custom_signing_key', 'signing_algorithm', 'signing_key']);
      jwtFields(body, true);
      const { state } = context;
      if (state.jwt_templates.some((template) => template.name === body.name)) throw alreadyExists('name', `A JWT template named ${String(body.name)} already exists.`);
      const now = nowMs();
      const template = {
        id: newId(state, 'jtmp'),
        name: body.name as string,
        claims: structuredClone(body.claims as Record<string, unknown>),
        lifetime: typeof body.lifetime === 'number' ? body.lifetime : 60,
        allowed_clock_skew: typeof body.allowed_clock_skew === 'number' ? body.allowed_clock_skew : 5,
        custom_signing_key: body.custom_signing_key === true,
        signing_algorithm: typeof body.signing_algorithm === 'string' ? body.signing_algorithm : 'RS256',
        ...(typeof body.signing_key === 'string' ? { signing_key: body.signing_key } : {}),
        created_at: now,
        updated_at: now,
      };
      state.jwt_templates.push(template);
      return { status: 200, body: jwtTemplateJson(template) };
    },
  },
  { api: 'bapi', method: 'GET', template: '/jwt_templates/{template_id}', operationId: 'GetJWTTemplate', handle: ({ state, params }) => ({ status: 200, body: jwtTemplateJson(findTemplate(state, params.template_id!)) }) },
  {
    api: 'bapi',
    method: 'PATCH',
    template: '/jwt_templates/{template_id}',
    operationId: 'UpdateJWTTemplate',
    handle: (context) => {
      const template = findTemplate(context.state, context.params.template_id!);
      const body = objectBody(context, ['name', 'claims', 'lifetime', 'allowed_clock_skew', 'custom_signing_key', 'signing_algorithm', 'signing_key']);
      jwtFields(body, true);
      template.name = body.name as string;
      template.claims = structuredClone(body.claims as Record<string, unknown>);
      if (typeof body.lifetime === 'number') template.lifetime = body.lifetime;
      if (typeof body.allowed_clock_skew === 'number') template.allowed_clock_skew = body.allowed_clock_skew;
      if (typeof body.custom_signing_key === 'boolean') template.custom_signing_key = body.custom_signing_key;
      if (typeof body.signing_algorithm === 'string') template.signing_algorithm = body.signing_algorithm;
      if (typeof body.signing_key === 'string') template.signing_key = body.signing_key;
      template.updated_at = nowMs();
      return { status: 200, body: jwtTemplateJson(template) };
    },
  },
  {
    api: 'bapi',
    method: 'DELETE',
    template: '/jwt_templates/{template_id}',
    operationId: 'DeleteJWTTemplate',
    handle: ({ state, params }) => {
      const template = findTemplate(state, params.template_id!);
      state.jwt_templates = state.jwt_templates.filter((candidate) => candidate.id !== template.id);
      return { status: 200, body: deletedJson('jwt_template', template.id) };
    },
  },
  {
    api: 'bapi',
    method: 'GET',
    template: '/domains',
    operationId: 'ListDomains',
    handle: ({ state }) => ({ status: 200, body: { data: state.domains.map((domain) => domainJson(state, domain)), total_count: state.domains.length } }),
  },
  { api: 'bapi', method: 'GET', template: '/instance/oauth_application_settings', operationId: 'GetInstanceOAuthApplicationSettings', handle: ({ state }) => ({ status: 200, body: oauthApplicationSettingsJson(state) }) },
  {
    api: 'bapi',
    method: 'PATCH',
    template: '/instance/oauth_application_settings',
    operationId: 'UpdateInstanceOAuthApplicationSettings',
    handle: (context) => {
      const booleans = [
        'dynamic_oauth_client_registration',
        'oauth_jwt_access_tokens',
        'client_id_metadata_documents_advertised',
        'client_id_metadata_documents_only_allow_pre_registered_clients',
        'client_id_metadata_documents_block_implicitly_allowed_clients',
      ];
      const body = objectBody(context, [...booleans, 'default_scopes'], true);
      const settings = context.state.oauth_application_settings;
      applyBooleans(settings, body, booleans);
      expectType(body, 'default_scopes', 'array');
      // "Set to null to reset to Clerk-provided defaults."
      if (body.default_scopes === null) settings.default_scopes = null;
      else if (Array.isArray(body.default_scopes)) settings.default_scopes = [...new Set(body.default_scopes.map(String))];
      return { status: 200, body: oauthApplicationSettingsJson(context.state) };
    },
  },
  {
    api: 'bapi',
    method: 'GET',
    template: '/role_sets',
    operationId: 'ListRoleSets',
    handle: ({ state, query }) => {
      const { limit, offset } = pagination(query);
      const sets = ordered(searched(state.role_sets, query), query);
      return { status: 200, body: { data: sets.slice(offset, offset + limit).map((set) => roleSetJson(state, set)), total_count: sets.length } };
    },
  },
  // Clerk docs, "Rate limits": GET /v1/jwks has no rate limit (server.ts exempts it).
  { api: 'bapi', method: 'GET', template: '/jwks', operationId: 'GetJWKS', handle: () => ({ status: 200, body: { keys: [] } }) },
];

/** Fields PATCH /instance accepts (bapi spec, UpdateInstance): the same closed set clerkguard checks. */
const INSTANCE_PATCH_FIELDS = ['test_mode', 'hibp', 'support_email', 'clerk_js_version', 'development_origin', 'allowed_origins', 'cookieless_dev', 'url_based_session_syncing', 'preferred_sign_in_strategy_when_password_required'];

/**
 * Codes the emulator treats as countries without an SMS tier (uninhabited territories with no
 * phone numbering plan of their own): dropped silently from the blocklist, as the spec says
 * Clerk does for codes it does not recognize as SMS-tier. Clerk's own list is not published.
 */
const NON_SMS_TIER_CODES: readonly string[] = ['AQ', 'BV', 'HM', 'TF', 'UM'];

interface Listed {
  id: string;
  key: string;
  name: string;
  created_at: number;
}

/** `query`: exact id, or a case-insensitive part of the name or key. */
function searched<T extends Listed>(items: readonly T[], query: URLSearchParams): T[] {
  const text = query.get('query');
  if (text === null || text === '') return [...items];
  const lower = text.toLowerCase();
  return items.filter((item) => item.id === text || item.name.toLowerCase().includes(lower) || item.key.toLowerCase().includes(lower));
}

/** `order_by`: created_at, name or key, `+` (default) or `-`; default -created_at. */
function ordered<T extends Listed>(items: T[], query: URLSearchParams): T[] {
  const raw = query.get('order_by') ?? '-created_at';
  const descending = raw.startsWith('-');
  const field = raw.replace(/^[+-]/, '');
  if (!['created_at', 'name', 'key'].includes(field)) throw invalidValue('order_by', 'order_by must be created_at, name or key, optionally prefixed with + or -.');
  // Ties (same millisecond) keep creation order, so -created_at lists the newest first.
  const indexed = items.map((item, index) => ({ item, index }));
  indexed.sort((a, b) => {
    const x = a.item[field as keyof Listed];
    const y = b.item[field as keyof Listed];
    const order = x < y ? -1 : x > y ? 1 : a.index - b.index;
    return descending ? -order : order;
  });
  return indexed.map((entry) => entry.item);
}

function platformInstance(context: RouteContext, applicationId: string): void {
  const { params, state } = context;
  if (params.applicationID !== applicationId) throw notFound(`Application ${params.applicationID}`);
  if (params.envOrInsID !== state.environment_type && params.envOrInsID !== state.instance_id) throw notFound(`Instance ${params.envOrInsID}`);
}

/**
 * The `keys` parameter of the Platform config operations: `style: form`, `explode: true`, an array
 * of strings (platform-beta.yml), so each key is its own `keys=` parameter and a comma is part of
 * a name (which then matches no key), as Clerk's own CLI sends them (cli-core src/lib/plapi.ts
 * appends one `keys` per key).
 */
function keysParam(query: URLSearchParams): string[] {
  return query.getAll('keys').filter((value) => value !== '');
}

/** A Platform API validation error as the Clerk CLI's tests show them (cli-program.test.ts). */
const configError = (code: string, message: string, meta: Record<string, unknown>) => new HttpError(400, clerkError(code, message, message, meta));

/**
 * Applies a PATCH/PUT body to the config; returns the before/after of the touched keys.
 * `null` resets a field (or a whole key) to its default; with destructive=true it clears it
 * (the Platform spec: "allow clearing config keys by setting them to null"; the Clerk CLI:
 * --destructive deletes "rather than just resetting config to defaults").
 */
function applyConfig(context: RouteContext, replace: boolean): RouteResult {
  const { state, query } = context;
  const body = objectBody(context);
  const dryRun = query.get('dry_run') === 'true';
  const destructive = query.get('destructive') === 'true';
  const ifMatch = context.headers['if-match'];
  const current = String(state.platform.version);
  if (typeof ifMatch === 'string' && ifMatch.replace(/"/g, '') !== current) {
    throw new HttpError(409, clerkError('config_version_mismatch', 'config changed', `The config is at version ${current}, not ${ifMatch}. Re-read it and retry.`, { current_version: current }));
  }
  const schema = platformSchema(platformConfigSchemaJson());
  const touched = Object.keys(body).filter((key) => key !== 'config_version');
  for (const key of touched) {
    if (!schema.keys.includes(key)) {
      const close = closestMatch(key, schema.keys);
      throw configError('unknown_config_key', `Unknown key: ${key}`, { param_name: key, suggestions: close ? [close] : [] });
    }
  }
  if (replace) {
    const missing = schema.keys.filter((key) => !(key in body));
    if (missing.length > 0) throw new HttpError(400, clerkError('config_keys_missing', 'missing config keys', `PUT requires every config key; missing: ${missing.join(', ')}.`, { missing_keys: missing }));
  }
  const next = structuredClone(state.platform.config);
  const secrets = { ...state.platform.secrets };
  const before: Record<string, unknown> = {};
  for (const key of touched) {
    const value = body[key];
    before[key] = platformConfigJson(state, [key])[key] ?? null;
    const defaults = PLATFORM_DEFAULTS[key] ?? {};
    if (value === null) {
      if (destructive) delete next[key];
      else next[key] = structuredClone(defaults);
      continue;
    }
    if (typeof value !== 'object' || Array.isArray(value)) throw configError('config_validation_error', `Invalid value for ${key}`, { param_name: key, config_key: key });
    const merged: Record<string, unknown> = replace ? {} : { ...next[key] };
    for (const [field, fieldValue] of Object.entries(value as Record<string, unknown>)) {
      if (fieldValue !== null && typeof fieldValue === 'object' && (fieldValue as { redacted?: unknown }).redacted === true) continue; // echoing a redacted value keeps it
      if (`${key}.${field}` in secrets) {
        if (typeof fieldValue === 'string') secrets[`${key}.${field}`] = fieldValue;
        continue;
      }
      if (fieldValue === null) merged[field] = destructive ? null : (defaults[field] ?? null);
      else merged[field] = fieldValue;
    }
    next[key] = merged;
  }
  // The served schema is the authority on values, as it is for Clerk's validation.
  const served: Record<string, unknown> = {};
  for (const key of touched) if (next[key] !== undefined) served[key] = next[key];
  const problem = schema.validatePatch(served, {})[0];
  if (problem) {
    const root = problem.path.split('.')[0] ?? problem.path;
    throw configError('config_validation_error', `Invalid value for ${problem.path}: ${problem.message}`, { param_name: problem.path, config_key: root });
  }
  // Clerk docs, "Session options": either one or both limits must be enabled at all times.
  const session = next.session;
  if (touched.includes('session') && (session === undefined || (session.lifetime === null && session.inactivity_timeout === null))) {
    throw configError('config_validation_error', 'Invalid value for session: the maximum lifetime and the inactivity timeout cannot both be off', { param_name: 'session', config_key: 'session' });
  }
  const changed = JSON.stringify(next) !== JSON.stringify(state.platform.config) || JSON.stringify(secrets) !== JSON.stringify(state.platform.secrets);
  if (!dryRun && changed) {
    state.platform.config = next;
    state.platform.secrets = secrets;
    state.platform.version++;
  }
  const view = dryRun ? { ...state, platform: { ...state.platform, config: next, secrets } } : state;
  const shownKeys = keysParam(query);
  const after = platformConfigJson(view, shownKeys.length > 0 ? shownKeys : touched);
  delete after.config_version;
  return { status: 200, body: { config_version: String(state.platform.version), dry_run: dryRun, before, after } };
}

/** An application of the emulated workspace besides the emulator's own (discovery, docs/fleet.md). */
export interface WorkspaceApplication {
  application_id: string;
  name: string;
  instances: { instance_id: string; environment_type: 'development' | 'production'; publishable_key?: string; secret_key?: string }[];
}

/** What PlatformListApplications answers: the emulator's own application first, then the rest of the workspace. */
export interface Workspace {
  own: () => WorkspaceApplication;
  others: WorkspaceApplication[];
}

export function platformRoutes(applicationId: string, workspace?: Workspace): Route[] {
  const base = '/platform/applications/{applicationID}/instances/{envOrInsID}/config';
  return [
    {
      api: 'platform',
      method: 'GET',
      template: '/platform/applications',
      operationId: 'PlatformListApplications',
      // PlatformListApplicationsResponse: an array, no paging parameters; secret keys only with
      // include_secret_keys=true (default false), as the spec says.
      handle: ({ query }) => {
        const withSecrets = query.get('include_secret_keys') === 'true';
        const applications = workspace ? [workspace.own(), ...workspace.others] : [];
        return {
          status: 200,
          body: applications.map((application) => ({
            application_id: application.application_id,
            name: application.name,
            instances: application.instances.map(({ secret_key, ...instance }) => ({ ...instance, ...(withSecrets && secret_key !== undefined ? { secret_key } : {}) })),
          })),
        };
      },
    },
    {
      api: 'platform',
      method: 'GET',
      template: base,
      operationId: 'PlatformGetConfig',
      handle: (context) => {
        platformInstance(context, applicationId);
        return { status: 200, body: platformConfigJson(context.state, keysParam(context.query)) };
      },
    },
    {
      api: 'platform',
      method: 'PATCH',
      template: base,
      operationId: 'PlatformPatchConfig',
      handle: (context) => {
        platformInstance(context, applicationId);
        return applyConfig(context, false);
      },
    },
    {
      api: 'platform',
      method: 'PUT',
      template: base,
      operationId: 'PlatformPutConfig',
      handle: (context) => {
        platformInstance(context, applicationId);
        return applyConfig(context, true);
      },
    },
    {
      api: 'platform',
      method: 'GET',
      template: `${base}/schema`,
      operationId: 'PlatformGetConfigSchema',
      handle: (context) => {
        platformInstance(context, applicationId);
        return { status: 200, body: platformConfigSchemaJson(keysParam(context.query)) };
      },
    },
  ];
}

export const FAPI_ROUTES: Route[] = [
  { api: 'fapi', method: 'GET', template: '/v1/environment', operationId: 'getEnvironment', handle: ({ state }) => ({ status: 200, body: environmentJson(state) }) },
];

/** Compiles an OpenAPI path template to a matcher that extracts its parameters. */
export function compileTemplate(template: string): (path: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const pattern = new RegExp(`^${source}$`);
  return (path) => {
    const match = pattern.exec(path);
    if (!match) return undefined;
    return Object.fromEntries(names.map((name, index) => [name, decodeURIComponent(match[index + 1]!)]));
  };
}
