/**
 * The emulator's endpoints: the subset of Clerk's Backend API, Frontend API and Platform API
 * that clerkguard uses, with Clerk's semantics and quirks:
 * - PATCH /instance ignores an empty or null allowed_origins (origins cannot be cleared);
 * - organization settings are written by role id and read by role key;
 * - JWT template PATCH requires name and claims; lifetime 30..315360000, clock skew 0..300;
 * - Platform config PATCH honours If-Match (409 on a stale version) and dry_run, refuses to
 *   clear keys without destructive=true, and PUT without every key answers 400.
 */
import type { ApiName } from '../clerk/http';
import { newId, nowMs, type EmulatorState } from './state';
import {
  clerkError,
  communicationJson,
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

const unprocessable = (message: string, longMessage: string, meta: Record<string, unknown> = {}) =>
  new HttpError(422, clerkError('form_param_value_invalid', message, longMessage, meta));
const notFound = (what: string) => new HttpError(404, clerkError('resource_not_found', 'not found', `${what} was not found`));

function objectBody(context: RouteContext, allowed?: readonly string[]): Record<string, unknown> {
  const body = context.body;
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, clerkError('request_body_invalid', 'invalid request body', 'The request body must be a JSON object.'));
  if (allowed) {
    for (const key of Object.keys(body)) {
      if (!allowed.includes(key)) throw unprocessable('is unknown', `${key} is not a valid parameter for this request.`, { param_name: key });
    }
  }
  return body as Record<string, unknown>;
}

function expectType(body: Record<string, unknown>, key: string, type: 'boolean' | 'string' | 'number' | 'object' | 'array', nullable = true): void {
  const value = body[key];
  if (value === undefined || (nullable && value === null)) return;
  const ok = type === 'array' ? Array.isArray(value) : type === 'object' ? value !== null && typeof value === 'object' && !Array.isArray(value) : typeof value === type;
  if (!ok) throw unprocessable('is invalid', `${key} must be a ${type}.`, { param_name: key });
}

function pagination(query: URLSearchParams): { limit: number; offset: number } {
  const limit = query.has('limit') ? Number(query.get('limit')) : 10;
  const offset = query.has('offset') ? Number(query.get('offset')) : 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw unprocessable('is invalid', 'limit must be an integer between 1 and 500.', { param_name: 'limit' });
  if (!Number.isInteger(offset) || offset < 0) throw unprocessable('is invalid', 'offset must be a non-negative integer.', { param_name: 'offset' });
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
  if (!Array.isArray(value)) throw unprocessable('is invalid', 'permissions must be an array of permission IDs.', { param_name: 'permissions' });
  return value.map((id) => findPermission(state, String(id)).id);
}

function jwtFields(body: Record<string, unknown>, requireNameAndClaims: boolean) {
  for (const key of ['name', 'claims'] as const) {
    if (requireNameAndClaims && (body[key] === undefined || body[key] === null)) throw unprocessable('is missing', `${key} is required.`, { param_name: key });
  }
  expectType(body, 'name', 'string', false);
  expectType(body, 'claims', 'object', false);
  expectType(body, 'lifetime', 'number');
  expectType(body, 'allowed_clock_skew', 'number');
  expectType(body, 'custom_signing_key', 'boolean', false);
  expectType(body, 'signing_algorithm', 'string');
  expectType(body, 'signing_key', 'string');
  const lifetime = body.lifetime as number | null | undefined;
  if (typeof lifetime === 'number' && (!Number.isInteger(lifetime) || lifetime < 30 || lifetime > 315360000)) throw unprocessable('is invalid', 'lifetime must be between 30 and 315360000 seconds.', { param_name: 'lifetime' });
  const skew = body.allowed_clock_skew as number | null | undefined;
  if (typeof skew === 'number' && (!Number.isInteger(skew) || skew < 0 || skew > 300)) throw unprocessable('is invalid', 'allowed_clock_skew must be between 0 and 300 seconds.', { param_name: 'allowed_clock_skew' });
  if (body.custom_signing_key === true && (!body.signing_key || !body.signing_algorithm)) {
    throw unprocessable('is missing', 'signing_key and signing_algorithm are required when custom_signing_key is true.', { param_name: 'signing_key' });
  }
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
      const body = objectBody(context, ['test_mode', 'hibp', 'support_email', 'clerk_js_version', 'development_origin', 'allowed_origins', 'cookieless_dev', 'url_based_session_syncing', 'preferred_sign_in_strategy_when_password_required']);
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
      applyBooleans(context.state.restrictions, objectBody(context, keys), keys);
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
      applyBooleans(context.state.protect, objectBody(context, keys), keys);
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
      const body = objectBody(context, ['blocked_country_codes']);
      const codes = body.blocked_country_codes;
      if (codes !== undefined && codes !== null) {
        if (!Array.isArray(codes) || codes.some((code) => typeof code !== 'string' || !/^[A-Z]{2}$/.test(code))) {
          throw unprocessable('is invalid', 'blocked_country_codes must be ISO 3166-1 alpha-2 codes in upper case.', { param_name: 'blocked_country_codes' });
        }
        if (new Set(codes).size !== codes.length) throw unprocessable('is invalid', 'blocked_country_codes must not repeat a code.', { param_name: 'blocked_country_codes' });
        context.state.communication.blocked_country_codes = [...codes] as string[];
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
      const body = objectBody(context, ['enabled', 'max_allowed_memberships', 'admin_delete_enabled', 'domains_enabled', 'slug_disabled', 'domains_enrollment_modes', 'creator_role_id', 'domains_default_role_id']);
      const org = context.state.organization_settings;
      applyBooleans(org, body, ['enabled', 'admin_delete_enabled', 'domains_enabled', 'slug_disabled']);
      expectType(body, 'max_allowed_memberships', 'number');
      if (typeof body.max_allowed_memberships === 'number') org.max_allowed_memberships = body.max_allowed_memberships;
      if (body.domains_enrollment_modes !== undefined) {
        const modes = body.domains_enrollment_modes;
        const allowed = ['manual_invitation', 'automatic_invitation', 'automatic_suggestion'];
        if (!Array.isArray(modes) || modes.some((mode) => !allowed.includes(String(mode)))) throw unprocessable('is invalid', `domains_enrollment_modes must be a list of ${allowed.join(', ')}.`, { param_name: 'domains_enrollment_modes' });
        org.domains_enrollment_modes = modes as typeof org.domains_enrollment_modes;
      }
      // Written by role id: a role key here is the classic mistake, and Clerk answers 422.
      for (const [field, target] of [['creator_role_id', 'creator_role_id'], ['domains_default_role_id', 'domains_default_role_id']] as const) {
        const value = body[field];
        if (value === undefined || value === null) continue;
        const role = context.state.roles.find((candidate) => candidate.id === value);
        if (!role) throw unprocessable('is invalid', `${field} must be the ID of an existing organization role, got "${String(value)}".`, { param_name: field });
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
    handle: ({ state, query }) => {
      const { limit, offset } = pagination(query);
      return { status: 200, body: { data: state.roles.slice(offset, offset + limit).map((role) => roleJson(state, role)), total_count: state.roles.length } };
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
      if (typeof body.name !== 'string' || body.name === '') throw unprocessable('is missing', 'name is required.', { param_name: 'name' });
      if (typeof body.key !== 'string' || !ROLE_KEY.test(body.key)) throw unprocessable('is invalid', "key must start with 'org:' followed by lowercase alphanumeric characters and underscores.", { param_name: 'key' });
      if (state.roles.some((role) => role.key === body.key)) throw unprocessable('already exists', `A role with key ${body.key} already exists.`, { param_name: 'key' });
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
        if (!ROLE_KEY.test(body.key)) throw unprocessable('is invalid', "key must start with 'org:'.", { param_name: 'key' });
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
      if (state.organization_settings.creator_role_id === role.id || state.organization_settings.domains_default_role_id === role.id) {
        throw new HttpError(400, clerkError('role_in_use', 'role in use', 'This role is the creator role or the domains default role and cannot be deleted.'));
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
      const body = objectBody(context);
      const { state } = context;
      if (typeof body.name !== 'string' || body.name === '') throw unprocessable('is missing', 'name is required.', { param_name: 'name' });
      if (typeof body.key !== 'string' || !/^org:[a-z0-9_]+:[a-z0-9_]+$/.test(body.key) || body.key.startsWith('org:sys_')) {
        throw unprocessable('is invalid', 'key must look like org:<feature>:<action> and must not use the org:sys_ prefix.', { param_name: 'key' });
      }
      if (state.permissions.some((permission) => permission.key === body.key)) throw unprocessable('already exists', `A permission with key ${body.key} already exists.`, { param_name: 'key' });
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
      const body = objectBody(context);
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
    // The spec answers a plain array (JWTTemplate.List), paginated by limit/offset.
    handle: ({ state, query }) => {
      const { limit, offset } = pagination(query);
      return { status: 200, body: state.jwt_templates.slice(offset, offset + limit).map(jwtTemplateJson) };
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
      if (state.jwt_templates.some((template) => template.name === body.name)) throw unprocessable('already exists', `A JWT template named ${String(body.name)} already exists.`, { param_name: 'name' });
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
];

function platformInstance(context: RouteContext, applicationId: string): void {
  const { params, state } = context;
  if (params.applicationID !== applicationId) throw notFound(`Application ${params.applicationID}`);
  if (params.envOrInsID !== state.environment_type && params.envOrInsID !== state.instance_id) throw notFound(`Instance ${params.envOrInsID}`);
}

function keysParam(query: URLSearchParams): string[] {
  return query.getAll('keys').flatMap((value) => value.split(',')).filter((value) => value !== '');
}

/** Applies a PATCH/PUT body to the config; returns the before/after of the touched keys. */
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
  const known = Object.keys(platformConfigSchemaJson().properties);
  const unknown = Object.keys(body).filter((key) => key !== 'config_version' && !known.includes(key));
  if (unknown.length > 0) throw unprocessable('unknown config key', `Unknown config keys: ${unknown.join(', ')}.`, { keys: unknown });
  if (replace) {
    const missing = known.filter((key) => !(key in body));
    if (missing.length > 0) throw new HttpError(400, clerkError('config_keys_missing', 'missing config keys', `PUT requires every config key; missing: ${missing.join(', ')}.`, { missing_keys: missing }));
  }
  const next = structuredClone(state.platform.config);
  const secrets = { ...state.platform.secrets };
  const before: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'config_version') continue;
    before[key] = platformConfigJson(state, [key])[key] ?? null;
    if (value === null) {
      if (!destructive) throw unprocessable('clearing needs destructive', `Setting ${key} to null clears it; pass destructive=true.`, { key });
      delete next[key];
      continue;
    }
    if (typeof value !== 'object' || Array.isArray(value)) throw unprocessable('is invalid', `${key} must be an object.`, { key });
    const merged: Record<string, unknown> = replace ? {} : { ...next[key] };
    for (const [field, fieldValue] of Object.entries(value as Record<string, unknown>)) {
      if (fieldValue !== null && typeof fieldValue === 'object' && (fieldValue as { redacted?: unknown }).redacted === true) continue; // echoing a redacted value keeps it
      if (`${key}.${field}` in secrets) {
        if (typeof fieldValue === 'string') secrets[`${key}.${field}`] = fieldValue;
        continue;
      }
      if (fieldValue === null && !destructive && !(key === 'session')) throw unprocessable('clearing needs destructive', `Setting ${key}.${field} to null clears it; pass destructive=true.`, { key });
      merged[field] = fieldValue;
    }
    validateSession(key, merged);
    next[key] = merged;
  }
  const changed = JSON.stringify(next) !== JSON.stringify(state.platform.config) || JSON.stringify(secrets) !== JSON.stringify(state.platform.secrets);
  if (!dryRun && changed) {
    state.platform.config = next;
    state.platform.secrets = secrets;
    state.platform.version++;
  }
  const view = dryRun ? { ...state, platform: { ...state.platform, config: next, secrets } } : state;
  const touched = Object.keys(body).filter((key) => key !== 'config_version');
  const after = platformConfigJson(view, touched);
  delete after.config_version;
  return { status: 200, body: { config_version: String(state.platform.version), dry_run: dryRun, before, after } };
}

function validateSession(key: string, value: Record<string, unknown>): void {
  if (key !== 'session') return;
  const ranges: Record<string, [number, number]> = { inactivity_timeout_in_minutes: [1, 525600], maximum_lifetime_in_minutes: [5, 5256000] };
  for (const [field, fieldValue] of Object.entries(value)) {
    const range = ranges[field];
    if (!range) throw unprocessable('unknown field', `session.${field} is not a session setting.`, { key: `session.${field}` });
    if (fieldValue === null) continue;
    if (typeof fieldValue !== 'number' || !Number.isInteger(fieldValue) || fieldValue < range[0] || fieldValue > range[1]) {
      throw unprocessable('is invalid', `session.${field} must be an integer between ${range[0]} and ${range[1]}, or null.`, { key: `session.${field}` });
    }
  }
}

export function platformRoutes(applicationId: string): Route[] {
  const base = '/platform/applications/{applicationID}/instances/{envOrInsID}/config';
  return [
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
        return { status: 200, body: platformConfigSchemaJson() };
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
