/** Shared pieces for the provider tests: an emulator and stack-config-like credentials. */
import type { ConfigSource } from '../../src/provider/credentials';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index';
import type { Settings } from '../../src/settings/model';

/** A recognizable secret: any test output containing it has leaked the key. */
export const SENTINEL_SECRET_KEY = 'sk_live_SENTINEL0provider0secret0DO0NOT0LEAK';
export const SENTINEL_PLATFORM_KEY = 'ak_SENTINEL0platform0secret0DO0NOT0LEAK';

/** A drifted instance: the opposite of the production baseline wherever it matters. */
export const DRIFTED: Settings = {
  instance: { environment_type: 'production', allowed_origins: ['https://*.example.com', 'http://localhost:3000'], test_mode: true, hibp: false },
  restrictions: { allowlist: false, blocklist: false, block_email_subaddresses: false, block_disposable_email_domains: false },
  protect: { rules_enabled: false },
  communication: { blocked_country_codes: ['RU'] },
  session: { inactivity_timeout_minutes: 1440, maximum_lifetime_minutes: 43200 },
  jwt_templates: {
    supabase: { claims: { aud: 'authenticated', email: '{{user.primary_email_address}}' }, lifetime: 3600, allowed_clock_skew: 5, signing_algorithm: 'RS256' },
  },
};

/** A production instance seeded with `seed` (a copy), the sentinel keys, no rate limit. */
export async function startDriftedEmulator(seed: Settings = DRIFTED): Promise<RunningEmulator> {
  return startEmulator({ seed: structuredClone(seed), environmentType: 'production', secretKey: SENTINEL_SECRET_KEY, platformApiKey: SENTINEL_PLATFORM_KEY, rateLimit: false });
}

/** Stack config pointing the provider at the emulator, as `configure(req)` would receive it. */
export function emulatorConfig(emulator: RunningEmulator, extra: Record<string, string> = {}): ConfigSource & { values: Record<string, string> } {
  const values: Record<string, string> = {
    'clerkguard:secretKey': emulator.secret_key,
    'clerkguard:apiUrl': emulator.bapi_url,
    'clerkguard:frontendApiUrl': emulator.frontend_api_url,
    'clerkguard:platformApiKey': emulator.platform_api_key,
    'clerkguard:platformApiUrl': emulator.platform_api_url,
    'clerkguard:applicationId': emulator.application_id,
    ...extra,
  };
  return { values, get: (key) => values[key] };
}

/** Writes (non-GET) requests the emulator received since `from`, as method + path + body. */
export function writesSince(emulator: RunningEmulator, from: number): { method: string; path: string; body: unknown; headers: Record<string, string>; status: number }[] {
  return emulator.requests
    .slice(from)
    .filter((request) => request.method !== 'GET' && request.api !== 'admin')
    .map((request) => ({ method: request.method, path: request.path, body: request.body, headers: request.headers, status: request.status }));
}
