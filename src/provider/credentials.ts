/**
 * Where the provider's credentials come from: stack config (read in the dynamic provider's
 * `configure`, which receives the whole stack config with namespaces) or the environment.
 * The values live only in this process's memory; nothing here is captured by the serialized
 * provider, so neither state nor `pulumi stack export` can hold them in plain text.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { loadBaselineFile } from '../baseline/load';
import { targetSchema, type Target } from '../baseline/schema';
import { connectionFromEnv, type ClerkConnection } from '../clerk/connection';
import { ClerkguardError } from '../util/errors';

/** Stack config keys (namespace `clerkguard`) and the env var each one falls back to. */
export const CONFIG_KEYS = {
  baseline: { key: 'clerkguard:baseline', env: 'CLERKGUARD_BASELINE' },
  secretKey: { key: 'clerkguard:secretKey', env: 'CLERK_SECRET_KEY' },
  apiUrl: { key: 'clerkguard:apiUrl', env: 'CLERK_API_URL' },
  publishableKey: { key: 'clerkguard:publishableKey', env: 'CLERK_PUBLISHABLE_KEY' },
  frontendApiUrl: { key: 'clerkguard:frontendApiUrl', env: 'CLERK_FRONTEND_API_URL' },
  platformApiKey: { key: 'clerkguard:platformApiKey', env: 'CLERK_PLATFORM_API_KEY' },
  platformApiUrl: { key: 'clerkguard:platformApiUrl', env: 'CLERK_PLATFORM_API_URL' },
  applicationId: { key: 'clerkguard:applicationId', env: 'CLERK_APPLICATION_ID' },
} as const;
export type ConfigName = keyof typeof CONFIG_KEYS;

/** The minimal view of Pulumi config both `configure(req).config` and tests provide. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

export const EMPTY_CONFIG: ConfigSource = { get: () => undefined };

export function configValue(config: ConfigSource, name: ConfigName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { key, env: envName } = CONFIG_KEYS[name];
  const value = config.get(key)?.trim() || env[envName]?.trim();
  return value === '' ? undefined : value;
}

/**
 * The configured baseline file as an absolute path. A relative path is relative to the project
 * directory (where Pulumi.yaml is), as `pulumi config set clerkguard:baseline baselines/x.json`
 * means it: Pulumi runs the program and the providers in dirname(main), not there.
 */
export function baselinePath(config: ConfigSource, projectDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = configValue(config, 'baseline', env);
  if (!file) return undefined;
  return isAbsolute(file) ? file : resolve(projectDir, file);
}

/** Pulumi's project file names (`pulumi` accepts either). */
const PROJECT_FILES = ['Pulumi.yaml', 'Pulumi.yml'];

/**
 * The project directory for code that Pulumi does not tell it (the provider process): the
 * nearest directory at or above `start` holding Pulumi.yaml, else `start`. The engine starts
 * providers inside the project (in dirname(main)), so the walk ends at the project's root.
 */
export function projectDirAbove(start: string = process.cwd()): string {
  let dir = resolve(start);
  // Bounded: a path has far fewer than 128 levels.
  for (let depth = 0; depth < 128; depth++) {
    if (PROJECT_FILES.some((name) => existsSync(join(dir, name)))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return resolve(start);
}

/**
 * A connection for the provider. The baseline's target (when the config names a readable
 * baseline) says which env vars hold keys and where the APIs are; stack config overrides it.
 */
export function providerConnection(config: ConfigSource, env: NodeJS.ProcessEnv = process.env): ClerkConnection {
  const target = providerTarget(config, env);
  const merged: NodeJS.ProcessEnv = { ...env };
  const assign = (envName: string | undefined, name: ConfigName) => {
    const value = config.get(CONFIG_KEYS[name].key)?.trim();
    if (envName && value) merged[envName] = value;
  };
  assign(target.secret_key_env, 'secretKey');
  assign(target.publishable_key_env, 'publishableKey');
  assign(target.platform_api_key_env, 'platformApiKey');
  const overrides: Partial<Target> = {};
  const apiUrl = config.get(CONFIG_KEYS.apiUrl.key)?.trim();
  const frontendApiUrl = config.get(CONFIG_KEYS.frontendApiUrl.key)?.trim();
  const platformApiUrl = config.get(CONFIG_KEYS.platformApiUrl.key)?.trim();
  const applicationId = config.get(CONFIG_KEYS.applicationId.key)?.trim();
  if (apiUrl) overrides.api_url = apiUrl;
  if (frontendApiUrl) overrides.frontend_api_url = frontendApiUrl;
  if (platformApiUrl) overrides.platform_api_url = platformApiUrl;
  if (applicationId) overrides.application_id = applicationId;
  // A stack governs exactly one instance, so the instance-specific variables belong to it even
  // when its baseline names its own key variables (connectionFromEnv only trusts them for the
  // default-key baseline of a multi-environment run).
  if (!overrides.frontend_api_url && !target.frontend_api_url && env.CLERK_FRONTEND_API_URL?.trim()) overrides.frontend_api_url = env.CLERK_FRONTEND_API_URL.trim();
  if (!overrides.application_id && !target.application_id && env.CLERK_APPLICATION_ID?.trim()) overrides.application_id = env.CLERK_APPLICATION_ID.trim();
  requireSecretKey(config, target, merged);
  return connectionFromEnv({ ...target, ...overrides }, merged);
}

/**
 * The provider's own message for a missing or malformed secret key: it names the stack config
 * key a Pulumi user sets (connectionFromEnv's message would only name the env var). Never
 * includes the value.
 */
function requireSecretKey(config: ConfigSource, target: Target, env: NodeJS.ProcessEnv): void {
  const envName = target.secret_key_env ?? CONFIG_KEYS.secretKey.env;
  const fromConfig = Boolean(config.get(CONFIG_KEYS.secretKey.key)?.trim());
  const value = env[envName]?.trim();
  if (!value) {
    throw new ClerkguardError(`no secret key for environment ${target.environment_type}: neither stack config ${CONFIG_KEYS.secretKey.key} nor ${envName} is set`, {
      hint: `pulumi config set --secret ${CONFIG_KEYS.secretKey.key} sk_live_... (the Backend API secret key from Dashboard → API Keys)`,
    });
  }
  if (!/^sk_(live|test)_/.test(value)) {
    const source = fromConfig ? `stack config ${CONFIG_KEYS.secretKey.key}` : envName;
    throw new ClerkguardError(`${source} is not a Clerk secret key (expected sk_live_… or sk_test_…)`);
  }
}

function providerTarget(config: ConfigSource, env: NodeJS.ProcessEnv): Target {
  const file = baselinePath(config, projectDirAbove(), env);
  if (file) {
    try {
      return loadBaselineFile(file).baseline.target;
    } catch (error) {
      // A destroy must still work after the file is gone, but only with a key the stack itself
      // names: the baseline may have named other variables (CLERK_STAGING_SECRET_KEY), and
      // guessing CLERK_SECRET_KEY could act on another environment's instance.
      if (!config.get(CONFIG_KEYS.secretKey.key)?.trim()) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new ClerkguardError(`cannot read the stack's baseline ${file} (${reason}), so the environment variables holding this stack's keys are unknown`, {
          hint: `restore the baseline file, or give the stack its own key: pulumi config set --secret ${CONFIG_KEYS.secretKey.key} sk_live_...`,
        });
      }
    }
  }
  return targetSchema.parse({ environment_type: 'production' });
}
