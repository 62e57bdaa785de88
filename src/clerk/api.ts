/**
 * Read and write access to one Clerk instance.
 *
 * Backend API calls go through the real @clerk/backend client; raw fetch is used only for what
 * the SDK lacks (/instance/protect, /instance/communication), for the Frontend API
 * (/v1/environment) and for the Platform API config. Every call runs under the connection's
 * retry policy (see http.ts). Methods take and return Clerk's snake_case wire shapes; the
 * mapping to the settings model lives in settings-io.ts.
 *
 * Usage:
 *   const api = createClerkApi(connectionFromEnv(baseline.target, process.env));
 *   const instance = await api.getInstance();
 */
import type { ClerkClient } from '@clerk/backend';
import { ClerkguardError } from '../util/errors';
import { type ClerkConnection, secretsOf } from './connection';
import {
  ClerkApiError,
  type Endpoint,
  failureFromSdk,
  malformedResponse,
  rawAttempt,
  realSleep,
  type RawRequest,
  type RequestCounter,
  type Sleep,
  withRetries,
} from './http';
import type {
  FapiEnvironment,
  InstanceCommunication,
  InstanceInfo,
  InstanceProtect,
  InstanceRestrictions,
  JwtTemplateWire,
  OrganizationSettingsWire,
  PermissionWire,
  PlatformConfig,
  PlatformPatchResult,
  RoleWire,
} from './types';
import { scrubSecrets } from '../settings/redact';

const PAGE_SIZE = 500;

export interface InstanceUpdate {
  /** Clerk ignores [] and null: origins cannot be cleared through the API. */
  allowed_origins?: string[];
  test_mode?: boolean;
  hibp?: boolean;
}

/** Organization settings as the model holds them: roles by key (mapped to ids for the write). */
export interface OrganizationSettingsUpdate {
  enabled?: boolean;
  max_allowed_memberships?: number;
  admin_delete_enabled?: boolean;
  domains_enabled?: boolean;
  slug_disabled?: boolean;
  domains_enrollment_modes?: string[];
  creator_role?: string;
  domains_default_role?: string;
}

export interface RoleInput {
  key: string;
  name: string;
  description?: string;
  /** Permission keys; mapped to ids for the write. */
  permissions: string[];
}

export interface PermissionInput {
  key: string;
  name: string;
  description?: string;
}

export interface JwtTemplateInput {
  name: string;
  claims: Record<string, unknown>;
  lifetime: number;
  allowed_clock_skew?: number;
  signing_algorithm?: string;
  custom_signing_key?: boolean;
  /**
   * Name of the env var holding the custom signing key (PEM or HS secret). The key is read at
   * call time and sent to Clerk only; it is never logged or returned.
   */
  signing_key_env?: string;
}

export interface PlatformPatchOptions {
  /** config_version from the last read, sent as If-Match. Required: never patch blind. */
  configVersion: string;
  dryRun?: boolean;
}

export interface ClerkApi {
  readonly connection: ClerkConnection;
  /** HTTP attempts made so far (retries included). */
  readonly counter: RequestCounter;

  getInstance(): Promise<InstanceInfo>;
  getProtect(): Promise<InstanceProtect>;
  getCommunication(): Promise<InstanceCommunication>;
  getOrganizationSettings(): Promise<OrganizationSettingsWire>;
  listOrganizationRoles(): Promise<RoleWire[]>;
  listOrganizationPermissions(): Promise<PermissionWire[]>;
  listJwtTemplates(): Promise<JwtTemplateWire[]>;
  /** FAPI GET /v1/environment; undefined when no frontend API URL is known. */
  getEnvironment(): Promise<FapiEnvironment | undefined>;
  /** Platform config; undefined when no Platform API key / application id is configured. */
  getPlatformConfig(keys?: string[]): Promise<PlatformConfig | undefined>;
  getPlatformConfigSchema(): Promise<Record<string, unknown> | undefined>;

  updateInstance(update: InstanceUpdate): Promise<void>;
  updateRestrictions(update: Partial<InstanceRestrictions>): Promise<InstanceRestrictions>;
  updateProtect(update: Partial<InstanceProtect>): Promise<InstanceProtect>;
  updateCommunication(update: InstanceCommunication): Promise<InstanceCommunication>;
  updateOrganizationSettings(update: OrganizationSettingsUpdate): Promise<OrganizationSettingsWire>;

  createOrganizationPermission(input: PermissionInput): Promise<PermissionWire>;
  updateOrganizationPermission(key: string, input: Partial<PermissionInput>): Promise<PermissionWire>;
  deleteOrganizationPermission(key: string): Promise<void>;
  createOrganizationRole(input: RoleInput): Promise<RoleWire>;
  /** Updates name/description/key and replaces the permission set when `permissions` is given. */
  updateOrganizationRole(key: string, input: Partial<RoleInput>): Promise<RoleWire>;
  deleteOrganizationRole(key: string): Promise<void>;
  assignPermissionToRole(roleKey: string, permissionKey: string): Promise<RoleWire>;
  removePermissionFromRole(roleKey: string, permissionKey: string): Promise<RoleWire>;

  createJwtTemplate(input: JwtTemplateInput): Promise<JwtTemplateWire>;
  /** PATCH needs name and claims every time (Clerk requires both). */
  updateJwtTemplate(id: string, input: JwtTemplateInput): Promise<JwtTemplateWire>;
  deleteJwtTemplate(id: string): Promise<void>;
  findJwtTemplate(name: string): Promise<JwtTemplateWire | undefined>;

  /** PATCH the Platform config with If-Match; a 409 becomes "changed concurrently". */
  patchPlatformConfig(patch: Record<string, unknown>, options: PlatformPatchOptions): Promise<PlatformPatchResult>;
}

export interface ClerkApiOptions {
  sleep?: Sleep;
}

export function createClerkApi(connection: ClerkConnection, options: ClerkApiOptions = {}): ClerkApi {
  const sleep = options.sleep ?? realSleep;
  const counter: RequestCounter = { attempts: 0 };
  // Required here, not at the top: the SDK is the CLI's largest dependency, and commands that
  // never call Clerk (check, rules, schema, review diff) should not load it at start-up.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createClerkClient } = require('@clerk/backend') as typeof import('@clerk/backend');
  const client: ClerkClient = createClerkClient({
    secretKey: connection.secretKey,
    apiUrl: connection.apiUrl,
    telemetry: { disabled: true },
  });

  const bapi = (method: string, path: string): Endpoint => ({ api: 'bapi', method, path: `/v1${path}` });

  /** An SDK call under the retry policy. */
  const sdk = <T>(endpoint: Endpoint, call: () => Promise<T>): Promise<T> =>
    withRetries(
      connection,
      endpoint,
      async () => {
        try {
          return await call();
        } catch (error) {
          throw failureFromSdk(error);
        }
      },
      counter,
      sleep,
    );

  const raw = async <T>(endpoint: Endpoint, request: Omit<RawRequest, 'method' | 'path'>): Promise<T> => {
    const response = await withRetries(
      connection,
      endpoint,
      (signal) => rawAttempt<T>({ ...request, method: endpoint.method, path: endpoint.path }, signal),
      counter,
      sleep,
    );
    return response.body;
  };

  const bapiRaw = <T>(method: string, path: string, body?: unknown) =>
    raw<T>(bapi(method, path), { base: connection.apiUrl, bearer: connection.secretKey, ...(body === undefined ? {} : { body }) });

  /**
   * Checks that a read answered the shape clerkguard uses: `problem` returns what is wrong, or
   * undefined. A wrong shape is an error naming the endpoint, never settings with holes.
   */
  const shaped = <T>(endpoint: Endpoint, value: T, problem: (value: T) => string | undefined): T => {
    const wrong = problem(value);
    if (wrong !== undefined) throw malformedResponse(connection, endpoint, wrong);
    return value;
  };

  /**
   * Pages through a list to the end, whether Clerk answers {data,total_count} or an array. With a
   * total the list ends when every item has arrived (a server capping the page size below
   * PAGE_SIZE still pages on); without one, at the first short page.
   */
  const listAll = async <T>(path: string, page: (limit: number, offset: number) => Promise<unknown>, item: (value: T) => string | undefined): Promise<T[]> => {
    const all: T[] = [];
    const endpoint = bapi('GET', path);
    for (let offset = 0; ; ) {
      const result = await sdk(endpoint, () => page(PAGE_SIZE, offset));
      const items = Array.isArray(result) ? (result as unknown[]) : isObject(result) ? (result as { data?: unknown }).data : undefined;
      if (!Array.isArray(items)) throw malformedResponse(connection, endpoint, 'expected a list of items (an array or {data, total_count})');
      const totalRaw = Array.isArray(result) ? undefined : (result as { totalCount?: unknown }).totalCount;
      const total = typeof totalRaw === 'number' && Number.isFinite(totalRaw) ? totalRaw : undefined;
      for (const [index, value] of items.entries()) {
        const wrong = isObject(value) ? item(value as T) : 'not an object';
        if (wrong !== undefined) throw malformedResponse(connection, endpoint, `item ${offset + index}: ${wrong}`);
      }
      // A server that ignores offset would page forever (or count one page twice): stop it.
      const firstId = (items[0] as { id?: unknown } | undefined)?.id;
      if (offset > 0 && firstId !== undefined && firstId === (all[0] as { id?: unknown } | undefined)?.id) {
        throw malformedResponse(connection, endpoint, `offset ${offset} answered the first page again`);
      }
      all.push(...(items as T[]));
      offset += items.length;
      if (items.length === 0 || (total !== undefined ? all.length >= total : items.length < PAGE_SIZE)) return all;
    }
  };

  const platformPath = (suffix = ''): string => {
    const platform = connection.platform!;
    return `/v1/platform/applications/${encodeURIComponent(platform.applicationId)}/instances/${encodeURIComponent(platform.instance)}/config${suffix}`;
  };

  const rolesByKey = async (): Promise<Map<string, RoleWire>> => new Map((await api.listOrganizationRoles()).map((role) => [role.key, role]));
  const permissionIds = async (keys: readonly string[]): Promise<string[]> => {
    if (keys.length === 0) return [];
    const byKey = new Map((await api.listOrganizationPermissions()).map((permission) => [permission.key, permission.id]));
    return keys.map((key) => {
      const id = byKey.get(key);
      if (!id) throw new ClerkguardError(`organization permission "${key}" does not exist in environment ${connection.environment}`, { hint: 'create the permission before assigning it to a role' });
      return id;
    });
  };
  const roleId = async (key: string): Promise<string> => {
    const role = (await rolesByKey()).get(key);
    if (!role) throw new ClerkguardError(`organization role "${key}" does not exist in environment ${connection.environment}`);
    return role.id;
  };
  const permissionId = async (key: string): Promise<string> => (await permissionIds([key]))[0]!;

  const signingKeyFrom = (input: JwtTemplateInput): string | undefined => {
    if (!input.signing_key_env) return undefined;
    const value = process.env[input.signing_key_env];
    if (!value) throw new ClerkguardError(`JWT template "${input.name}" needs its signing key in ${input.signing_key_env}, which is not set`);
    return value;
  };
  const jwtBody = (input: JwtTemplateInput) => {
    const signingKey = signingKeyFrom(input);
    return {
      name: input.name,
      claims: input.claims,
      lifetime: input.lifetime,
      ...(input.allowed_clock_skew === undefined ? {} : { allowedClockSkew: input.allowed_clock_skew }),
      ...(input.custom_signing_key === undefined ? {} : { customSigningKey: input.custom_signing_key }),
      ...(input.signing_algorithm === undefined ? {} : { signingAlgorithm: input.signing_algorithm }),
      ...(signingKey === undefined ? {} : { signingKey }),
    };
  };

  const api: ClerkApi = {
    connection,
    counter,

    async getInstance() {
      const endpoint = bapi('GET', '/instance');
      const instance = shaped(endpoint, await sdk(endpoint, () => client.instance.get()), (value) =>
        !isObject(value) || typeof value.id !== 'string' || typeof value.environmentType !== 'string'
          ? 'expected an instance with id and environment_type'
          : value.allowedOrigins != null && !isStringArray(value.allowedOrigins)
            ? 'allowed_origins is not a list of strings'
            : undefined,
      );
      return { id: instance.id, environment_type: instance.environmentType, allowed_origins: instance.allowedOrigins };
    },
    getProtect: async () =>
      shaped(bapi('GET', '/instance/protect'), await bapiRaw<InstanceProtect>('GET', '/instance/protect'), (value) =>
        isObject(value) && typeof value.rules_enabled === 'boolean' && typeof value.specter_enabled === 'boolean' ? undefined : 'expected rules_enabled and specter_enabled (booleans)',
      ),
    getCommunication: async () =>
      shaped(bapi('GET', '/instance/communication'), await bapiRaw<InstanceCommunication>('GET', '/instance/communication'), (value) =>
        isObject(value) && isStringArray(value.blocked_country_codes) ? undefined : 'expected blocked_country_codes (a list of strings)',
      ),
    async getOrganizationSettings() {
      const endpoint = bapi('GET', '/instance/organization_settings');
      const settings = shaped(endpoint, await sdk(endpoint, () => client.instance.getOrganizationSettings()), (value) =>
        !isObject(value) ||
        typeof value.enabled !== 'boolean' ||
        typeof value.maxAllowedMemberships !== 'number' ||
        typeof value.adminDeleteEnabled !== 'boolean' ||
        typeof value.domainsEnabled !== 'boolean' ||
        (value.domainsEnrollmentModes != null && !isStringArray(value.domainsEnrollmentModes))
          ? 'expected enabled, max_allowed_memberships, admin_delete_enabled, domains_enabled and domains_enrollment_modes'
          : undefined,
      );
      return organizationSettingsFromSdk(settings);
    },
    async listOrganizationRoles() {
      const roles = await listAll<SdkRole>('/organization_roles', (limit, offset) => client.organizationRoles.getOrganizationRoleList({ limit, offset }), (role) =>
        typeof role.id === 'string' && typeof role.key === 'string' && typeof role.name === 'string' && (role.permissions == null || Array.isArray(role.permissions))
          ? undefined
          : 'expected a role with id, key, name and permissions',
      );
      return roles.map(roleFromSdk);
    },
    async listOrganizationPermissions() {
      const permissions = await listAll<SdkPermission>('/organization_permissions', (limit, offset) =>
        client.organizationPermissions.getOrganizationPermissionList({ limit, offset }),
        (permission) => (typeof permission.id === 'string' && typeof permission.key === 'string' && typeof permission.name === 'string' ? undefined : 'expected a permission with id, key and name'),
      );
      return permissions.map(permissionFromSdk);
    },
    async listJwtTemplates() {
      const templates = await listAll<SdkJwtTemplate>('/jwt_templates', (limit, offset) => client.jwtTemplates.list({ limit, offset }), (template) =>
        typeof template.id === 'string' && typeof template.name === 'string' && isObject(template.claims) && typeof template.lifetime === 'number'
          ? undefined
          : 'expected a JWT template with id, name, claims and lifetime',
      );
      return templates.map(jwtTemplateFromSdk);
    },
    async getEnvironment() {
      if (!connection.frontendApiUrl) return undefined;
      const endpoint: Endpoint = { api: 'fapi', method: 'GET', path: '/v1/environment' };
      return shaped(endpoint, await raw<FapiEnvironment>(endpoint, { base: connection.frontendApiUrl }), (value) =>
        !isObject(value) ? 'expected a JSON object' : value.user_settings !== undefined && !isObject(value.user_settings) ? 'user_settings is not an object' : undefined,
      );
    },
    async getPlatformConfig(keys) {
      if (!connection.platform) return undefined;
      const query = keys && keys.length > 0 ? { keys: keys.join(',') } : undefined;
      const endpoint: Endpoint = { api: 'platform', method: 'GET', path: platformPath() };
      return shaped(endpoint, await raw<PlatformConfig>(endpoint, { base: connection.platform.apiUrl, bearer: connection.platform.apiKey, ...(query ? { query } : {}) }), (value) =>
        !isObject(value) ? 'expected a JSON object' : value.config_version !== undefined && typeof value.config_version !== 'string' ? 'config_version is not a string' : undefined,
      );
    },
    async getPlatformConfigSchema() {
      if (!connection.platform) return undefined;
      return raw<Record<string, unknown>>(
        { api: 'platform', method: 'GET', path: platformPath('/schema') },
        { base: connection.platform.apiUrl, bearer: connection.platform.apiKey },
      );
    },

    async updateInstance(update) {
      const params = {
        ...(update.allowed_origins === undefined ? {} : { allowedOrigins: update.allowed_origins }),
        ...(update.test_mode === undefined ? {} : { testMode: update.test_mode }),
        ...(update.hibp === undefined ? {} : { hibp: update.hibp }),
      };
      await sdk(bapi('PATCH', '/instance'), () => client.instance.update(params));
    },
    async updateRestrictions(update) {
      // The SDK's type omits allowlist_blocklist_disabled_on_sign_in; it snake-cases whatever it is given.
      const params = {
        ...(update.allowlist === undefined ? {} : { allowlist: update.allowlist }),
        ...(update.blocklist === undefined ? {} : { blocklist: update.blocklist }),
        ...(update.allowlist_blocklist_disabled_on_sign_in === undefined ? {} : { allowlistBlocklistDisabledOnSignIn: update.allowlist_blocklist_disabled_on_sign_in }),
        ...(update.block_email_subaddresses === undefined ? {} : { blockEmailSubaddresses: update.block_email_subaddresses }),
        ...(update.block_disposable_email_domains === undefined ? {} : { blockDisposableEmailDomains: update.block_disposable_email_domains }),
      };
      const result = await sdk(bapi('PATCH', '/instance/restrictions'), () => client.instance.updateRestrictions(params));
      return {
        allowlist: result.allowlist,
        blocklist: result.blocklist,
        allowlist_blocklist_disabled_on_sign_in: update.allowlist_blocklist_disabled_on_sign_in ?? false,
        block_email_subaddresses: result.blockEmailSubaddresses,
        block_disposable_email_domains: result.blockDisposableEmailDomains,
      };
    },
    updateProtect: (update) => bapiRaw<InstanceProtect>('PATCH', '/instance/protect', update),
    updateCommunication: (update) => bapiRaw<InstanceCommunication>('PATCH', '/instance/communication', { blocked_country_codes: [...new Set(update.blocked_country_codes)] }),
    async updateOrganizationSettings(update) {
      const needsRoles = update.creator_role !== undefined || update.domains_default_role !== undefined;
      const roles = needsRoles ? await rolesByKey() : new Map<string, RoleWire>();
      const idFor = (key: string | undefined, field: string): string | undefined => {
        if (key === undefined) return undefined;
        const role = roles.get(key);
        if (!role) throw new ClerkguardError(`organizations.settings.${field} names role "${key}", which does not exist in environment ${connection.environment}`);
        return role.id;
      };
      const params = {
        ...(update.enabled === undefined ? {} : { enabled: update.enabled }),
        ...(update.max_allowed_memberships === undefined ? {} : { maxAllowedMemberships: update.max_allowed_memberships }),
        ...(update.admin_delete_enabled === undefined ? {} : { adminDeleteEnabled: update.admin_delete_enabled }),
        ...(update.domains_enabled === undefined ? {} : { domainsEnabled: update.domains_enabled }),
        ...(update.slug_disabled === undefined ? {} : { slugDisabled: update.slug_disabled }),
        ...(update.domains_enrollment_modes === undefined ? {} : { domainsEnrollmentModes: update.domains_enrollment_modes }),
        ...(update.creator_role === undefined ? {} : { creatorRoleId: idFor(update.creator_role, 'creator_role') }),
        ...(update.domains_default_role === undefined ? {} : { domainsDefaultRoleId: idFor(update.domains_default_role, 'domains_default_role') }),
      };
      const result = await sdk(bapi('PATCH', '/instance/organization_settings'), () => client.instance.updateOrganizationSettings(params));
      return organizationSettingsFromSdk(result);
    },

    async createOrganizationPermission(input) {
      const created = await sdk(bapi('POST', '/organization_permissions'), () =>
        client.organizationPermissions.createOrganizationPermission({ key: input.key, name: input.name, ...(input.description === undefined ? {} : { description: input.description }) }),
      );
      return permissionFromSdk(created);
    },
    async updateOrganizationPermission(key, input) {
      const id = await permissionId(key);
      const updated = await sdk(bapi('PATCH', '/organization_permissions/{permission_id}'), () =>
        client.organizationPermissions.updateOrganizationPermission({
          permissionId: id,
          ...(input.key === undefined ? {} : { key: input.key }),
          ...(input.name === undefined ? {} : { name: input.name }),
          ...(input.description === undefined ? {} : { description: input.description }),
        }),
      );
      return permissionFromSdk(updated);
    },
    async deleteOrganizationPermission(key) {
      const id = await permissionId(key);
      await sdk(bapi('DELETE', '/organization_permissions/{permission_id}'), () => client.organizationPermissions.deleteOrganizationPermission(id));
    },
    async createOrganizationRole(input) {
      const permissions = await permissionIds(input.permissions);
      const created = await sdk(bapi('POST', '/organization_roles'), () =>
        client.organizationRoles.createOrganizationRole({
          key: input.key,
          name: input.name,
          ...(input.description === undefined ? {} : { description: input.description }),
          permissions,
        }),
      );
      return roleFromSdk(created);
    },
    async updateOrganizationRole(key, input) {
      const id = await roleId(key);
      const permissions = input.permissions === undefined ? undefined : await permissionIds(input.permissions);
      const updated = await sdk(bapi('PATCH', '/organization_roles/{organization_role_id}'), () =>
        client.organizationRoles.updateOrganizationRole({
          organizationRoleId: id,
          ...(input.key === undefined ? {} : { key: input.key }),
          ...(input.name === undefined ? {} : { name: input.name }),
          ...(input.description === undefined ? {} : { description: input.description }),
          ...(permissions === undefined ? {} : { permissions }),
        }),
      );
      return roleFromSdk(updated);
    },
    async deleteOrganizationRole(key) {
      const id = await roleId(key);
      await sdk(bapi('DELETE', '/organization_roles/{organization_role_id}'), () => client.organizationRoles.deleteOrganizationRole(id));
    },
    async assignPermissionToRole(roleKey, permissionKey) {
      const [organizationRoleId, permissionIdValue] = await Promise.all([roleId(roleKey), permissionId(permissionKey)]);
      const role = await sdk(bapi('POST', '/organization_roles/{organization_role_id}/permissions/{permission_id}'), () =>
        client.organizationRoles.assignPermissionToOrganizationRole({ organizationRoleId, permissionId: permissionIdValue }),
      );
      return roleFromSdk(role);
    },
    async removePermissionFromRole(roleKey, permissionKey) {
      const [organizationRoleId, permissionIdValue] = await Promise.all([roleId(roleKey), permissionId(permissionKey)]);
      const role = await sdk(bapi('DELETE', '/organization_roles/{organization_role_id}/permissions/{permission_id}'), () =>
        client.organizationRoles.removePermissionFromOrganizationRole({ organizationRoleId, permissionId: permissionIdValue }),
      );
      return roleFromSdk(role);
    },

    async createJwtTemplate(input) {
      const body = jwtBody(input);
      return jwtTemplateFromSdk(await sdk(bapi('POST', '/jwt_templates'), () => client.jwtTemplates.create(body)));
    },
    async updateJwtTemplate(id, input) {
      const body = jwtBody(input);
      return jwtTemplateFromSdk(await sdk(bapi('PATCH', '/jwt_templates/{template_id}'), () => client.jwtTemplates.update({ templateId: id, ...body })));
    },
    async deleteJwtTemplate(id) {
      await sdk(bapi('DELETE', '/jwt_templates/{template_id}'), () => client.jwtTemplates.delete(id));
    },
    async findJwtTemplate(name) {
      return (await api.listJwtTemplates()).find((template) => template.name === name);
    },

    async patchPlatformConfig(patch, patchOptions) {
      if (!connection.platform) {
        throw new ClerkguardError(`no Platform API access for environment ${connection.environment}`, {
          hint: 'set CLERK_PLATFORM_API_KEY (ak_…) and CLERK_APPLICATION_ID to manage session settings',
        });
      }
      if (!patchOptions.configVersion) throw new ClerkguardError('patchPlatformConfig needs the config_version of the last read (If-Match)');
      try {
        return await raw<PlatformPatchResult>(
          { api: 'platform', method: 'PATCH', path: platformPath() },
          {
            base: connection.platform.apiUrl,
            bearer: connection.platform.apiKey,
            body: patch,
            headers: { 'If-Match': patchOptions.configVersion },
            ...(patchOptions.dryRun ? { query: { dry_run: true } } : {}),
          },
        );
      } catch (error) {
        if (error instanceof ClerkApiError && error.kind === 'conflict') {
          throw new ClerkApiError(
            scrubSecrets(`the Platform config of environment ${connection.environment} changed concurrently (409): it is no longer at version ${patchOptions.configVersion}`, secretsOf(connection)),
            'conflict',
            error.endpoint,
            409,
            'someone changed the instance since it was read; re-read the config and apply again',
          );
        }
        throw error;
      }
    },
  };
  return api;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

type SdkPermission = { id: string; key: string; name: string; description: string };
type SdkRole = { id: string; key: string; name: string; description: string | null; permissions: SdkPermission[] };
type SdkJwtTemplate = { id: string; name: string; claims: object; lifetime: number; allowedClockSkew: number; customSigningKey: boolean; signingAlgorithm: string };
type SdkOrganizationSettings = {
  enabled: boolean;
  maxAllowedMemberships: number;
  adminDeleteEnabled: boolean;
  domainsEnabled: boolean;
  slugDisabled: boolean;
  domainsEnrollmentModes: string[];
  creatorRole: string;
  domainsDefaultRole: string;
};

function permissionFromSdk(permission: SdkPermission): PermissionWire {
  return { id: permission.id, key: permission.key, name: permission.name, description: permission.description ?? '' };
}

function roleFromSdk(role: SdkRole): RoleWire {
  return { id: role.id, key: role.key, name: role.name, description: role.description ?? null, permissions: (role.permissions ?? []).map(permissionFromSdk) };
}

function jwtTemplateFromSdk(template: SdkJwtTemplate): JwtTemplateWire {
  return {
    id: template.id,
    name: template.name,
    claims: template.claims as Record<string, unknown>,
    lifetime: template.lifetime,
    allowed_clock_skew: template.allowedClockSkew,
    custom_signing_key: template.customSigningKey,
    signing_algorithm: template.signingAlgorithm,
  };
}

function organizationSettingsFromSdk(settings: SdkOrganizationSettings): OrganizationSettingsWire {
  return {
    enabled: settings.enabled,
    max_allowed_memberships: settings.maxAllowedMemberships,
    admin_delete_enabled: settings.adminDeleteEnabled,
    domains_enabled: settings.domainsEnabled,
    ...(settings.slugDisabled === undefined ? {} : { slug_disabled: settings.slugDisabled }),
    domains_enrollment_modes: settings.domainsEnrollmentModes ?? [],
    creator_role: settings.creatorRole,
    domains_default_role: settings.domainsDefaultRole,
  };
}
