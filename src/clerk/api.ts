/**
 * Read and write access to one Clerk instance.
 *
 * Reads (BAPI, FAPI /v1/environment, Platform config) are raw requests through one validated
 * boundary: a bounded body (size cap, UTF-8, no duplicate keys, nesting ≤ MAX_JSON_DEPTH), then
 * the endpoint's AnswerSchema (answers.ts) before anything reads a field. The SDK cannot offer
 * that (it reads any body whole, cannot be aborted and fills gaps such as a missing `permissions`
 * with []), so it is used for writes only, whose answers pass the same schemas after it
 * deserialized them. Every call runs under the connection's retry policy and the client's
 * total deadline (see http.ts). Methods take and return Clerk's snake_case wire shapes; the
 * mapping to the settings model lives in settings-io.ts.
 *
 * Usage:
 *   const api = createClerkApi(connectionFromEnv(baseline.target, process.env));
 *   const instance = await api.getInstance();
 *   api.gaps;   // fields answers left out: the settings they feed are unverified
 */
import type { ClerkClient } from '@clerk/backend';
import { ClerkguardError } from '../util/errors';
import { type ClerkConnection, secretsOf } from './connection';
import { ANSWERS, checkAnswer, isObject, OAUTH_APPLICATION_SETTINGS_FIELDS, summarizeProblems, type AnswerGap, type AnswerSchema } from './answers';
import {
  type AttemptHooks,
  ClerkApiError,
  ClerkRequestFailure,
  type Endpoint,
  failureFromSdk,
  label,
  malformedResponse,
  parseAnswer,
  rawAttempt,
  rawTextAttempt,
  realSleep,
  type RawRequest,
  type RequestCounter,
  type ResumedRetries,
  type Sleep,
  withRetries,
} from './http';
import { createLimiter, mapLimitThen } from './limit';
import { assertInstanceFields, unconfirmedFields, unconfirmedWrite, WRITABLE_ENROLLMENT_MODES, type Unconfirmed } from './confirm';
import { budgetFor, countRateLimited, NO_TICKET, withGlobalSlot, type BudgetTicket } from './budget';
import type {
  DomainWire,
  FapiEnvironment,
  OAuthApplicationSettingsWire,
  RoleSetWire,
  InstanceCommunication,
  InstanceInfo,
  InstanceProtect,
  InstanceRestrictions,
  JwtTemplateWire,
  OrganizationSettingsWire,
  PermissionWire,
  PlatformApplicationWire,
  PlatformConfig,
  PlatformPatchResult,
  RoleWire,
} from './types';
import { scrubSecrets } from '../settings/redact';
import { pick } from '../util/records';

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
  /**
   * Fields that answers read so far legitimately left out (or answered with a value clerkguard
   * does not know), each with the settings paths it feeds: those paths are unverified.
   */
  readonly gaps: AnswerGap[];

  getInstance(): Promise<InstanceInfo>;
  getProtect(): Promise<InstanceProtect>;
  getCommunication(): Promise<InstanceCommunication>;
  getOrganizationSettings(): Promise<OrganizationSettingsWire>;
  listOrganizationRoles(): Promise<RoleWire[]>;
  listOrganizationPermissions(): Promise<PermissionWire[]>;
  /**
   * With `toValue`, each checked template becomes its value as its page arrives (while later
   * pages are still on their way) instead of after the last page.
   */
  listJwtTemplates(): Promise<JwtTemplateWire[]>;
  /** `onTaken` gets each value in list order, as soon as the pages before it are taken (while later pages are on their way). */
  listJwtTemplates<U>(toValue: (template: JwtTemplateWire) => U, onTaken?: (value: U) => void): Promise<U[]>;
  /** GET /domains: the primary domain and its satellites. */
  listDomains(): Promise<DomainWire[]>;
  getOAuthApplicationSettings(): Promise<OAuthApplicationSettingsWire>;
  listRoleSets(): Promise<RoleSetWire[]>;
  /** FAPI GET /v1/environment; undefined when no frontend API URL is known. */
  getEnvironment(): Promise<FapiEnvironment | undefined>;
  /** Platform config; undefined when no Platform API key / application id is configured. */
  getPlatformConfig(keys?: string[]): Promise<PlatformConfig | undefined>;
  /** The instance's own JSON Schema of its config (optionally only some top-level keys). */
  /**
   * Platform `GET /v1/platform/applications`: the workspace's applications and instances (never
   * their secret keys). Needs only the Platform key and URL of the connection.
   */
  listPlatformApplications(): Promise<PlatformApplicationWire[]>;
  getPlatformConfigSchema(keys?: string[]): Promise<Record<string, unknown> | undefined>;

  updateInstance(update: InstanceUpdate): Promise<void>;
  updateRestrictions(update: Partial<InstanceRestrictions>): Promise<InstanceRestrictions>;
  updateProtect(update: Partial<InstanceProtect>): Promise<InstanceProtect>;
  updateCommunication(update: InstanceCommunication): Promise<InstanceCommunication>;
  updateOrganizationSettings(update: OrganizationSettingsUpdate): Promise<OrganizationSettingsWire>;
  updateOAuthApplicationSettings(update: Partial<OAuthApplicationSettingsWire>): Promise<OAuthApplicationSettingsWire>;

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

  /**
   * PATCH the Platform config with If-Match; a 409 becomes "changed concurrently". Confirmed:
   * every field sent must be reflected in the answer's `after` (also for a dry run).
   */
  patchPlatformConfig(patch: Record<string, unknown>, options: PlatformPatchOptions): Promise<PlatformPatchResult>;
}

export interface ClerkApiOptions {
  sleep?: Sleep;
  /** Epoch ms after which no request starts or continues (default: now + policy.deadlineMs). */
  deadlineAt?: number;
}

export function createClerkApi(connection: ClerkConnection, options: ClerkApiOptions = {}): ClerkApi {
  const sleep = options.sleep ?? realSleep;
  const counter: RequestCounter = { attempts: 0 };
  const gaps: AnswerGap[] = [];
  const policy = connection.policy;
  const deadlineAt = options.deadlineAt ?? Date.now() + policy.deadlineMs;
  // One cap on requests in flight for the whole client: parallel reads that page in parallel
  // stay within the policy's concurrency.
  const clientLimit = createLimiter(policy.concurrency);
  // …and within the process-wide cap, counted as in flight (src/clerk/budget.ts).
  const limit = <T>(task: () => Promise<T>, ahead?: boolean): Promise<T> => clientLimit(() => withGlobalSlot(policy.globalConcurrency, task), ahead);
  // Every client of the same instance in this process draws from one rate budget (Backend API
  // only: the limits of DESIGN.md §2 are the Backend API's, per instance).
  const budget = connection.rateLimit ? budgetFor(`${connection.apiUrl}\n${connection.secretKey}`, connection.rateLimit) : undefined;
  /** One call under the retry policy, the deadline, the caps and (Backend API) the instance's rate budget. */
  const call = <T>(endpoint: Endpoint, run: (signal: AbortSignal) => Promise<T>, resume?: ResumedRetries, ahead = false): Promise<T> => {
    let ticket: BudgetTicket = NO_TICKET;
    const metered = budget !== undefined && endpoint.api === 'bapi';
    const hooks: AttemptHooks = {
      ...(metered ? { admit: async (until: number | undefined) => void (ticket = await budget.acquire(until ?? Infinity)) } : {}),
      settled: () => {
        ticket.release();
        ticket = NO_TICKET;
      },
      onRateLimited: (retryAfterMs) => {
        countRateLimited();
        if (metered) budget.pause(Date.now() + (retryAfterMs ?? 1000));
      },
    };
    return withRetries(
      connection,
      endpoint,
      (signal) =>
        limit(() => {
          // The request counts against the budget from the moment it goes out, not from its grant.
          if (!signal.aborted) ticket.sent();
          return run(signal);
        }, ahead),
      counter,
      sleep,
      deadlineAt,
      hooks,
      resume,
    );
  };

  let sdkClient: ClerkClient | undefined;
  const client = (): ClerkClient => {
    // Required here, not at the top: the SDK is the CLI's largest dependency, and commands that
    // never write to Clerk should not load it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createClerkClient } = require('@clerk/backend') as typeof import('@clerk/backend');
    sdkClient ??= createClerkClient({ secretKey: connection.secretKey, apiUrl: connection.apiUrl, telemetry: { disabled: true } });
    return sdkClient;
  };

  const bapi = (method: string, path: string): Endpoint => ({ api: 'bapi', method, path: `/v1${path}` });

  /** An SDK call (writes) under the retry policy and the deadline. */
  const sdk = <T>(endpoint: Endpoint, run: (sdkClient: ClerkClient) => Promise<T>): Promise<T> =>
    call(endpoint, async () => {
      try {
        return await run(client());
      } catch (error) {
        throw failureFromSdk(error);
      }
    });

  const raw = async <T>(endpoint: Endpoint, request: Omit<RawRequest, 'method' | 'path'>, path = endpoint.path): Promise<T> =>
    (await call(endpoint, (signal) => rawAttempt<T>({ ...request, method: endpoint.method, path }, signal, { maxBodyBytes: policy.maxBodyBytes }))).body;

  /**
   * A list's later page: a GET's 2xx answer as text, under the retry policy, for the caller to
   * parse later (`parsed`): an answer that does not parse then counts as the failure of that one
   * attempt and the retries go on from there, as when the parse is part of the attempt (bapiRaw).
   * It goes ahead of single reads waiting for a slot (createLimiter).
   */
  const bapiText = async (path: string, query: RawRequest['query']): Promise<{ parsed: () => Promise<unknown> }> => {
    const endpoint = bapi('GET', path);
    const request = { base: connection.apiUrl, bearer: connection.secretKey, query, method: 'GET', path: endpoint.path };
    const limits = { maxBodyBytes: policy.maxBodyBytes };
    const { text } = await call(endpoint, (signal) => rawTextAttempt(request, signal, limits), undefined, true);
    return {
      parsed: async () => {
        try {
          return text === undefined ? undefined : parseAnswer<unknown>(text);
        } catch (error) {
          if (!(error instanceof ClerkRequestFailure)) throw error;
          return (await call(endpoint, (signal) => rawAttempt<unknown>(request, signal, limits), { attempts: 1, failure: error }, true)).body;
        }
      },
    };
  };

  const bapiRaw = <T>(method: string, path: string, body?: unknown, query?: RawRequest['query']) =>
    raw<T>(bapi(method, path), { base: connection.apiUrl, bearer: connection.secretKey, ...(body === undefined ? {} : { body }), ...(query ? { query } : {}) });

  /**
   * The boundary: an answer that lacks a required field, or has a field of the wrong type, is
   * an error naming the endpoint and the fields; fields it may leave out are recorded as gaps.
   */
  const answer = <T>(endpoint: Endpoint, schema: AnswerSchema, value: unknown, what?: string): T => {
    const check = checkAnswer(schema.fields, value);
    if (check.problems.length > 0) throw malformedResponse(connection, endpoint, `${what ? `${what}: ` : ''}${summarizeProblems(check.problems)}`);
    for (const gap of check.gaps) gaps.push({ endpoint: label(endpoint), ...gap, field: what ? `${what}.${gap.field}` : gap.field });
    return value as T;
  };

  /**
   * Pages through a list, whether Clerk answers {data,total_count} or an array. With a total,
   * the first page fixes the page size and the remaining pages are fetched in parallel; the
   * list must then hold exactly total_count items. Without one, pages follow until a short
   * page. Either way the walk stops, as an error, past maxListItems or maxListPages, and when
   * an item id comes back twice (a server that ignores offset repeats a page).
   */
  const listAll = async <T extends { id: string }, U = T>(
    path: string,
    schema: AnswerSchema,
    query: RawRequest['query'] = {},
    toValue: (item: T) => U = (item) => item as unknown as U,
    onTaken?: (value: U) => void,
  ): Promise<U[]> => {
    const endpoint = bapi('GET', path);
    const fail = (detail: string) => malformedResponse(connection, endpoint, detail);
    const fetchPage = async (offset: number): Promise<{ items: unknown[]; total?: number }> => pageOf(await bapiRaw<unknown>('GET', path, undefined, { ...query, limit: PAGE_SIZE, offset }));
    const pageOf = (body: unknown): { items: unknown[]; total?: number } => {
      if (Array.isArray(body)) return { items: body };
      if (!isObject(body) || !Array.isArray(body.data)) throw fail('expected a list of items (an array or {data, total_count})');
      const total = body.total_count;
      if (typeof total !== 'number' || !Number.isInteger(total) || total < 0) throw fail('total_count is missing or not a non-negative integer');
      return { items: body.data, total };
    };
    const all: U[] = [];
    const seen = new Set<string>();
    /**
     * Checks a page's items against the schema and turns each into its value (`toValue`) as the
     * page arrives, while later pages are still on their way; its gaps are kept aside until the
     * page's turn.
     */
    const check = (items: readonly unknown[], offset: number): { ids: string[]; values: U[]; gaps: AnswerGap[] } => {
      const pageGaps: AnswerGap[] = [];
      const ids: string[] = [];
      const values = items.map((item, index) => {
        const what = `item ${offset + index}`;
        const result = checkAnswer(schema.fields, item);
        if (result.problems.length > 0) throw malformedResponse(connection, endpoint, `${what}: ${summarizeProblems(result.problems)}`);
        for (const gap of result.gaps) pageGaps.push({ endpoint: label(endpoint), ...gap, field: `${what}.${gap.field}` });
        ids.push((item as T).id);
        return toValue(item as T);
      });
      return { ids, values, gaps: pageGaps };
    };
    /**
     * Adds checked pages in offset order: gaps in order, repeated ids refused, the item cap held;
     * each value goes to `onTaken` in list order as its page is taken.
     */
    const take = (page: { ids: string[]; values: U[]; gaps: AnswerGap[] }, offset: number) => {
      for (const gap of page.gaps) gaps.push(gap);
      page.ids.forEach((id, index) => {
        if (seen.has(id)) throw fail(`item ${id} came back twice (at offset ${offset}): the server repeats pages or ignores offset`);
        seen.add(id);
        const value = page.values[index]!;
        all.push(value);
        onTaken?.(value);
      });
      if (all.length > policy.maxListItems) throw fail(`more than ${policy.maxListItems} items (CLERKGUARD_MAX_LIST_ITEMS)`);
    };
    const first = await fetchPage(0);
    if (first.total !== undefined) {
      const total = first.total;
      if (total > policy.maxListItems) throw fail(`total_count ${total} is more than the limit of ${policy.maxListItems} items (CLERKGUARD_MAX_LIST_ITEMS)`);
      if (first.items.length > total) throw fail(`the first page holds ${first.items.length} items but total_count is ${total}`);
      if (first.items.length === 0 && total > 0) throw fail(`total_count is ${total} but the first page is empty`);
      const step = first.items.length;
      const offsets: number[] = [0];
      for (let offset = step; offset < total; offset += step) offsets.push(offset);
      if (offsets.length > policy.maxListPages) throw fail(`${total} items at ${step} per page need more than ${policy.maxListPages} pages (CLERKGUARD_MAX_LIST_PAGES)`);
      // The later pages are asked for before the first is checked, and each page is checked
      // once its lane has asked for the next one: the checking overlaps the waiting instead of
      // delaying the requests. Pages are taken in offset order, each as soon as every page
      // before it has been, whatever order they came in.
      const checked: ({ ids: string[]; values: U[]; gaps: AnswerGap[] } | undefined)[] = new Array(offsets.length);
      let nextToTake = 0;
      const checkAndTake = (page: { items: unknown[] }, offset: number, index: number) => {
        checked[index] = check(page.items, offset);
        for (let ready = checked[nextToTake]; ready !== undefined; ready = checked[nextToTake]) {
          checked[nextToTake] = undefined;
          take(ready, offsets[nextToTake]!);
          nextToTake++;
        }
      };
      // A later page comes back as text: its lane asks for the next page before it is parsed
      // (an answer that does not parse fails its attempt, retried as ever: bapiText).
      await mapLimitThen(
        offsets,
        policy.concurrency,
        (offset): Promise<{ items: unknown[]; total?: number } | { parsed: () => Promise<unknown> }> => (offset === 0 ? Promise.resolve(first) : bapiText(path, { ...query, limit: PAGE_SIZE, offset })),
        (fetched, offset, index) => ('parsed' in fetched ? fetched.parsed().then((body) => checkAndTake(pageOf(body), offset, index)) : checkAndTake(fetched, offset, index)),
      );
      if (nextToTake !== offsets.length) throw fail(`internal error: ${offsets.length - nextToTake} checked pages were not taken`);
      if (all.length !== total) throw fail(`listed ${all.length} items but total_count is ${total} (the list changed while it was read, or the server pages inconsistently); rerun`);
      return all;
    }
    take(check(first.items, 0), 0);
    let pages = 1;
    for (let items = first.items; items.length >= PAGE_SIZE; ) {
      if (++pages > policy.maxListPages) throw fail(`more than ${policy.maxListPages} pages (CLERKGUARD_MAX_LIST_PAGES)`);
      const offset = all.length;
      ({ items } = await fetchPage(offset));
      take(check(items, offset), offset);
    }
    return all;
  };

  /** A write counts when its own answer reflects every field sent (confirm.ts). */
  const confirm = (endpoint: Endpoint, sent: Record<string, unknown>, answered: unknown, options: { setLike?: readonly string[] } = {}, hint?: string): void => {
    const missing: Unconfirmed[] = unconfirmedFields(sent, answered, options);
    if (missing.length > 0) throw unconfirmedWrite(label(endpoint), connection.environment, missing, hint);
  };

  /** SDK answers to writes, back in wire shape and through the same schemas as reads. */
  const checkedPermission = (endpoint: Endpoint, value: SdkPermission): PermissionWire => permissionFromWire(answer(endpoint, ANSWERS.permission, permissionToWire(value)));
  const checkedRole = (endpoint: Endpoint, value: SdkRole): RoleWire => roleFromWire(answer(endpoint, ANSWERS.role, roleToWire(value)));
  const checkedTemplate = (endpoint: Endpoint, value: SdkJwtTemplate): JwtTemplateWire => jwtTemplateFromWire(answer(endpoint, ANSWERS.jwtTemplate, jwtTemplateToWire(value)));

  /**
   * The Platform API names an instance by environment type or by instance id (platform
   * `PlatformGetConfig` / `PlatformPatchConfig` / `PlatformGetConfigSchema`: "The `envOrInsID`
   * parameter can be either an environment type … or an instance ID"). clerkguard sends the id
   * `GET /v1/instance` answered for the secret key, so Platform credentials of another
   * application cannot answer for this instance: Clerk answers 404 instead of another
   * application's production config. The id is read once per client (an instance's id never
   * changes); any `getInstance` call supplies it.
   */
  let instanceId: Promise<string> | undefined;
  const rememberInstanceId = (read: Promise<InstanceInfo>): void => {
    if (instanceId) return;
    const id = read.then((instance) => instance.id);
    instanceId = id;
    // A failed read is reported by its caller; the next Platform call reads the id again.
    id.catch(() => {
      if (instanceId === id) instanceId = undefined;
    });
  };
  const platformPath = async (suffix = ''): Promise<string> => {
    if (!instanceId) rememberInstanceId(readInstance());
    const id = await instanceId!;
    return `/v1/platform/applications/${encodeURIComponent(connection.platform!.applicationId)}/instances/${encodeURIComponent(id)}/config${suffix}`;
  };
  const readInstance = async (): Promise<InstanceInfo> => {
    const endpoint = bapi('GET', '/instance');
    const instance = answer<{ id: string; environment_type: string; allowed_origins: string[] | null }>(endpoint, ANSWERS.instance, await bapiRaw<unknown>('GET', '/instance'));
    return pick(instance, ['id', 'environment_type', 'allowed_origins']);
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
    gaps,

    getInstance() {
      const read = readInstance();
      rememberInstanceId(read);
      return read;
    },
    async getProtect() {
      const value = answer<InstanceProtect>(bapi('GET', '/instance/protect'), ANSWERS.protect, await bapiRaw<unknown>('GET', '/instance/protect'));
      return pick(value, ['rules_enabled', 'specter_enabled']);
    },
    async getCommunication() {
      const value = answer<InstanceCommunication>(bapi('GET', '/instance/communication'), ANSWERS.communication, await bapiRaw<unknown>('GET', '/instance/communication'));
      return { blocked_country_codes: [...value.blocked_country_codes] };
    },
    async getOrganizationSettings() {
      const endpoint = bapi('GET', '/instance/organization_settings');
      return organizationSettingsFromWire(answer<OrganizationSettingsWire>(endpoint, ANSWERS.organizationSettings, await bapiRaw<unknown>('GET', '/instance/organization_settings')));
    },
    async listOrganizationRoles() {
      return listAll<RoleWire>('/organization_roles', ANSWERS.role, {}, roleFromWire);
    },
    async listOrganizationPermissions() {
      return listAll<PermissionWire>('/organization_permissions', ANSWERS.permission, {}, permissionFromWire);
    },
    listJwtTemplates<U>(toValue?: (template: JwtTemplateWire) => U, onTaken?: (value: U) => void): Promise<U[]> {
      // paginated=true is what @clerk/backend sends: Clerk then answers {data, total_count}.
      return listAll<JwtTemplateWire, U>(
        '/jwt_templates',
        ANSWERS.jwtTemplate,
        { paginated: true },
        // `toValue` reads the answer's item as checked (its unknown fields too): no copy per template.
        (item) => (toValue ? toValue(item) : (jwtTemplateFromWire(item) as U)),
        onTaken,
      );
    },
    async getEnvironment() {
      if (!connection.frontendApiUrl) return undefined;
      const endpoint: Endpoint = { api: 'fapi', method: 'GET', path: '/v1/environment' };
      return answer<FapiEnvironment>(endpoint, ANSWERS.environment, await raw<unknown>(endpoint, { base: connection.frontendApiUrl }));
    },
    async getPlatformConfig(keys) {
      if (!connection.platform) return undefined;
      const query = keys && keys.length > 0 ? { keys } : undefined;
      const endpoint: Endpoint = { api: 'platform', method: 'GET', path: await platformPath() };
      return answer<PlatformConfig>(endpoint, ANSWERS.platformConfig, await raw<unknown>(endpoint, { base: connection.platform.apiUrl, bearer: connection.platform.apiKey, ...(query ? { query } : {}) }));
    },
    async getPlatformConfigSchema(keys) {
      if (!connection.platform) return undefined;
      const endpoint: Endpoint = { api: 'platform', method: 'GET', path: await platformPath('/schema') };
      const query = keys && keys.length > 0 ? { keys } : undefined;
      const schema = answer<Record<string, unknown>>(endpoint, ANSWERS.platformSchema, await raw<unknown>(endpoint, { base: connection.platform.apiUrl, bearer: connection.platform.apiKey, ...(query ? { query } : {}) }));
      return schema;
    },
    async listPlatformApplications() {
      if (!connection.platform) throw new ClerkguardError('listing the workspace needs a Platform API key', { hint: 'set CLERK_PLATFORM_API_KEY (ak_…)' });
      const endpoint: Endpoint = { api: 'platform', method: 'GET', path: '/v1/platform/applications' };
      const body = await raw<unknown>(endpoint, { base: connection.platform.apiUrl, bearer: connection.platform.apiKey });
      if (!Array.isArray(body)) throw malformedResponse(connection, endpoint, 'expected an array of applications');
      if (body.length > policy.maxListItems) throw malformedResponse(connection, endpoint, `more than ${policy.maxListItems} applications (CLERKGUARD_MAX_LIST_ITEMS)`);
      const seen = new Set<string>();
      return body.map((item, index) => {
        const application = answer<PlatformApplicationWire>(endpoint, ANSWERS.platformApplication, item, `item ${index}`);
        if (seen.has(application.application_id)) throw malformedResponse(connection, endpoint, `application ${application.application_id} is listed twice`);
        seen.add(application.application_id);
        // Only what discovery reads: a secret key the answer might carry is never kept.
        return {
          application_id: application.application_id,
          name: application.name,
          instances: application.instances.map((instance) => ({
            instance_id: instance.instance_id,
            environment_type: instance.environment_type,
            ...(typeof instance.publishable_key === 'string' ? { publishable_key: instance.publishable_key } : {}),
          })),
        };
      });
    },
    async listDomains() {
      // ListDomains takes no paging parameters: one answer holds every domain.
      const endpoint = bapi('GET', '/domains');
      const body = await bapiRaw<unknown>('GET', '/domains');
      if (!isObject(body) || !Array.isArray(body.data)) throw malformedResponse(connection, endpoint, 'expected {data, total_count}');
      if (typeof body.total_count !== 'number' || body.total_count !== body.data.length) {
        throw malformedResponse(connection, endpoint, `total_count ${JSON.stringify(body.total_count)} does not match the ${body.data.length} domains listed`);
      }
      if (body.data.length > policy.maxListItems) throw malformedResponse(connection, endpoint, `more than ${policy.maxListItems} items (CLERKGUARD_MAX_LIST_ITEMS)`);
      const names = new Set<string>();
      return body.data.map((item, index) => {
        const domain = answer<DomainWire>(endpoint, ANSWERS.domain, item, `item ${index}`);
        if (names.has(domain.name)) throw malformedResponse(connection, endpoint, `two domains are named ${JSON.stringify(domain.name)}`);
        names.add(domain.name);
        return { id: domain.id, name: domain.name, is_satellite: domain.is_satellite, ...(domain.proxy_url === undefined ? {} : { proxy_url: domain.proxy_url }) };
      });
    },
    async getOAuthApplicationSettings() {
      const endpoint = bapi('GET', '/instance/oauth_application_settings');
      return oauthSettingsFromWire(answer<OAuthApplicationSettingsWire>(endpoint, ANSWERS.oauthApplicationSettings, await bapiRaw<unknown>('GET', '/instance/oauth_application_settings')));
    },
    async listRoleSets() {
      return listAll<RoleSetAnswer & { id: string }, RoleSetWire>('/role_sets', ANSWERS.roleSet, {}, roleSetFromWire);
    },

    async updateInstance(update) {
      // 204 without a body: nothing can confirm this write afterwards, so the fields are checked
      // against the endpoint's closed set before sending (confirm.ts).
      assertInstanceFields(Object.keys(update), connection.environment);
      const params = {
        ...(update.allowed_origins === undefined ? {} : { allowedOrigins: update.allowed_origins }),
        ...(update.test_mode === undefined ? {} : { testMode: update.test_mode }),
        ...(update.hibp === undefined ? {} : { hibp: update.hibp }),
      };
      await sdk(bapi('PATCH', '/instance'), (sdkClient) => sdkClient.instance.update(params));
    },
    async updateRestrictions(update) {
      // Raw: the SDK's InstanceRestrictions drops allowlist_blocklist_disabled_on_sign_in from the
      // answer, so the SDK could not confirm that field.
      const endpoint = bapi('PATCH', '/instance/restrictions');
      const sent = definedFields(update);
      const body = await bapiRaw<unknown>('PATCH', '/instance/restrictions', sent);
      const wire = answer<InstanceRestrictions>(endpoint, ANSWERS.restrictions, body);
      confirm(endpoint, sent, wire);
      return pick(wire, ['allowlist', 'blocklist', 'allowlist_blocklist_disabled_on_sign_in', 'block_email_subaddresses', 'block_disposable_email_domains']);
    },
    async updateProtect(update) {
      const endpoint = bapi('PATCH', '/instance/protect');
      const sent = definedFields(update);
      const value = answer<InstanceProtect>(endpoint, ANSWERS.protect, await bapiRaw<unknown>('PATCH', '/instance/protect', sent));
      confirm(endpoint, sent, value);
      return pick(value, ['rules_enabled', 'specter_enabled']);
    },
    async updateCommunication(update) {
      const endpoint = bapi('PATCH', '/instance/communication');
      const sent = { blocked_country_codes: [...new Set(update.blocked_country_codes)] };
      const value = answer<InstanceCommunication>(endpoint, ANSWERS.communication, await bapiRaw<unknown>('PATCH', '/instance/communication', sent));
      // The spec: "codes that aren't recognized as SMS-tier countries are silently dropped".
      confirm(endpoint, sent, value, { setLike: ['blocked_country_codes'] }, 'Clerk silently drops country codes it does not recognize as SMS-tier countries (bapi-2026-05-12.yml, UpdateInstanceCommunication); remove them from the baseline');
      return { blocked_country_codes: [...value.blocked_country_codes] };
    },
    async updateOrganizationSettings(update) {
      const needsRoles = update.creator_role !== undefined || update.domains_default_role !== undefined;
      const roles = needsRoles ? await rolesByKey() : new Map<string, RoleWire>();
      const idFor = (key: string | undefined, field: string): string | undefined => {
        if (key === undefined) return undefined;
        const role = roles.get(key);
        if (!role) throw new ClerkguardError(`organizations.settings.${field} names role "${key}", which does not exist in environment ${connection.environment}`);
        return role.id;
      };
      // The PATCH accepts the automatic modes only (confirm.ts, WRITABLE_ENROLLMENT_MODES).
      const modes = update.domains_enrollment_modes?.filter((mode) => WRITABLE_ENROLLMENT_MODES.includes(mode));
      const params = {
        ...(update.enabled === undefined ? {} : { enabled: update.enabled }),
        ...(update.max_allowed_memberships === undefined ? {} : { maxAllowedMemberships: update.max_allowed_memberships }),
        ...(update.admin_delete_enabled === undefined ? {} : { adminDeleteEnabled: update.admin_delete_enabled }),
        ...(update.domains_enabled === undefined ? {} : { domainsEnabled: update.domains_enabled }),
        ...(update.slug_disabled === undefined ? {} : { slugDisabled: update.slug_disabled }),
        ...(modes === undefined ? {} : { domainsEnrollmentModes: modes }),
        ...(update.creator_role === undefined ? {} : { creatorRoleId: idFor(update.creator_role, 'creator_role') }),
        ...(update.domains_default_role === undefined ? {} : { domainsDefaultRoleId: idFor(update.domains_default_role, 'domains_default_role') }),
      };
      const endpoint = bapi('PATCH', '/instance/organization_settings');
      const result = await sdk(endpoint, (sdkClient) => sdkClient.instance.updateOrganizationSettings(params));
      const wire = organizationSettingsFromWire(answer(endpoint, ANSWERS.organizationSettings, organizationSettingsToWire(result)));
      // Roles are written by id and answered by key: confirm the keys that were asked for.
      const { domains_enrollment_modes: _modes, ...rest } = update;
      const sent: Record<string, unknown> = { ...definedFields(rest) };
      const answered: Record<string, unknown> = { ...wire };
      if (modes !== undefined) {
        sent.domains_enrollment_modes = modes;
        answered.domains_enrollment_modes = wire.domains_enrollment_modes.filter((mode) => WRITABLE_ENROLLMENT_MODES.includes(mode));
      }
      confirm(endpoint, sent, answered, { setLike: ['domains_enrollment_modes'] });
      return wire;
    },
    async updateOAuthApplicationSettings(update) {
      const endpoint = bapi('PATCH', '/instance/oauth_application_settings');
      const sent = definedFields(update);
      const value = oauthSettingsFromWire(answer<OAuthApplicationSettingsWire>(endpoint, ANSWERS.oauthApplicationSettings, await bapiRaw<unknown>('PATCH', '/instance/oauth_application_settings', sent)));
      confirm(endpoint, sent, value);
      return value;
    },

    async createOrganizationPermission(input) {
      const created = await sdk(bapi('POST', '/organization_permissions'), (sdkClient) =>
        sdkClient.organizationPermissions.createOrganizationPermission({ key: input.key, name: input.name, ...(input.description === undefined ? {} : { description: input.description }) }),
      );
      const checked = checkedPermission(bapi('POST', '/organization_permissions'), created);
      confirm(bapi('POST', '/organization_permissions'), permissionSent(input), checked);
      return checked;
    },
    async updateOrganizationPermission(key, input) {
      const id = await permissionId(key);
      const updated = await sdk(bapi('PATCH', '/organization_permissions/{permission_id}'), (sdkClient) =>
        sdkClient.organizationPermissions.updateOrganizationPermission({
          permissionId: id,
          ...(input.key === undefined ? {} : { key: input.key }),
          ...(input.name === undefined ? {} : { name: input.name }),
          ...(input.description === undefined ? {} : { description: input.description }),
        }),
      );
      const checked = checkedPermission(bapi('PATCH', '/organization_permissions/{permission_id}'), updated);
      confirm(bapi('PATCH', '/organization_permissions/{permission_id}'), permissionSent(input), checked);
      return checked;
    },
    async deleteOrganizationPermission(key) {
      const id = await permissionId(key);
      await sdk(bapi('DELETE', '/organization_permissions/{permission_id}'), (sdkClient) => sdkClient.organizationPermissions.deleteOrganizationPermission(id));
    },
    async createOrganizationRole(input) {
      const permissions = await permissionIds(input.permissions);
      const created = await sdk(bapi('POST', '/organization_roles'), (sdkClient) =>
        sdkClient.organizationRoles.createOrganizationRole({
          key: input.key,
          name: input.name,
          ...(input.description === undefined ? {} : { description: input.description }),
          permissions,
        }),
      );
      const checked = checkedRole(bapi('POST', '/organization_roles'), created);
      confirm(bapi('POST', '/organization_roles'), roleSent(input), roleAnswered(checked), { setLike: ['permissions'] });
      return checked;
    },
    async updateOrganizationRole(key, input) {
      const id = await roleId(key);
      const permissions = input.permissions === undefined ? undefined : await permissionIds(input.permissions);
      const updated = await sdk(bapi('PATCH', '/organization_roles/{organization_role_id}'), (sdkClient) =>
        sdkClient.organizationRoles.updateOrganizationRole({
          organizationRoleId: id,
          ...(input.key === undefined ? {} : { key: input.key }),
          ...(input.name === undefined ? {} : { name: input.name }),
          ...(input.description === undefined ? {} : { description: input.description }),
          ...(permissions === undefined ? {} : { permissions }),
        }),
      );
      const checked = checkedRole(bapi('PATCH', '/organization_roles/{organization_role_id}'), updated);
      confirm(bapi('PATCH', '/organization_roles/{organization_role_id}'), roleSent(input), roleAnswered(checked), { setLike: ['permissions'] });
      return checked;
    },
    async deleteOrganizationRole(key) {
      const id = await roleId(key);
      await sdk(bapi('DELETE', '/organization_roles/{organization_role_id}'), (sdkClient) => sdkClient.organizationRoles.deleteOrganizationRole(id));
    },
    async assignPermissionToRole(roleKey, permissionKey) {
      const [organizationRoleId, permissionIdValue] = await Promise.all([roleId(roleKey), permissionId(permissionKey)]);
      const role = await sdk(bapi('POST', '/organization_roles/{organization_role_id}/permissions/{permission_id}'), (sdkClient) =>
        sdkClient.organizationRoles.assignPermissionToOrganizationRole({ organizationRoleId, permissionId: permissionIdValue }),
      );
      return checkedRole(bapi('POST', '/organization_roles/{organization_role_id}/permissions'), role);
    },
    async removePermissionFromRole(roleKey, permissionKey) {
      const [organizationRoleId, permissionIdValue] = await Promise.all([roleId(roleKey), permissionId(permissionKey)]);
      const role = await sdk(bapi('DELETE', '/organization_roles/{organization_role_id}/permissions/{permission_id}'), (sdkClient) =>
        sdkClient.organizationRoles.removePermissionFromOrganizationRole({ organizationRoleId, permissionId: permissionIdValue }),
      );
      return checkedRole(bapi('DELETE', '/organization_roles/{organization_role_id}/permissions'), role);
    },

    async createJwtTemplate(input) {
      const body = jwtBody(input);
      const checked = checkedTemplate(bapi('POST', '/jwt_templates'), await sdk(bapi('POST', '/jwt_templates'), (sdkClient) => sdkClient.jwtTemplates.create(body)));
      confirm(bapi('POST', '/jwt_templates'), jwtSent(input), checked);
      return checked;
    },
    async updateJwtTemplate(id, input) {
      const body = jwtBody(input);
      const checked = checkedTemplate(
        bapi('PATCH', '/jwt_templates/{template_id}'),
        await sdk(bapi('PATCH', '/jwt_templates/{template_id}'), (sdkClient) => sdkClient.jwtTemplates.update({ templateId: id, ...body })),
      );
      confirm(bapi('PATCH', '/jwt_templates/{template_id}'), jwtSent(input), checked);
      return checked;
    },
    async deleteJwtTemplate(id) {
      await sdk(bapi('DELETE', '/jwt_templates/{template_id}'), (sdkClient) => sdkClient.jwtTemplates.delete(id));
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
        const endpoint: Endpoint = { api: 'platform', method: 'PATCH', path: await platformPath() };
        const result = await raw<unknown>(endpoint, {
          base: connection.platform.apiUrl,
          bearer: connection.platform.apiKey,
          body: patch,
          headers: { 'If-Match': patchOptions.configVersion },
          ...(patchOptions.dryRun ? { query: { dry_run: true } } : {}),
        });
        const checked = answer<PlatformPatchResult>(endpoint, ANSWERS.platformPatch, result ?? {});
        if (!isObject(checked.after)) {
          throw unconfirmedWrite(label(endpoint), connection.environment, unconfirmedFields(patch, undefined), 'the answer carries no `after` (PlatformConfigPatchResponse): the write cannot be confirmed');
        }
        confirm(endpoint, patch, checked.after, {}, 'the Platform API answered without these values in `after`: the instance does not accept them as sent; check them against GET …/config/schema');
        return checked;
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

// SDK objects back to wire shape, without filling gaps, so the answer schemas see what came back.
function permissionToWire(permission: SdkPermission | undefined): unknown {
  return permission && pick(permission, ['id', 'key', 'name', 'description']);
}

function roleToWire(role: SdkRole | undefined): unknown {
  return role && { id: role.id, key: role.key, name: role.name, description: role.description, permissions: Array.isArray(role.permissions) ? role.permissions.map(permissionToWire) : role.permissions };
}

function jwtTemplateToWire(template: SdkJwtTemplate | undefined): unknown {
  return (
    template && {
      id: template.id,
      name: template.name,
      claims: template.claims,
      lifetime: template.lifetime,
      allowed_clock_skew: template.allowedClockSkew,
      custom_signing_key: template.customSigningKey,
      signing_algorithm: template.signingAlgorithm,
    }
  );
}

function organizationSettingsToWire(settings: SdkOrganizationSettings | undefined): unknown {
  return (
    settings && {
      enabled: settings.enabled,
      max_allowed_memberships: settings.maxAllowedMemberships,
      admin_delete_enabled: settings.adminDeleteEnabled,
      domains_enabled: settings.domainsEnabled,
      slug_disabled: settings.slugDisabled,
      domains_enrollment_modes: settings.domainsEnrollmentModes,
      creator_role: settings.creatorRole,
      domains_default_role: settings.domainsDefaultRole,
    }
  );
}

// Checked wire values to the shapes the rest of clerkguard uses (only the fields it reads).
function permissionFromWire(permission: PermissionWire): PermissionWire {
  return pick(permission, ['id', 'key', 'name', 'description']);
}

function roleFromWire(role: RoleWire): RoleWire {
  return { id: role.id, key: role.key, name: role.name, description: role.description ?? null, permissions: role.permissions.map(permissionFromWire) };
}

function jwtTemplateFromWire(template: JwtTemplateWire): JwtTemplateWire {
  return pick(template, ['id', 'name', 'claims', 'lifetime', 'allowed_clock_skew', 'custom_signing_key', 'signing_algorithm']);
}

function organizationSettingsFromWire(settings: OrganizationSettingsWire): OrganizationSettingsWire {
  return {
    enabled: settings.enabled,
    max_allowed_memberships: settings.max_allowed_memberships,
    admin_delete_enabled: settings.admin_delete_enabled,
    domains_enabled: settings.domains_enabled,
    ...(typeof settings.slug_disabled === 'boolean' ? { slug_disabled: settings.slug_disabled } : {}),
    domains_enrollment_modes: [...settings.domains_enrollment_modes],
    creator_role: settings.creator_role,
    domains_default_role: settings.domains_default_role,
  };
}

/** The keys of an update whose value is set: what a write sends and must see confirmed. */
function definedFields(update: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(update).filter(([, value]) => value !== undefined));
}

function permissionSent(input: Partial<PermissionInput>): Record<string, unknown> {
  return definedFields(pick(input, ['key', 'name', 'description']));
}

function roleSent(input: Partial<RoleInput>): Record<string, unknown> {
  return definedFields(pick(input, ['key', 'name', 'description', 'permissions']));
}

/** A role answer in the terms a role input uses: permissions by key. */
function roleAnswered(role: RoleWire): Record<string, unknown> {
  return { key: role.key, name: role.name, description: role.description ?? undefined, permissions: role.permissions.map((permission) => permission.key) };
}

/** What a JWT template write asks Clerk to hold (the signing key is write-only: never compared). */
function jwtSent(input: JwtTemplateInput): Record<string, unknown> {
  return definedFields(pick(input, ['name', 'claims', 'lifetime', 'allowed_clock_skew', 'signing_algorithm', 'custom_signing_key']));
}

function oauthSettingsFromWire(settings: OAuthApplicationSettingsWire): OAuthApplicationSettingsWire {
  return pick(settings, OAUTH_APPLICATION_SETTINGS_FIELDS);
}

type RoleSetAnswer = { key: string; name: string; roles: { key: string }[]; default_role?: { key: string } | null; creator_role?: { key: string } | null };

function roleSetFromWire(set: RoleSetAnswer): RoleSetWire {
  const keyOf = (role: { key: string } | null | undefined) => (role === null ? { value: null } : role === undefined ? undefined : { value: role.key });
  const defaultRole = keyOf(set.default_role);
  const creatorRole = keyOf(set.creator_role);
  return {
    key: set.key,
    name: set.name,
    roles: set.roles.map((role) => role.key),
    ...(defaultRole ? { default_role: defaultRole.value } : {}),
    ...(creatorRole ? { creator_role: creatorRole.value } : {}),
  };
}
