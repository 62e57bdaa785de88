/**
 * The alert lifecycle's memory between runs (default `.clerkguard/state.json`): per environment,
 * whether an alert is open, for which drift (a fingerprint of the changes), and the Slack
 * thread it lives in. Written atomically after each delivered message, so a crash or a Slack
 * failure never records a message that was not sent. Holds no secrets.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { DriftChange, DriftError } from '../drift/types';
import { ClerkguardError, describeError } from '../util/errors';
import { readTextFile, replaceFileAtomic } from '../util/fs';
import { formatIssue, parseJsonText, validateWithSchema } from '../baseline/validate';
import { nullRecord } from '../util/records';
import { stableStringify } from '../util/json';

export { DEFAULT_STATE_FILE } from './defaults';

const threadSchema = z.object({ fingerprint: z.string(), ts: z.string(), channel: z.string(), since: z.string() });

const alertSchema = threadSchema.extend({
  /** The settings paths the open alert is about (its active changes). */
  paths: z.array(z.string()).optional(),
  /** Fingerprint of the alerted paths a run could not read, once "could not verify" was posted. */
  unverified: z.string().optional(),
});

const environmentStateSchema = z.object({
  status: z.enum(['clean', 'drift']),
  /** The open drift alert, when status is drift. */
  alert: alertSchema.optional(),
  /** The open "could not check" alert, independent of drift. */
  error: threadSchema.optional(),
  last_run_at: z.string().optional(),
});
export type EnvironmentAlertState = z.infer<typeof environmentStateSchema>;

const stateSchema = z.object({
  schema_version: z.literal(1),
  environments: z.record(z.string(), environmentStateSchema),
});
export type AlertState = z.infer<typeof stateSchema>;

export function emptyState(): AlertState {
  return { schema_version: 1, environments: nullRecord() };
}

export function readState(file: string): AlertState {
  if (!existsSync(file)) return emptyState();
  const hint = 'delete the file to start over (the next drift sends a fresh alert)';
  const text = readTextFile(file, { unreadable: hint });
  const parsed = parseJsonText(text, file);
  if (parsed.errors.length > 0) {
    throw new ClerkguardError(`${file}: the alert state is not valid JSON:\n${parsed.errors.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`, { hint });
  }
  // Environment names are keys: validation rebuilds the record without a prototype, so an
  // environment named `constructor` is an ordinary entry.
  const result = validateWithSchema(stateSchema, parsed.value, file, text);
  if (!result.value) throw new ClerkguardError(`${file}: unexpected alert state format:\n${result.errors.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`, { hint });
  return result.value;
}

export function writeState(file: string, state: AlertState): void {
  try {
    replaceFileAtomic(file, stableStringify(state), { createDir: true });
  } catch (error) {
    throw new ClerkguardError(`${file}: cannot save the alert state (${(error as NodeJS.ErrnoException).code ?? describeError(error)})`, {
      hint: 'make the --state file writable; a message already posted in this run was not recorded, so the next run may post it again',
      cause: error,
    });
  }
}

function fingerprint(value: unknown): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16)}`;
}

/** Same unsuppressed changes → same fingerprint, whatever order they came in. */
export function driftFingerprint(changes: readonly DriftChange[]): string {
  const keyed = changes
    .filter((change) => !change.suppressed)
    .map((change) => [change.path, change.kind, change.baseline, change.live])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1])));
  return fingerprint(keyed);
}

export function unverifiedFingerprint(paths: readonly string[]): string {
  return fingerprint([...paths].sort());
}

export function errorFingerprint(errors: readonly DriftError[]): string {
  return fingerprint(errors.map((error) => [error.endpoint ?? '', error.status ?? 0, error.message]).sort());
}
