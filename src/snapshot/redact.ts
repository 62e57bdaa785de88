/**
 * The last line of defence before a snapshot touches the disk: the export is already redacted
 * by construction, but a secret could still arrive inside a free-form value (a JWT claim, a
 * webhook description). Every written text is scrubbed of known secret shapes and of the
 * actual key values found in the environment, then checked again.
 */
import type { LoadedBaseline } from '../baseline/load';
import { liveExportSchema, type LiveExport } from '../export/types';
import { containsSecret, scrubSecrets } from '../settings/redact';
import { ClerkguardError } from '../util/errors';
import { stableStringify } from '../util/json';

const ALWAYS_SECRET_ENV = ['CLERK_SECRET_KEY', 'CLERK_PLATFORM_API_KEY', 'SLACK_BOT_TOKEN', 'CLERK_WEBHOOK_SIGNING_SECRET'];

/** Values of every env var that holds a credential for these baselines (names from their targets). */
export function secretValues(env: NodeJS.ProcessEnv, baselines: readonly LoadedBaseline[]): string[] {
  const names = new Set(ALWAYS_SECRET_ENV);
  for (const { baseline } of baselines) {
    names.add(baseline.target.secret_key_env);
    names.add(baseline.target.platform_api_key_env);
  }
  const values = [...names].map((name) => env[name]).filter((value): value is string => typeof value === 'string' && value.length >= 6);
  // Longest first, so a secret that contains another is replaced whole.
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

/** Scrubs and re-checks text about to be written; throws rather than write a secret. */
export function safeText(text: string, secrets: readonly string[], what: string): string {
  const scrubbed = scrubSecrets(text, secrets);
  if (containsSecret(scrubbed) || secrets.some((secret) => scrubbed.includes(secret))) {
    throw new ClerkguardError(`${what} still contains a secret after redaction; refusing to write it`, { hint: 'this is a bug in clerkguard; please report it' });
  }
  return scrubbed;
}

/** The snapshot file text: the export in stable key order, scrubbed, and still a valid export. */
export function snapshotJsonText(live: LiveExport, secrets: readonly string[], what: string): string {
  const text = safeText(stableStringify(live), secrets, what);
  const reparsed = liveExportSchema.safeParse(JSON.parse(text));
  if (!reparsed.success) {
    throw new ClerkguardError(`${what}: redaction produced an invalid export (${reparsed.error.issues[0]?.message ?? 'unknown problem'})`, {
      hint: 'a setting value looks like a secret; remove it from Clerk or report the false positive',
    });
  }
  return text;
}
