/** What a baseline tells a scan: the revocation policy, the environment type, the production host. */
import type { Baseline } from '../baseline/schema';
import type { ScanPolicy } from './context';
import { ALL_REVOKE_EVENTS } from './index';
import { publishableKeyHost } from './keys';

export function scanPolicy(baseline: Baseline | undefined, env: NodeJS.ProcessEnv): ScanPolicy {
  if (!baseline) return { revokeOn: ALL_REVOKE_EVENTS };
  const target = baseline.target;
  let productionHost: string | undefined;
  if (target.environment_type === 'production') {
    if (target.frontend_api_url) productionHost = safeHost(target.frontend_api_url);
    else {
      // The production instance's own publishable key, when the environment has it.
      const key = env[target.publishable_key_env ?? 'CLERK_PUBLISHABLE_KEY'];
      const match = key ? /^pk_live_([A-Za-z0-9+/=_-]+)$/.exec(key.trim()) : null;
      if (match) productionHost = publishableKeyHost(match[1] as string);
    }
  }
  return {
    revokeOn: baseline.settings.session?.revoke_on ?? ALL_REVOKE_EVENTS,
    environmentType: target.environment_type,
    ...(productionHost ? { productionHost } : {}),
  };
}

/**
 * Baseline `ignore` entries whose path is `code:GLOB` leave those files out of the scan, until
 * they expire (like every ignore entry: then the files are scanned again and `check` reports
 * the expired entry).
 */
export function scanExclusions(baseline: Baseline | undefined, today: string): { glob: string; reason: string }[] {
  return (baseline?.ignore ?? [])
    .filter((entry) => entry.path.startsWith('code:') && entry.expires >= today)
    .map((entry) => ({ glob: entry.path.slice('code:'.length), reason: `${entry.reason} (owner ${entry.owner}, until ${entry.expires})` }));
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}
