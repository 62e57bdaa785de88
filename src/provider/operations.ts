/**
 * Create, read, update and delete for every kind, on top of src/clerk's API client.
 *
 * Conventions shared by all kinds:
 * - Properties (outputs) hold exactly the managed keys, in the model's names, so a refresh
 *   that finds a dashboard edit changes exactly the edited property.
 * - Writes send only the keys whose value differs (Clerk's JWT PATCH also needs name and
 *   claims, so those two always go along).
 * - Singletons are adopted on create and forgotten on delete; collections (templates, roles,
 *   permissions) adopt an existing object of the same name/key on create and are deleted on
 *   delete.
 */
import type { ClerkApi, JwtTemplateInput } from '../clerk/api';
import { applyEnvironment, jwtTemplateToModel, permissionsToModel, rolesToModel, sessionLifetimeFromPlatform, writePlatformConfig } from '../clerk/settings-io';
import { platformSchema } from '../clerk/platform-schema';
import { DEFAULT_ROLE_KEYS, PLATFORM_SESSION_KEY, PLATFORM_SESSION_LIFETIME_FIELD, isSystemPermission, type JwtTemplateWire } from '../clerk/types';
import { WRITABLE_ENROLLMENT_MODES } from '../clerk/confirm';
import type { EvidenceSource, Settings } from '../settings/model';
import { ClerkguardError } from '../util/errors';
import { changedKeys, pick, projectDeep, type Props } from './compare';
import type { KindName } from './kinds';

export interface CreateOutcome {
  id: string;
  outs: Props;
  /** For the log: an existing object was adopted instead of created. */
  note?: string;
}

/**
 * Live properties, or undefined when the object no longer exists. `warning` says which managed
 * keys the configured APIs could not show: they keep their last applied value, so a refresh
 * cannot detect drift in them, and the user is told so instead of seeing a silent "no change".
 */
export type ReadOutcome = { id: string; props: Props; warning?: string } | undefined;

export interface KindOperations {
  /**
   * Run while Pulumi diffs a changed resource (preview and up): a server-side dry run where
   * Clerk offers one, so `pulumi preview` fails on a write Clerk would refuse or drop.
   */
  preview?(api: ClerkApi, olds: Props, news: Props): Promise<void>;
  create(api: ClerkApi, inputs: Props): Promise<CreateOutcome>;
  read(api: ClerkApi, id: string, props: Props): Promise<ReadOutcome>;
  update(api: ClerkApi, id: string, olds: Props, news: Props): Promise<Props>;
  /** Returns a sentence for the log when the delete only forgets the object (or it was gone). */
  remove(api: ClerkApi, id: string, props: Props): Promise<string | undefined>;
}

/** Output properties that are bookkeeping, not settings: never compared, never inputs. */
export const OUTPUT_ONLY_KEYS: readonly string[] = ['config_version', 'clerk_id'];

function managedKeys(props: Props): string[] {
  return Object.keys(props).filter((key) => !OUTPUT_ONLY_KEYS.includes(key) && key !== '__provider');
}

/**
 * Live values projected onto the managed keys. A managed key the live source did not return
 * (for example a Frontend API value when no publishable key is configured) keeps its last
 * known value rather than showing up as a permanent change.
 */
function projected(live: Props, props: Props): Props {
  const out: Props = {};
  for (const key of managedKeys(props)) out[key] = live[key] !== undefined ? live[key] : props[key];
  return out;
}

function goneMessage(what: string): string {
  return `clerkguard: ${what} no longer exists in Clerk; removed from the stack.`;
}

/** Default roles and system permissions exist in every instance; Clerk does not delete them. */
function builtInMessage(what: string): string {
  return `clerkguard: ${what} is built into every Clerk instance: removed from the stack only; Clerk keeps it.`;
}

/** Names managed keys the live read did not return (see ReadOutcome). */
function unreadWarning(api: ClerkApi, what: string, usesFrontendApi: boolean, live: Props, props: Props): string | undefined {
  const unread = managedKeys(props).filter((key) => live[key] === undefined);
  if (unread.length === 0) return undefined;
  const reason =
    usesFrontendApi && !api.connection.frontendApiUrl
      ? 'they are read from the Frontend API, whose host is not configured (pulumi config set clerkguard:publishableKey pk_live_... or clerkguard:frontendApiUrl)'
      : 'Clerk did not return them';
  return `clerkguard: ${what}: ${unread.join(', ')} could not be read: ${reason}. Their last applied values are kept, so drift in them is not detected.`;
}

/**
 * Collections created by hand (or by another tool) before the stack existed are taken over, not
 * created a second time (Clerk would answer "already exists"). Said once, because destroy will
 * now delete an object the stack did not create.
 */
function adoptedMessage(what: string, id: string, changed: readonly string[]): string {
  const update = changed.length > 0 ? `updated ${changed.join(', ')} to the baseline` : 'already matched the baseline';
  return `clerkguard: adopted the existing ${what} (${id}) into the stack: ${update}. pulumi destroy deletes it like one the stack created.`;
}

function forgetMessage(what: string): string {
  return `clerkguard: ${what}: removed from the stack only. Singleton settings are never reset to defaults on delete; the Clerk instance keeps its current values.`;
}

// ---------------------------------------------------------------------------------------------
// Singleton settings on the Backend and Frontend APIs.

async function readEnvironmentSettings(api: ClerkApi): Promise<Settings> {
  const environment = await api.getEnvironment();
  const settings: Settings = {};
  if (environment) applyEnvironment(settings, {} as Record<string, EvidenceSource>, environment);
  return settings;
}

/**
 * A singleton group. `write` sends the changed keys and returns them as Clerk's answer confirmed
 * them (src/clerk checks every field sent against the answer and fails naming a dropped one), so
 * the state holds confirmed values, not what clerkguard meant to write.
 */
function singleton(
  kind: KindName,
  id: string,
  what: string,
  readLive: (api: ClerkApi) => Promise<Props>,
  write: (api: ClerkApi, changes: Props) => Promise<Props>,
  usesFrontendApi = false,
): KindOperations {
  const adopt = async (api: ClerkApi, current: Props, desired: Props): Promise<Props> => {
    const changed = changedKeys(kind, current, desired);
    const confirmed = changed.length > 0 ? pick(await write(api, pick(desired, changed)), changed) : {};
    const unchanged = Object.keys(desired).filter((key) => !changed.includes(key));
    return { ...pick(current, unchanged), ...confirmed };
  };
  return {
    async create(api, inputs) {
      const live = await readLive(api);
      return { id, outs: await adopt(api, live, inputs) };
    },
    async read(api, readId, props) {
      const live = await readLive(api);
      const warning = unreadWarning(api, what, usesFrontendApi, live, props);
      return { id: readId, props: projected(live, props), ...(warning ? { warning } : {}) };
    },
    async update(api, _id, olds, news) {
      return adopt(api, olds, news);
    },
    async remove() {
      return forgetMessage(what);
    },
  };
}

const instanceSettings = singleton(
  'InstanceSettings',
  'instance',
  'instance settings (allowed origins, test mode, HIBP)',
  async (api) => {
    const [instance, environment] = await Promise.all([api.getInstance(), readEnvironmentSettings(api)]);
    return {
      allowed_origins: [...(instance.allowed_origins ?? [])],
      ...(environment.instance?.test_mode === undefined ? {} : { test_mode: environment.instance.test_mode }),
      ...(environment.instance?.hibp === undefined ? {} : { hibp: environment.instance.hibp }),
    };
  },
  async (api, changes) => {
    if (Array.isArray(changes.allowed_origins) && changes.allowed_origins.length === 0) {
      throw new ClerkguardError('allowed_origins cannot be emptied: Clerk ignores an empty list');
    }
    // 204 without a body: the fields were checked against the endpoint's closed set before
    // sending (src/clerk/confirm.ts); nothing after the write can confirm them.
    await api.updateInstance(changes);
    return changes;
  },
  true,
);

const restrictions = singleton(
  'Restrictions',
  'restrictions',
  'sign-up restrictions',
  async (api) => ({ ...((await readEnvironmentSettings(api)).restrictions ?? {}) }),
  async (api, changes) => ({ ...(await api.updateRestrictions(changes)) }),
  true,
);

const protect = singleton(
  'Protect',
  'protect',
  'Clerk Protect settings',
  async (api) => ({ ...(await api.getProtect()) }),
  async (api, changes) => ({ ...(await api.updateProtect(changes)) }),
);

const smsCountryBlocklist = singleton(
  'SmsCountryBlocklist',
  'communication',
  'the SMS country blocklist',
  async (api) => ({ blocked_country_codes: [...(await api.getCommunication()).blocked_country_codes] }),
  async (api, changes) => ({ ...(await api.updateCommunication({ blocked_country_codes: changes.blocked_country_codes as string[] })) }),
);

const organizationSettings = singleton(
  'OrganizationSettings',
  'organization_settings',
  'organization settings',
  async (api) => writableModes({ ...(await api.getOrganizationSettings()) }),
  async (api, changes) => writableModes({ ...(await api.updateOrganizationSettings(changes)) }),
);

/**
 * The PATCH writes the automatic enrollment modes only (bapi spec); `manual_invitation` is
 * read-only, so the resource manages the automatic ones and `clerkguard drift` compares the rest.
 */
function writableModes(settings: Props): Props {
  const modes = settings.domains_enrollment_modes;
  return Array.isArray(modes) ? { ...settings, domains_enrollment_modes: modes.filter((mode) => WRITABLE_ENROLLMENT_MODES.includes(String(mode))) } : settings;
}

const oauthApplicationSettings = singleton(
  'OAuthApplicationSettings',
  'oauth_application_settings',
  'OAuth application settings',
  async (api) => ({ ...(await api.getOAuthApplicationSettings()) }),
  async (api, changes) => ({ ...(await api.updateOAuthApplicationSettings(changes)) }),
);

// ---------------------------------------------------------------------------------------------
// Collections: permissions, roles, JWT templates.

const organizationPermission: KindOperations = {
  async create(api, inputs) {
    const key = String(inputs.key);
    const existing = (await api.listOrganizationPermissions()).find((permission) => permission.key === key);
    const desired = { key, name: inputs.name as string, ...(inputs.description === undefined ? {} : { description: inputs.description as string }) };
    if (!existing) {
      const created = await api.createOrganizationPermission(desired);
      return { id: created.id, outs: desired };
    }
    const live = { key, ...permissionsToModel([existing])[key] };
    const changed = changedKeys('OrganizationPermission', live, desired);
    if (changed.length > 0) await api.updateOrganizationPermission(key, pick(desired, changed));
    return { id: existing.id, outs: desired, note: adoptedMessage(`organization permission "${key}"`, existing.id, changed) };
  },
  async read(api, id, props) {
    const all = await api.listOrganizationPermissions();
    const found = all.find((permission) => permission.id === id) ?? all.find((permission) => permission.key === props.key);
    if (!found) return undefined;
    const live: Props = { key: found.key, ...permissionsToModel([found])[found.key] };
    return { id: found.id, props: projectedWithOptional(live, props, ['description']) };
  },
  async update(api, _id, olds, news) {
    const changed = changedKeys('OrganizationPermission', olds, news);
    if (changed.length > 0) await api.updateOrganizationPermission(String(olds.key ?? news.key), pick(news, changed));
    return pick(news, Object.keys(news));
  },
  async remove(api, _id, props) {
    const key = String(props.key);
    if (isSystemPermission(key)) return builtInMessage(`system permission "${key}"`);
    // Deleted in the dashboard already: the goal of the delete is met, so destroy goes on.
    if (!(await api.listOrganizationPermissions()).some((permission) => permission.key === key)) return goneMessage(`organization permission "${key}"`);
    await api.deleteOrganizationPermission(key);
    return undefined;
  },
};

/** Like projected(), but an optional key the baseline sets and Clerk reports empty is a change. */
function projectedWithOptional(live: Props, props: Props, optional: readonly string[]): Props {
  const out = projected(live, props);
  for (const key of optional) if (props[key] !== undefined && live[key] === undefined) out[key] = '';
  return out;
}

const organizationRole: KindOperations = {
  async create(api, inputs) {
    const key = String(inputs.key);
    const desired = {
      key,
      name: inputs.name as string,
      ...(inputs.description === undefined ? {} : { description: inputs.description as string }),
      permissions: (inputs.permissions as string[] | undefined) ?? [],
    };
    const existing = (await api.listOrganizationRoles()).find((role) => role.key === key);
    if (!existing) {
      const created = await api.createOrganizationRole(desired);
      return { id: created.id, outs: desired };
    }
    const live = { key, ...rolesToModel([existing])[key] };
    const changed = changedKeys('OrganizationRole', live, desired);
    if (changed.length > 0) await api.updateOrganizationRole(key, pick(desired, changed));
    return { id: existing.id, outs: desired, note: adoptedMessage(`organization role "${key}"`, existing.id, changed) };
  },
  async read(api, id, props) {
    const all = await api.listOrganizationRoles();
    const found = all.find((role) => role.id === id) ?? all.find((role) => role.key === props.key);
    if (!found) return undefined;
    const model = rolesToModel([found])[found.key];
    const live: Props = { key: found.key, ...(model ?? { name: found.name, permissions: found.permissions.map((permission) => permission.key) }) };
    return { id: found.id, props: projectedWithOptional(live, props, ['description']) };
  },
  async update(api, _id, olds, news) {
    const changed = changedKeys('OrganizationRole', olds, news);
    if (changed.length > 0) await api.updateOrganizationRole(String(olds.key ?? news.key), pick(news, changed));
    return pick(news, Object.keys(news));
  },
  async remove(api, _id, props) {
    const key = String(props.key);
    if (DEFAULT_ROLE_KEYS.includes(key)) return builtInMessage(`default role "${key}"`);
    if (!(await api.listOrganizationRoles()).some((role) => role.key === key)) return goneMessage(`organization role "${key}"`);
    await api.deleteOrganizationRole(key);
    return undefined;
  },
};

/**
 * src/clerk reads a custom signing key from an env var named in the input (so keys never pass
 * through files). The provider holds the key as a (secret) input instead, so it lends it to
 * the call through a process-private env var that is removed right after.
 */
async function withSigningKey<T>(signingKey: unknown, call: (signingKeyEnv: string | undefined) => Promise<T>): Promise<T> {
  if (typeof signingKey !== 'string' || signingKey === '') return call(undefined);
  const name = `CLERKGUARD_PROVIDER_SIGNING_KEY_${process.pid}_${Math.random().toString(36).slice(2)}`;
  process.env[name] = signingKey;
  try {
    return await call(name);
  } finally {
    delete process.env[name];
  }
}

const JWT_KEYS = ['name', 'claims', 'lifetime', 'allowed_clock_skew', 'signing_algorithm', 'custom_signing_key'] as const;

function jwtInput(props: Props, keys: readonly string[], signingKeyEnv: string | undefined): JwtTemplateInput {
  // Clerk's PATCH requires name and claims (and the client type requires lifetime) every time.
  const input: Record<string, unknown> = { name: props.name, claims: props.claims, lifetime: props.lifetime };
  for (const key of keys) if (props[key] !== undefined && (JWT_KEYS as readonly string[]).includes(key)) input[key] = props[key];
  if (signingKeyEnv) input.signing_key_env = signingKeyEnv;
  return input as unknown as JwtTemplateInput;
}

function jwtLive(template: JwtTemplateWire): Props {
  return { name: template.name, ...jwtTemplateToModel(template) };
}

/**
 * Clerk rejects a custom signing key setting without the key. Said before any request, with
 * the stack config that provides it, instead of as Clerk's 422.
 */
function requireSigningKey(props: Props, liveCustomKey: boolean): void {
  if (props.custom_signing_key !== true || liveCustomKey || (typeof props.signing_key === 'string' && props.signing_key !== '')) return;
  const name = String(props.name);
  throw new ClerkguardError(`JWT template "${name}" sets custom_signing_key, but no signing key is configured for it`, {
    hint: `pulumi config set --secret --path 'clerkguard:jwtSigningKeys.${name}' <signing key>`,
  });
}

function jwtOuts(news: Props): Props {
  return pick(news, Object.keys(news));
}

const jwtTemplate: KindOperations = {
  async create(api, inputs) {
    const existing = await api.findJwtTemplate(String(inputs.name));
    requireSigningKey(inputs, existing?.custom_signing_key === true);
    if (!existing) {
      const created = await withSigningKey(inputs.signing_key, (env) => api.createJwtTemplate(jwtInput(inputs, Object.keys(inputs), env)));
      return { id: created.id, outs: jwtOuts(inputs) };
    }
    const changed = changedKeys('JwtTemplate', jwtLive(existing), inputs);
    const sendKey = changed.includes('signing_key') || inputs.signing_key !== undefined;
    const updateKeys = changed.filter((key) => key !== 'signing_key');
    if (updateKeys.length > 0 || sendKey) {
      await withSigningKey(sendKey ? inputs.signing_key : undefined, (env) => api.updateJwtTemplate(existing.id, jwtInput(inputs, updateKeys, env)));
    }
    const sent = sendKey ? [...updateKeys, 'signing_key'] : updateKeys;
    return { id: existing.id, outs: jwtOuts(inputs), note: adoptedMessage(`JWT template "${String(inputs.name)}"`, existing.id, sent) };
  },
  async read(api, id, props) {
    const all = await api.listJwtTemplates();
    const found = all.find((template) => template.id === id) ?? all.find((template) => template.name === props.name);
    if (!found) return undefined;
    // The signing key is write-only in Clerk: keep the state's (secret) value.
    const live = { ...jwtLive(found), ...(props.signing_key === undefined ? {} : { signing_key: props.signing_key }) };
    return { id: found.id, props: projected(live, props) };
  },
  async update(api, id, olds, news) {
    const changed = changedKeys('JwtTemplate', olds, news);
    requireSigningKey(news, olds.custom_signing_key === true);
    const sendKey = changed.includes('signing_key');
    const updateKeys = changed.filter((key) => key !== 'signing_key');
    if (updateKeys.length > 0 || sendKey) {
      await withSigningKey(sendKey ? news.signing_key : undefined, (env) => api.updateJwtTemplate(id, jwtInput(news, updateKeys, env)));
    }
    return jwtOuts(news);
  },
  async remove(api, id, props) {
    if (!(await api.listJwtTemplates()).some((template) => template.id === id)) return goneMessage(`JWT template "${String(props.name ?? id)}"`);
    await api.deleteJwtTemplate(id);
    return undefined;
  },
};

// ---------------------------------------------------------------------------------------------
// The Platform API config: the typed maximum session lifetime (`session.lifetime`, seconds) and
// any raw keys of the baseline's `platform_config`, in one resource with one config_version.

/** The Platform PATCH for the groups whose desired value differs from `live` (changed fields only). */
export function platformPatch(live: Props, desired: Props): Record<string, Record<string, unknown>> {
  const patch: Record<string, Record<string, unknown>> = {};
  const wantedSession = desired.session as Props | undefined;
  const liveSession = (live.session ?? {}) as Props;
  if (wantedSession?.maximum_lifetime_minutes !== undefined && liveSession.maximum_lifetime_minutes !== wantedSession.maximum_lifetime_minutes) {
    patch[PLATFORM_SESSION_KEY] = { [PLATFORM_SESSION_LIFETIME_FIELD]: (wantedSession.maximum_lifetime_minutes as number) * 60 };
  }
  const wantedRaw = (desired.platform_config ?? {}) as Record<string, Props>;
  const liveRaw = (live.platform_config ?? {}) as Record<string, Props>;
  for (const key of Object.keys(wantedRaw)) {
    const changes = changedFields(liveRaw[key] ?? {}, wantedRaw[key] ?? {});
    if (Object.keys(changes).length > 0) patch[key] = { ...patch[key], ...changes };
  }
  return patch;
}

/** Only the fields whose value differs, nested objects included (never a whole-key replace). */
function changedFields(live: Props, desired: Props): Props {
  const out: Props = {};
  for (const key of Object.keys(desired)) {
    const wanted = desired[key];
    const current = live[key];
    if (isPlain(wanted) && isPlain(current)) {
      const nested = changedFields(current, wanted);
      if (Object.keys(nested).length > 0) out[key] = nested;
    } else if (!deepEqualValue(current, wanted)) out[key] = wanted;
  }
  return out;
}

function isPlain(value: unknown): value is Props {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function deepEqualValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b) || (isPlain(a) && isPlain(b) && Object.keys({ ...a, ...b }).every((key) => deepEqualValue(a[key], b[key])));
}

/** The Platform config keys a resource's props touch. */
function platformKeys(props: Props): string[] {
  return [...new Set([...(props.session !== undefined ? [PLATFORM_SESSION_KEY] : []), ...Object.keys((props.platform_config ?? {}) as Props)])];
}

/** Live values in the resource's shape: typed session (minutes) and raw keys as Clerk has them. */
async function readPlatform(api: ClerkApi, props: Props): Promise<{ version: string | undefined; live: Props }> {
  const keys = platformKeys(props);
  const [config, schemaDocument] = await Promise.all([api.getPlatformConfig(keys), api.getPlatformConfigSchema(keys)]);
  if (!config) {
    throw new ClerkguardError(`the Platform config of environment ${api.connection.environment} (${keys.join(', ')}) can only be managed through the Platform API`, {
      hint: 'pulumi config set --secret clerkguard:platformApiKey ak_… and pulumi config set clerkguard:applicationId app_…',
    });
  }
  const live: Props = {};
  if (props.session !== undefined) {
    const lifetime = sessionLifetimeFromPlatform(config, schemaDocument ? platformSchema(schemaDocument) : undefined);
    live.session = lifetime.minutes === undefined ? {} : { maximum_lifetime_minutes: lifetime.minutes };
  }
  if (props.platform_config !== undefined) {
    const raw: Props = {};
    for (const key of Object.keys(props.platform_config as Props)) if (isPlain(config[key])) raw[key] = config[key];
    live.platform_config = raw;
  }
  return { version: config.config_version, live };
}

/** Confirmed values: what the PATCH answer's `after` holds, in the resource's shape. */
function confirmedOuts(desired: Props, before: Props, after: Record<string, unknown>, version: string | undefined): Props {
  const out: Props = {};
  if (desired.session !== undefined) {
    const session = after[PLATFORM_SESSION_KEY];
    const seconds = isPlain(session) ? session[PLATFORM_SESSION_LIFETIME_FIELD] : undefined;
    out.session = typeof seconds === 'number' ? { maximum_lifetime_minutes: seconds / 60 } : (before.session ?? desired.session);
  }
  if (desired.platform_config !== undefined) {
    const raw: Props = {};
    for (const [key, wanted] of Object.entries(desired.platform_config as Props)) {
      const source = isPlain(after[key]) ? after[key] : ((before.platform_config as Props | undefined)?.[key] ?? wanted);
      raw[key] = projectDeep(source, wanted);
    }
    out.platform_config = raw;
  }
  return { ...out, ...(version ? { config_version: version } : {}) };
}

/**
 * One PATCH for every changed group, If-Match of the version last read, validated first against
 * the instance's own config schema, confirmed from the answer's `after` (settings-io.ts).
 */
async function applyPlatform(api: ClerkApi, live: Props, desired: Props, configVersion: string | undefined, dryRun = false): Promise<Props> {
  const patch = platformPatch(live, desired);
  if (Object.keys(patch).length === 0) return confirmedOuts(desired, live, {}, configVersion);
  if (!configVersion) throw new ClerkguardError('the Platform config read carried no config_version to send as If-Match');
  try {
    const result = await writePlatformConfig(api, patch, { configVersion, dryRun });
    return confirmedOuts(desired, live, result.after, result.configVersion ?? configVersion);
  } catch (error) {
    if (error instanceof ClerkguardError && /changed concurrently|\b(409|412)\b|precondition/i.test(error.message)) {
      throw new ClerkguardError(
        `the ${Object.keys(patch).join(', ')} settings were not written: the Platform config changed since clerkguard last read it (If-Match ${configVersion} no longer matches), and writing now would overwrite that edit`,
        { hint: 'run `pulumi up --refresh` to review the live values, then apply again', cause: error },
      );
    }
    throw error;
  }
}

const platformConfig: KindOperations = {
  async preview(api, olds, news) {
    // A server-side dry run of the write the update would make: a key or value this instance
    // does not accept fails `pulumi preview`, naming it, before anything changes.
    const { version, live } = await readPlatform(api, news);
    await applyPlatform(api, live, news, version, true);
    void olds;
  },
  async create(api, inputs) {
    const { version, live } = await readPlatform(api, inputs);
    return { id: 'platform_config', outs: await applyPlatform(api, live, inputs, version) };
  },
  async read(api, id, props) {
    const { version, live } = await readPlatform(api, props);
    const projectedLive: Props = {};
    let warning: string | undefined;
    if (props.session !== undefined) {
      const session = live.session as Props;
      // Unreadable (no session.lifetime in the instance's schema, null, a part minute): the last
      // applied value is kept and the user told, never a "removed" value Pulumi would rewrite.
      if (session.maximum_lifetime_minutes === undefined && (props.session as Props).maximum_lifetime_minutes !== undefined) {
        projectedLive.session = props.session;
        warning = 'clerkguard: the Platform config: session.lifetime could not be read as a maximum lifetime (see clerkguard export for why). Its last applied value is kept, so drift in it is not detected.';
      } else projectedLive.session = projectDeep(live.session, props.session);
    }
    if (props.platform_config !== undefined) {
      const raw: Props = {};
      for (const [key, wanted] of Object.entries(props.platform_config as Props)) {
        const value = (live.platform_config as Props)[key];
        if (value !== undefined) raw[key] = projectDeep(value, wanted);
      }
      projectedLive.platform_config = raw;
    }
    return { id, props: { ...projectedLive, ...(version ? { config_version: version } : {}) }, ...(warning ? { warning } : {}) };
  },
  async update(api, _id, olds, news) {
    // If-Match carries the version of the last read (create, refresh or update): an edit made
    // after it, in the dashboard or elsewhere, fails this write instead of being overwritten.
    const stateVersion = typeof olds.config_version === 'string' ? olds.config_version : undefined;
    const version = stateVersion ?? (await readPlatform(api, news)).version;
    return applyPlatform(api, pick(olds, ['session', 'platform_config']), news, version);
  },
  async remove() {
    return forgetMessage('the Platform API config (session lifetime, platform_config keys)');
  },
};

export const OPERATIONS: Readonly<Record<Exclude<KindName, 'Baseline'>, KindOperations>> = {
  InstanceSettings: instanceSettings,
  Restrictions: restrictions,
  Protect: protect,
  SmsCountryBlocklist: smsCountryBlocklist,
  OrganizationSettings: organizationSettings,
  OrganizationPermission: organizationPermission,
  OrganizationRole: organizationRole,
  JwtTemplate: jwtTemplate,
  PlatformConfig: platformConfig,
  OAuthApplicationSettings: oauthApplicationSettings,
};
