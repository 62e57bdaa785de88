/**
 * How to reach one Clerk instance: which keys, which base URLs, which retry policy.
 * Built from a baseline's `target` (names of env vars) plus the process environment, so keys
 * never pass through a file. The secret values live only in this object; every message that
 * could carry them goes through scrubSecrets with `secretsOf(connection)`.
 */
import type { Target } from '../baseline/schema';
import { ClerkguardError } from '../util/errors';
import { CLERK_RATE_LIMITS, DEFAULT_GLOBAL_CONCURRENCY, parseRateLimit, type RateLimit } from './budget';

export const DEFAULT_API_URL = 'https://api.clerk.com';
export const CLERK_API_VERSION = '2026-05-12';

/** Timeouts and retry budget. Every knob can be shortened in tests through env vars. */
export interface RetryPolicy {
  /** Per-request timeout. */
  timeoutMs: number;
  /** Retries after the first attempt for 429, 5xx, network errors, timeouts and malformed bodies. */
  maxRetries: number;
  /** Base of the jittered exponential backoff for 5xx and network errors. */
  backoffBaseMs: number;
  /** A Retry-After longer than this is not waited for: the call fails as rate limited. */
  maxRetryWaitMs: number;
  /** Multiplies Retry-After (seconds) before waiting. 1 in production; tests shrink it. */
  retryAfterScale: number;
  /**
   * How many independent reads run at once. One export makes about nine independent reads;
   * ten in flight keeps a run to a single round trip while staying far below Clerk's smallest
   * rate limit (development: 100 requests per 10 s).
   */
  concurrency: number;
  /**
   * Requests in flight in the whole process, over every client (a fleet run has one per
   * environment): src/clerk/budget.ts.
   */
  globalConcurrency: number;
  /**
   * Total time for everything one API client does (one environment's export, retries and waits
   * included). A hung endpoint ends the run here instead of after every retry's timeout.
   */
  deadlineMs: number;
  /** Largest response body read; a bigger one is an error naming the endpoint, never read whole. */
  maxBodyBytes: number;
  /** A list endpoint stops (as an error) past this many items or pages. */
  maxListItems: number;
  maxListPages: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  timeoutMs: 15_000,
  maxRetries: 4,
  backoffBaseMs: 250,
  maxRetryWaitMs: 60_000,
  retryAfterScale: 1,
  concurrency: 10,
  globalConcurrency: DEFAULT_GLOBAL_CONCURRENCY,
  deadlineMs: 30_000,
  maxBodyBytes: 16 * 1024 * 1024,
  maxListItems: 100_000,
  maxListPages: 1_000,
};

export interface PlatformConnection {
  apiKey: string;
  apiUrl: string;
  applicationId: string;
}

export interface ClerkConnection {
  /** The baseline's environment name, used in messages ("environment production"). */
  environment: string;
  secretKey: string;
  /** BAPI base without the version prefix, e.g. https://api.clerk.com */
  apiUrl: string;
  /** FAPI base URL (scheme + host), from CLERK_FRONTEND_API_URL or the publishable key. */
  frontendApiUrl?: string;
  publishableKey?: string;
  platform?: PlatformConnection;
  policy: RetryPolicy;
  /**
   * The instance's Backend API rate limit, shared by every client of the same instance in this
   * process (src/clerk/budget.ts); absent when turned off.
   */
  rateLimit?: RateLimit;
}

export interface ConnectionOptions {
  /** Environment name for messages; defaults to the target's environment_type. */
  environment?: string;
  policy?: Partial<RetryPolicy>;
}

/** Every secret a connection holds, for scrubSecrets' extra list. */
export function secretsOf(connection: Pick<ClerkConnection, 'secretKey' | 'platform'>): string[] {
  return [connection.secretKey, connection.platform?.apiKey].filter((value): value is string => typeof value === 'string' && value.length > 0);
}

/**
 * Builds a connection from a baseline target and the environment. Throws a ClerkguardError
 * naming the missing env var (never its value) when the secret key is absent.
 */
export function connectionFromEnv(target: Target, env: NodeJS.ProcessEnv = process.env, options: ConnectionOptions = {}): ClerkConnection {
  const environment = options.environment ?? target.environment_type;
  const secretKeyEnv = target.secret_key_env ?? 'CLERK_SECRET_KEY';
  const secretKey = env[secretKeyEnv]?.trim();
  if (!secretKey) {
    throw new ClerkguardError(`no secret key for environment ${environment}: ${secretKeyEnv} is not set`, {
      hint: `export ${secretKeyEnv}=sk_live_... (the Backend API secret key from Dashboard → API Keys)`,
    });
  }
  if (!/^sk_(live|test)_/.test(secretKey)) {
    throw new ClerkguardError(`${secretKeyEnv} for environment ${environment} is not a Clerk secret key (expected sk_live_… or sk_test_…)`);
  }
  const apiUrl = baseUrl(target.api_url, 'api_url', env, 'CLERK_API_URL', environment) ?? DEFAULT_API_URL;
  const publishableKey = env[target.publishable_key_env ?? 'CLERK_PUBLISHABLE_KEY']?.trim() || undefined;
  // CLERK_FRONTEND_API_URL and CLERK_APPLICATION_ID name one instance. They belong to the
  // baseline that uses the default key variables; a baseline naming its own keys (another
  // instance, e.g. staging) must not be read with them, so it relies on its own target.
  const defaultInstance = secretKeyEnv === 'CLERK_SECRET_KEY';
  const instanceEnv = defaultInstance ? env : {};
  const frontendApiUrl = frontendUrl(baseUrl(target.frontend_api_url, 'frontend_api_url', instanceEnv, 'CLERK_FRONTEND_API_URL', environment), publishableKey, environment);

  const platformKey = env[target.platform_api_key_env ?? 'CLERK_PLATFORM_API_KEY']?.trim();
  const applicationId = target.application_id ?? (instanceEnv.CLERK_APPLICATION_ID?.trim() || undefined);
  const platform: PlatformConnection | undefined =
    platformKey && applicationId
      ? {
          apiKey: platformKey,
          apiUrl: baseUrl(target.platform_api_url, 'platform_api_url', env, 'CLERK_PLATFORM_API_URL', environment) ?? apiUrl,
          applicationId,
        }
      : undefined;

  const rateLimit = rateLimitFor(keyEnvironment(secretKey) === 'test' ? 'development' : 'production', env);
  return {
    environment,
    secretKey,
    apiUrl,
    ...(frontendApiUrl ? { frontendApiUrl } : {}),
    ...(publishableKey ? { publishableKey } : {}),
    ...(platform ? { platform } : {}),
    policy: { ...DEFAULT_RETRY_POLICY, ...policyFromEnv(env), ...options.policy },
    ...(rateLimit ? { rateLimit } : {}),
  };
}

/**
 * The rate limit of the instance a secret key belongs to (sk_test_ keys belong to development
 * instances, sk_live_ keys to production ones), or the override in
 * CLERKGUARD_RATE_LIMIT_DEVELOPMENT / _PRODUCTION ("100/10s", "off").
 */
function rateLimitFor(type: 'production' | 'development', env: NodeJS.ProcessEnv): RateLimit | undefined {
  const name = `CLERKGUARD_RATE_LIMIT_${type.toUpperCase()}`;
  let override: RateLimit | null | undefined;
  try {
    override = parseRateLimit(env[name]);
  } catch (error) {
    throw new ClerkguardError(`${name}: ${(error as Error).message}`, { hint: `Clerk's own limit for ${type} instances is ${CLERK_RATE_LIMITS[type].requests} requests per 10 s` });
  }
  if (override === null) return undefined;
  return override ?? CLERK_RATE_LIMITS[type];
}

/**
 * The workspace, for discovery (`--discover`): only a Platform API key (CLERK_PLATFORM_API_KEY)
 * and the Platform API URL (CLERK_PLATFORM_API_URL, else CLERK_API_URL, else Clerk's). Throws
 * a ClerkguardError naming the missing variable.
 */
export function workspaceConnectionFromEnv(env: NodeJS.ProcessEnv = process.env, options: ConnectionOptions = {}): ClerkConnection {
  const environment = options.environment ?? 'the workspace';
  const apiKey = env.CLERK_PLATFORM_API_KEY?.trim();
  if (!apiKey) {
    throw new ClerkguardError('--discover needs a Platform API key: CLERK_PLATFORM_API_KEY is not set', {
      hint: 'export CLERK_PLATFORM_API_KEY=ak_... (a Platform API key of the workspace), or drop --discover',
    });
  }
  const apiUrl = baseUrl(undefined, 'platform_api_url', env, env.CLERK_PLATFORM_API_URL?.trim() ? 'CLERK_PLATFORM_API_URL' : 'CLERK_API_URL', environment) ?? DEFAULT_API_URL;
  return {
    environment,
    secretKey: '',
    apiUrl,
    platform: { apiKey, apiUrl, applicationId: '' },
    policy: { ...DEFAULT_RETRY_POLICY, ...policyFromEnv(env), ...options.policy },
  };
}

/** `live` or `test` from a key's prefix; the rest of the key is never looked at. */
export function keyEnvironment(key: string): 'live' | 'test' | undefined {
  const match = /^(?:sk|pk)_(live|test)_/.exec(key);
  return match ? (match[1] as 'live' | 'test') : undefined;
}

/** The frontend API host inside a publishable key: `pk_(live|test)_` + base64("<host>$"). */
export function decodePublishableKey(publishableKey: string): { environment: 'live' | 'test'; host: string } | undefined {
  const match = /^pk_(live|test)_([A-Za-z0-9+/=_-]+)$/.exec(publishableKey);
  if (!match) return undefined;
  const decoded = Buffer.from(match[2]!.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  if (!decoded.endsWith('$') || decoded.length < 2) return undefined;
  return { environment: match[1] as 'live' | 'test', host: decoded.slice(0, -1) };
}

export function encodePublishableKey(environment: 'live' | 'test', host: string): string {
  return `pk_${environment}_${Buffer.from(`${host}$`, 'utf8').toString('base64').replace(/=+$/, '')}`;
}

/** https for real hosts; plain http only for loopback hosts (the local emulator). */
export function frontendUrlForHost(host: string): string {
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(host);
  return `${loopback ? 'http' : 'https'}://${host}`;
}

function frontendUrl(explicit: string | undefined, publishableKey: string | undefined, environment: string): string | undefined {
  if (explicit) return stripSlash(explicit);
  if (!publishableKey) return undefined;
  const decoded = decodePublishableKey(publishableKey);
  if (!decoded) {
    throw new ClerkguardError(`the publishable key for environment ${environment} is malformed: cannot decode its frontend API host`, {
      hint: 'expected pk_live_… or pk_test_… as shown in Dashboard → API Keys, or set CLERK_FRONTEND_API_URL',
    });
  }
  return frontendUrlForHost(decoded.host);
}

/**
 * A base URL from the baseline target or an env var, checked up front: a typo is a clear error
 * naming where it came from, not a "could not reach Clerk" after retries. The value itself is
 * never echoed (a key pasted into the wrong variable must not end up in a message).
 */
function baseUrl(fromTarget: string | undefined, targetField: string, env: NodeJS.ProcessEnv, envName: string, environment: string): string | undefined {
  const value = fromTarget ?? (env[envName]?.trim() || undefined);
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    const source = fromTarget !== undefined ? `target.${targetField} of the baseline` : envName;
    throw new ClerkguardError(`${source} for environment ${environment} is not a usable base URL`, {
      hint: 'expected an http(s) URL without credentials or query, e.g. https://api.clerk.com',
    });
  }
  return stripSlash(value);
}

function policyFromEnv(env: NodeJS.ProcessEnv): Partial<RetryPolicy> {
  const out: Partial<RetryPolicy> = {};
  const read = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new ClerkguardError(`${name} must be a non-negative number, got "${raw}"`);
    return value;
  };
  const timeoutMs = read('CLERKGUARD_HTTP_TIMEOUT_MS');
  const maxRetries = read('CLERKGUARD_HTTP_RETRIES');
  const backoffBaseMs = read('CLERKGUARD_HTTP_BACKOFF_MS');
  const maxRetryWaitMs = read('CLERKGUARD_HTTP_MAX_RETRY_WAIT_MS');
  const retryAfterScale = read('CLERKGUARD_RETRY_AFTER_SCALE');
  const concurrency = read('CLERKGUARD_HTTP_CONCURRENCY');
  const globalConcurrency = read('CLERKGUARD_HTTP_GLOBAL_CONCURRENCY');
  const deadlineMs = read('CLERKGUARD_RUN_DEADLINE_MS');
  const maxBodyBytes = read('CLERKGUARD_HTTP_MAX_BODY_BYTES');
  const maxListItems = read('CLERKGUARD_MAX_LIST_ITEMS');
  const maxListPages = read('CLERKGUARD_MAX_LIST_PAGES');
  if (timeoutMs === 0) throw new ClerkguardError('CLERKGUARD_HTTP_TIMEOUT_MS must be greater than 0');
  for (const [name, value] of [['CLERKGUARD_RUN_DEADLINE_MS', deadlineMs], ['CLERKGUARD_HTTP_MAX_BODY_BYTES', maxBodyBytes], ['CLERKGUARD_MAX_LIST_ITEMS', maxListItems], ['CLERKGUARD_MAX_LIST_PAGES', maxListPages]] as const) {
    if (value === 0) throw new ClerkguardError(`${name} must be greater than 0`);
  }
  if (deadlineMs !== undefined) out.deadlineMs = deadlineMs;
  if (maxBodyBytes !== undefined) out.maxBodyBytes = Math.floor(maxBodyBytes);
  if (maxListItems !== undefined) out.maxListItems = Math.floor(maxListItems);
  if (maxListPages !== undefined) out.maxListPages = Math.floor(maxListPages);
  if (timeoutMs !== undefined) out.timeoutMs = timeoutMs;
  if (maxRetries !== undefined) out.maxRetries = Math.floor(maxRetries);
  if (backoffBaseMs !== undefined) out.backoffBaseMs = backoffBaseMs;
  if (maxRetryWaitMs !== undefined) out.maxRetryWaitMs = maxRetryWaitMs;
  if (retryAfterScale !== undefined) out.retryAfterScale = retryAfterScale;
  if (concurrency !== undefined) out.concurrency = Math.max(1, Math.floor(concurrency));
  if (globalConcurrency !== undefined) out.globalConcurrency = Math.max(1, Math.floor(globalConcurrency));
  return out;
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
