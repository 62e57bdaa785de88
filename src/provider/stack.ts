/**
 * The Pulumi program: one resource per writable setting group of a baseline. Pulumi.yaml runs
 * it through program.ts (`pulumi up` in the repository); it is exported as a function so it
 * can also be an Automation API inline program.
 */
import * as pulumi from '@pulumi/pulumi';
import { loadBaselineFile } from '../baseline/load';
import { toPlainObjects } from '../util/records';
import type { Baseline } from '../baseline/schema';
import type { Settings } from '../settings/model';
import { scrubSecrets } from '../settings/redact';
import { ClerkguardError } from '../util/errors';
import { baselinePath, configValue, type ConfigSource } from './credentials';
import { ClerkResource } from './dynamic';
import { WRITABLE_ENROLLMENT_MODES } from '../clerk/confirm';
import { PLATFORM_GROUP_SCHEMAS, PLATFORM_GROUPS, type KindName } from './kinds';

export interface DeclareOptions {
  /** Declare the Platform API config groups (session, attack protection, ...). */
  platform: boolean;
  /** JWT template signing keys by template name, for templates with custom_signing_key. */
  jwtSigningKeys?: Record<string, pulumi.Input<string>>;
}

export interface DeclaredResources {
  baseline: ClerkResource;
  resources: Record<string, ClerkResource>;
}

/** The Pulumi resource name of each declared object, e.g. `jwt-template/supabase`. */
export function resourceName(kind: KindName, key?: string): string {
  switch (kind) {
    case 'Baseline':
      return 'baseline';
    case 'InstanceSettings':
      return 'instance-settings';
    case 'Restrictions':
      return 'restrictions';
    case 'Protect':
      return 'protect';
    case 'SmsCountryBlocklist':
      return 'sms-country-blocklist';
    case 'OrganizationSettings':
      return 'organization-settings';
    case 'OrganizationPermission':
      return `permission/${key}`;
    case 'OrganizationRole':
      return `role/${key}`;
    case 'JwtTemplate':
      return `jwt-template/${key}`;
    case 'PlatformConfig':
      return 'platform-config';
    case 'OAuthApplicationSettings':
      return 'oauth-application-settings';
  }
}

/** Declares every resource the baseline's settings call for. Absent groups stay unmanaged. */
export function declareBaseline(baseline: Baseline, options: DeclareOptions): DeclaredResources {
  const settings: Settings = baseline.settings;
  const resources: Record<string, ClerkResource> = {};
  const add = (kind: KindName, key: string | undefined, inputs: Record<string, pulumi.Input<unknown>>, opts: pulumi.CustomResourceOptions = {}) => {
    const name = resourceName(kind, key);
    const resource = new ClerkResource(kind, name, inputs, opts);
    resources[name] = resource;
    return resource;
  };

  const record = new ClerkResource('Baseline', resourceName('Baseline'), {
    environment: baseline.environment,
    version: baseline.version,
    profile: baseline.profile,
    environment_type: baseline.target.environment_type,
    exceptions: baseline.exceptions,
    declared_only: declaredOnlySettings(settings, options),
  });

  const instance = withoutUndefined({
    // An empty list cannot be written (Clerk ignores it): it is declared only, on the Baseline.
    allowed_origins: settings.instance?.allowed_origins?.length === 0 ? undefined : settings.instance?.allowed_origins,
    test_mode: settings.instance?.test_mode,
    hibp: settings.instance?.hibp,
  });
  if (Object.keys(instance).length > 0) add('InstanceSettings', undefined, instance);
  if (settings.restrictions && Object.keys(settings.restrictions).length > 0) add('Restrictions', undefined, { ...settings.restrictions });
  if (settings.protect && Object.keys(settings.protect).length > 0) add('Protect', undefined, { ...settings.protect });
  if (settings.communication?.blocked_country_codes !== undefined) add('SmsCountryBlocklist', undefined, { ...settings.communication });
  if (settings.oauth_application_settings && Object.keys(settings.oauth_application_settings).length > 0) add('OAuthApplicationSettings', undefined, { ...settings.oauth_application_settings });

  const organizations = settings.organizations;
  const permissions = Object.entries(organizations?.permissions ?? {}).map(([key, permission]) => add('OrganizationPermission', key, { key, ...permission }));
  const roles = Object.entries(organizations?.roles ?? {}).map(([key, role]) => add('OrganizationRole', key, { key, ...role }, { dependsOn: permissions }));
  if (organizations?.settings && Object.keys(organizations.settings).length > 0) {
    // creator_role and domains_default_role may name a custom role: create roles first.
    // PATCH writes the automatic enrollment modes only; manual_invitation stays with drift.
    const modes = organizations.settings.domains_enrollment_modes?.filter((mode) => WRITABLE_ENROLLMENT_MODES.includes(mode));
    add('OrganizationSettings', undefined, { ...organizations.settings, ...(modes === undefined ? {} : { domains_enrollment_modes: modes }) }, { dependsOn: roles });
  }

  for (const [name, template] of Object.entries(settings.jwt_templates ?? {})) {
    // Clerk takes a signing key only along with custom_signing_key: true (bapi-2026-05-12.yml,
    // CreateJWTTemplate: "Required if custom_signing_key is true").
    const signingKey = template.custom_signing_key === true ? options.jwtSigningKeys?.[name] : undefined;
    add('JwtTemplate', name, { name, ...template, ...(signingKey === undefined ? {} : { signing_key: pulumi.secret(signingKey) }) });
  }

  if (options.platform) {
    const groups: Record<string, Record<string, unknown>> = {};
    for (const group of PLATFORM_GROUPS) {
      const value = platformGroupSettings(settings, group);
      if (value) groups[group] = value;
    }
    if (settings.platform_config && Object.keys(settings.platform_config).length > 0) groups.platform_config = settings.platform_config;
    if (Object.keys(groups).length > 0) add('PlatformConfig', undefined, groups);
  }
  return { baseline: record, resources };
}

/**
 * Settings of the baseline no resource applies: read-only facts (environment type, domains; an
 * empty allowed_origins, which Clerk's PATCH ignores, so no resource can make it so), groups no
 * API writes (MFA, lockout, sign-up, password policy, revoke-on), attestations. The Baseline
 * resource records them so the policy pack judges the whole baseline, not only what Pulumi
 * can change.
 */
export function declaredOnlySettings(settings: Settings, options: Pick<DeclareOptions, 'platform'>): Settings {
  const out: Settings = { ...settings };
  delete out.restrictions;
  delete out.protect;
  delete out.communication;
  delete out.oauth_application_settings;
  delete out.jwt_templates;
  // Role sets are read-only: kept for the policy pack; the rest of organizations are resources.
  if (settings.organizations?.role_sets) out.organizations = { role_sets: settings.organizations.role_sets };
  else delete out.organizations;
  if (settings.instance) {
    const readOnly = {
      ...(settings.instance.environment_type === undefined ? {} : { environment_type: settings.instance.environment_type }),
      ...(settings.instance.allowed_origins?.length === 0 ? { allowed_origins: [] } : {}),
      ...(settings.instance.domains === undefined ? {} : { domains: settings.instance.domains }),
    };
    if (Object.keys(readOnly).length === 0) delete out.instance;
    else out.instance = readOnly;
  }
  if (settings.session && options.platform) {
    const writable = Object.keys(PLATFORM_GROUP_SCHEMAS.session.shape);
    const rest = Object.fromEntries(Object.entries(settings.session).filter(([key]) => !writable.includes(key)));
    if (Object.keys(rest).length > 0) out.session = rest;
    else delete out.session;
  }
  if (options.platform) delete out.platform_config;
  return out;
}

/** The part of a settings group the Platform API can write, or undefined when none is declared. */
export function platformGroupSettings(settings: Settings, group: keyof typeof PLATFORM_GROUP_SCHEMAS): Record<string, unknown> | undefined {
  const declared = settings[group] as Record<string, unknown> | undefined;
  if (!declared) return undefined;
  const writable = Object.keys(PLATFORM_GROUP_SCHEMAS[group].shape);
  const value = withoutUndefined(Object.fromEntries(Object.entries(declared).filter(([key]) => writable.includes(key))));
  return Object.keys(value).length > 0 ? value : undefined;
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): Record<string, pulumi.Input<unknown>> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));
}

/** Stack config as a ConfigSource, for the helpers shared with the provider's `configure`. */
export function stackConfigSource(): ConfigSource {
  const config = new pulumi.Config('clerkguard');
  return { get: (key) => config.get(key.replace(/^clerkguard:/, '')) };
}

export interface ProgramOutputs {
  environment: string;
  baselineVersion: string;
  managed: string[];
  platformManaged: boolean;
}

/**
 * The program: reads stack config `clerkguard:baseline` (relative to the project directory),
 * declares the resources and exports a summary. Platform groups are declared only when a
 * Platform API key is configured (stack config or the baseline's env var).
 */
export async function clerkguardProgram(): Promise<ProgramOutputs> {
  try {
    return await declareFromConfig();
  } catch (error) {
    throw asRunError(error);
  }
}

/**
 * Known errors (a missing or invalid baseline, bad stack config) become a `pulumi.RunError`,
 * which Pulumi prints as the message alone; any other error would be printed as
 * "Unhandled exception" with a stack trace.
 */
export function asRunError(error: unknown): unknown {
  if (!(error instanceof ClerkguardError)) return error;
  const hint = error.hint ? ` (hint: ${error.hint})` : '';
  const runError = new pulumi.RunError(scrubSecrets(`clerkguard: ${error.message}${hint}`));
  // Pulumi's runner prints a RunError with util.inspect(err, {colors: true}); on Node 20 and 22
  // that looped on a frame of @pulumi/pulumi's stack until a 3 GB heap gave up (a missing
  // baseline: `pulumi preview` 40 s and 15 s CPU). The message is the whole report anyway.
  runError.stack = `${runError.name}: ${runError.message}`;
  return runError;
}

async function declareFromConfig(): Promise<ProgramOutputs> {
  const config = stackConfigSource();
  // The project directory Pulumi reports (where Pulumi.yaml is); an Automation API inline
  // program has none, and its relative paths are relative to its process's directory.
  const file = baselinePath(config, pulumi.getRootDirectory() || process.cwd());
  if (!file) {
    throw new ClerkguardError('no baseline configured for this stack', {
      hint: 'pulumi config set clerkguard:baseline baselines/production.json',
    });
  }
  // Pulumi stringifies resource inputs: hand it objects with a prototype (records are null-prototype).
  const baseline = toPlainObjects(loadBaselineFile(file).baseline);
  const platform = platformConfigured(config, baseline);
  const jwtSigningKeys = signingKeysFromConfig();
  requireSigningKeys(baseline, jwtSigningKeys);
  const { resources } = declareBaseline(baseline, { platform, jwtSigningKeys });
  return {
    environment: baseline.environment,
    baselineVersion: baseline.version,
    managed: Object.keys(resources).sort(),
    platformManaged: platform,
  };
}

/**
 * The Platform config resource needs a Platform API key and an application id. A key without
 * an application id is reported instead of failing every later `up` at the provider.
 */
function platformConfigured(config: ConfigSource, baseline: Baseline): boolean {
  const key = configValue(config, 'platformApiKey') ?? process.env[baseline.target.platform_api_key_env]?.trim();
  if (!key) return false;
  const applicationId = configValue(config, 'applicationId') ?? baseline.target.application_id;
  if (!applicationId) {
    void pulumi.log.warn('a Platform API key is configured but no application id: session lifetime is not managed (pulumi config set clerkguard:applicationId app_...)');
    return false;
  }
  return true;
}

/**
 * `clerkguard:jwtSigningKeys` (a secret object: template name -> signing key). Template names
 * are needed synchronously to declare resources, so the object is read as plain config and each
 * value is re-wrapped as a Pulumi secret before it reaches any resource.
 */
function signingKeysFromConfig(): Record<string, pulumi.Input<string>> {
  const keys = new pulumi.Config('clerkguard').getObject<Record<string, unknown>>('jwtSigningKeys') ?? {};
  const out: Record<string, pulumi.Input<string>> = {};
  for (const [name, value] of Object.entries(keys)) {
    if (typeof value !== 'string' || value === '') {
      throw new ClerkguardError(`clerkguard:jwtSigningKeys.${name} must be a non-empty string`, {
        hint: `pulumi config set --secret --path 'clerkguard:jwtSigningKeys.${name}' <signing key>`,
      });
    }
    out[name] = pulumi.secret(value);
  }
  return out;
}

/**
 * Every template with `custom_signing_key: true` needs its key in stack config: Clerk rejects
 * the setting without one. Checked before any resource is declared, so `pulumi preview` fails
 * and `pulumi up` applies nothing, instead of failing halfway through the stack.
 */
export function requireSigningKeys(baseline: Baseline, signingKeys: Readonly<Record<string, unknown>>): void {
  const templates = baseline.settings.jwt_templates ?? {};
  const missing = Object.entries(templates)
    .filter(([name, template]) => template.custom_signing_key === true && !Object.hasOwn(signingKeys, name))
    .map(([name]) => name);
  if (missing.length > 0) {
    const names = missing.map((name) => `"${name}"`).join(', ');
    throw new ClerkguardError(`JWT template${missing.length > 1 ? 's' : ''} ${names} set${missing.length > 1 ? '' : 's'} custom_signing_key, but stack config has no signing key for ${missing.length > 1 ? 'them' : 'it'}`, {
      hint: missing.map((name) => `pulumi config set --secret --path 'clerkguard:jwtSigningKeys.${name}' <signing key>`).join('; '),
    });
  }
  for (const name of Object.keys(signingKeys)) {
    if (!Object.hasOwn(templates, name)) {
      void pulumi.log.warn(`clerkguard:jwtSigningKeys.${name} names no JWT template of the baseline; it is not used`);
    } else if (templates[name]?.custom_signing_key !== true) {
      void pulumi.log.warn(`clerkguard:jwtSigningKeys.${name} is set, but the baseline's template "${name}" does not set custom_signing_key: true; the key is not used`);
    }
  }
}
